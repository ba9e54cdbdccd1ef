# PostgreSQL and Redis for the second test pass; sourced by scripts/test.sh (needs $BIN).
#
# services_start exports HELPDESK_PG_URL (a SQLAlchemy URL of an existing database the tests may
# use to create and drop their own) and HELPDESK_REDIS_URL. It prefers the servers already on
# 127.0.0.1:5432 and :6379; when one does not answer it starts a throwaway one from Debian's
# binaries on a free loopback port with a temporary data dir. services_stop stops only what
# services_start started.

_SVC_TMP=""
_SVC_PG_DATA=""
_SVC_REDIS_PIDFILE=""
_SVC_PG_BIN=${HELPDESK_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}

_svc_py() { "$BIN/python" -c "$@"; }

_svc_free_port() {
    _svc_py 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

_svc_pg_answers() {  # _svc_pg_answers <sqlalchemy url>
    _svc_py '
import sys
from sqlalchemy import create_engine, text
e = create_engine(sys.argv[1], connect_args={"connect_timeout": 3})
with e.connect() as c:
    c.execute(text("SELECT 1"))
' "$1" >/dev/null 2>&1
}

_svc_redis_answers() {  # _svc_redis_answers <redis url>
    _svc_py 'import sys, redis; redis.Redis.from_url(sys.argv[1], socket_timeout=2).ping()' "$1" >/dev/null 2>&1
}

# As root, PostgreSQL refuses to run: use the `postgres` account for the throwaway cluster.
_svc_as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

_svc_start_pg() {
    local port
    port=$(_svc_free_port)
    _SVC_PG_DATA="$_SVC_TMP/pg"
    mkdir -p "$_SVC_PG_DATA"
    [ "$(id -u)" = 0 ] && chown postgres: "$_SVC_TMP" "$_SVC_PG_DATA"
    _svc_as_pg "$_SVC_PG_BIN/initdb" -D "$_SVC_PG_DATA" -A trust -U postgres -E UTF8 >/dev/null || return 1
    # A throwaway cluster: durability does not matter, speed does.
    _svc_as_pg "$_SVC_PG_BIN/pg_ctl" -D "$_SVC_PG_DATA" -l "$_SVC_PG_DATA/server.log" -w -t 60 start \
        -o "-p $port -k $_SVC_PG_DATA -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=300" \
        >/dev/null || { cat "$_SVC_PG_DATA/server.log" >&2; return 1; }
    _svc_py '
import sys
from sqlalchemy import create_engine, text
with create_engine(sys.argv[1], isolation_level="AUTOCOMMIT").connect() as c:
    c.execute(text("CREATE DATABASE test"))
' "postgresql+psycopg://postgres@127.0.0.1:$port/postgres" || return 1
    HELPDESK_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$port/test"
    echo "started a throwaway PostgreSQL on 127.0.0.1:$port"
}

_svc_start_redis() {
    local port
    port=$(_svc_free_port)
    _SVC_REDIS_PIDFILE="$_SVC_TMP/redis.pid"
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
        --pidfile "$_SVC_REDIS_PIDFILE" --dir "$_SVC_TMP" --logfile "$_SVC_TMP/redis.log" || return 1
    HELPDESK_REDIS_URL="redis://127.0.0.1:$port"
    local i
    for i in $(seq 50); do _svc_redis_answers "$HELPDESK_REDIS_URL" && break; sleep 0.1; done
    echo "started a throwaway Redis on 127.0.0.1:$port"
}

services_start() {
    _SVC_TMP=$(mktemp -d /tmp/helpdesk-services.XXXXXX)
    chmod 755 "$_SVC_TMP"
    HELPDESK_PG_URL=${HELPDESK_PG_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}
    if ! _svc_pg_answers "$HELPDESK_PG_URL"; then
        echo "no PostgreSQL at $HELPDESK_PG_URL"
        _svc_start_pg || return 1
    fi
    HELPDESK_REDIS_URL=${HELPDESK_REDIS_URL:-redis://127.0.0.1:6379}
    if ! _svc_redis_answers "$HELPDESK_REDIS_URL"; then
        echo "no Redis at $HELPDESK_REDIS_URL"
        _svc_start_redis || return 1
    fi
    export HELPDESK_PG_URL HELPDESK_REDIS_URL
}

services_stop() {
    if [ -n "$_SVC_PG_DATA" ] && [ -f "$_SVC_PG_DATA/postmaster.pid" ]; then
        _svc_as_pg "$_SVC_PG_BIN/pg_ctl" -D "$_SVC_PG_DATA" -m immediate -w stop >/dev/null 2>&1
    fi
    if [ -n "$_SVC_REDIS_PIDFILE" ] && [ -f "$_SVC_REDIS_PIDFILE" ]; then
        kill "$(cat "$_SVC_REDIS_PIDFILE")" 2>/dev/null
    fi
    [ -n "$_SVC_TMP" ] && rm -rf "$_SVC_TMP"
    _SVC_TMP=""
}

pg_create_db() {  # pg_create_db <prefix>: a fresh empty database; prints its URL
    _svc_py '
import sys, uuid
from sqlalchemy import create_engine, text
base, prefix = sys.argv[1], sys.argv[2]
name = f"{prefix}_{uuid.uuid4().hex[:10]}"
with create_engine(base, isolation_level="AUTOCOMMIT").connect() as c:
    c.execute(text(f"CREATE DATABASE \"{name}\""))
print(base.rsplit("/", 1)[0] + "/" + name)
' "$HELPDESK_PG_URL" "$1"
}

pg_drop_db() {  # pg_drop_db <url>
    _svc_py '
import sys
from sqlalchemy import create_engine, text
base, url = sys.argv[1], sys.argv[2]
with create_engine(base, isolation_level="AUTOCOMMIT").connect() as c:
    c.execute(text(f"DROP DATABASE IF EXISTS \"{url.rsplit(chr(47), 1)[1]}\" WITH (FORCE)"))
' "$HELPDESK_PG_URL" "$1"
}
