#!/usr/bin/env bash
# Debian's dovecot-imapd for the IMAP polling test (like chromium for the browser tests).
# Installed once; the test starts its own throwaway server with a temp config (tests/support/dovecot.py).
set -euo pipefail
if [ -x /usr/sbin/dovecot ] && [ -x /usr/lib/dovecot/imap ]; then
  exit 0
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd >/dev/null
# Debian may start the system service on install: the tests use their own instance only.
(command -v systemctl >/dev/null && systemctl disable --now dovecot 2>/dev/null) || true
