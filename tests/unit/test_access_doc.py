"""docs/security.md lists every handler's declared access rule; the declarations behave."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import SimpleNamespace

import pytest

from helpdesk.web import access

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "access_table.py"


def _script():
    spec = importlib.util.spec_from_file_location("access_table", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_security_doc_lists_the_declared_rules():
    table = _script()
    doc = table.DOC.read_text(encoding="utf-8")
    assert table.updated(doc, table.render()) == doc, (
        "docs/security.md is out of date with the @rule declarations: run .venv/bin/python scripts/access_table.py"
    )


def test_every_handler_is_in_the_doc_with_its_rule():
    section = _script().render()
    rules = access.all_rules()
    assert rules and not access.undeclared()
    for key, level in rules.items():
        cls, name = key.split(".")
        assert f"**{cls}**" in section and f"- `{name}`: {level}" in section


def _state(**fns):
    """A stand-in with what rule_of reads: `event_handlers[name].fn` and the MRO."""
    return type("Probe", (), {"event_handlers": {n: SimpleNamespace(fn=f) for n, f in fns.items()}})


def test_rule_is_stored_on_the_function_and_read_back():
    @access.rule("staff", why="because")
    def save(self):
        return "same function"

    def bare(self):
        pass

    probe = _state(save=save, bare=bare)
    assert save(None) == "same function"  # the decorator changes nothing about the call
    assert access.rule_of(probe, "save") == "staff" and access.why_of(probe, "save") == "because"
    assert access.rule_of(probe, "bare") is None  # no declaration: the matrix test fails on it


def test_rules_for_names_a_mixin_handlers_rule_per_state():
    @access.rule("public")
    def shared(self):
        pass

    probe = access.rules_for(shared="owner")(_state(shared=shared))
    assert access.rule_of(probe, "shared") == "owner"
    with pytest.raises(ValueError):
        access.rules_for(missing="owner")(_state(shared=shared))


def test_unknown_levels_are_refused():
    with pytest.raises(ValueError):
        access.rule("everyone")
    with pytest.raises(ValueError):
        access.rules_for(shared="root")
