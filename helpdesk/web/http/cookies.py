"""Names of the cookies the HTTP routes share (kept apart so routes never import web.api)."""

# HttpOnly, SameSite=Strict cookie tied to the server-side session: set by POST /api/session at
# sign-in, read by the download routes.
DOWNLOAD_COOKIE = "hd_dl"
