"""`python -m helpdesk.infra.reflex_run run --env prod ...`: Reflex's own command line, with
two changes: the production server respawns failed workers, and a build leaves the committed
`reflex.lock/` alone unless the frontend packages really changed.

Reflex builds its Granian supervisor without `respawn_failed_workers`, and Granian's default
then treats one worker dying (OOM killer, a segfault, a stray SIGKILL) as the end of the whole
app: every other worker is stopped and every connected browser loses the site. With respawn
on, the dead worker's sockets reconnect to the survivors and a replacement is forked a few
seconds later. (A crash loop, the same worker dying twice within seconds, still stops it.)
"""

from __future__ import annotations

import functools
import json
from pathlib import Path


def _respawn_failed_workers() -> None:
    try:
        from granian.server.common import AbstractServer
    except ImportError:  # uvicorn instead of granian: nothing to change
        return
    original = AbstractServer.__init__
    if getattr(original, "_helpdesk_respawn", False):
        return

    @functools.wraps(original)
    def init(self, *args, **kwargs):
        kwargs.setdefault("respawn_failed_workers", True)
        original(self, *args, **kwargs)

    init._helpdesk_respawn = True
    AbstractServer.__init__ = init


def _same_lockfile(web: Path, root: Path) -> bool:
    """Whether the build's copy says the same as the committed one. package.json is compared as
    JSON: bun pretty-prints it after `bun add`, Reflex writes it on one line after merging its
    overrides, so the bytes flip between builds while the packages stay the same."""
    if not (web.exists() and root.exists()):
        return False
    if web.name.endswith(".json"):
        try:
            return json.loads(web.read_text()) == json.loads(root.read_text())
        except ValueError:
            return False
    return web.read_bytes() == root.read_bytes()


def _keep_committed_lockfiles() -> None:
    """After installing the frontend packages Reflex copies `.web/package.json` and `bun.lock`
    back into `reflex.lock/` on every build, so each `helpdesk serve` (and every test run)
    dirtied the git tree with a reformatted package.json. Copy back only a real change (a new
    frontend package), which is what the folder is for."""
    try:
        from reflex.utils import frontend_skeleton
    except ImportError:
        return
    original = frontend_skeleton.sync_web_lockfile_to_root
    if getattr(original, "_helpdesk_keep", False):
        return

    @functools.wraps(original)
    def sync_if_changed(filename: str):
        web = frontend_skeleton.get_web_lockfile_path(filename)
        root = frontend_skeleton.get_root_lockfile_path(filename)
        if _same_lockfile(web, root):
            return None
        return original(filename)

    sync_if_changed._helpdesk_keep = True
    frontend_skeleton.sync_web_lockfile_to_root = sync_if_changed


def main() -> None:
    _respawn_failed_workers()
    _keep_committed_lockfiles()
    from reflex.reflex import cli

    cli(prog_name="reflex")


if __name__ == "__main__":
    main()
