"""The trimmed Radix Themes stylesheet (helpdesk/web/radix_css.py) keeps every colour scale the
app names: a colour used in a page, a theme setting or assets/*.css but missing from COLORS
would render colourless."""

from __future__ import annotations

import re
from pathlib import Path

from helpdesk.web.radix_css import COLORS, TrimmedRadixThemes

ROOT = Path(__file__).resolve().parents[2]
RADIX = ("gray gold bronze brown yellow amber orange tomato red ruby crimson pink plum purple violet iris indigo "
         "blue cyan teal jade green grass lime mint sky mauve slate sage olive sand").split()
NAMED = re.compile(r"""["'](%s)["']""" % "|".join(RADIX))
CSS_VAR = re.compile(r"--(%s)-a?\d" % "|".join(RADIX))


def _used() -> dict[str, str]:
    used: dict[str, str] = {}
    files = [*ROOT.joinpath("helpdesk", "web").rglob("*.py"), ROOT / "helpdesk" / "helpdesk.py",
             *ROOT.joinpath("assets").rglob("*.css"), *ROOT.joinpath("assets").rglob("*.js")]
    for path in files:
        if path.name == "radix_css.py":  # the list itself
            continue
        text = path.read_text(encoding="utf-8")
        for m in (*NAMED.finditer(text), *CSS_VAR.finditer(text)):
            used.setdefault(m.group(1), str(path.relative_to(ROOT)))
    return used


def test_every_colour_the_app_names_is_in_the_stylesheet():
    missing = {c: where for c, where in _used().items() if c not in COLORS}
    assert not missing, f"add these to helpdesk/web/radix_css.py COLORS: {missing}"


def test_stylesheet_is_the_package_parts_in_order():
    sheets = TrimmedRadixThemes(enabled=True).get_stylesheet_paths()
    assert sheets[: len(COLORS)] == tuple(f"@radix-ui/themes/tokens/colors/{c}.css" for c in COLORS)
    assert sheets[len(COLORS):] == ("@radix-ui/themes/tokens/base.css", "@radix-ui/themes/components.css",
                                    "@radix-ui/themes/utilities.css")
    assert TrimmedRadixThemes(enabled=False).get_stylesheet_paths() == ()


def test_no_package_wide_import_for_dynamic_components():
    # A frontend dependency would put `@radix-ui/themes` whole into window.__reflex (radix_css.py).
    assert tuple(TrimmedRadixThemes().get_frontend_dependencies()) == ()
