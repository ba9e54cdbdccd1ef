"""Who may call each event handler: the rule is declared beside the handler, read from here.

    from helpdesk.web.access import rule

    class MyState(GuardedState):
        @rule("staff")
        @rx.event
        def save(self): ...

Levels: public (anyone, signed out included), signed_in (any signed-in user, on their own data),
owner (only someone who may see the ticket the page was loaded for), staff (agents and admins),
admin (admins only). `rule` only records the level on the function; the handler still enforces
it itself (`GuardedState._allowed_actor`, the services' policy checks). The declarations drive
`tests/security/test_handler_matrix.py` (every handler is attacked, and one without a rule fails
the suite) and the table in `docs/security.md` (`scripts/access_table.py`).

A handler shared through a mixin (UploadMixin) carries no rule of its own, because each State
that mixes it in has its own; that State names them with the class decorator `rules_for`:

    @rules_for(receive_files="owner", remove_file="owner")
    class TicketState(UploadMixin, GuardedState): ...

This module imports no page: the walk sees the States that are already imported (import
`helpdesk.helpdesk` first to see them all).
"""

from __future__ import annotations

from typing import Callable, TypeVar

LEVELS = ("public", "signed_in", "owner", "staff", "admin")
RULE_ATTR = "_helpdesk_access_rule"
WHY_ATTR = "_helpdesk_access_why"

# Reflex's own handlers, present on every State or on its internal substates. Why each is safe:
REFLEX_INTERNAL = frozenset({
    # Dispatches only to an explicit `set_<var>` event handler (reflex/state.py EventHandlerSetVar),
    # and every such handler has a rule itself; test_no_auto_setters proves there are no generated
    # setters it could reach.
    "setvar",
    # Hydration and on_load dispatch: re-run the page's own `load` handlers, which have rules.
    "hydrate", "hydrate_and_load", "set_is_hydrated", "on_load_internal",
    # Logs a frontend exception; touches no data.
    "handle_frontend_exception",
    # Writes only rx.Cookie/rx.LocalStorage vars (the browser owns those anyway: `token`,
    # `locale_pref`); test_update_vars_internal_cannot_set_a_role proves a role cannot be set.
    "update_vars_internal",
})

F = TypeVar("F", bound=Callable)
C = TypeVar("C", bound=type)

# State class -> {handler name: level}, filled by `rules_for`.
_OVERRIDES: dict[type, dict[str, str]] = {}


def _checked(level: str) -> str:
    if level not in LEVELS:
        raise ValueError(f"unknown access level {level!r}; use one of {', '.join(LEVELS)}")
    return level


def rule(level: str, why: str = "") -> Callable[[F], F]:
    """Declare who may call the decorated event handler (put it above `@rx.event`)."""
    _checked(level)

    def mark(fn: F) -> F:
        setattr(fn, RULE_ATTR, level)
        setattr(fn, WHY_ATTR, why)
        return fn

    return mark


def rules_for(**levels: str) -> Callable[[C], C]:
    """Class decorator: the rules of handlers this State gets from a mixin, by handler name."""
    for level in levels.values():
        _checked(level)

    def mark(cls: C) -> C:
        unknown = sorted(set(levels) - set(getattr(cls, "event_handlers", {})))
        if unknown:
            raise ValueError(f"{cls.__name__} has no event handlers named {unknown}")
        _OVERRIDES[cls] = dict(levels)
        return cls

    return mark


def _fn(state_cls: type, handler_name: str):
    handler = state_cls.event_handlers.get(handler_name)
    return None if handler is None else handler.fn


def rule_of(state_cls: type, handler_name: str) -> str | None:
    """The declared level of a handler as this State serves it, or None when it has none."""
    for cls in state_cls.__mro__:
        if handler_name in _OVERRIDES.get(cls, {}):
            return _OVERRIDES[cls][handler_name]
    return getattr(_fn(state_cls, handler_name), RULE_ATTR, None)


def why_of(state_cls: type, handler_name: str) -> str:
    """The reason given with the rule ("" when none was given)."""
    if any(handler_name in _OVERRIDES.get(cls, {}) for cls in state_cls.__mro__):
        return "from a mixin; the State names its rule with `rules_for`"
    return getattr(_fn(state_cls, handler_name), WHY_ATTR, "") or ""


def _walk(cls: type):
    yield cls
    for sub in sorted(cls.get_substates(), key=lambda c: c.get_full_name()):
        yield from _walk(sub)


def app_states() -> list[type]:
    """Every State of the app (module under `helpdesk.`), the tree walked depth first."""
    import reflex as rx

    return [c for c in _walk(rx.State) if c.__module__.startswith("helpdesk.")]


def handlers() -> list[tuple[type, str]]:
    """Every callable handler of every app State: own and from mixins (uploads). A handler
    inherited from another app State (AppState.toggle_locale) is listed once, under that State."""
    states = app_states()
    out = []
    for cls in states:
        inherited = set().union(*(b.event_handlers for b in cls.__mro__[1:] if b in states))
        out += [(cls, n) for n in cls.event_handlers if n not in REFLEX_INTERNAL and n not in inherited]
    return out


def all_rules() -> dict[str, str]:
    """{"Class.handler": level} for every handler that declares a rule."""
    out = {}
    for cls, name in handlers():
        level = rule_of(cls, name)
        if level is not None:
            out[f"{cls.__name__}.{name}"] = level
    return out


def undeclared() -> list[str]:
    """"Class.handler" of every handler without a rule (the matrix test fails on these)."""
    return sorted(f"{cls.__name__}.{name}" for cls, name in handlers() if rule_of(cls, name) is None)
