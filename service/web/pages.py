"""Server-rendered pages: home, table of contents, section, glossary, downloads. They work without scripts."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from flask import Blueprint, current_app, make_response, render_template, request, url_for
from markupsafe import Markup, escape

from simplify.errors import InputError
from simplify.glossary import term_usage
from simplify.model import Link, Sentence
from simplify.reading import to_hiragana
from simplify.ruby import parse_level

from service.products.build import plan_for
from service.speech.utterances import heading_cue
from service.web.context import reading_room
from service.web.render import plain_reading, plain_to_html, sentence_to_html, table_to_html, text_to_html

bp = Blueprint("pages", __name__)

# NOTE: each label says in one plain phrase on which kanji the ruby goes
RUBY_CHOICES = [("all", "すべての漢字"), ("grade:1", "小学2年生以上の漢字"), ("grade:3", "小学4年生以上の漢字"),
                ("grade:6", "中学校で習う漢字"), ("grade:7", "常用漢字以外だけ"),
                ("jlpt:N5", "日本語能力試験 N4 から上の漢字"), ("jlpt:N4", "日本語能力試験 N3 から上の漢字"),
                ("jlpt:N3", "日本語能力試験 N2 から上の漢字"), ("jlpt:N2", "日本語能力試験 N1 の漢字"),
                ("jlpt:N1", "日本語能力試験にない漢字だけ"), ("none", "ふりがなを付けない"),
                ("kana", "すべてひらがな（ことばの間をあける）")]
SPEEDS = (0.75, 1.0, 1.25, 1.5)
_YEAR = 60 * 60 * 24 * 365


def _preferences():
    """Ruby level and voice: from the query (then remembered in a cookie), else the cookie, else the default."""
    lib = reading_room()
    ruby_text = request.args.get("ruby") or request.cookies.get("ruby") or current_app.config["DEFAULT_RUBY"]
    try:
        level = parse_level(ruby_text)
    except InputError:
        level = parse_level(current_app.config["DEFAULT_RUBY"])
    voice_id = request.args.get("voice") or request.cookies.get("voice") or lib.default_voice
    voices = lib.voices()
    voice = next((v for v in voices if v.id == voice_id), None) or lib.voice(None)
    return level, voice, voices


def _page(template: str, **context):
    level, voice, voices = _preferences()
    def ruby(text: str):
        """The site's own words and the documents' titles follow the reader's ruby level too."""
        return text_to_html(plain_reading(text), text, level) if text else ""

    def heading_html(section):
        """A heading as the page shows it: label, then the title with ruby from its own reading."""
        if not section.title:
            return ruby(section.heading)
        title = text_to_html(section.title_reading, section.title, level)
        return Markup(f"{escape(section.label)}\u3000{title}") if section.label else title

    body = render_template(template, level=level, voice=voice, voices=voices, ruby_choices=RUBY_CHOICES,
                           text_to_html=text_to_html, ruby=ruby, heading_html=heading_html, **context)
    response = make_response(body)
    if "ruby" in request.args and str(level) == request.args["ruby"]:
        response.set_cookie("ruby", str(level), max_age=_YEAR, samesite="Lax")
    if "voice" in request.args and voice.id == request.args["voice"]:
        response.set_cookie("voice", voice.id, max_age=_YEAR, samesite="Lax")
    return response


@bp.get("/")
def home():
    return _page("home.html", documents=list(reading_room().documents().values()))


@bp.get("/about")
def about():
    """Who runs this service, what it serves, and its accessibility statement (JIS X 8341-3:2016), whose results
    come from the last test run (``output/accessibility.json``, written by the browser tests)."""
    lib = reading_room()
    _, voice, _ = _preferences()
    documents = []
    for document in lib.documents().values():
        manifest = lib.built_manifest(document, voice)
        documents.append((document, manifest.published[:10] if manifest else ""))
    try:
        report = json.loads((Path(current_app.config["OUTPUT_DIR"]) / "accessibility.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        report = None
    return _page("about.html", documents=documents, report=report, operator=current_app.config["OPERATOR"],
                 contact=current_app.config["CONTACT_EMAIL"])


@bp.get("/d/<doc_id>/")
def toc(doc_id: str):
    lib = reading_room()
    document = lib.document(doc_id)
    _, voice, _ = _preferences()
    manifest = lib.built_manifest(document, voice)
    durations = {t.section: t.duration for t in manifest.tracks} if manifest else {}
    jobs = current_app.extensions.get("yomiage_jobs")
    building = jobs.running_for(document.id) if jobs else None
    return _page("toc.html", document=document, durations=durations, building=building)


@bp.get("/d/<doc_id>/s/<section_id>")
def section(doc_id: str, section_id: str):
    lib = reading_room()
    document, found, number, total = lib.section(doc_id, section_id)
    sections = list(document.walk())
    level, voice, _ = _preferences()
    terms = {t.id: t for t in document.glossary}
    glossary_url = url_for("pages.glossary", doc_id=doc_id)
    cue = 0
    paragraphs = []
    for block in found.blocks:
        if block.type == "table":
            # NOTE: a table's caption (■第１-１-５表／…) is the figure block just before it
            caption = paragraphs.pop()[1][0] if paragraphs and paragraphs[-1][0].type == "figure" \
                and "表" in (paragraphs[-1][0].figure or "") and len(paragraphs[-1][1]) == 1 else None
            cues = [f"s{cue + i + 1}" for i in range(len(block.sentences))]
            cue += len(block.sentences)
            paragraphs.append((block, [table_to_html(block, cues, level, caption)]))
            continue
        rendered = []
        for sentence in block.sentences:
            cue += 1
            rendered.append(sentence_to_html(sentence, level, cue=f"s{cue}", terms=terms, glossary_url=glossary_url,
                                             note_prefix=""))
        paragraphs.append((block, rendered))
    footnotes = [(f, sentence_to_html(_as_sentence(f), level, cue=f"n{f.number}", terms=terms,
                                      glossary_url=glossary_url, note_prefix="", disclose=False))
                 for f in found.footnotes]
    ancestors = _ancestors(document, found)
    plan = plan_for(document, found.id)
    return _page(
        "section.html",
        heading_cue=heading_cue(found, announced=found is not plan.section),
        document=document, section=found, number=number, total=total, paragraphs=paragraphs, footnotes=footnotes,
        ancestors=ancestors,
        previous=sections[number - 2] if number > 1 else None,
        next=sections[number] if number < total else None,
        used_terms=[terms[t] for t in found.terms if t in terms],
        speeds=SPEEDS,
    )


def _as_sentence(footnote):
    links = tuple(Link(url, at, at + len(url)) for url in footnote.urls if (at := footnote.text.find(url)) >= 0)
    return Sentence(footnote.text, reading=footnote.reading, terms=footnote.terms, links=links)


def _ancestors(document, target):
    path = []

    def walk(sections, trail):
        for s in sections:
            if s.id == target.id:
                path.extend(trail)
                return True
            if walk(s.children, trail + [s]):
                return True
        return False

    walk(document.sections, [])
    return path


# 五十音 rows: the kana each row starts with, for the glossary's index
_ROWS = [("あ", "あいうえおぁぃぅぇぉゔ"), ("か", "かきくけこがぎぐげご"), ("さ", "さしすせそざじずぜぞ"),
         ("た", "たちつてとだぢづでどっ"), ("な", "なにぬねの"), ("は", "はひふへほばびぶべぼぱぴぷぺぽ"),
         ("ま", "まみむめも"), ("や", "やゆよゃゅょ"), ("ら", "らりるれろ"), ("わ", "わをんゎ")]


def _row(reading: str) -> str:
    first = to_hiragana(reading[:1])
    return next((row for row, kana in _ROWS if first and first in kana), "英数字")


def _matches(term, query: str) -> bool:
    folded = to_hiragana(unicodedata.normalize("NFKC", query)).lower()
    haystack = " ".join((*term.forms, term.reading, term.plain, term.english or ""))
    return folded in to_hiragana(unicodedata.normalize("NFKC", haystack)).lower()


@bp.get("/d/<doc_id>/glossary")
def glossary(doc_id: str):
    """Every term, in 五十音 order of its reading, grouped by row with an index; ``?q=`` filters (no script)."""
    document = reading_room().document(doc_id)
    level, _, _ = _preferences()
    query = (request.args.get("q") or "").strip()[:50]
    usage = term_usage(document)
    sections = {s.id: s for s in document.walk()}
    notes = {note.number: (s, note) for s in sections.values() for note in s.footnotes}
    terms = sorted(document.glossary, key=lambda t: (to_hiragana(t.reading), t.surfaces[0]))
    shown = [t for t in terms if not query or _matches(t, query)]
    groups: dict[str, list] = {}
    for t in shown:
        groups.setdefault(_row(t.reading), []).append(
            (t, plain_to_html(t, level), [sections[i] for i in usage.get(t.id, [])],
             _defined_at(document, t, sections, notes)))
    rows = [(row, groups[row]) for row, _ in _ROWS + [("英数字", "")] if row in groups]
    return _page("glossary.html", document=document, rows=rows, query=query, total=len(terms), count=len(shown))


def _defined_at(document, term, sections: dict, notes: dict) -> tuple[str, str] | None:
    """Where the document itself defines a term, as (words, link): a footnote of a section, or a section."""
    source = term.definition_source
    if not term.definition or not source:
        return None
    if source.startswith("footnote:"):
        number = int(source.split(":", 1)[1])
        if number not in notes:
            return None
        section, note = notes[number]
        url = url_for("pages.section", doc_id=document.id, section_id=section.id, _anchor=f"fn-{number}")
        return f"{section.heading or document.title} の注{note.mark}", url
    section = sections.get(source)
    if section is None:
        return None
    return section.heading or document.title, url_for("pages.section", doc_id=document.id, section_id=section.id)


@bp.get("/d/<doc_id>/downloads")
def downloads(doc_id: str):
    lib = reading_room()
    document = lib.document(doc_id)
    _, voice, _ = _preferences()
    manifest = lib.built_manifest(document, voice)
    folder = lib.folder(document, voice)
    full = (folder / manifest.full.mp3) if manifest and manifest.full else None
    full_size = full.stat().st_size if full and full.exists() else None
    # NOTE: the ZIP, the DAISY book and the EPUB are made on first request; each is about the tracks' size
    tracks_size = sum((folder / t.mp3).stat().st_size for t in manifest.tracks
                      if t.mp3 and (folder / t.mp3).exists()) if manifest else 0
    depths = {section_id: depth - 1 for section_id, depth in document.depths.items()}  # 0 for a top section
    carried = {}  # section id -> (its track, whether the track is its own)
    for track in manifest.tracks if manifest else ():
        for section_id in track.sections:
            carried[section_id] = (track, section_id == track.section)
    return _page("downloads.html", document=document, manifest=manifest, full_size=full_size,
                 tracks_size=tracks_size, sections=list(document.walk()), depths=depths, carried=carried)
