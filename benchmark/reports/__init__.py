"""Exports for meetings: a view state made into CSV, XLSX, PNG, SVG or a PowerPoint deck.

- `build.build_report(store, state, lang, metrics)` runs the pages' view functions for a
  `viewstate.ViewState` and returns a `Report` (titles, tables, charts, source note);
- `formats.render(report, fmt)` gives the file's bytes; `slides.build_deck(reports, lang)` one deck
  of several reports.

The dashboard's download buttons and `benchmark report … --format … --output FILE` go through the
same two functions, so the same state gives the same file. No Streamlit in this package.
The names below are imported on first use: the command line loads Altair and python-pptx only
when it writes an export.
"""

from __future__ import annotations

from importlib import import_module

_WHERE = {
    "Report": "build", "Section": "build", "build_report": "build",
    "render": "formats", "FORMATS": "formats", "MEDIA_TYPES": "formats", "file_name": "formats", "file_name_for": "formats",
    "build_deck": "slides", "TemplateError": "slides",
    "ExportTable": "tables", "Column": "tables",
    "SourceNote": "sources", "source_note": "sources",
    "chart_png": "images", "chart_svg": "images",
}
__all__ = ["FORMATS", "MEDIA_TYPES", "Column", "ExportTable", "Report", "Section", "SourceNote", "TemplateError",
           "build_deck", "build_report", "chart_png", "chart_svg", "file_name", "file_name_for", "render", "source_note"]


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
