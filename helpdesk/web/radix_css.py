"""Radix Themes, lighter on every page (issue 15 §10, weight): only the colour scales the app
uses, and no whole-package import for dynamic components.

Reflex links `@radix-ui/themes/styles.css`: every one of Radix's 31 colour scales, light and
dark, ~11 KB of the home page's ~50 KB of CSS after brotli. That file is the concatenation of
the package's own parts (its `build:css` script): the colour token files, `tokens/base.css`,
`components.css` and `utilities.css`. This plugin links those same parts, in the same order,
with the colour files cut to `COLORS`. Reflex's documented way to configure Radix Themes is a
`RadixThemesPlugin` in rxconfig.py; this subclass changes only the stylesheet list.

Using a colour that is not in `COLORS` (an `accent_color`, a `color_scheme`, `rx.color(...)` or a
`var(--name-…)` in assets/styles.css) renders it without colour: add it here.
tests/unit/test_radix_css.py checks the source for colours missing from this list.

Reflex also puts every plugin's frontend dependency into `window.__reflex` for components built
at run time (`rx.dynamic`), which the app has none of: `import * as` the package on every page,
or with `frontend_lazy_bundled_libraries` a dynamic import that still keeps the bundler from
splitting it per page. Returning no dependency leaves the package installed (every Radix Themes
component names it as its library) and lets each page take only the components it renders.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from reflex_components_radix.plugin import RadixThemesPlugin

PACKAGE = "@radix-ui/themes"
# Gray scales first, then the accents: the order of the package's tokens/index.css.
COLORS = ("gray", "slate", "amber", "blue", "grass", "green", "indigo", "orange", "purple", "red", "teal")


@dataclasses.dataclass
class TrimmedRadixThemes(RadixThemesPlugin):
    """Radix Themes as Reflex sets it up, minus the colour scales nobody uses and minus the
    package-wide import for dynamic components."""

    def get_frontend_dependencies(self, **context: Any) -> tuple[str, ...]:
        return ()

    def get_stylesheet_paths(self, **context: Any) -> tuple[str, ...]:
        if not self.enabled:
            return ()
        colors = tuple(f"{PACKAGE}/tokens/colors/{c}.css" for c in COLORS)
        return (*colors, f"{PACKAGE}/tokens/base.css", f"{PACKAGE}/components.css", f"{PACKAGE}/utilities.css")
