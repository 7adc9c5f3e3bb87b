"""The structure-tree reader on hand-built tagged PDFs: /K order, notes at their marks, tables, figures,
artifacts, ActualText, RoleMap, the per-page choice of reader, and hostile trees."""

from __future__ import annotations

import pytest

from simplify.errors import InputError
from simplify.model import Source
from simplify.sources import bytes_to_document
from simplify.sources.pdf import PdfLimits, pdf_to_lines
from tests.pdf_builder import E, Run, tagged_pdf


def _document(data: bytes, limits: PdfLimits | None = None):
    return bytes_to_document(data, "t.pdf", doc_id="t", source=Source(file="t.pdf"), pdf_limits=limits)


def _sentences(document) -> list[str]:
    return [s.text_with_marks() for sec in document.walk() for s in sec.sentences()]


def _paragraph_with_span_and_note() -> list[E]:
    return [E("P", Run("The council met on Monday", 72, 700),
              E("Span", Run(" in the new hall", 210, 700)),
              Run(" and agreed the budget", 72, 686),
              E("Link", Run("1", 190, 690, 6), E("Footnote", E("P", Run("1 Minutes are online.", 72, 80, 7)))),
              Run(". Work starts in May.", 196, 686))]


def test_the_tree_gives_the_order_of_inline_spans_and_notes_even_when_drawn_backwards():
    data = tagged_pdf([_paragraph_with_span_and_note()], role_map={"Footnote": "Note"}, reverse=True)
    document = _document(data)
    assert _sentences(document) == ["The council met on Monday in the new hall and agreed the budget＊1. Work starts in May."]
    notes = [f for sec in document.walk() for f in sec.footnotes]
    assert [(f.number, f.text) for f in notes] == [(1, "Minutes are online.")]
    read = pdf_to_lines(data, "t.pdf")
    assert read.pages == ("tree",)
    assert ("Community news", "artifact") in read.discarded


def test_notes_are_numbered_in_document_order_when_the_printed_numbers_restart():
    page = lambda text: [E("P", Run(text, 72, 700), E("Note", Run("1 A note.", 72, 80, 7))), E("P", Run("Next.", 72, 660))]
    document = _document(tagged_pdf([page("First page"), page("Second page")]))
    notes = [(f.number, f.text) for sec in document.walk() for f in sec.footnotes]
    assert notes == [(1, "A note."), (2, "A note.")]
    assert _sentences(document) == ["First page＊1", "Next.", "Second page＊2", "Next."]


def test_a_one_row_table_is_a_line_and_a_grid_is_a_table_with_headers():
    heading = E("Table", E("TR", E("TH", E("P", Run("Chapter 1", 72, 760, 16))),
                           E("TH", E("P", Run("Bus services", 200, 760, 16)))))
    grid = E("Table", E("TR", E("TH", E("P", Run("Route", 72, 600))), E("TH", E("P", Run("Every", 200, 600)))),
             E("TR", E("TD", E("P", Run("A", 72, 586))), E("TD", E("P", Run("30 min", 200, 586)))),
             E("TR", E("TD", E("P", Run("B", 72, 572))), E("TD", E("P", Run("1 hour", 200, 572)))))
    body = E("P", Run("Two routes run from the station.", 72, 700))
    document = _document(tagged_pdf([[heading, body, grid]]))
    sections = list(document.walk())
    assert [s.heading for s in sections] == ["Chapter 1 Bus services"]  # the two cells, one heading line
    tables = [b for s in sections for b in s.blocks if b.type == "table"]
    assert len(tables) == 1
    assert [[(c.text, c.header) for c in row] for row in tables[0].rows] == [
        [("Route", True), ("Every", True)], [("A", False), ("30 min", False)], [("B", False), ("1 hour", False)]]
    assert [s.text for s in tables[0].sentences] == ["Route：A、Every：30 min。", "Route：B、Every：1 hour。"]


def test_a_one_column_table_is_a_frame_whose_contents_are_read():
    frame = E("Table", E("TR", E("TD", E("P", Run("Notice", 72, 760)))),
              E("TR", E("TD", E("P", Run("The library is closed on Monday. It opens at nine.", 72, 740)))))
    document = _document(tagged_pdf([[frame]]))
    assert not [b for s in document.walk() for b in s.blocks if b.type == "table"]
    assert "The library is closed on Monday. It opens at nine." in _sentences(document)


def test_figures_keep_the_authors_alt_text_and_drop_office_machine_captions():
    pages = [[E("P", Run("Our new bus.", 72, 700)),
              E("Figure", Run("LABEL", 72, 600), alt="A green bus at the station"),
              E("Figure", Run("X", 72, 500), alt="バス\n\n自動的に生成された説明")]]
    document = _document(tagged_pdf(pages))
    figures = [b for s in document.walk() for b in s.blocks if b.type == "figure"]
    assert [f.caption for f in figures] == ["A green bus at the station"]
    assert "LABEL" not in " ".join(_sentences(document))
    assert ("LABEL", "figure text") in pdf_to_lines(tagged_pdf(pages), "t.pdf").discarded


def test_actual_text_replaces_the_characters_it_covers():
    pages = [[E("P", Run("Call ", 72, 700), E("Span", Run("(o)", 100, 700), actual="0120"),
                Run(" today to book a seat at the council meeting.", 130, 700))]]
    assert _sentences(_document(tagged_pdf(pages))) == ["Call 0120 today to book a seat at the council meeting."]


def test_heading_elements_give_the_levels():
    pages = [[E("H1", Run("Town news", 72, 760)), E("P", Run("Welcome.", 72, 740)),
              E("H2", Run("Buses", 72, 720)), E("P", Run("New routes.", 72, 700))]]
    document = _document(tagged_pdf(pages))
    assert [(s.title, document.depths[s.id]) for s in document.walk()] == [("Town news", 1), ("Buses", 2)]


def test_a_page_the_tree_does_not_cover_is_read_by_layout_and_the_report_says_so():
    tagged = [E("P", Run("The tagged page says this in its tree.", 72, 700))]
    loose = [Run("Nothing on this page is in the tree.", 72, 700)]
    read = pdf_to_lines(tagged_pdf([tagged, loose, tagged]), "t.pdf")
    assert read.pages == ("tree", "layout", "tree")
    assert [line.text for line in read.lines] == ["The tagged page says this in its tree.",
                                                  "Nothing on this page is in the tree.",
                                                  "The tagged page says this in its tree."]
    assert "論理構造（タグ）から読んだページ: 1、3" in read.summary()
    assert "レイアウトから読んだページ: 2" in read.summary()
    suspects = pdf_to_lines(tagged_pdf([tagged], suspects=True), "t.pdf")
    assert suspects.pages == ("layout",)  # MarkInfo says the tags may be wrong: geometry decides


def test_a_few_characters_outside_the_tree_are_set_aside_and_said():
    page = [E("P", Run("A long paragraph of the notice that the tree holds, " * 2, 30, 700, 6)), Run("x", 30, 600)]
    read = pdf_to_lines(tagged_pdf([page]), "t.pdf")
    assert read.pages == ("tree",) and ("x", "untagged") in read.discarded


def test_a_cycle_in_the_tree_is_a_clear_error():
    with pytest.raises(InputError, match="循環") as caught:
        _document(tagged_pdf([[E("P", Run("Loop.", 72, 700))]], cycle=True))
    assert caught.value.code == "bad_pdf"


def test_a_tree_with_too_many_elements_is_refused_in_bounded_time():
    pages = [[E("P", *(E("Span", Run(f"w{i}", 72 + (i % 40) * 12, 700 - (i // 40) * 12, 6)) for i in range(2000)))]]
    with pytest.raises(InputError, match="論理構造が大きすぎます") as caught:
        _document(tagged_pdf(pages), PdfLimits(elements=1000))
    assert caught.value.code == "too_large"
    assert _document(tagged_pdf(pages)).sections  # under the default ceiling it reads


def test_a_tree_nested_too_deep_is_refused():
    element = E("P", Run("Deep.", 72, 700))
    for _ in range(300):
        element = E("Span", element)
    with pytest.raises(InputError, match="深すぎます"):
        _document(tagged_pdf([[E("P", element)]]))


def test_the_layout_reader_joins_a_heading_that_wraps_onto_a_second_line():
    from tests.pdf_builder import untagged

    body = [E("P", Run(f"Body text of the notice, line {i}, set in the body type of the page.", 72, 640 - 14 * i))
            for i in range(8)]
    pages = [[E("P", Run("(1) Research data sharing and open sci", 72, 720, 13)), E("P", Run("ence", 72, 704, 13)),
              *body, E("P", Run("(2) Training", 72, 500, 13)), *body[:2]]]
    document = _document(untagged(tagged_pdf(pages)))
    assert [s.title for s in document.walk()][-2:] == ["Research data sharing and open science", "Training"]


def test_a_note_the_tags_left_a_plain_paragraph_answers_its_raised_mark():
    """Some exports tag a footnote as a small P at the page's foot and its mark as raised digits in the text."""
    body = [E("P", Run("The council met on Monday and agreed the new budget for the town", 72, 700),
              Run("1", 400, 704, 6), Run(" this week.", 404, 700)),
            E("P", Run("A second paragraph of the notice follows here in body type.", 72, 680)),
            E("P", Run("1 The minutes are online.", 72, 80, 7))]
    document = _document(tagged_pdf([body]))
    assert _sentences(document)[0] == "The council met on Monday and agreed the new budget for the town＊1 this week."
    assert [(f.number, f.text) for s in document.walk() for f in s.footnotes] == [(1, "The minutes are online.")]
    report = __import__("simplify.report", fromlist=["document_report"]).document_report(document)
    assert report.attached == report.footnotes == 1


def test_ruby_elements_are_a_reading_on_their_base_never_text():
    from simplify.textio import split_annotations

    pages = [[E("P", Run("The hall of ", 72, 700),
                E("Ruby", E("RB", Run("Kita", 130, 700)), E("RP", Run("(", 150, 700)), E("RT", Run("kita", 130, 710, 5)),
                  E("RP", Run(")", 160, 700))), Run(" ward opens at nine on Monday morning.", 170, 700))]]
    line = pdf_to_lines(tagged_pdf(pages), "t.pdf").lines[0]
    text, spans = split_annotations(line.text)
    assert text == "The hall of Kita ward opens at nine on Monday morning."
    assert [(text[a:b], reading) for a, b, reading in spans] == [("Kita", "kita")]


def test_a_voice_that_skips_tables_announces_them_and_keeps_the_rows_cues(tmp_path):
    """``tables = "skip"`` in a preset: one utterance says a table is there; the rows' cue numbers stay taken, so
    the sentence after the table has the same cue in the audio as on the page."""
    from dataclasses import replace

    from service.speech.utterances import TABLE_SKIPPED, section_to_utterances
    from service.speech.voices import get_voice

    grid = E("Table", E("TR", E("TH", E("P", Run("Route", 72, 600))), E("TH", E("P", Run("Every", 200, 600)))),
             E("TR", E("TD", E("P", Run("A", 72, 586))), E("TD", E("P", Run("30 min", 200, 586)))),
             E("TR", E("TD", E("P", Run("B", 72, 572))), E("TD", E("P", Run("1 hour", 200, 572)))))
    pages = [[E("H1", Run("Bus guide", 72, 760)), E("P", Run("Two routes run from the station every day.", 72, 700)),
              grid, E("P", Run("Tickets are sold on the bus by the driver.", 72, 540))]]
    section = next(s for s in _document(tagged_pdf(pages)).walk() if s.blocks)
    voice = get_voice("mei")
    read = [(u.id, u.kind) for u in section_to_utterances(section, voice) if u.kind != "heading"]
    skipped = section_to_utterances(section, replace(voice, tables="skip"))
    assert read == [("s1", "sentence"), ("s2", "table"), ("s3", "table"), ("s4", "sentence")]
    assert [(u.id, u.kind, u.text) for u in skipped if u.kind != "heading"] == [
        ("s1", "sentence", "Two routes run from the station every day."), ("s2", "table", TABLE_SKIPPED),
        ("s4", "sentence", "Tickets are sold on the bus by the driver.")]


def test_headings_without_numbers_are_found_by_their_size():
    from tests.pdf_builder import untagged

    def body(top):
        return [E("P", Run(f"The text of the notice, line {i}, in the body type of the page.", 72, top - 14 * i))
                for i in range(6)]

    pages = [[E("P", Run("Bus timetable", 72, 760, 14)), *body(730), E("P", Run("Where to ask", 72, 620, 14)),
              *body(590)]]
    for data in (tagged_pdf(pages), untagged(tagged_pdf(pages))):
        assert [s.title for s in _document(data).walk()] == ["Bus timetable", "Where to ask"]


def test_notes_are_numbered_in_page_order_where_tree_and_layout_pages_alternate():
    """Each reader numbers the pages it reads; a page the tree does not cover, between two it does, still gets
    the note numbers of its place in the document."""
    tagged = lambda text: [E("P", Run(text, 72, 700), E("Note", Run("1 A tagged note.", 72, 80, 7)))]
    loose = [Run("A page drawn outside the tree, with a note", 72, 700), Run("1", 279, 704, 6),
             Run(" of its own.", 283, 700), Run("1 A loose note.", 72, 80, 7)]
    document = _document(tagged_pdf([tagged("The first page of the notice"), loose, tagged("The third page")]))
    assert pdf_to_lines(tagged_pdf([tagged("x"), loose, tagged("y")]), "t.pdf").pages == ("tree", "layout", "tree")
    notes = [(f.number, f.text) for s in document.walk() for f in s.footnotes]
    assert notes == [(1, "A tagged note."), (2, "A loose note."), (3, "A tagged note.")]
    marks = [n.number for s in document.walk() for x in s.sentences() for n in x.notes]
    assert marks == [1, 2, 3]


# -- tables the layout reader finds by geometry (untagged pages) ----------------------------------------------------

_ROWS = [["Item", "Amount"], ["Entry fee", "300 yen"], ["Parking", "Free for visitors"], ["Bus", "Every 20 minutes"]]


def _table_page(lines: bool = False, rows=_ROWS, size: float = 10):
    from tests.pdf_builder import ruled_table

    runs, ops = ruled_table(rows, y=600, lines=lines, size=size)
    before = [E("P", Run(f"Body text before the table, line {i}, in the body type of this notice.", 72, 760 - 14 * i))
              for i in range(6)]
    after = [E("P", Run(f"Body text after the table, line {i}, in the body type of this notice.", 72, 480 - 14 * i))
             for i in range(6)]
    return [[*before, *(E("P", run) for run in runs), *after]], {0: ops}


def _tables(document):
    return [b for s in document.walk() for b in s.blocks if b.type == "table"]


@pytest.mark.parametrize("lines", [False, True], ids=["boxes", "rules"])
def test_the_layout_reader_reads_a_drawn_table_as_a_table(lines):
    from tests.pdf_builder import untagged

    pages, drawings = _table_page(lines)
    document = _document(untagged(tagged_pdf(pages, drawings=drawings)))
    [table] = _tables(document)
    assert [[c.text for c in row] for row in table.rows] == _ROWS
    assert [c.header for c in table.rows[0]] == [True, True] and table.header_rows == 1
    assert [s.text for s in table.sentences][0] == "Item：Entry fee、Amount：300 yen。"
    sentences = [s.text for sec in document.walk() for b in sec.blocks if b.type == "paragraph" for s in b.sentences]
    assert not any("Entry fee" in s or "Amount" in s for s in sentences)  # the cells are not body text
    # every body line, before and after, is in the paragraphs: nothing of the body went into the table
    assert sum(s.count("Body text") for s in sentences) == 12
    order = [b.type for s in document.walk() for b in s.blocks]
    assert order.index("table") > 0 and order.index("table") < len(order) - 1  # where the page prints it


def test_a_single_box_or_one_row_of_boxes_is_not_a_table():
    from tests.pdf_builder import untagged

    pages, drawings = _table_page(rows=[["Boxed notice text", "set out beside a label"]], size=11)
    document = _document(untagged(tagged_pdf(pages, drawings=drawings)))
    assert _tables(document) == []
    assert any("Boxed notice text" in s for s in _sentences(document))


def test_an_untagged_table_reads_as_its_tagged_original():
    from tests.pdf_builder import ruled_table, untagged

    runs, ops = ruled_table(_ROWS, y=600)
    cells = iter(runs)
    table = E("Table", *(E("TR", *(E("TH" if r == 0 else "TD", next(cells)) for _ in row))
                        for r, row in enumerate(_ROWS)))
    before = [E("P", Run(f"Body text before the table, line {i}, in the body type of this notice.", 72, 760 - 14 * i))
              for i in range(6)]
    data = tagged_pdf([[*before, table]], drawings={0: ops})
    tagged, plain = _tables(_document(data)), _tables(_document(untagged(data)))
    assert [[c.text for c in row] for row in plain[0].rows] == [[c.text for c in row] for row in tagged[0].rows]
    assert plain[0].sentences == tagged[0].sentences


def test_marked_content_nested_deep_reads_in_bounded_time_and_keeps_its_text():
    """Marked content nests (a glyph's /Span ActualText inside a paragraph's MCID); a hostile stream nests it
    20,000 deep around 2,000 glyphs: each glyph finds its sequence in constant time, the outermost ActualText
    replaces what it covers, and the text after the nesting closes is read as drawn."""
    import time

    from tests.pdf_builder import write_pdf

    depth, words = 20_000, 200
    stream = (b"BT /F1 10 Tf 72 700 Td " + b"/Span BMC " * depth
              + b"/Span <</ActualText (fixed)>> BDC (XY) Tj EMC "
              + b"".join(b"(w%03d ) Tj " % i for i in range(words)) + b"EMC " * depth
              + b"0 -14 Td (Closed and read.) Tj ET")
    data = write_pdf({
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 5 0 R "
           b"/Resources << /Font << /F1 4 0 R >> >> >>",
        4: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        5: b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    })
    started = time.monotonic()
    read = pdf_to_lines(data, "deep.pdf")
    assert time.monotonic() - started < 30
    text = " ".join(line.text for line in read.lines)
    assert "fixed" in text and "XY" not in text and "w199" in text and "Closed and read." in text
