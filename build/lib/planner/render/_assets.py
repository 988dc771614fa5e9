"""Leaflet 1.9.4 read from the ``django-js-lib-leaflet`` wheel, ready to inline.

The maps must open offline and must not reveal to any third party that someone is
looking at social data, so Leaflet is embedded into every HTML file instead of being
linked from a CDN. The package is a plain static-file distribution: we only read its
files through :mod:`importlib.resources` and never import Django.
"""

from __future__ import annotations

import base64
import re
from functools import cache
from importlib import resources

_PACKAGE = "js_lib_leaflet"
_STATIC = ("static", "js_lib_leaflet")
LEAFLET_VERSION = "1.9.4"

#: Leaflet's default attribution prefix links to leafletjs.com. The maps replace the
#: prefix anyway; the default is defused too so the file holds no outbound link at all.
_DEFAULT_PREFIX = (
    '\'<a href="https://leafletjs.com" title="A JavaScript library for interactive maps">\''
)
_PLAIN_PREFIX = "'<a title=\"Leaflet (leafletjs.com)\">'"
_SOURCE_MAP = re.compile(r"^\s*//# sourceMappingURL=.*$", re.MULTILINE)
_CSS_IMAGE = re.compile(r"url\((['\"]?)images/([\w.-]+\.png)\1\)")


def _read(*parts: str) -> bytes:
    node = resources.files(_PACKAGE).joinpath(*_STATIC, *parts)
    return node.read_bytes()


def _text(name: str) -> str:
    # The wheel ships CRLF line ends; normalise so the page is consistent.
    return _read(name).decode("utf-8").replace("\r\n", "\n")


@cache
def leaflet_js() -> str:
    """The minified Leaflet script, safe to place inside ``<script>…</script>``."""
    text = _text("leaflet.js")
    # The source-map comment would make developer tools request a file that is not there.
    text = _SOURCE_MAP.sub("", text)
    # (tests/test_render_map.py fails should another Leaflet build phrase it differently)
    text = text.replace(_DEFAULT_PREFIX, _PLAIN_PREFIX)
    if "</script" in text.lower() or "<!--" in text:
        raise RuntimeError("leaflet.js kann nicht sicher eingebettet werden")
    return text


def _data_uri(match: re.Match[str]) -> str:
    png = _read("images", match.group(2))
    return f"url(data:image/png;base64,{base64.b64encode(png).decode('ascii')})"


@cache
def leaflet_css() -> str:
    """Leaflet's stylesheet with its PNG images (layer-control icon …) as data URIs."""
    text = _text("leaflet.css")
    text = _CSS_IMAGE.sub(_data_uri, text)
    if "</style" in text.lower():
        raise RuntimeError("leaflet.css kann nicht sicher eingebettet werden")
    return text
