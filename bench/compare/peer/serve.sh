#!/usr/bin/env bash
# Start the peer on 127.0.0.1:${PEER_PORT:-8765} under gunicorn (WSGI, sync workers) in the
# background; pid in $PEER_DIR/server.pid, log in $PEER_DIR/server.log.
set -euo pipefail
PEER=${PEER_DIR:-/tmp/helpdesk-compare/peer}
WORKERS=${WORKERS:-2}
if [ -f $PEER/server.pid ] && kill -0 "$(cat $PEER/server.pid)" 2>/dev/null; then
  echo "already running (pid $(cat $PEER/server.pid))"; exit 0
fi
cd $PEER/site
nohup $PEER/.venv/bin/gunicorn peersite.wsgi:application \
  --bind 127.0.0.1:${PEER_PORT:-8765} --workers "$WORKERS" --timeout 300 \
  --access-logfile - >$PEER/server.log 2>&1 &
echo $! >$PEER/server.pid
for _ in $(seq 60); do
  if $PEER/.venv/bin/python -c "import httpx; httpx.get('http://127.0.0.1:${PEER_PORT:-8765}/kb/').raise_for_status()" 2>/dev/null; then
    echo "peer up: http://127.0.0.1:${PEER_PORT:-8765}/ (gunicorn, $WORKERS workers, pid $(cat $PEER/server.pid))"; exit 0
  fi
  sleep 0.5
done
echo "peer did not come up; see $PEER/server.log"; tail -20 $PEER/server.log; exit 1
