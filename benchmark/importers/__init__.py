"""Importers of platform export files: reading, detection, parsing (no database).

`open_export(name, content)` reads the bytes (`reading`), finds the one format
that claims the content and parses it. The formats live in `formats/`, one
module per family; each declares its `FORMATS` and the `NOT_PAGE_METRICS` files
it recognises only to refuse them with advice.

What the formats share lives beside them, so that every format reads alike:
`model` (what they return), `base` (the shape of a format, collecting
problems), `headers` (finding columns by name), `values` (reading one cell),
`rows` (data rows, a column's date order, daily series), `posts` (the days a
post export covers) and `file_names` (hints a file name gives).
"""

from __future__ import annotations

from ..errors import Joined
from .base import Format, NotPageMetrics
from .formats import facebook_legacy, linkedin, meta, template, tiktok, x, youtube
from .model import ParsedFile, ParseOptions, SourceFile, UnrecognisedFileError
from .reading import read_file

# Order matters only for reading the code: detection requires exactly one claim.
_FAMILIES = (template, meta, facebook_legacy, linkedin, youtube, x, tiktok)
FORMATS: tuple[Format, ...] = tuple(f for family in _FAMILIES for f in getattr(family, "FORMATS", ()))
NOT_PAGE_METRICS: tuple[NotPageMetrics, ...] = tuple(
    n for family in _FAMILIES for n in getattr(family, "NOT_PAGE_METRICS", ())
)


def detect(source: SourceFile) -> tuple[Format, object]:
    """The one format that claims this file, with its match; raises with advice otherwise."""
    for refused in NOT_PAGE_METRICS:
        if refused.detect(source):
            raise UnrecognisedFileError(source.name, "detect.not_page_metrics", label=refused.label,
                                        advice=refused.advice)
    claims = [(f, m) for f in FORMATS if (m := f.detect(source)) is not None]
    if not claims:
        known = Joined(sorted({f.label for f in FORMATS}), "; ")
        raise UnrecognisedFileError(source.name, "detect.not_recognised", known=known)
    if len(claims) > 1:  # a defect in the alias tables, not the analyst's fault
        raise UnrecognisedFileError(source.name, "detect.several_layouts", labels=Joined([f.label for f, _ in claims]))
    return claims[0]


def open_export(name: str, content: bytes, options: ParseOptions | None = None, *,
                max_bytes: int = 50 * 2**20) -> ParsedFile:
    source = read_file(name, content, max_bytes=max_bytes)
    chosen, match = detect(source)
    return chosen.parse(source, match, options or ParseOptions())
