"""A production build must not rewrite the committed reflex.lock/ unless packages changed."""

from __future__ import annotations

import json

from reflex.utils import frontend_skeleton

from helpdesk.infra import reflex_run


def _layout(tmp_path, monkeypatch, root_text: str, web_text: str):
    root = tmp_path / "reflex.lock"
    web = tmp_path / ".web"
    root.mkdir()
    web.mkdir()
    (root / "package.json").write_text(root_text)
    (web / "package.json").write_text(web_text)
    monkeypatch.setattr(frontend_skeleton, "get_root_lockfile_path", lambda name: root / name)
    monkeypatch.setattr(frontend_skeleton, "get_web_lockfile_path", lambda name: web / name)
    monkeypatch.setattr(frontend_skeleton, "sync_web_lockfile_to_root", frontend_skeleton.sync_web_lockfile_to_root)
    reflex_run._keep_committed_lockfiles()
    return root / "package.json"


def test_reformatted_package_json_is_not_copied_back(tmp_path, monkeypatch):
    deps = {"name": "reflex", "dependencies": {"react": "19.3.1", "altcha": "3.2.2"}}
    one_line = json.dumps(deps)
    committed = _layout(tmp_path, monkeypatch, one_line, json.dumps(deps, indent=2) + "\n")
    frontend_skeleton.sync_web_lockfiles_to_root()
    assert committed.read_text() == one_line


def test_a_new_frontend_package_is_still_persisted(tmp_path, monkeypatch):
    before = {"name": "reflex", "dependencies": {"react": "19.3.1"}}
    after = {"name": "reflex", "dependencies": {"react": "19.3.1", "altcha": "3.2.2"}}
    committed = _layout(tmp_path, monkeypatch, json.dumps(before), json.dumps(after, indent=2))
    frontend_skeleton.sync_web_lockfiles_to_root()
    assert json.loads(committed.read_text()) == after
