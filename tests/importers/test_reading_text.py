"""Reading CSV uploads: encodings, delimiters, quoted fields, rows and their line numbers."""

from __future__ import annotations

import pytest

from tests.importers.helpers import only_sheet, read, refused

# -- text encodings -------------------------------------------------------------------------------

PLAIN = "Date,Views\n2025-01-01,5\n2025-01-02,7\n"


def test_utf8():
    sheet = only_sheet(read(PLAIN.encode()))
    assert sheet.rows == [["Date", "Views"], ["2025-01-01", "5"], ["2025-01-02", "7"]]
    assert sheet.row_numbers == [1, 2, 3]
    assert (sheet.encoding, sheet.delimiter, sheet.name) == ("utf-8", ",", None)


def test_utf8_with_bom_loses_the_bom():
    sheet = only_sheet(read(b"\xef\xbb\xbf" + '"Post ID",Räckvidd\n1,5\n'.encode()))
    assert sheet.rows[0] == ["Post ID", "Räckvidd"]
    assert sheet.encoding == "utf-8-sig"


def test_utf16_meta_chart_layout():
    """UTF-16LE with BOM, a `sep=,` line, a title line, then the table (research §1c)."""
    text = 'sep=,\n"Facebook reach"\n"Date","Primary"\n"2025-01-01T01:00:00","5"\n"2025-01-02T01:00:00","12"\n'
    sheet = only_sheet(read(b"\xff\xfe" + text.encode("utf-16-le")))
    assert sheet.rows == [
        ["Facebook reach"],
        ["Date", "Primary"],
        ["2025-01-01T01:00:00", "5"],
        ["2025-01-02T01:00:00", "12"],
    ]
    # the removed `sep=` line still counts: these are the lines a text editor shows
    assert sheet.row_numbers == [2, 3, 4, 5]
    assert (sheet.encoding, sheet.delimiter) == ("utf-16-le", ",")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(codec):
    sheet = only_sheet(read(PLAIN.encode(codec)))
    assert sheet.rows[1] == ["2025-01-01", "5"]
    assert sheet.encoding == codec


def test_utf16_big_endian_with_bom():
    sheet = only_sheet(read(b"\xfe\xff" + PLAIN.encode("utf-16-be")))
    assert sheet.rows[0] == ["Date", "Views"]
    assert sheet.encoding == "utf-16-be"


@pytest.mark.parametrize("line", ["sep=;", '"sep=;"', "SEP=;", "Sep=;  "])
def test_sep_line_sets_the_delimiter(line):
    sheet = only_sheet(read(f"{line}\nDate;Views,total\n2025-01-01;5\n".encode()))
    assert sheet.delimiter == ";"
    assert sheet.rows == [["Date", "Views,total"], ["2025-01-01", "5"]]
    assert sheet.row_numbers == [2, 3]


def test_cp1252_nordic_letters():
    text = "Kommun;Räckvidd\nÖrebro;1 234\nLæsø;5\nTromsø;7\nÅre;3\n"
    sheet = only_sheet(read(text.encode("cp1252")))
    assert sheet.encoding == "cp1252"
    assert sheet.delimiter == ";"
    assert [row[0] for row in sheet.rows] == ["Kommun", "Örebro", "Læsø", "Tromsø", "Åre"]
    assert sheet.rows[0][1] == "Räckvidd"


def test_damaged_utf16_is_refused():
    assert "UTF-16" in refused(b"\xff\xfe" + "Date,Views\n".encode("utf-16-le") + b"\x00\xd8")


def test_damaged_utf8_with_bom_is_refused():
    assert "UTF-8" in refused(b"\xef\xbb\xbfDate,Views\n\xff\xfe\xfa,1\n")


# -- delimiters and rows ---------------------------------------------------------------------------


def test_semicolon_with_decimal_commas():
    sheet = only_sheet(read("Datum;Visningar;Snitt\n01.02.2025;1\u00a0234;12,5\n02.02.2025;99;3,25\n".encode()))
    assert sheet.delimiter == ";"
    assert sheet.rows[1] == ["01.02.2025", "1\u00a0234", "12,5"]


def test_exact_tie_prefers_semicolon():
    # every line splits into two fields on `;` and on `,`: the comma is taken for a decimal mark
    sheet = only_sheet(read(b"Date;Rate,avg\n2025-01-01;1,5\n"))
    assert sheet.delimiter == ";"


def test_tab():
    sheet = only_sheet(read(b"Date\tViews\tReach\n2025-01-01\t5\t3\n"))
    assert sheet.delimiter == "\t"
    assert sheet.rows[1] == ["2025-01-01", "5", "3"]


def test_title_line_does_not_hide_the_delimiter():
    sheet = only_sheet(read(b"Viewers;\nDate;Primary\n2025-10-31T00:00:00;1148\n2025-11-01T00:00:00;762\n"))
    assert sheet.delimiter == ";"
    assert sheet.rows[0] == ["Viewers", ""]


@pytest.mark.parametrize("newline", [b"\r\n", b"\r"])
def test_crlf_and_cr(newline):
    sheet = only_sheet(read(newline.join([b"Date,Views", b"2025-01-01,5", b"2025-01-02,7", b""])))
    assert sheet.rows == [["Date", "Views"], ["2025-01-01", "5"], ["2025-01-02", "7"]]
    assert sheet.row_numbers == [1, 2, 3]


def test_multi_line_quoted_field_keeps_the_line_where_it_starts():
    text = (
        'Post ID,Message,Likes\r\n'
        '1,"line one\r\nline two\r\nline three",5\r\n'
        '2,"said ""hi""",6\r\n'
        '3,"a\n\nb",7\r\n'
        '4,x,8\r\n'
    )
    sheet = only_sheet(read(text.encode()))
    assert sheet.row_numbers == [1, 2, 5, 6, 9]
    assert sheet.rows[1] == ["1", "line one\nline two\nline three", "5"]
    assert sheet.rows[2] == ["2", 'said "hi"', "6"]
    assert sheet.rows[3] == ["3", "a\n\nb", "7"]
    assert sheet.where(4) == "row 9"


def test_ragged_rows_are_kept_as_they_are():
    sheet = only_sheet(read(b"a,b,c\n1,2\n3\n4,5,6,7\n"))
    assert [len(row) for row in sheet.rows] == [3, 2, 1, 4]


def test_blank_lines_inside_are_kept_and_trailing_ones_dropped():
    sheet = only_sheet(read(b'sep=,\n"Age & gender"\n"","Women"\n\n"Top countries"\n\n,,\n \n'))
    assert sheet.rows == [["Age & gender"], ["", "Women"], [], ["Top countries"]]
    assert sheet.row_numbers == [2, 3, 4, 5]


def test_cells_are_not_stripped():
    sheet = only_sheet(read(b"Phone number clicks ,Date\n 5 ,x\n"))
    assert sheet.rows == [["Phone number clicks ", "Date"], [" 5 ", "x"]]


def test_unterminated_quote_at_the_end_is_refused():
    reason = refused(b'Post ID,Message\n1,"fine"\n2,"never closed\n3,more\n')
    assert "line 3" in reason and "never closed" in reason


def test_a_field_beyond_the_limit_is_refused():
    reason = refused(b'a,b\n1,"' + b"x" * (2**20 + 10) + b'"\n')
    assert "line 2" in reason


def test_wrapped_lines_are_refused():
    lines = [
        '"Video asset ID,""Page name"",Title,""Publish time"",Reach"',
        '"111,""Kommunen"",,""11/01/2025 11:04"",5"',
        '"222,""Kommunen"",,""10/31/2025 11:01"",7"',
    ]
    reason = refused(("\ufeff" + "\n".join(lines) + "\n").encode())
    assert "wrapped in quotes" in reason
    assert "as downloaded from the platform" in reason


def test_a_single_column_is_not_mistaken_for_wrapped_lines():
    sheet = only_sheet(read(b"Reach\n5\n7\n"))
    assert sheet.rows == [["Reach"], ["5"], ["7"]]


def test_text_saved_as_xls_is_read_as_csv():
    source = read(PLAIN.encode(), "report.xls")
    assert source.kind == "csv"
    assert source.sheets[0].rows[0] == ["Date", "Views"]
