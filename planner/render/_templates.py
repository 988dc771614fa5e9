"""The Jinja2 environment of the printable outputs (``planner/resources/templates``).

HTML, SVG and CSS live in template files, not in Python strings (house rule). HTML and
SVG templates are autoescaped (every client field is untrusted text); CSS templates are
not (autoescaping would turn the quotes of a CSS string into ``&#34;``), so the values
put into them are quoted by :func:`css_string`.
"""

from __future__ import annotations

from functools import cache

import jinja2

ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("planner", "resources/templates"),
    autoescape=jinja2.select_autoescape(
        enabled_extensions=("html", "html.j2", "svg.j2"), default_for_string=True, default=False
    ),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(name: str, **context: object) -> str:
    """Render the template ``name`` (path below ``resources/templates``)."""
    return ENV.get_template(name).render(**context)


@cache
def static(name: str) -> str:
    """A template file without placeholders (a stylesheet), read once."""
    source, _, _ = ENV.loader.get_source(ENV, name)  # type: ignore[union-attr]
    return source


def css_string(text: str) -> str:
    """A CSS string literal (for ``content:`` of ``@page`` margin boxes)."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in text)
    return '"' + cleaned.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ") + '"'
