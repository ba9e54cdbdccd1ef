"""Every failure of /api/v1 as JSON {code, message, fields}: a stable code, text in the reader's language.

The services raise ServiceError subclasses; this module maps them to HTTP statuses. Nothing
here ever puts a traceback or an exception's text in an answer.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse

from helpdesk import i18n
from helpdesk.services.errors import NotFound, PermissionDenied, RateLimited, ServiceError, ValidationError

log = logging.getLogger("helpdesk.api")

_HTTP_CODES = {
    400: "api.bad_request",
    401: "api.unauthorized",
    403: "errors.forbidden",
    404: "errors.not_found",
    405: "api.method_not_allowed",
    406: "api.bad_request",
    409: "api.conflict",
    413: "api.too_large",
    415: "api.unsupported_media_type",
    422: "api.validation_error",
    429: "errors.rate_limited",
}


class ApiError(Exception):
    def __init__(self, status: int, code: str, *, fields: dict[str, str] | None = None,
                 headers: dict[str, str] | None = None, **params: object):
        super().__init__(code)
        self.status, self.code, self.fields, self.headers, self.params = status, code, fields or {}, headers or {}, params


def request_locale(request: Request) -> str:
    """The token user's language once known (set by the auth step), else Accept-Language."""
    locale = getattr(request.state, "locale", None)
    return locale or i18n.locale_from_accept_language(request.headers.get("accept-language"))


def error_response(request: Request, status: int, code: str, *, fields: dict[str, str] | None = None,
                   headers: dict[str, str] | None = None, **params: object) -> JSONResponse:
    locale = request_locale(request)
    body = {
        "code": code,
        "message": i18n.translate(code, locale, **params),
        "fields": {k: i18n.translate(v, locale) for k, v in (fields or {}).items()},
    }
    return JSONResponse(body, status_code=status, headers=headers)


def service_error_status(err: ServiceError) -> int:
    if isinstance(err, ValidationError):
        return 422
    if isinstance(err, NotFound):
        return 404
    if isinstance(err, PermissionDenied):
        return 401 if err.code == "errors.login_required" else 403
    if isinstance(err, RateLimited):
        return 429
    return 409  # the request is well-formed but the ticket's state does not allow it


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route of this path takes (each route alone only knows its own)."""
    from starlette.routing import Match

    methods: set[str] = set()
    for route in request.app.routes:
        match, _ = route.matches({**request.scope, "method": "GET"})
        if match is not Match.NONE and getattr(route, "methods", None):
            methods |= set(route.methods)
    return sorted(methods)


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return error_response(request, exc.status, exc.code, fields=exc.fields, headers=exc.headers, **exc.params)

    @app.exception_handler(ServiceError)
    async def _service_error(request: Request, exc: ServiceError):
        status = service_error_status(exc)
        fields = exc.errors if isinstance(exc, ValidationError) else ({exc.field: exc.code} if exc.field else {})
        headers = {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, RateLimited) else None
        return error_response(request, status, exc.code, fields=fields, headers=headers, **exc.params)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        fields: dict[str, str] = {}
        code = "api.validation_error"
        for e in exc.errors():
            if e.get("type") == "json_invalid":
                code = "api.malformed_json"
                fields["body"] = "api.malformed_json"
                continue
            loc = [str(p) for p in e.get("loc", ()) if p not in ("body", "query", "path", "header")]
            fields[".".join(loc) or "body"] = "api.field_invalid"
        return error_response(request, 422, code, fields=fields)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 400:
            # FastAPI's "error parsing the body" (e.g. bytes that are not UTF-8): malformed JSON is a 422 here.
            return error_response(request, 422, "api.malformed_json", fields={"body": "api.malformed_json"})
        code = _HTTP_CODES.get(exc.status_code, "api.bad_request")
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(_allowed_methods(request))
        return error_response(request, exc.status_code, code, headers=headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.exception("api: unexpected error on %s %s", request.method, request.url.path)
        return error_response(request, 500, "api.internal_error")
