"""Errors the services raise. `code` is a translation key; the UI shows it in the reader's language."""

from __future__ import annotations


class ServiceError(Exception):
    """Expected failure caused by the user's input or situation (shown to them)."""

    def __init__(self, code: str, field: str | None = None, **params: object):
        super().__init__(code)
        self.code = code
        self.field = field  # the form field the message belongs next to, if any
        self.params = params


class ValidationError(ServiceError):
    """One or more fields are invalid. `errors` maps field -> translation key."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("errors.form_invalid")
        self.errors = errors


class PermissionDenied(ServiceError):
    def __init__(self, code: str = "errors.forbidden"):
        super().__init__(code)


class NotFound(ServiceError):
    """Also raised for things that exist but the actor may not see: no existence leak."""

    def __init__(self, code: str = "errors.not_found"):
        super().__init__(code)


class RateLimited(ServiceError):
    def __init__(self, code: str = "errors.rate_limited", retry_after_s: int = 60):
        super().__init__(code, minutes=max(1, (retry_after_s + 59) // 60))
        self.retry_after_s = retry_after_s
