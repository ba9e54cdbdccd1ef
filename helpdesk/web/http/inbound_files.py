"""`/api/inbound/<id>/original.eml`: a received mail as it came, for agents signed in in this
browser (the HttpOnly download cookie); everyone else gets the same 404 as for a missing one."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from helpdesk.infra.db import session_scope
from helpdesk.services import accounts
from helpdesk.services.attachments import DOWNLOAD_SECURITY_HEADERS
from helpdesk.services.errors import ServiceError
from helpdesk.services.inbound.originals import original_eml


async def download_eml(request: Request) -> Response:
    from helpdesk.web.http.cookies import DOWNLOAD_COOKIE

    try:
        inbound_id = int(request.path_params["inbound_id"])
        with session_scope() as s:
            user = accounts.user_for_token(s, request.cookies.get(DOWNLOAD_COOKIE))
            data = original_eml(s, user, inbound_id)
    except (KeyError, ValueError, ServiceError):
        return JSONResponse({"detail": "not found"}, status_code=404, headers={"Cache-Control": "no-store"})
    headers = {**DOWNLOAD_SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="correo-{inbound_id}.eml"'}
    return Response(data, media_type="message/rfc822", headers=headers)


ROUTES = [Route("/api/inbound/{inbound_id:int}/original.eml", download_eml, methods=["GET"])]
