"""GET /api/captcha/challenge: a fresh signed ALTCHA challenge for the form widget.

Challenges are stateless (signed, expiring), so serving one costs a hash and no storage;
replays are refused when a solution is spent (services/captcha.py).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from helpdesk.services import captcha


async def challenge(_: Request) -> Response:
    # no-store: a cached challenge would hand every visitor the same puzzle, and a solution
    # for it is accepted only once.
    return JSONResponse(captcha.new_challenge(), headers={"Cache-Control": "no-store"})


ROUTES: list[Route] = [Route("/api/captcha/challenge", challenge, methods=["GET"])]
