"""A PowerPoint deck of one or more reports, for a network meeting (python-pptx).

Readable from the back of a room: 16:9, titles of 28 pt or more, no text below 14 pt, tables as
native PowerPoint tables (numbers in the language's style, your organisation's row in bold with a
star) split over as many slides as they need, charts drawn from the same Altair specification as
on screen with larger text, and on every slide a footnote saying which imports the figures come
from and whether they are synthetic demo data.

A template (`template`, else the `pptx_template` setting) brings an organisation's own design: its
layouts are used by name ("Title Slide", "Title Only" or "Title and Content", else by position),
its own slides are dropped.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.exc import PackageNotFoundError
from pptx.util import Emu, Inches, Pt

from .. import i18n, settings
from ..errors import ValidationError
from . import sources
from .build import Report, Section
from .images import chart_png, png_size
from .tables import FLOAT, INT, PERCENT, Column, ExportTable, clean_text, format_value

SLIDE_WIDTH, SLIDE_HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
TITLE_PT, LONG_TITLE_PT, DECK_TITLE_PT = 32, 28, 40
BODY_PT, TABLE_PT, FOOTNOTE_PT = 20, 14, 14
LONG_TITLE = 48  # characters: above this a title is set at 28 pt so that it keeps to two lines
FOOTNOTE_HEIGHT = Inches(0.8)
# A row of 14-pt text; the header has room for headers of two or three lines.
ROW_HEIGHT, HEADER_HEIGHT = Inches(0.34), Inches(0.9)
MAX_TABLE_SLIDES = 4  # a longer table is cut (your row kept); the XLSX export has every row
# Bars and text of a chart slide: 15 bars (and yours) is what fits 7.5 inches at ≥ 14 pt.
SLIDE_BARS = 15
CHART_FONT_PX = 22  # drawn at this size in pixels …
CHART_PT = 15  # … and scaled so that it shows at about this size on the slide
CHART_WIDTH_PX = 900
PICTURE_SCALE = 1.5  # about 160 dots per inch across a 16:9 slide: sharp on a projector, quick to draw
EMU_PER_PT = 12700
GREY = RGBColor(0x44, 0x44, 0x44)
LABEL_COLOUR = RGBColor(0xB3, 0x3C, 0x00)

_SPACES = re.compile(r"[\t\r\n\v\f]+")

TITLE_LAYOUTS, TITLE_INDEX = ("Title Slide",), 0
CONTENT_LAYOUTS, CONTENT_INDEX = ("Title Only", "Title and Content"), 5


# What python-pptx raises for a file that is not a usable presentation: not a zip, a zip without
# a presentation part, damaged XML, a template (.potx) or show (.ppsx) content type.
UNREADABLE = (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError, etree.XMLSyntaxError)


class TemplateError(ValidationError):
    """The PowerPoint template cannot be used (missing, not a .pptx, damaged)."""


def build_deck(reports: Sequence[Report], lang: str, template: Path | str | None = None) -> bytes:
    """One title slide, then each report's slides: watch → table; ranking → chart and table per
    metric; profile → chart (with its table beside it where it fits)."""
    if not reports:
        raise ValidationError("report.needs_report")
    lang = i18n.check_language(lang)
    deck = _open(template if template is not None else (settings.get("pptx_template") or None))
    _title_slide(deck, reports, lang)
    for report in reports:
        footnote = report.source.text(lang, with_files=False)
        for section in report.sections:
            if report.kind == "profile":
                _profile_slide(deck, report, section, lang, footnote)
                continue
            if section.draw is not None:
                _chart_slide(deck, report, section, lang, footnote)
            _table_slides(deck, section, lang, footnote)
    buffer = io.BytesIO()
    deck.prs.save(buffer)
    return buffer.getvalue()


# -- the presentation and its layouts ----------------------------------------------
@dataclass
class _Deck:
    prs: object  # pptx.presentation.Presentation
    built_in: bool  # python-pptx's own layouts are drawn for 4:3: their shapes are placed by hand

    @property
    def width(self) -> int:
        return self.prs.slide_width

    @property
    def height(self) -> int:
        return self.prs.slide_height


def _open(template: Path | str | None) -> _Deck:
    if not template:
        prs = Presentation()
        prs.slide_width, prs.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
        return _Deck(prs, True)
    path = Path(template).expanduser()
    if not path.is_file():
        raise TemplateError("report.template_missing", path=path)
    try:
        prs = Presentation(str(path))
    except UNREADABLE as exc:
        raise TemplateError("report.template_unreadable", path=path, detail=type(exc).__name__) from None
    # Keep the masters and layouts, not the example slides the template ships with.
    slide_ids = prs.slides._sldIdLst
    for slide_id in list(slide_ids):
        prs.part.drop_rel(slide_id.rId)
        slide_ids.remove(slide_id)
    return _Deck(prs, False)


def _layout(deck: _Deck, names: tuple[str, ...], index: int):
    by_name = {layout.name: layout for layout in deck.prs.slide_layouts}
    for name in names:
        if name in by_name:
            return by_name[name]
    layouts = list(deck.prs.slide_layouts)
    return layouts[min(index, len(layouts) - 1)]


def _title_size(title: str) -> int:
    return TITLE_PT if len(title) <= LONG_TITLE else LONG_TITLE_PT


def _new_slide(deck: _Deck, names: tuple[str, ...], index: int, title: str, size: int | None = None,
               keep: frozenset[int] = frozenset({0})):
    """A slide with its title set; the layout's placeholders other than `keep` removed (an empty
    placeholder would say "Click to add text" in the editor)."""
    slide = deck.prs.slides.add_slide(_layout(deck, names, index))
    for placeholder in list(slide.placeholders):
        if placeholder.placeholder_format.idx not in keep:
            placeholder._element.getparent().remove(placeholder._element)
    title_shape = slide.shapes.title
    if title_shape is None:
        title_shape = slide.shapes.add_textbox(MARGIN, Inches(0.3), deck.width - 2 * MARGIN, Inches(1.1))
    elif deck.built_in:
        title_shape.left, title_shape.top = MARGIN, Inches(0.3)
        title_shape.width, title_shape.height = deck.width - 2 * MARGIN, Inches(1.1)
    title_shape.text_frame.word_wrap = True
    _set_text(title_shape.text_frame, [title], size or _title_size(title))
    return slide, title_shape


def _content_box(deck: _Deck, title_shape) -> tuple[int, int, int, int]:
    """left, top, width, height of the space between the title and the footnote."""
    top = (title_shape.top or Inches(0.3)) + (title_shape.height or Inches(1.1)) + Inches(0.1)
    bottom = deck.height - FOOTNOTE_HEIGHT - Inches(0.05)
    return MARGIN, top, deck.width - 2 * MARGIN, max(Inches(1), bottom - top)


def _set_text(frame, lines: Sequence[str], size: int, *, bold: bool = False, colour: RGBColor | None = None) -> None:
    frame.clear()
    for i, line in enumerate(lines):
        _run(frame.paragraphs[0] if i == 0 else frame.add_paragraph(), line, size, bold=bold, colour=colour)


def _run(paragraph, text: str, size: int, *, bold: bool = False, colour: RGBColor | None = None):
    run = paragraph.add_run()
    # A slide is no spreadsheet: nothing to neutralise, but a tab or carriage return from an uploaded
    # name would show as "_x000D_"; it becomes a space.
    run.text = _SPACES.sub(" ", clean_text(text)).strip()
    run.font.size = Pt(max(size, FOOTNOTE_PT))
    if bold:
        run.font.bold = True
    if colour is not None:
        run.font.color.rgb = colour
    return run


def _footnote(deck: _Deck, slide, text: str, extra: str | None = None) -> None:
    box = slide.shapes.add_textbox(MARGIN, deck.height - FOOTNOTE_HEIGHT, deck.width - 2 * MARGIN,
                                   FOOTNOTE_HEIGHT - Inches(0.1))
    box.text_frame.word_wrap = True
    box.text_frame.vertical_anchor = MSO_ANCHOR.BOTTOM
    _set_text(box.text_frame, [line for line in (extra, text) if line], FOOTNOTE_PT, colour=GREY)


# -- slides ------------------------------------------------------------------------
def _title_slide(deck: _Deck, reports: Sequence[Report], lang: str) -> None:
    """What, for whom, how fresh, and whether it is real: group, platform, period, data date, demo label."""
    title = reports[0].title if len(reports) == 1 else i18n.text("report.deck_title", lang)
    note = sources.merge(r.source for r in reports)
    slide, title_shape = _new_slide(deck, TITLE_LAYOUTS, TITLE_INDEX, title,
                                    DECK_TITLE_PT if len(title) <= LONG_TITLE else TITLE_PT, keep=frozenset({0, 1}))
    lines = list(dict.fromkeys(r.context for r in reports))
    if note.data_as_of:
        lines.append(i18n.text("report.data_as_of", lang, date=i18n.format_date(note.data_as_of, lang)))
    body = next((p for p in slide.placeholders if p.placeholder_format.idx == 1), None)
    if deck.built_in:
        title_shape.left, title_shape.top = MARGIN, Inches(1.4)
        title_shape.width, title_shape.height = deck.width - 2 * MARGIN, Inches(2.0)
    if body is None:
        body = slide.shapes.add_textbox(MARGIN, Inches(3.6), deck.width - 2 * MARGIN, Inches(2.8))
    elif deck.built_in:
        body.left, body.top, body.width, body.height = MARGIN, Inches(3.6), deck.width - 2 * MARGIN, Inches(2.8)
    body.text_frame.word_wrap = True
    _set_text(body.text_frame, lines, BODY_PT)
    if any(r.shows_demo for r in reports):
        _run(body.text_frame.add_paragraph(), i18n.text("report.demo_label", lang), BODY_PT, bold=True,
             colour=LABEL_COLOUR)
    _footnote(deck, slide, note.text(lang))


def _chart_picture(slide, section: Section, lang: str, box: tuple[int, int, int, int]) -> None:
    """The section's chart fitted into `box` with its text at about CHART_PT on the slide: drawn once
    to measure what axes and legend take, then with a plot that fills the rest of the box."""
    left, top, width, height = box
    pixels_per_point = CHART_FONT_PX / CHART_PT
    want_width, want_height = width / EMU_PER_PT * pixels_per_point, height / EMU_PER_PT * pixels_per_point
    first_width, first_height = CHART_WIDTH_PX, 400
    drawn_width, drawn_height = _measure(section, lang, first_width, first_height)
    plot_width = max(200, round(first_width + want_width - drawn_width))
    plot_height = max(150, round(first_height + want_height - drawn_height))
    chart = section.draw(width=plot_width, height=plot_height, font_size=CHART_FONT_PX, max_bars=SLIDE_BARS)
    # The demo label is in every slide's footnote; in the picture it would take a line of the bars' room.
    png = chart_png(chart, lang, width=None, scale=PICTURE_SCALE)
    px_width, px_height = png_size(png)
    ratio = min(width / px_width, height / px_height)
    shown_width, shown_height = int(px_width * ratio), int(px_height * ratio)
    slide.shapes.add_picture(io.BytesIO(png), left + (width - shown_width) // 2, top, Emu(shown_width),
                             Emu(shown_height))


def _measure(section: Section, lang: str, width: int, height: int) -> tuple[int, int]:
    """The size in pixels of the whole chart (axes, legend) around a plot of width × height."""
    from .images import chart_svg

    svg = chart_svg(section.draw(width=width, height=height, font_size=CHART_FONT_PX, max_bars=SLIDE_BARS), lang,
                    width=None)
    found = re.search(r'<svg[^>]*\bwidth="([\d.]+)"[^>]*\bheight="([\d.]+)"', svg)
    return (round(float(found.group(1))), round(float(found.group(2)))) if found else (width, height)


def _chart_slide(deck: _Deck, report: Report, section: Section, lang: str, footnote: str) -> None:
    slide, title_shape = _new_slide(deck, CONTENT_LAYOUTS, CONTENT_INDEX, section.heading)
    _chart_picture(slide, section, lang, _content_box(deck, title_shape))
    extra = None
    if section.chart_rows > SLIDE_BARS:
        extra = i18n.text("report.chart_top", lang, count=SLIDE_BARS, total=len(section.table.frame))
    _footnote(deck, slide, footnote, extra)


def _profile_slide(deck: _Deck, report: Report, section: Section, lang: str, footnote: str) -> None:
    """The trend chart, with its small table beside it when every period fits in the slide's height."""
    slide, title_shape = _new_slide(deck, CONTENT_LAYOUTS, CONTENT_INDEX, section.heading)
    left, top, width, height = _content_box(deck, title_shape)
    rows = len(section.table.frame)
    table_width = Inches(4.2)
    fits = 0 < rows <= _rows_that_fit(height)
    if section.draw is not None:
        chart_width = width - table_width - Inches(0.2) if fits else width
        _chart_picture(slide, section, lang, (left, top, chart_width, height))
    if fits:
        _add_table(slide, section.table, _columns(section), list(range(rows)), lang,
                   (left + width - table_width, top, table_width, height))
    _footnote(deck, slide, footnote)


def _rows_that_fit(height: int) -> int:
    return max(1, int((height - HEADER_HEIGHT) // ROW_HEIGHT))


def _columns(section: Section) -> list[Column]:
    by_id = {c.id: c for c in section.table.columns}
    return [by_id[i] for i in section.slide_columns if i in by_id] or list(section.table.columns)


def _table_slides(deck: _Deck, section: Section, lang: str, footnote: str) -> None:
    """The table over as few slides as it needs, the rows shared out evenly (7 + 7 + 7 rather than 10 + 10 + 1)."""
    table = section.table
    slides = []
    slide, title_shape = _new_slide(deck, CONTENT_LAYOUTS, CONTENT_INDEX, section.heading)
    box = _content_box(deck, title_shape)
    fit = _rows_that_fit(box[3])
    rows, extra = _cut(table, list(range(len(table.frame))), fit * MAX_TABLE_SLIDES, lang)
    count = max(1, -(-len(rows) // fit))
    per_slide = -(-len(rows) // count) if rows else 0
    slides.append((slide, title_shape))
    while len(slides) < count:
        slides.append(_new_slide(deck, CONTENT_LAYOUTS, CONTENT_INDEX, section.heading))
    for number, (slide, title_shape) in enumerate(slides, start=1):
        if count > 1:
            title = i18n.text("report.continued", lang, title=section.heading, page=number, pages=count)
            _set_text(title_shape.text_frame, [title], _title_size(title))
        chunk = rows[(number - 1) * per_slide: number * per_slide]
        _add_table(slide, table, _columns(section), chunk, lang, box)
        _footnote(deck, slide, footnote, extra)


def _cut(table: ExportTable, rows: list[int], limit: int, lang: str) -> tuple[list[int], str | None]:
    """At most `limit` rows, your own kept; and the line that says so."""
    if len(rows) <= limit:
        return rows, None
    own = [i for i, flag in enumerate(table.own_rows()) if flag]
    kept = rows[:limit]
    missing = [i for i in own if i not in kept]
    if missing:
        kept = rows[:limit - len(missing)] + missing
    return kept, i18n.text("report.rows_shown", lang, shown=len(kept), total=len(rows))


# Relative column widths: a page's name takes the room the numbers leave; a rank needs little.
_WEIGHTS = {"page_label": 2.2, "rank": 0.6}


def _add_table(slide, table: ExportTable, columns: list[Column], rows: list[int], lang: str,
               box: tuple[int, int, int, int]) -> None:
    left, top, width, _ = box
    own = table.own_rows()
    numeric = [c.kind in (INT, FLOAT, PERCENT) for c in columns]
    shape = slide.shapes.add_table(len(rows) + 1, len(columns), left, top, width,
                                   HEADER_HEIGHT + ROW_HEIGHT * len(rows))
    grid = shape.table
    weights = [_WEIGHTS.get(c.id, 1.0) for c in columns]
    for i, weight in enumerate(weights):
        grid.columns[i].width = Emu(int(width * weight / sum(weights)))
    grid.rows[0].height = HEADER_HEIGHT
    for col, column in enumerate(columns):
        _cell(grid.cell(0, col), column.heading, bold=True, right=numeric[col])
    for r, index in enumerate(rows, start=1):
        grid.rows[r].height = ROW_HEIGHT
        for col, column in enumerate(columns):
            text = format_value(column, table.frame[column.id].iloc[index], lang)
            _cell(grid.cell(r, col), text, bold=own[index], right=numeric[col])


def _cell(cell, text: str, *, bold: bool, right: bool) -> None:
    cell.margin_left = cell.margin_right = Inches(0.06)
    cell.margin_top = cell.margin_bottom = Inches(0.02)
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE
    cell.text_frame.word_wrap = True
    _set_text(cell.text_frame, [text], TABLE_PT, bold=bold)
    cell.text_frame.paragraphs[0].alignment = PP_ALIGN.RIGHT if right else PP_ALIGN.LEFT
