"""Any real document in: PDF, the ministries' text editions, HTML, Markdown and plain notices.

The corpus documents (tests/data/corpus, copied from shared/corpus) must give the outline a person reads in them;
the small fixtures are ours, one per kind of input, written to the conventions real notices use."""

from __future__ import annotations

import io
import unicodedata
import re
import subprocess
import sys
from pathlib import Path

import pytest

from simplify.documents import path_to_document
from simplify.errors import InputError
from simplify.export import document_to_outline
from simplify.report import document_report
from simplify.sources import bytes_to_document, sniff
from simplify.sources.pdf import PdfLimits, pdf_to_lines
from simplify.model import Source

DATA = Path(__file__).parent / "data"
CORPUS = DATA / "corpus"
_DIGIT_GLUED = re.compile(r"[ぁ-んァ-ヶ一-龠々」』）][0-9０-９]{1,2}(?=[。、])")


def outline_of(document) -> list[str]:
    """The tree as the corpus .outline files write it: two spaces a level, label and title, nothing else."""
    lines = []
    for section in document.walk():
        depth = _depth(document, section.id)
        lines.append("  " * depth + " ".join(section.heading.split()))
    return lines


def _depth(document, section_id: str) -> int:
    def find(sections, depth):
        for s in sections:
            if s.id == section_id:
                return depth
            found = find(s.children, depth + 1)
            if found is not None:
                return found
        return None
    return find(document.sections, 0)


def person_outline(name: str) -> list[str]:
    """The person's outline, without the notes in parentheses that describe a column."""
    out = []
    for line in (CORPUS / name).read_text(encoding="utf-8").splitlines():
        line = re.sub(r"\s*\(.*\)\s*$", "", line)
        indent = len(line) - len(line.lstrip(" "))
        out.append(" " * indent + " ".join(line.split()))
    return out


@pytest.fixture(scope="module", params=["ict-r5-2-5-6.txt", "kagaku-r6-ch1.pdf", "kagaku-r6-ch2.pdf"])
def corpus_doc(request):
    return request.param, path_to_document(CORPUS / request.param)


def test_corpus_documents_give_the_outline_a_person_reads(corpus_doc):
    name, document = corpus_doc
    assert outline_of(document) == person_outline(Path(name).stem + ".outline")


def test_corpus_titles_come_from_the_document_not_the_file_name(corpus_doc):
    name, document = corpus_doc
    assert Path(name).stem not in document.title and document.source.file == name
    first = person_outline(Path(name).stem + ".outline")[0]
    same = lambda text: " ".join(unicodedata.normalize("NFKC", text).split())
    assert same(document.title) == same(first)


def test_corpus_sentences_carry_no_markers_page_numbers_or_tab_characters(corpus_doc):
    name, document = corpus_doc
    for section in document.walk():
        for sentence in section.sentences():
            assert not _DIGIT_GLUED.search(sentence.text), (section.id, sentence.text)
            assert "＊" not in sentence.text and not re.search(r"(?<!\S) [0-9]{1,2} (?!\S)", sentence.text)
            assert not re.fullmatch(r"[0-9０-９第章部]{1,3}", sentence.text.strip()), sentence.text
            assert len(sentence.text) < 600, sentence.text[:80]


def test_corpus_footnotes_are_attached_where_their_markers_are(corpus_doc):
    name, document = corpus_doc
    report = document_report(document)
    assert report.footnotes >= 12
    assert report.attached >= report.footnotes - 1  # a PDF may print a note whose marker sits in a figure
    referenced = {}
    for section in document.walk():
        for sentence in section.sentences():
            for note in sentence.notes:
                referenced.setdefault(note.number, set()).add(section.id)
    for section in document.walk():
        for footnote in section.footnotes:
            assert footnote.text and not footnote.text[0].isdigit()


def test_text_edition_separates_headings_from_footnote_lines():
    document = path_to_document(CORPUS / "ict-r5-2-5-6.txt")
    notes = {f.number: f for s in document.walk() for f in s.footnotes}
    assert sorted(notes) == list(range(1, 15))
    assert notes[1].text.startswith("同法は、デジタル社会形成基本法")
    assert notes[2].urls == ("https://go5g.go.jp/",)
    # the footnote lines never became headings
    assert not any("Go! 5G" in s.title or "同法は" in s.title for s in document.walk())
    first = next(document.walk()).children[0].children[0]
    assert first.heading == "（1）\u3000これまでの取組"
    sentence = next(first.sentences())
    assert sentence.text.startswith("2000年（平成12年）") and [n.number for n in sentence.notes] == [1]


def test_pdf_figures_are_figures_and_their_chart_text_is_not_body():
    document = path_to_document(CORPUS / "kagaku-r6-ch1.pdf")
    figures = [b for s in document.walk() for b in s.blocks if b.type == "figure"]
    assert [f.figure for f in figures] == [f"第１-１-{chr(0xFF10 + n)}{'表' if n in (5, 7) else '図'}" for n in range(1, 8)]
    assert figures[0].caption == "人工知能・ビッグデータ技術の俯瞰図（時系列）"  # its printed ruby is no text
    assert [(r.reading) for r in figures[0].sentences[0].ruby] == ["ふかんず"]
    body = " ".join(s.text for sec in document.walk() for s in sec.sentences())
    assert "ロ に勝利" not in body and "深層学習圧勝" not in body  # chart labels
    assert "ふかんず" not in body  # printed ruby is its base's reading only
    assert "マルチモーダル性" in body  # a sentence whole across a column break with footnotes between


@pytest.mark.parametrize("tagged", [True, False], ids=["tagged", "untagged"])
def test_pdf_printed_ruby_is_the_reading_of_its_base_never_text_and_said_once(tagged):
    from simplify.reading import document_with_readings, token_to_ruby
    from tests.pdf_builder import untagged

    data = (CORPUS / "kagaku-r6-ch1.pdf").read_bytes()
    document = _load(data if tagged else untagged(data))
    sentence = next(s for sec in document.walk() for s in sec.sentences() if "流暢" in s.text)
    assert "流暢な文章" in sentence.text  # the ruby is not text
    at = sentence.text.index("流暢")
    assert [(r.start, r.end, r.reading) for r in sentence.ruby] == [(at, at + 2, "りゅうちょう")]  # set over 流 and 暢: one word
    read = document_with_readings(document)
    sentence = next(s for sec in read.walk() for s in sec.sentences() if "流暢" in s.text)
    base = next(t for t in sentence.reading.tokens if t.surface == "流暢")
    assert (base.reading, base.source) == ("りゅうちょう", "ruby")
    assert token_to_ruby(base) == [("流暢", "りゅうちょう")]  # shown over its base
    assert sentence.reading.spoken.count("リューチョー") == 1 and "リュウチョウ" not in sentence.reading.spoken
    texts = [s.text for sec in document.walk() for s in sec.sentences()] + [f.text for sec in document.walk() for f in sec.footnotes]
    assert not any(re.search(r"[\u4e00-\u9fff]（[ぁ-ん]{2,}）", t) for t in texts)  # no （かな） inserted anywhere
    rubies = {r.reading for sec in document.walk() for s in sec.sentences() for r in s.ruby}
    assert {"ふかんず", "けんいん", "えんえき"} <= rubies


def test_pdf_columns_read_left_then_right():
    document = path_to_document(CORPUS / "kagaku-r6-ch1.pdf")
    first = list(document.walk())[1]
    texts = [s.text for s in first.sentences()]
    assert texts[0] == "ＡＩとは人工知能（Artificial Intelligence）の略称です。"
    # the right column's first paragraph comes after the left column's, each sentence whole, none interleaved
    right = next(i for i, t in enumerate(texts) if t.startswith("近年、様々な新しい技術とコンピュータの性能が大きく向上した"))
    assert right > 0 and all(t.endswith("。") for t in texts[:right])


# -- our own fixtures ---------------------------------------------------------------------------------

def test_a_numbered_notice_has_its_tree_and_its_own_title():
    document = path_to_document(DATA / "notice.txt")
    assert document.title == "令和7年度防災訓練のお知らせ"
    assert outline_of(document) == [
        "令和7年度防災訓練のお知らせ", "１． 日時", "２． 場所", "  （１） 主会場", "  （２） サブ会場", "３． 内容",
        "  ① 避難訓練", "  ② 初期消火訓練", "４． 問合せ先"]
    opening = document.sections[0]
    assert [s.text for s in opening.sentences()] == ["市民の皆様へ、地域の防災訓練についてお知らせします。"]
    assert "07-" not in document.title


def test_a_newsletter_with_decorated_chapters_and_markers():
    document = path_to_document(DATA / "newsletter.txt")
    # the ◆ items are the 特集's own sub-headings, nested under it and keeping their mark
    assert outline_of(document) == ["第1章 今月の市政", "  特集", "    ◆ 保育料の助成", "    ◆ 相談窓口の新設",
                                    "第2章 暮らしの情報"]
    assert document.title.startswith("第1章")


def test_markdown_headings_lists_and_no_code():
    document = path_to_document(DATA / "guide.md")
    assert document.title == "地域ICTクラブの手引き"
    assert outline_of(document) == ["地域ICTクラブの手引き", "  1 参加のしかた", "    持ち物", "  2 問い合わせ"]
    body = [s.text for sec in document.walk() for s in sec.sentences()]
    assert "市の窓口で申し込みます。" in body and "参加費は無料です。" in body
    assert not any("print" in t or "**" in t or "](" in t for t in body)
    assert "詳しくは市のホームページをご覧ください。" in body


def test_html_content_without_page_chrome():
    document = path_to_document(DATA / "page.html")
    assert document.title == "テレワークの推進"
    assert outline_of(document) == ["テレワークの推進", "  1 テレワークの概要", "  2 支援の内容", "    （1） 相談窓口"]
    body = " ".join(s.text for sec in document.walk() for s in sec.sentences())
    for chrome in ("ホーム", "メニュー", "Copyright", "読まない", "color"):
        assert chrome not in body
    assert "柔軟な働き方です。" in body and "じゅうなん" not in body
    figures = [b for s in document.walk() for b in s.blocks if b.type == "figure"]
    assert any("テレワーク導入率の推移" in (b.caption or "") for b in figures)
    notes = [f for s in document.walk() for f in s.footnotes]
    assert [(f.number, f.text) for f in notes] == [(1, "総務省の調査による。")]


@pytest.mark.parametrize("data, name, kind", [
    (b"%PDF-1.7\n", "x.txt", "pdf"), (b"\xef\xbb\xbf<!DOCTYPE html><html>", "a.txt", "html"),
    (b"<html><body>", "a", "html"), (b"# t\n", "a.md", "markdown"), ("本文".encode(), "a.html", "text")])
def test_kinds_are_told_by_content(data, name, kind):
    assert sniff(data, name) == kind


# -- what a tagged PDF says about itself ----------------------------------------------------------------

def _tagged_pdf(items: list[tuple[str, str]], pages: int = 3, bookmarks: tuple[str, ...] = ()) -> bytes:
    """A small tagged PDF: each page prints ``items`` (structure type, text) top-down in one size, under
    a running head and a page number marked as pagination artifacts; ``bookmarks`` ("  " per depth + title)
    become its outline."""
    outline = " /Outlines 6 0 R" if bookmarks else ""
    objects: dict[int, bytes] = {1: f"<< /Type /Catalog /Pages 2 0 R /StructTreeRoot 3 0 R{outline} /MarkInfo << /Marked true >> >>".encode(),
                                 4: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"}
    parents: list[int] = [6]
    children: dict[int, list[int]] = {6: []}
    for i, mark in enumerate(bookmarks):
        depth = (len(mark) - len(mark.lstrip())) // 2
        del parents[depth + 1:]
        number = 300 + i
        children[parents[-1]].append(number)
        children[number] = []
        parents.append(number)
        objects[number] = mark.strip()
    for number, kids in children.items():
        links = f" /First {kids[0]} 0 R /Last {kids[-1]} 0 R /Count {len(kids)}" if kids else ""
        if number == 6:
            objects[6] = f"<< /Type /Outlines{links} >>".encode()
            continue
        parent = next(p for p, k in children.items() if number in k)
        siblings = children[parent]
        at = siblings.index(number)
        around = (f" /Prev {siblings[at - 1]} 0 R" if at else "") + (f" /Next {siblings[at + 1]} 0 R" if at + 1 < len(siblings) else "")
        objects[number] = f"<< /Title ({objects[number]}) /Parent {parent} 0 R{around}{links} /Dest [10 0 R /Fit] >>".encode()
    kids, elements = [], []
    for n in range(pages):
        page, content = 10 + 2 * n, 11 + 2 * n
        kids.append(f"{page} 0 R")
        ops = [f"/Artifact BDC BT /F1 9 Tf 72 800 Td (Community news) Tj ET EMC",
               f"/Artifact BDC BT /F1 9 Tf 290 30 Td ({n + 1}) Tj ET EMC"]
        for mcid, (kind, text) in enumerate(items):
            ops.append(f"/{kind} <</MCID {mcid}>> BDC BT /F1 11 Tf 72 {740 - 24 * mcid} Td ({text}) Tj ET EMC")
            elements.append((kind, page, mcid))
        stream = "\n".join(ops).encode()
        objects[content] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
        objects[page] = (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {content} 0 R "
                         f"/Resources << /Font << /F1 4 0 R >> >> /StructParents {n} >>").encode()
    objects[2] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {pages} >>".encode()
    first = 100
    refs = []
    for i, (kind, page, mcid) in enumerate(elements):
        objects[first + i] = f"<< /Type /StructElem /S /{kind} /P 5 0 R /Pg {page} 0 R /K {mcid} >>".encode()
        refs.append(f"{first + i} 0 R")
    objects[5] = f"<< /Type /StructElem /S /Document /P 3 0 R /K [{' '.join(refs)}] >>".encode()
    objects[3] = b"<< /Type /StructTreeRoot /K 5 0 R >>"
    from tests.pdf_builder import write_pdf

    return write_pdf(objects)


def test_a_tagged_pdf_gives_its_headings_and_artifacts():
    """Headings set in body type, known only from the tag tree; running heads and page numbers from Artifact."""
    data = _tagged_pdf([("H1", "Overview"), ("P", "This notice is about the new bus timetable."),
                        ("H2", "Routes"), ("P", "Two routes run every hour from the station.")])
    document = _load(data)
    outline = [(s.title, _depth(document, s.id)) for s in document.walk()]
    assert outline[:3] == [("Overview", 0), ("Routes", 1), ("Overview", 0)]
    body = " ".join(s.text for sec in document.walk() for s in sec.sentences())
    assert "Community news" not in body and "bus timetable" in body
    report = document_report(document)
    assert report.furniture >= 6


def test_untagged_text_in_body_type_is_not_a_heading():
    data = _tagged_pdf([("P", "Overview"), ("P", "This notice is about the new bus timetable.")], pages=1)
    document = _load(data)
    assert [s.title for s in document.walk()] == [""]  # one untitled section: no heading was invented
    assert "Overview" in " ".join(s.text for sec in document.walk() for s in sec.sentences())


def test_bookmarks_make_headings_of_lines_in_body_type():
    data = _tagged_pdf([("P", "Bus news"), ("P", "Overview"), ("P", "This notice is about the new bus timetable."),
                        ("P", "Routes"), ("P", "Two routes run every hour from the station.")], pages=1,
                       bookmarks=("Bus news", "  Overview", "  Routes"))
    document = _load(data)
    assert document.title == "Bus news"
    assert [(s.title, _depth(document, s.id)) for s in document.walk()] == [("Bus news", 0), ("Overview", 1), ("Routes", 1)]


# -- PDFs that cannot be read ---------------------------------------------------------------------------

def _blank_pdf(pages: int = 1, password: str | None = None) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _load(data: bytes, name: str = "x.pdf", limits: PdfLimits | None = None):
    return bytes_to_document(data, name, doc_id="x", source=Source(file=name), pdf_limits=limits)


def test_a_pdf_of_blank_pages_says_it_has_no_text():
    with pytest.raises(InputError, match="白紙") as caught:
        _load(_blank_pdf())
    assert caught.value.code == "empty_pdf"


def test_an_encrypted_pdf_is_a_clear_error():
    with pytest.raises(InputError, match="暗号化") as caught:
        _load(_blank_pdf(password="secret"))
    assert caught.value.code == "encrypted_pdf"


@pytest.mark.parametrize("data", [b"%PDF-1.7\n%garbage", (CORPUS / "kagaku-r6-ch1.pdf").read_bytes()[:50000]])
def test_a_damaged_pdf_is_a_clear_error(data):
    with pytest.raises(InputError, match="PDF"):
        _load(data)


def _bomb_pdf(megabytes: int) -> bytes:
    """One page whose content stream is a few hundred KB of Flate that inflates to ``megabytes`` of spaces."""
    import zlib

    packer = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    packed = b"".join(packer.compress(chunk) for _ in range(megabytes)) + packer.flush()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream"]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 5\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


@pytest.mark.slow
def test_a_decompression_bomb_is_refused_without_taking_the_memory(monkeypatch):
    """1 GB of content from a 1 MB file: the reader runs in a child process with a memory ceiling, so this
    process never holds the inflated stream, and the refusal says why."""
    import resource

    data = _bomb_pdf(1024)
    assert len(data) < 2 << 20
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(InputError, match="メモリー") as caught:
        _load(data, limits=PdfLimits(memory=512 << 20))
    assert caught.value.code == "too_large"
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200 << 10  # KiB: under 200 MB more
    # and the reader still works afterwards
    assert _load(_tagged_pdf([("H1", "Overview"), ("P", "Text of the notice.")], pages=1)).title == "Overview"


def test_pages_shared_among_readers_give_the_same_document(monkeypatch):
    """Several child processes read a PDF's pages (page k to child k mod n); what they give is put together into
    exactly the document one reader gives, and a fault on a page of any child is the file's clear error."""
    from simplify.sources.pdf import limits

    data = (CORPUS / "kagaku-r6-ch2.pdf").read_bytes()
    monkeypatch.setattr(limits.os, "cpu_count", lambda: 3)  # NOTE: where the number of children is decided
    one = pdf_to_lines(data, "ch2.pdf", PdfLimits(readers=1))
    assert pdf_to_lines(data, "ch2.pdf", PdfLimits(readers=3)) == one
    with pytest.raises(InputError, match="文字が多すぎます") as caught:
        pdf_to_lines(data, "ch2.pdf", PdfLimits(readers=3, chars_per_page=100))  # every page over it, in every child
    assert caught.value.code == "too_large" and "1 ページ" in caught.value.message


def _two_chapters() -> bytes:
    """The corpus's two chapters as one untagged 20-page PDF (pages copied with pypdfium2, which drops the tags)."""
    import pypdfium2 as pdfium

    out = pdfium.PdfDocument.new()
    for name in ("kagaku-r6-ch1.pdf", "kagaku-r6-ch2.pdf"):
        chapter = pdfium.PdfDocument(str(CORPUS / name))
        out.import_pages(chapter, list(range(len(chapter))))
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("name", ["kagaku-r6-ch2.pdf", "two chapters"], ids=["tagged", "untagged"])
def test_a_long_pdfs_first_pages_are_a_document_of_whole_sections_before_the_rest_is_read(name, monkeypatch):
    """An upload of a PDF longer than its first reading (PREVIEW_PAGES a reader) hears of those pages first, as a
    document that says how far it goes and holds only sections that end on them, each exactly as in the whole;
    the whole document is the one read without a preview."""
    from simplify.sources.pdf import limits, sandbox
    from simplify.sources.pdf.reader import PREVIEW_NOTICE

    monkeypatch.setattr(limits.os, "cpu_count", lambda: 2)
    data = _two_chapters() if name == "two chapters" else (CORPUS / name).read_bytes()
    pages = 20 if name == "two chapters" else 13
    previews = []
    whole = bytes_to_document(data, "long.pdf", doc_id="long", source=Source(file="long.pdf"),
                              pdf_limits=PdfLimits(readers=2), on_preview=previews.append)
    assert whole == bytes_to_document(data, "long.pdf", doc_id="long", source=Source(file="long.pdf"),
                                      pdf_limits=PdfLimits(readers=2))
    assert len(previews) == 1
    preview, read = previews[0], sandbox.PREVIEW_PAGES * 2
    said = [s.text for section in preview.walk() for s in section.sentences()]
    assert "".join(PREVIEW_NOTICE.format(read=read, total=pages).split()) in "".join(said)
    shown = [section for section in preview.walk()]
    sections = {section.id: section for section in whole.walk()}
    assert 1 < len(shown) < len(sections)
    assert [s.id for s in shown] == [s.id for s in whole.walk()][:len(shown)]
    notice = [s for s in said if s in PREVIEW_NOTICE.format(read=read, total=pages)]
    for section in shown:
        own = [s.text for s in section.sentences() if s.text not in notice]
        assert (section.heading, own, section.footnotes) == (
            sections[section.id].heading, [s.text for s in sections[section.id].sentences()],
            sections[section.id].footnotes)


def test_too_many_pages_is_refused_before_reading(monkeypatch):
    with pytest.raises(InputError, match="ページが多すぎます"):
        _load(_blank_pdf(pages=4), limits=PdfLimits(pages=3))


def test_cli_outline_reports_and_strict_stops_on_warnings(tmp_path):
    run = lambda *a: subprocess.run([sys.executable, "-m", "service.cli", *a], capture_output=True, text=True,
                                    timeout=300)
    result = run("outline", str(CORPUS / "kagaku-r6-ch2.pdf"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "第2章 我が国におけるＡＩ関連研究開発の取組"
    assert "見出し: 1段目 1、2段目 5、3段目 1" in result.stderr and "注: " in result.stderr
    plain = tmp_path / "plain.txt"
    plain.write_text("お知らせです。来週、説明会を開きます。\n", encoding="utf-8")
    result = run("outline", str(plain), "--strict")
    assert result.returncode == 1 and "見出しが見つかりません" in result.stderr
    blank = tmp_path / "blank.pdf"
    blank.write_bytes(_blank_pdf())
    result = run("outline", str(blank))
    assert result.returncode == 2 and "白紙" in result.stderr and "Traceback" not in result.stderr


# -- a PDF everywhere the default goes: pages, a real synthesised track, the feed, the outline API --------------

@pytest.mark.slow
def test_a_corpus_pdf_is_served_and_its_track_is_clean(tmp_path):
    import json

    from service.web.context import reading_room
    from tests.web_fixtures import make_app

    app = make_app(tmp_path, EXTRA_DOCUMENTS=[str(CORPUS / "kagaku-r6-ch1.pdf")])
    client = app.test_client()
    doc_id = "kagaku-r6-ch1"
    listed = client.get("/api/documents").get_json()
    assert any(d["id"] == doc_id and d["title"] == "第1章 新時代を迎えたＡＩ" for d in listed)
    page = client.get(f"/d/{doc_id}/s/s1-1")
    assert page.status_code == 200 and "ＡＩとは" in page.get_data(as_text=True)
    # a real OpenJTalk track of 第１節: its heading is announced, its sentences carry no marker digits
    timing = client.get(f"/api/documents/{doc_id}/sections/s1-1.json")
    assert timing.status_code == 200
    cues = json.loads(timing.get_data())["cues"]
    # 第１章 has no words of its own: its heading is announced first, then 第１節's
    assert [c["kind"] for c in cues[:2]] == ["heading", "heading"]
    assert "新時代を迎えたＡＩ" in cues[0]["text"] and "ＡＩとは" in cues[1]["text"]
    sentences = [c["text"] for c in cues if c["kind"] == "sentence"]
    assert sentences[0] == "ＡＩとは人工知能（Artificial Intelligence）の略称です。"
    assert not any(_DIGIT_GLUED.search(t) or "＊" in t for t in sentences)
    # a table is a table on the page: its caption, header cells with scope, each row the cue that reads it
    page = client.get(f"/d/{doc_id}/s/s1-3").get_data(as_text=True)
    table = page[page.index('<table class="data">'):page.index("</table>")]
    assert "<caption>" in table and "主な基盤モデルとパラメータ数" in re.sub(r"<r[tp][^>]*>.*?</r[tp]>|<[^>]+>", "", table)
    assert table.count('<th scope="col">') == 5 and '<tr class="s" id="c-s' in table
    assert "Swallow" in table and "ふかんず" not in page
    mp3 = client.get(f"/api/documents/{doc_id}/sections/s1-1.mp3")
    assert mp3.status_code == 200 and mp3.data[:3] in (b"ID3", b"\xff\xfb")
    assert reading_room(app).document(doc_id).source.file == "kagaku-r6-ch1.pdf"
    feed = client.get(f"/api/documents/{doc_id}/feed.xml")
    assert feed.status_code in (200, 503)  # 503 while the whole document is still being built


# -- tagged and untagged: the same document, nothing lost ---------------------------------------------------------

def _pdf_texts(document) -> list[str]:
    """Every text the document keeps: titles, labels, sentences, table cells, notes, readings, what was set aside."""
    texts = [document.title, *document.discarded]
    for section in document.walk():
        texts += [section.label, section.title, *(r.reading for r in section.title_ruby)]
        for block in section.blocks:
            texts += [t for s in block.sentences for t in (s.text, *(r.reading for r in s.ruby))]
            texts += [c.text for row in block.rows for c in row]
        texts += [t for f in section.footnotes for t in (f.text, *(r.reading for r in f.ruby))]
    return texts


def _letters(text: str):
    from collections import Counter

    # NOTE: digits and ＊ are left out (markers are renumbered in document order); ■ and ／ are a caption's
    # decoration (■第１-１-１図／…), read as its figure id and title
    return Counter(c for c in unicodedata.normalize("NFKC", text) if not c.isspace() and not c.isdigit()
                   and c not in "＊*■/")


@pytest.fixture(scope="module", params=["kagaku-r6-ch1.pdf", "kagaku-r6-ch2.pdf"])
def pdf_pair(request):
    from tests.pdf_builder import untagged

    data = (CORPUS / request.param).read_bytes()
    return request.param, data, _load(data), _load(untagged(data))


def test_no_character_of_a_pdf_is_lost_tagged_or_untagged(pdf_pair):
    import pdfplumber

    name, data, tagged, plain = pdf_pair
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        printed = sum((_letters("".join(c["text"] for c in page.chars)) for page in pdf.pages), _letters(""))
    for document in (tagged, plain):
        kept = sum((_letters(t or "") for t in _pdf_texts(document)), _letters(""))
        assert printed - kept == _letters(""), f"{name}: {(printed - kept).most_common(10)}"


def test_an_untagged_copy_reads_as_the_tagged_original(pdf_pair):
    """The layout reader alone (structure tree and MarkInfo stripped) gives the tagged reading's headings, its
    notes, and every one of its body sentences whole."""
    name, _, tagged, plain = pdf_pair
    assert [s.heading for s in plain.walk()] == [s.heading for s in tagged.walk()]
    notes = lambda d: [f.text for s in d.walk() for f in s.footnotes]
    assert sorted(notes(plain)) == sorted(notes(tagged))  # every note, word for word
    body = lambda d: [s.text for sec in d.walk() for b in sec.blocks if b.type == "paragraph" for s in b.sentences]
    assert [s for s in body(tagged) if s not in body(plain)] == []
    # tables are tables, cell for cell, and read the same
    tables = lambda d: [b for sec in d.walk() for b in sec.blocks if b.type == "table"]
    assert [[[c.text for c in row] for row in t.rows] for t in tables(plain)] == \
        [[[c.text for c in row] for row in t.rows] for t in tables(tagged)]
    assert [t.header_rows for t in tables(plain)] == [t.header_rows for t in tables(tagged)]
    assert [t.sentences for t in tables(plain)] == [t.sentences for t in tables(tagged)]
    # every figure keeps its whole caption (one that wraps too) and its credit (資料：…, 提供：… under a photo)
    figures = lambda d: [b for sec in d.walk() for b in sec.blocks if b.type == "figure"]
    captions = lambda d: sorted(b.caption for b in figures(d) if b.figure)
    assert captions(plain) == captions(tagged)
    credits = lambda d: sorted(s.text for b in figures(d) for s in b.sentences if re.match("(資料|提供)：", s.text))
    assert credits(plain) == credits(tagged)
    # every mark in the body and in table cells has its note, in the same places
    marks = lambda d: sorted(re.findall(r"＊[0-9]+", " ".join(
        [s.text_with_marks() for sec in d.walk() for s in sec.sentences()]
        + [c.text for t in tables(d) for row in t.rows for c in row])))
    assert len(marks(plain)) == len(marks(tagged))
    # and no note is read as body: nothing in the body starts as a note does (a number, spaces, a citation)
    assert not any(re.match(r"^[0-9]{1,2}\s+\S", s) for s in body(plain) + body(tagged))


# -- Word files ------------------------------------------------------------------------------------------------

def test_a_word_file_gives_its_styled_headings_notes_table_and_title_whatever_its_name():
    from tests.docx_builder import docx

    data = docx([("h1", "第1章　窓口のご案内"), ("p", "市役所の窓口は平日に開いています。", 1), ("h2", "受付時間"),
                 ("p", "受付は９時から17時までです。"), ("table", [["窓口", "場所"], ["住民票", "1階"], ["税", "2階"]])],
                title="窓口のご案内（令和6年度）", notes={1: "祝日は閉まります。"})
    assert sniff(data, "upload.bin") == "docx"  # by content, not by name
    document = _load(data, "upload.bin")
    assert document.title == "窓口のご案内（令和6年度）"  # the core properties' title
    assert [(s.label, s.title) for s in document.walk()] == [("第1章", "窓口のご案内"), ("", "受付時間")]
    first = list(document.walk())[0]
    [sentence] = first.sentences()
    assert sentence.text == "市役所の窓口は平日に開いています。" and [n.number for n in sentence.notes] == [1]
    assert [f.text for f in first.footnotes] == ["祝日は閉まります。"]  # the note, at its mark, not in the body
    [table] = [b for s in document.walk() for b in s.blocks if b.type == "table"]
    assert [[c.text for c in row] for row in table.rows] == [["窓口", "場所"], ["住民票", "1階"], ["税", "2階"]]


@pytest.mark.parametrize("kind, code", [("macro", "macro_docx"), ("bomb", "too_large"), ("encrypted", "encrypted_docx")])
def test_a_word_file_that_cannot_be_read_safely_is_a_clear_error(kind, code):
    import zipfile

    from tests.docx_builder import docx

    if kind == "macro":
        data = docx([("p", "本文です。")], macro=True)
    elif kind == "bomb":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("word/document.xml", "<w:document/>")
            archive.writestr("word/media/huge.bin", b"\0" * (64 << 20))  # 64 MB of zeros in some 64 KB
        data = out.getvalue()
        assert len(data) < 1 << 20
    else:
        data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096  # an encrypted .docx is an OLE compound file
    with pytest.raises(InputError) as caught:
        _load(data, "notice.docx")
    assert caught.value.code == code and "notice.docx" in caught.value.message


def test_a_line_printed_in_two_faces_is_read_whole_and_a_blank_line_ends_its_paragraph():
    """A name card above an interview: the company in another face, then the title, on one printed line; a photo's
    height of blank below it, then the interview's lead. The company is read (not set aside as other type), the
    card is one paragraph, and the lead does not run on from it."""
    from simplify.sources.pdf.chars import Frag
    from simplify.sources.pdf.layout import page_to_lines

    def frag(x0, top, text, font="Maru", size=9.0):
        return Frag(page=0, x0=x0, x1=x0 + size * len(text), top=top, bottom=top + size, size=size, font=font,
                    text=text)

    prose = [frag(138, 53, "研究の第一線を走る方にお話を伺いました。"), frag(129, 65, "定義は六十以上あります。"),
             frag(129, 77, "それが共通の認識です。")]
    card = [frag(129, 5, "株式会社ミライ", font="Chumaru"), frag(199, 5, "代表取締役"), frag(253, 5, "研究責任者")]
    lines = page_to_lines(card + prose, 10.5, [], discarded := [], [], {})
    assert discarded == []
    assert [(line.text, line.joins) for line in lines[:4]] == [
        ("株式会社ミライ", True), ("代表取締役", True), ("研究責任者", True), ("研究の第一線を走る方にお話を伺いました。", False)]


# -- a PDF from another maker: a notice a browser printed ------------------------------------------------------

_NOTICE_HEADINGS = [("第１章", "避難の支援を必要とする方のために"), ("１", "名簿の見直し"), ("２", "個別避難計画づくり"),
                    ("第２章", "情報を確実に届けるために"), ("１", "防災メールへの登録"), ("２", "音声とファクスによるお知らせ")]
# our own sentences; each paragraph is three of them, so paragraphs run across the two columns
_NOTICE = [
    "市では、災害が起きたときに一人も取り残さないため、避難の支援を必要とする方の名簿を毎年見直しています。",
    "名簿には、ひとりで避難することが難しい高齢の方、障害のある方、乳幼児のいる世帯などが載っています。",
    "本人の同意を得たうえで、自治会や民生委員、消防団に名簿を提供し、日ごろの見守りに役立てています。",
    "令和５年度は、新たに二百十二人の方から同意をいただき、提供先の団体も四つ増えました。",
    "一方で、名簿に載っていても個別の避難計画がまだ作られていない方が多く、計画づくりを急ぐ必要があります。",
    "計画には、避難先、避難の経路、支援する人の名前と連絡先、持ち出す薬や補助具などを書き込みます。",
    "大雨のときは、川の水位や土砂災害の危険度が刻々と変わります。",
    "市の防災メールに登録すると、避難情報が出たときにすぐに知らせが届きます。",
    "文字を読むことが難しい方には、登録した固定電話へ音声でお知らせする仕組みも用意しています。",
]
_NOTE = "個別避難計画は、災害対策基本法に基づき市町村が作成に努めることとされている計画です。"


def _notice_paragraphs(first: int, count: int) -> list[list[str]]:
    """``count`` paragraphs of three of the notice's sentences each, from sentence ``first`` on."""
    return [[_NOTICE[(first + i * 3 + k) % len(_NOTICE)] for k in range(3)] for i in range(count)]


def _notice_html() -> str:
    def paragraphs(first: int, count: int, mark: bool = False) -> str:
        out = []
        for i, sentences in enumerate(_notice_paragraphs(first, count)):
            if mark and i == 0:
                sentences[0] = sentences[0][:-1] + "<sup>1</sup>。"
            out.append("<p>" + "".join(sentences) + "</p>")
        return "\n".join(out)

    h = [f"{label}\u3000{title}" for label, title in _NOTICE_HEADINGS]
    return f"""<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>地域の防災だより</title><style>
body {{ font-family: 'Noto Serif CJK JP', serif; font-size: 10.5pt; line-height: 1.6; margin: 0; }}
h1, h2, h3, caption {{ font-family: 'Noto Sans CJK JP', sans-serif; }}
h1 {{ font-size: 18pt; text-align: center; }} h2 {{ font-size: 13pt; }} h3 {{ font-size: 11.5pt; }}
.cols {{ column-count: 2; column-gap: 10mm; }} p {{ margin: 0; text-indent: 1em; text-align: justify; }}
table {{ border-collapse: collapse; margin: .6em 0; break-inside: avoid; font-size: 9.5pt; }}
td, th {{ border: .6pt solid #000; padding: 2pt 6pt; }} th {{ background: #ddd; }} caption {{ font-size: 9.5pt; }}
sup {{ font-size: 6pt; }} .note {{ font-size: 8pt; text-indent: 0; margin-top: 2em; border-top: .5pt solid #000; }}
</style></head><body><h1>地域の防災だより　令和６年度版</h1><div class="cols">
<h2>{h[0]}</h2><h3>{h[1]}</h3>{paragraphs(0, 3)}<h3>{h[2]}</h3>{paragraphs(4, 3, mark=True)}
<table><caption>表１　地区ごとの計画の作成状況</caption><tr><th>地区</th><th>名簿の人数</th><th>計画の数</th></tr>
<tr><td>北地区</td><td>４１２人</td><td>１５０件</td></tr><tr><td>南地区</td><td>３８０人</td><td>９８件</td></tr></table>
<h2>{h[3]}</h2><h3>{h[4]}</h3>{paragraphs(6, 3)}<h3>{h[5]}</h3>{paragraphs(2, 3)}</div>
<p class="note">1　{_NOTE}</p></body></html>"""


@pytest.fixture(scope="module")
def browser_notice():
    from tests.pdf_builder import browser_pdf, untagged

    data = browser_pdf(_notice_html())
    return data, _load(data), _load(untagged(data))


@pytest.mark.browser
def test_a_pdf_a_browser_printed_reads_as_its_author_wrote_it_tagged_or_not(browser_notice):
    """A maker the corpus does not have. Tagged, its structure tree is read (nested marked content: a glyph's
    ActualText inside a paragraph's MCID); untagged, the layout reader gives the same document: every heading
    with its number, every sentence whole and in real ideographs (方, not the radical ⽅), the table with its
    caption, the note at its mark."""
    data, tagged, plain = browser_notice
    assert tagged.source_report[0].startswith("論理構造（タグ）から読んだページ")  # every page from the tree
    assert not any("レイアウト" in line for line in tagged.source_report)
    for document in (tagged, plain):
        assert [(s.label, s.title) for s in document.walk()][-6:] == _NOTICE_HEADINGS
        sentences = [s.text for sec in document.walk() for b in sec.blocks if b.type == "paragraph"
                     for s in b.sentences]
        assert set(sentences) == set(_NOTICE) and len(sentences) == 36
        assert not any("\u2e80" <= c <= "\u2fdf" for s in sentences for c in s)
        blocks = [b for sec in document.walk() for b in sec.blocks]
        [table] = [i for i, b in enumerate(blocks) if b.type == "table"]
        assert (blocks[table - 1].type, blocks[table - 1].figure, blocks[table - 1].caption) == \
            ("figure", "表１", "地区ごとの計画の作成状況")
        assert [[c.text for c in row] for row in blocks[table].rows][1] == ["北地区", "４１２人", "１５０件"]
        [note] = [f for s in document.walk() for f in s.footnotes]
        assert note.text == _NOTE
        marked = [s for sec in document.walk() for s in sec.sentences() if s.notes]
        assert [s.text for s in marked] == [_NOTICE[4]] and marked[0].notes[0].number == note.number
        assert document.discarded == ()


def test_cjk_radicals_a_font_gave_are_read_as_the_ideographs_they_stand_for():
    data = "民生委員の方へ\n\n⺠⽣委員の⽅は、⼈の⾒守りを続けています。\n".encode()
    document = _load(data, "notice.txt")
    assert [s.text for sec in document.walk() for s in sec.sentences()][-1] == "民生委員の方は、人の見守りを続けています。"


@pytest.fixture(scope="module")
def office_notice():
    from tests.docx_builder import docx
    from tests.pdf_builder import office_pdf, untagged

    blocks: list = []

    def paragraphs(first: int, count: int, mark: bool = False) -> None:
        for i, sentences in enumerate(_notice_paragraphs(first, count)):
            blocks.append(("p", "".join(sentences), 1) if mark and i == 0 else ("p", "".join(sentences)))

    h = [f"{label}\u3000{title}" for label, title in _NOTICE_HEADINGS]
    blocks.extend([("h1", h[0]), ("h2", h[1])])
    paragraphs(0, 3)
    blocks.append(("h2", h[2]))
    paragraphs(4, 3, mark=True)
    blocks.append(("table", [["地区", "名簿の人数", "計画の数"], ["北地区", "４１２人", "１５０件"], ["南地区", "３８０人", "９８件"]]))
    blocks.extend([("h1", h[3]), ("h2", h[4])])
    paragraphs(6, 3)
    blocks.append(("h2", h[5]))
    paragraphs(2, 3)
    data = office_pdf(docx(blocks, title="地域の防災だより", notes={1: _NOTE}))
    return data, _load(data), _load(untagged(data))


def test_a_word_notice_libreoffice_saved_as_pdf_reads_as_its_author_wrote_it_tagged_or_not(office_notice):
    """Another maker: LibreOffice sets 見出し 1 and 見出し 2 in one size (the bookmarks rank them when the tree is
    gone), sets a note's number flush against its text, and tags the note's reference as a Link."""
    _, tagged, plain = office_notice
    assert tagged.source_report[0].startswith("論理構造（タグ）から読んだページ")
    for document in (tagged, plain):
        assert [(s.label, s.title, s.level) for s in document.walk()] == [
            (label, title, 1 if label.startswith("第") else 2) for label, title in _NOTICE_HEADINGS]
        sentences = [s.text for sec in document.walk() for b in sec.blocks if b.type == "paragraph"
                     for s in b.sentences]
        assert set(sentences) == set(_NOTICE) and len(sentences) == 36
        [table] = [b for sec in document.walk() for b in sec.blocks if b.type == "table"]
        assert [[c.text for c in row] for row in table.rows] == [
            ["地区", "名簿の人数", "計画の数"], ["北地区", "４１２人", "１５０件"], ["南地区", "３８０人", "９８件"]]
        [note] = [f for s in document.walk() for f in s.footnotes]
        assert note.text == _NOTE
        marked = [s for sec in document.walk() for s in sec.sentences() if s.notes]
        assert len(marked) == 1 and marked[0].notes[0].number == note.number


def test_a_table_drawn_without_rules_is_a_table_and_its_labels_name_its_rows():
    """A notice's 日時｜場所｜対象 set out with tab stops (a Word table without borders): tagged or not, a table whose
    label column names each row (「日時：…」), its wrapped value whole; never the pieces run into one paragraph, nor
    the values read as a second column after the labels."""
    from tests.docx_builder import docx
    from tests.pdf_builder import office_pdf, untagged

    rows = [["日時", "令和６年１０月５日（土）午前９時から正午まで"], ["場所", "市民会館と中央公園"],
            ["対象", "市内に住んでいるか、通勤・通学している方"]]
    data = office_pdf(docx([("h1", "第１章　防災訓練のお知らせ"), ("p", "市では、次のとおり防災訓練を行います。"),
                            ("table", rows, False), ("p", "雨の場合は、市民会館の中だけで行います。")], title="防災訓練"))
    for document in (_load(data), _load(untagged(data))):
        blocks = [b for sec in document.walk() for b in sec.blocks]
        assert [b.type for b in blocks] == ["paragraph", "table", "paragraph"]
        assert [[c.text for c in row] for row in blocks[1].rows] == rows
        assert [s.text for s in blocks[1].sentences][0] == "日時：令和６年１０月５日（土）午前９時から正午まで。"


@pytest.mark.browser
def test_a_vertical_page_is_read_column_by_column_from_the_right_tagged_or_not():
    """縦書き: a notice set in vertical lines (CSS writing-mode, printed by Chromium, whose glyphs map to vertical
    forms such as ︒) reads right to left, top to bottom, as its author wrote it; the report says so."""
    from tests.pdf_builder import browser_pdf, untagged

    first, second = _NOTICE[0] + _NOTICE[1] + _NOTICE[2], _NOTICE[6] + _NOTICE[7] + _NOTICE[8]
    data = browser_pdf(f"""<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>防災だより</title><style>
body {{ font-family: 'Noto Serif CJK JP', serif; font-size: 12pt; writing-mode: vertical-rl; height: 230mm; }}
h1 {{ font-size: 16pt; }} p {{ margin: 0; text-indent: 1em; }}</style></head><body>
<h1>第１章　避難の支援を必要とする方のために</h1><p>{first}</p><p>{second}</p></body></html>""")
    for document, how in ((_load(data), "論理構造（タグ）"), (_load(untagged(data)), "縦書き")):
        assert document.source_report[0].startswith(how)
        assert [(s.label, s.title) for s in document.walk()] == [_NOTICE_HEADINGS[0]]
        assert [s.text for s in next(document.walk()).sentences()] == [*_NOTICE[:3], *_NOTICE[6:]]


def test_short_items_at_the_foot_of_a_left_column_beside_running_text_are_not_a_table():
    """Two columns: the left one ends with three short items (①データ …), the right one runs on beside and above
    them. Lines across the page then look like label rows; they are not a table: the right column goes on above."""
    from simplify.sources.pdf.chars import Frag
    from simplify.sources.pdf.layout import page_to_lines

    def frag(x0, top, text, size=10.0):
        return Frag(page=0, x0=x0, x1=x0 + size * len(text), top=top, bottom=top + size, size=size, font="Mincho",
                    text=text)

    left = [frag(60, 100 + 14 * k, "左の段の本文がここに続いています。") for k in range(8)]
    left += [frag(60, 212 + 14 * k, item) for k, item in enumerate(["①データ", "②計算資源", "③人材"])]
    right = [frag(320, 100 + 14 * k, "右の段の本文はこの行でも続きます。") for k in range(11)]
    lines = page_to_lines(left + right, 10.0, [], [], [], {})
    assert all(line.role != "table" for line in lines)
    assert [line.text for line in lines][8:11] == ["①データ", "②計算資源", "③人材"]
