"""HTTP routes beside the Reflex app. Each module exposes ROUTES (a list of Starlette routes)."""
