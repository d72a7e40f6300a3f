"""One report, one file: `render(report, fmt)` gives the bytes the dashboard's download buttons and
the command line's `--format … --output FILE` both write."""

from __future__ import annotations

from pathlib import Path

from ..errors import ValidationError
from .build import Report
from .tables import to_csv, to_xlsx

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
            raise ValidationError("a CSV file holds one table; ask for one metric, or use xlsx or pptx")
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
            raise ValidationError("this view has no chart (the Pages-to-watch table never has one; a ranking or "
                                  "profile without figures neither); export it as csv, xlsx or pptx")
        if len(report.sections) > 1:
            raise ValidationError(f"a {fmt.upper()} image holds one chart; ask for one metric, or use pptx")
        section = drawn[0]
        labels = {"title": section.heading, "subtitle": report.subtitle, "demo_label": report.demo_label}
        if fmt == "png":
            return chart_png(section.chart, report.lang, **labels)
        return chart_svg(section.chart, report.lang, **labels).encode("utf-8")
    raise ValidationError(f"unknown export format {fmt!r}; formats are {', '.join(FORMATS)}")


def file_name(report: Report, fmt: str) -> str:
    """A download's file name: `ranking-region-SE-facebook-2024-Q3.xlsx` (ASCII, no spaces)."""
    state = report.state
    parts = [report.kind, state.group if report.kind != "watch" else state.org, state.platform,
             state.period or (f"{state.first}-{state.last}" if state.first else None)]
    if report.kind != "watch" and state.metric:
        parts.append(state.metric)
    text = "-".join(p for p in parts if p)
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "-" for c in text)
    return "-".join(filter(None, safe.split("-")))[:120] + "." + fmt
