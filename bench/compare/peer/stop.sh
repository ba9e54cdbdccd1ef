#!/usr/bin/env bash
# Stop the peer started by serve.sh: only the pid in $PEER_DIR/server.pid, and
# only if that pid is still our gunicorn (a stale pid may have been reused).
PIDFILE=${PEER_DIR:-/tmp/helpdesk-compare/peer}/server.pid
[ -f $PIDFILE ] || { echo "not running (no $PIDFILE)"; exit 0; }
PID=$(cat $PIDFILE)
if tr '\0' ' ' </proc/"$PID"/cmdline 2>/dev/null | grep -q "gunicorn peersite.wsgi"; then
  kill "$PID"
  for _ in $(seq 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.2; done
  echo "stopped pid $PID"
else
  echo "pid $PID is not the peer's gunicorn (already gone); nothing killed"
fi
rm -f $PIDFILE
