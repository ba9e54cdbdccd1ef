"""Two `helpdesk serve` processes sharing one PostgreSQL and one Redis, behind Debian's nginx.

nginx runs as a non-daemon child of the test on a free port, with its whole configuration and
temp files in a temporary directory (`nginx_conf` is the same file docs/operations.md shows,
plus the test's pinning). Each server runs one backend worker, so "the server" and "the worker"
are the same process here.
"""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

from tests.e2e.conftest import _free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

# `hash $cookie_hd_pin consistent` lets a test place a browser on a chosen server (it sets the
# cookie); a browser without the cookie is hashed on the empty string. Production can use plain
# round robin: all state lives in Redis, so a tab needs no stickiness.
NGINX_CONF = """
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;

    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}

    upstream helpdesk {{
        hash $cookie_hd_pin consistent;
{servers}
    }}

    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 27m;
        # A dead server refuses connections: try the other one for the same request.
        proxy_next_upstream error timeout http_502 http_503;
        proxy_connect_timeout 2s;

        location /_event {{
            proxy_pass http://helpdesk;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_read_timeout 3600s;
        }}

        location / {{
            proxy_pass http://helpdesk;
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }}
    }}
}}
"""


def nginx_conf(tmp: Path, port: int, upstream_ports: list[int]) -> str:
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=30s;" for p in upstream_ports)
    return NGINX_CONF.format(tmp=tmp, port=port, servers=servers)


class Nginx:
    def __init__(self, tmp: Path, upstream_ports: list[int], port: int | None = None):
        self.tmp = tmp
        self.port = port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        conf = tmp / "nginx.conf"
        conf.write_text(nginx_conf(tmp, self.port, upstream_ports))
        # -e: Debian's nginx otherwise opens /var/log/nginx/error.log before reading the config.
        self.proc = subprocess.Popen(
            [NGINX, "-c", str(conf), "-p", str(tmp), "-e", str(tmp / "error.log")],
            stdout=subprocess.DEVNULL,
            stderr=open(tmp / "stderr.log", "w"),
        )
        deadline = time.time() + 20
        while True:
            try:
                with urllib.request.urlopen(self.url + "/api/health", timeout=5) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                pass
            if self.proc.poll() is not None or time.time() > deadline:
                self.stop()
                raise RuntimeError("nginx did not start: " + (tmp / "stderr.log").read_text()[-2000:])
            time.sleep(0.2)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
