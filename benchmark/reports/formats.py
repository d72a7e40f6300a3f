"""One report, one file: `render(report, fmt)` gives the bytes the dashboard's download buttons and
the command line's `--format … --output FILE` both write."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ValidationError
from ..viewstate import ViewState
from .tables import to_csv, to_xlsx

if TYPE_CHECKING:
    # Only a type here: .build loads Altair, which the pages' download buttons need only when clicked.
    from .build import Report

FORMATS = ("csv", "xlsx", "pptx", "png", "svg")
MEDIA_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "png": "image/png",
    "svg": "image/svg+xml",
}


def render(report: Report, fmt: str, *, template: Path | None = None) -> bytes:
    """The report as a CSV, XLSX, PPTX, PNG or SVG file. `template` (PPTX only) as in `slides.build_deck`."""
    if fmt == "csv":
        if len(report.sections) > 1:
            raise ValidationError("report.one_table")
        return to_csv(report.table)
    if fmt == "xlsx":
        return to_xlsx([s.table for s in report.sections])
    if fmt == "pptx":
        from .slides import build_deck

        return build_deck([report], report.lang, template)
    if fmt in ("png", "svg"):
        from .images import chart_png, chart_svg

        drawn = [s for s in report.sections if s.chart is not None]
        if not drawn:
            raise ValidationError("report.no_chart")
        if len(report.sections) > 1:
            raise ValidationError("report.one_chart", format=fmt.upper())
        section = drawn[0]
        labels = {"title": section.heading, "subtitle": report.subtitle, "demo_label": report.demo_label}
        if fmt == "png":
            return chart_png(section.chart, report.lang, **labels)
        return chart_svg(section.chart, report.lang, **labels).encode("utf-8")
    raise ValidationError("report.unknown_format", value=repr(fmt), formats=", ".join(FORMATS))


def file_name(report: Report, fmt: str) -> str:
    """A download's file name for a built report (its state has every field filled in)."""
    return file_name_for(report.state, fmt)


def file_name_for(state: ViewState, fmt: str) -> str:
    """`ranking-region-SE-facebook-2024-Q3-posts.xlsx`: ASCII, no spaces, from what the state names
    (known before the report is built, so a download button can be labelled at once)."""
    parts = [state.page, state.group if state.page != "watch" else state.org, state.platform,
             state.period or (f"{state.first}-{state.last}" if state.first and state.last else None)]
    if state.page != "watch" and state.metric:
        parts.append(state.metric)
    return safe_file_name("-".join(p for p in parts if p), fmt)


def safe_file_name(text: str, fmt: str) -> str:
    """`text` as an ASCII file name without spaces, for any download: `Nätverksmöte dec` →
    `Natverksmote-dec.pptx` (ø and æ have no decomposition and become "-")."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "-" for c in text)
    return ("-".join(filter(None, safe.split("-")))[:120] or "export") + "." + fmt
