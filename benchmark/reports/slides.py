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
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from .. import i18n, settings
from ..errors import ValidationError
from . import sources
from .build import Report, Section
from .images import chart_png, png_size
from .tables import INT, FLOAT, PERCENT, Column, ExportTable, format_value

SLIDE_WIDTH, SLIDE_HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
TITLE_PT, LONG_TITLE_PT, DECK_TITLE_PT = 32, 28, 40
BODY_PT, TABLE_PT, FOOTNOTE_PT = 20, 14, 14
LONG_TITLE = 48  # characters: above this a title is set at 28 pt so that it keeps to two lines
FOOTNOTE_HEIGHT = Inches(0.8)
ROW_HEIGHT, HEADER_HEIGHT = Inches(0.4), Inches(0.75)
MAX_TABLE_SLIDES = 4  # a longer table is cut (your row kept); the XLSX export has every row
# Bars and text of a chart slide: 15 bars (and yours) is what fits 7.5 inches at ≥ 14 pt.
SLIDE_BARS = 15
CHART_FONT_PX = 22
CHART_WIDTH_PX = 900
GREY = RGBColor(0x44, 0x44, 0x44)
LABEL_COLOUR = RGBColor(0xB3, 0x3C, 0x00)

TITLE_LAYOUTS, TITLE_INDEX = ("Title Slide",), 0
CONTENT_LAYOUTS, CONTENT_INDEX = ("Title Only", "Title and Content"), 5


class TemplateError(ValidationError):
    """The PowerPoint template cannot be used (missing, not a .pptx, damaged)."""


def build_deck(reports: Sequence[Report], lang: str, template: Path | str | None = None) -> bytes:
    """One title slide, then each report's slides: watch → table; ranking → chart and table per
    metric; profile → chart (with its table beside it where it fits)."""
    if not reports:
        raise ValidationError("a deck needs at least one report")
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
            _table_slides(deck, section, section.table, list(section.slide_columns), lang, footnote)
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


# -- the presentation and its layouts ----------------------------------------------
def _open(template: Path | str | None):
    if not template:
        deck = Presentation()
        deck.slide_width, deck.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
        deck.built_in = True  # the default layouts are drawn for 4:3: shapes are placed by hand
        return deck
    path = Path(template).expanduser()
    if not path.is_file():
        raise TemplateError(f"the PowerPoint template {path} does not exist (setting pptx_template / "
                            "BENCHMARK_PPTX_TEMPLATE); give a .pptx file or leave it empty for the built-in design")
    try:
        deck = Presentation(str(path))
    except Exception as exc:  # python-pptx raises many kinds for a file that is not a presentation
        raise TemplateError(f"the PowerPoint template {path} cannot be read as a .pptx presentation "
                            f"({type(exc).__name__}); save it from PowerPoint as .pptx and try again") from None
    # Keep the masters and layouts, not the example slides the template ships with.
    slide_ids = deck.slides._sldIdLst
    for slide_id in list(slide_ids):
        deck.part.drop_rel(slide_id.rId)
        slide_ids.remove(slide_id)
    deck.built_in = False
    return deck


def _layout(deck, names: tuple[str, ...], index: int):
    for layout in deck.slide_layouts:
        if layout.name in names:
            return layout
    layouts = list(deck.slide_layouts)
    return layouts[min(index, len(layouts) - 1)]


def _new_slide(deck, names: tuple[str, ...], index: int, title: str, size: int | None = None):
    """A slide with its title set; the layout's other, unused placeholders removed."""
    slide = deck.slides.add_slide(_layout(deck, names, index))
    title_shape = slide.shapes.title
    if title_shape is None:
        title_shape = slide.shapes.add_textbox(MARGIN, Inches(0.3), deck.slide_width - 2 * MARGIN, Inches(1.1))
    elif deck.built_in:
        title_shape.left, title_shape.top = MARGIN, Inches(0.3)
        title_shape.width, title_shape.height = deck.slide_width - 2 * MARGIN, Inches(1.1)
    _set_text(title_shape.text_frame, [title], size or (TITLE_PT if len(title) <= LONG_TITLE else LONG_TITLE_PT))
    title_shape.text_frame.word_wrap = True
    return slide, title_shape


def _drop_empty_placeholders(slide, keep: set[int]) -> None:
    for placeholder in list(slide.placeholders):
        if placeholder.placeholder_format.idx not in keep and not placeholder.has_text_frame or (
                placeholder.placeholder_format.idx not in keep and not placeholder.text_frame.text):
            placeholder._element.getparent().remove(placeholder._element)


def _content_box(deck, title_shape) -> tuple[int, int, int, int]:
    """left, top, width, height of the space between the title and the footnote."""
    top = (title_shape.top or Inches(0.3)) + (title_shape.height or Inches(1.1)) + Inches(0.1)
    bottom = deck.slide_height - FOOTNOTE_HEIGHT - Inches(0.05)
    return MARGIN, top, deck.slide_width - 2 * MARGIN, max(Inches(1), bottom - top)


def _set_text(frame, lines: Sequence[str], size: int, *, bold: bool = False, colour: RGBColor | None = None) -> None:
    frame.clear()
    for i, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        _run(paragraph, line, size, bold=bold, colour=colour)


def _run(paragraph, text: str, size: int, *, bold: bool = False, colour: RGBColor | None = None):
    run = paragraph.add_run()
    run.text = _clean(text)
    run.font.size = Pt(max(size, FOOTNOTE_PT))
    if bold:
        run.font.bold = True
    if colour is not None:
        run.font.color.rgb = colour
    return run


def _clean(text: str) -> str:
    from .tables import clean_text

    return clean_text(text)


def _footnote(deck, slide, text: str, extra: str | None = None) -> None:
    box = slide.shapes.add_textbox(MARGIN, deck.slide_height - FOOTNOTE_HEIGHT, deck.slide_width - 2 * MARGIN,
                                   FOOTNOTE_HEIGHT - Inches(0.1))
    box.text_frame.word_wrap = True
    box.text_frame.vertical_anchor = MSO_ANCHOR.BOTTOM
    _set_text(box.text_frame, [line for line in (extra, text) if line], FOOTNOTE_PT, colour=GREY)


# -- slides ------------------------------------------------------------------------
def _title_slide(deck, reports: Sequence[Report], lang: str) -> None:
    first = reports[0]
    title = first.title if len(reports) == 1 else i18n.text("report.deck_title", lang)
    note = sources.merge(r.source for r in reports)
    slide, title_shape = _new_slide(deck, TITLE_LAYOUTS, TITLE_INDEX, title,
                                    DECK_TITLE_PT if len(title) <= LONG_TITLE else TITLE_PT)
    lines = list(dict.fromkeys(r.context for r in reports))
    if note.data_as_of:
        lines.append(i18n.text("report.data_as_of", lang, date=i18n.format_date(note.data_as_of, lang)))
    body = next((p for p in slide.placeholders if p.placeholder_format.idx == 1), None)
    if deck.built_in:
        title_shape.left, title_shape.top = MARGIN, Inches(1.5)
        title_shape.width, title_shape.height = deck.slide_width - 2 * MARGIN, Inches(1.9)
    if body is None:
        body = slide.shapes.add_textbox(MARGIN, Inches(3.6), deck.slide_width - 2 * MARGIN, Inches(2.8))
    elif deck.built_in:
        body.left, body.top, body.width, body.height = MARGIN, Inches(3.6), deck.slide_width - 2 * MARGIN, Inches(2.8)
    body.text_frame.word_wrap = True
    _set_text(body.text_frame, lines, BODY_PT)
    if any(r.shows_demo for r in reports):
        _run(body.text_frame.add_paragraph(), i18n.text("report.demo_label", lang), BODY_PT, bold=True,
             colour=LABEL_COLOUR)
    _drop_empty_placeholders(slide, keep={0, 1})
    _footnote(deck, slide, note.text(lang))


def _chart_picture(deck, slide, section: Section, report: Report, lang: str, box) -> None:
    left, top, width, height = box
    chart = section.draw(width=CHART_WIDTH_PX, font_size=CHART_FONT_PX, max_bars=SLIDE_BARS)
    png = chart_png(chart, lang, width=None, scale=2, demo_label=report.demo_label)
    px_width, px_height = png_size(png)
    ratio = min(width / px_width, height / px_height)
    shown_width, shown_height = int(px_width * ratio), int(px_height * ratio)
    slide.shapes.add_picture(io.BytesIO(png), left + (width - shown_width) // 2, top, Emu(shown_width),
                             Emu(shown_height))


def _chart_slide(deck, report: Report, section: Section, lang: str, footnote: str) -> None:
    slide, title_shape = _new_slide(deck, CONTENT_LAYOUTS, CONTENT_INDEX, section.heading)
    _drop_empty_placeholders(slide, keep={0})
    _chart_picture(deck, slide, section, report, lang, _content_box(deck, title_shape))
    extra = None
    if section.chart_rows > SLIDE_BARS:
        extra = i18n.text("report.chart_top", lang, count=SLIDE_BARS, total=len(section.table.frame))
    _footnote(deck, slide, footnote, extra)


def _profile_slide(deck, report: Report, section: Section, lang: str, footnote: str) -> None:
    """The trend chart; its small table beside it when every period fits in one column of rows."""
    slide, title_shape = _new_slide(deck, CONTENT_LAYOUTS, CONTENT_INDEX, section.heading)
    _drop_empty_placeholders(slide, keep={0})
    left, top, width, height = _content_box(deck, title_shape)
    rows = len(section.table.frame)
    table_width = Inches(4.2)
    fits = 0 < rows <= _rows_that_fit(height)
    if section.draw is not None:
        chart_width = width - table_width - Inches(0.2) if fits else width
        _chart_picture(deck, slide, section, report, lang, (left, top, chart_width, height))
    if fits:
        columns = _columns(section.table, list(section.slide_columns))
        _add_table(slide, section.table, columns, list(range(rows)), lang,
                   (left + width - table_width, top, table_width, height))
    _footnote(deck, slide, footnote)


def _rows_that_fit(height: int) -> int:
    return max(1, int((height - HEADER_HEIGHT) // ROW_HEIGHT))


def _columns(table: ExportTable, ids: list[str]) -> list[Column]:
    by_id = {c.id: c for c in table.columns}
    return [by_id[i] for i in ids if i in by_id] or list(table.columns)


def _table_slides(deck, section: Section, table: ExportTable, ids: list[str], lang: str, footnote: str) -> None:
    columns = _columns(table, ids)
    probe = deck.slide_layouts  # the content box depends on the layout's title only
    del probe
    total = len(table.frame)
    rows = list(range(total))
    per_slide = None
    chunks: list[list[int]] = []
    extra = None
    slide_count = 0
    # The first slide tells how many rows fit under this layout's title; the others are alike.
    while True:
        title = section.heading if not chunks else section.heading
        slide, title_shape = _new_slide(deck, CONTENT_LAYOUTS, CONTENT_INDEX, title)
        _drop_empty_placeholders(slide, keep={0})
        box = _content_box(deck, title_shape)
        if per_slide is None:
            per_slide = _rows_that_fit(box[3])
            rows, extra = _cut(table, rows, per_slide * MAX_TABLE_SLIDES, lang)
            chunks = [rows[i:i + per_slide] for i in range(0, len(rows), per_slide)] or [[]]
        chunk = chunks[slide_count]
        slide_count += 1
        if len(chunks) > 1:
            _set_text(title_shape.text_frame, [i18n.text("report.continued", lang, title=section.heading,
                                                         page=slide_count, pages=len(chunks))],
                      TITLE_PT if len(section.heading) <= LONG_TITLE else LONG_TITLE_PT)
        _add_table(slide, table, columns, chunk, lang, box)
        _footnote(deck, slide, footnote, extra)
        if slide_count == len(chunks):
            break


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


def _add_table(slide, table: ExportTable, columns: list[Column], rows: list[int], lang: str, box) -> None:
    left, top, width, _ = box
    own = table.own_rows()
    numeric = [c.kind in (INT, FLOAT, PERCENT) for c in columns]
    height = HEADER_HEIGHT + ROW_HEIGHT * len(rows)
    shape = slide.shapes.add_table(len(rows) + 1, len(columns), left, top, width, height)
    grid = shape.table
    # The first text column (the page's name) takes what the numbers leave.
    text_columns = [i for i, flag in enumerate(numeric) if not flag]
    number_width = Inches(1.45) if len(columns) > 4 else Inches(1.9)
    widths = [number_width if flag else 0 for flag in numeric]
    rest = width - sum(widths)
    for i in text_columns:
        widths[i] = rest // len(text_columns) if len(text_columns) else 0
    if len(text_columns) > 1:  # rank-like short texts get less: e.g. a period next to the numbers
        widths = [number_width if flag else width // len(columns) for flag in numeric]
        widths[text_columns[-1]] += width - sum(widths)
    for i, w in enumerate(widths):
        grid.columns[i].width = Emu(int(w))
    grid.rows[0].height = HEADER_HEIGHT
    for col, column in enumerate(columns):
        _cell(grid.cell(0, col), column.heading, bold=True, right=numeric[col])
    for r, index in enumerate(rows, start=1):
        grid.rows[r].height = ROW_HEIGHT
        for col, column in enumerate(columns):
            value = table.frame[column.id].iloc[index]
            _cell(grid.cell(r, col), format_value(column, value, lang), bold=own[index], right=numeric[col])


def _cell(cell, text: str, *, bold: bool, right: bool) -> None:
    cell.margin_left = cell.margin_right = Inches(0.06)
    cell.margin_top = cell.margin_bottom = Inches(0.03)
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE
    frame = cell.text_frame
    frame.word_wrap = True
    _set_text(frame, [text], TABLE_PT, bold=bold)
    frame.paragraphs[0].alignment = PP_ALIGN.RIGHT if right else PP_ALIGN.LEFT


def data_date(reports: Sequence[Report]) -> date | None:
    return sources.merge(r.source for r in reports).data_as_of
