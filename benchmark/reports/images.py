"""Charts as PNG and SVG: the Altair specification of the page, drawn by vl-convert (no browser).

The image carries what a chart on a slide or in an e-mail loses from the page around it: a title,
a subtitle (platform, period) and, when the figures are synthetic, the demo label.
"""

from __future__ import annotations

import struct
from functools import lru_cache

import altair as alt

from .. import i18n

DEFAULT_WIDTH = 900  # pixels of the plot area; axis labels and the legend come on top
# vl-convert draws with the fonts installed on the server; DejaVu Sans (in every Debian and Ubuntu)
# has every character the charts use, "◀" included, so one label never mixes two fonts.
STATIC_FONT = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif"
LABEL_COLOUR = "#B33C00"  # a darker vermillion: the demo label in text contrast (≥ 4.5:1 on white)


@lru_cache(maxsize=1)
def vegalite_version() -> str:
    """The Vega-Lite version of Altair's schema (v6.4.1 → "6.4"), as vl-convert names it."""
    import vl_convert

    available = list(vl_convert.get_vegalite_versions())
    wanted = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    if wanted in available:
        return wanted
    same_major = [v for v in available if v.split(".")[0] == wanted.split(".")[0]]
    return (same_major or available)[-1]


def static_spec(chart: alt.TopLevelMixin, lang: str, *, width: int | None = DEFAULT_WIDTH, title: str | None = None,
                subtitle: str | None = None, demo_label: str | None = None) -> dict:
    """The chart's Vega-Lite dict, made ready for a file: fixed width, fonts, title and labels."""
    # Validation against the schema costs a tenth of a second a chart; charts.py's specs are
    # validated by its tests, so the exports skip it.
    spec = chart.to_dict(validate=False)
    if width is not None:
        spec["width"] = width
    config = spec.setdefault("config", {})
    config.setdefault("background", "#FFFFFF")
    config["locale"] = i18n.vega_locale(lang)
    config["font"] = STATIC_FONT
    base = config.get("axis", {}).get("labelFontSize", 11)
    lines = [line for line in (subtitle, demo_label) if line]
    if title or lines:
        spec["title"] = {
            "text": title or lines.pop(0),
            "anchor": "start",
            "fontSize": round(base * 1.4),
            **({"subtitle": lines, "subtitleFontSize": base, "subtitlePadding": 4} if lines else {}),
            **({"color": LABEL_COLOUR} if not title and demo_label else {}),
        }
    return spec


def chart_png(chart: alt.TopLevelMixin, lang: str, width: int | None = DEFAULT_WIDTH, scale: float = 2, *,
              title: str | None = None, subtitle: str | None = None, demo_label: str | None = None) -> bytes:
    import vl_convert

    spec = static_spec(chart, lang, width=width, title=title, subtitle=subtitle, demo_label=demo_label)
    return vl_convert.vegalite_to_png(spec, vl_version=vegalite_version(), scale=scale)


def chart_svg(chart: alt.TopLevelMixin, lang: str, width: int | None = DEFAULT_WIDTH, *,
              title: str | None = None, subtitle: str | None = None, demo_label: str | None = None) -> str:
    import vl_convert

    spec = static_spec(chart, lang, width=width, title=title, subtitle=subtitle, demo_label=demo_label)
    return vl_convert.vegalite_to_svg(spec, vl_version=vegalite_version())


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) in pixels, from the PNG header."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    return struct.unpack(">II", data[16:24])
