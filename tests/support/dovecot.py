"""A throwaway Dovecot IMAP server on a free loopback port, for the IMAP polling tests.

scripts/dovecot.sh installs Debian's dovecot-imapd when it is missing (the test setup calls it);
each server gets its own config, passwd-file and maildir under a temp dir, and is stopped after.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOVECOT = "/usr/sbin/dovecot"

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
default_internal_user = {internal}
default_login_user = {login}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


@dataclass
class Dovecot:
    root: Path
    port: int
    user: str
    password: str
    proc: subprocess.Popen

    def url(self, **query: str) -> str:
        q = "&".join(f"{k}={v}" for k, v in query.items())
        return f"imap://{self.user}:{self.password}@127.0.0.1:{self.port}/INBOX" + (f"?{q}" if q else "")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.root, ignore_errors=True)


def ensure_installed() -> None:
    if not os.path.exists(DOVECOT):
        subprocess.run(["bash", str(REPO / "scripts" / "dovecot.sh")], check=True, timeout=900)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(user: str = "soporte", password: str = "imap-pass-1") -> Dovecot:
    ensure_installed()
    root = Path(tempfile.mkdtemp(prefix="hd-dovecot-"))
    root.chmod(0o755)
    (root / "mail").mkdir(mode=0o777)
    (root / "mail").chmod(0o777)
    port = _free_port()
    if os.geteuid() == 0:
        uid = gid = 65534  # nobody: Dovecot refuses to keep mail as root
        internal, login = "dovecot", "dovenull"
    else:
        uid, gid = os.getuid(), os.getgid()
        import pwd

        internal = login = pwd.getpwuid(uid).pw_name
    (root / "passwd").write_text(f"{user}:{{PLAIN}}{password}::::::\n")
    conf = root / "dovecot.conf"
    conf.write_text(CONFIG.format(root=root, port=port, uid=uid, gid=gid, internal=internal, login=login))
    proc = subprocess.Popen([DOVECOT, "-F", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 20
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"dovecot exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                if s.recv(100).startswith(b"* OK"):
                    return Dovecot(root, port, user, password, proc)
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("dovecot did not start: " + (root / "dovecot.log").read_text()[-2000:] if (root / "dovecot.log").exists() else "")
