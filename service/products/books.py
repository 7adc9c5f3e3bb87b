"""Talking books from the one document tree: DAISY 2.02 (audio + full text) and EPUB 3 with Media Overlays.

Both are made from the built section tracks: their CBR MP3s, and the cue times of every heading, sentence and
footnote, which match the decoded audio (see service.speech.audio.ENCODER_DELAY). Specifications followed:
DAISY 2.02 (DAISY Consortium, 2001), SMIL 1.0 / 3.0 (W3C), EPUB 3.3 and EPUB Media Overlays 3.3 (W3C),
EPUB Accessibility 1.1 (schema.org accessibility metadata).
"""

from __future__ import annotations

import hashlib
import re
import shutil
import uuid
import zipfile
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from simplify.linebreak import break_lines, display_width
from simplify.model import Document, Section
from simplify.ruby import RubyLevel, parse_level, tokens_to_html
from simplify.export import table_to_markup
from simplify.reading import text_to_reading

from service import store
from service.products.layout import GENERATOR, daisy_files
from service.products.manifest import Build, Manifest
from service.speech.captions import Cue
from service.speech.utterances import heading_cue

_XHTML_DOCTYPE = ('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
                  '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">')
_SMIL1_DOCTYPE = '<!DOCTYPE smil PUBLIC "-//W3C//DTD SMIL 1.0//EN" "http://www.w3.org/TR/REC-smil/SMIL10.dtd">'


@dataclass(frozen=True)
class Part:
    """One section of the book with its built track."""

    section: Section | None  # None: the book's title, narrated on its own (DAISY)
    number: int
    depth: int  # 1 for a top section: book headings follow nesting, so they never skip a level
    mp3: Path
    cues: list[Cue]
    duration: float  # of the MP3 file as decoded
    start: float  # elapsed time before this section
    announced: tuple[Section, ...] = ()  # heading-only sections whose headings open this track

    @property
    def clips(self) -> float:
        """Seconds of audio the overlay plays (its clips), silences between cues excluded."""
        return sum(c.end - c.start for c in self.cues)

    def element_id(self, cue_id: str) -> str:
        return f"{self.section.id}-{cue_id}"


def _parts(document: Document, build: Build) -> tuple[list[Part], datetime]:
    """What the books need of a finished build, with the content's publication time (the books' dates: the same
    content gives the same bytes). Nothing is synthesised or decoded: lengths and cues are the build's."""
    published = datetime.fromisoformat(build.manifest.published)
    depths = document.depths
    parts, elapsed = [], 0.0
    for track in build.tracks:
        section = document.section(track.section)
        announced = tuple(document.section(i) for i in track.sections if i != section.id)
        parts.append(Part(section, track.number, depths[section.id], build.folder / track.mp3, list(track.cues),
                          track.duration, elapsed, announced))
        elapsed += track.duration
    return parts, published


def _clock(seconds: float, decimals: int = 0) -> str:
    whole = int(seconds)
    text = f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}"
    if decimals:
        text += f"{seconds - whole:.{decimals}f}"[1:]
    return text


def _identifier(document: Document, made: Manifest) -> str:
    digest = hashlib.sha256(f"{document.id}/{made.voice}/{document.title}".encode()).hexdigest()
    return f"urn:uuid:{uuid.UUID(digest[:32])}"


def _texts(part: Part) -> dict[str, str]:
    """Cue id -> the text shown for it (headings without ruby, as DAISY players show plain text)."""
    return {c.id: c.text for c in part.cues}


# ---------------------------------------------------------------------------------------------
# DAISY 2.02


def document_to_daisy(document: Document, build: Build, out: Path) -> Path:
    """Write a DAISY 2.02 book (ncc.html, one SMIL per section, content.html, the MP3s) of a finished build as the
    folder ``out``.

    ``out`` must be absent, empty or an earlier yomiage book: nothing else is ever deleted or overwritten."""
    store.check_output_folder(out, daisy_files)
    if build.title_audio is None:
        raise ValueError("the build has no narrated title (built by an earlier yomiage): build it again")
    parts, published = _parts(document, build)
    # NOTE: the title is narrated on its own (its own clip, SMIL and audio file), as the NCC's first entry
    title_mp3, title_length = build.title_audio
    title = Part(None, 0, 1, title_mp3, [Cue("title", "title", document.title, 0.0, title_length)], title_length, 0.0)
    timeline = [title] + [replace(p, start=p.start + title_length) for p in parts]

    def fill(folder: Path) -> None:
        for part in timeline:
            shutil.copyfile(part.mp3, folder / f"{part.number:03d}.mp3")
            (folder / f"s{part.number:03d}.smil").write_text(_daisy_smil(document, part, f"{part.number:03d}.mp3"),
                                                            encoding="utf-8")
        (folder / "content.html").write_text(_daisy_content(document, parts), encoding="utf-8")
        files = 2 + 2 * len(timeline)  # the NCC, the content, and a SMIL and an MP3 per entry
        (folder / "ncc.html").write_text(_daisy_ncc(document, build.manifest, timeline, files, published),
                                         encoding="utf-8")

    store.write_folder(out, fill, daisy_files)
    return out / "ncc.html"


def _daisy_ncc(document: Document, made: Manifest, timeline: list[Part], files: int, published: datetime) -> str:
    """The NCC: the title, then a heading per section, each pointing to its own SMIL's first par; every time in
    it comes from the one timeline the SMILs are written from."""
    publisher = document.source.publisher or GENERATOR
    sections = timeline[1:]
    meta = {
        "dc:title": document.title,
        "dc:creator": publisher,
        "dc:publisher": publisher,
        "dc:date": published.date().isoformat(),
        "dc:language": "ja",
        "dc:identifier": _identifier(document, made),
        "dc:format": "Daisy 2.02",
        "dc:source": document.source.url or document.source.file,
        **({"dc:rights": document.source.attribution} if document.source.attribution else {}),
        "ncc:charset": "utf-8",
        "ncc:generator": GENERATOR,
        "ncc:narrator": f"{made.voice_name}（合成音声）",
        "ncc:totalTime": _clock(sum(p.duration for p in timeline)),
        "ncc:tocItems": str(1 + sum(1 + len(p.announced) for p in sections)),
        "ncc:depth": str(max(document.depths.values())),
        "ncc:files": str(files),
        "ncc:setInfo": "1 of 1",
        "ncc:multimediaType": "audioFullText",
        "ncc:pageFront": "0",
        "ncc:pageNormal": "0",
        "ncc:pageSpecial": "0",
        "ncc:maxPageNormal": "0",
    }
    head = "".join(f'<meta name="{k}" content={quoteattr(v)} />\n' for k, v in meta.items())
    body = [f'<h1 class="title" id="ncc-title"><a href="s000.smil#{_daisy_element(timeline[0], "title")}-par">'
            f"{escape(document.title)}</a></h1>"]
    depths = document.depths
    for part in sections:
        entries = [(s, heading_cue(s, True)) for s in part.announced]
        entries.append((part.section, "h" if any(c.id == "h" for c in part.cues) else part.cues[0].id))
        for section, anchor in entries:
            level = min(6, depths[section.id])
            body.append(f'<h{level} id="ncc-{section.id}"><a href="s{part.number:03d}.smil#'
                        f'{_daisy_element(part, anchor)}-par">{escape(section.heading or document.title)}</a></h{level}>')
    return (f'<?xml version="1.0" encoding="utf-8"?>\n{_XHTML_DOCTYPE}\n'
            '<html xmlns="http://www.w3.org/1999/xhtml" lang="ja" xml:lang="ja">\n<head>\n'
            '<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />\n'
            f"<title>{escape(document.title)}</title>\n{head}</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n")


def _daisy_element(part: Part, cue_id: str) -> str:
    return "book-title" if part.section is None else part.element_id(cue_id)


def _clips(part: Part) -> list[tuple[dict, str, str]]:
    """Each cue's clip, from where its voice starts to where the next one starts (the last to the end of the
    file): the clips tile the audio, so playing clip by clip keeps every designed pause, and their sum is the
    file's length. Times as written (ms), so every sum below adds the same numbers."""
    cues = part.cues
    edges = [0.0] + [c.start for c in cues[1:]] + [part.duration]
    return [(cue, f"{edges[i]:.3f}", f"{edges[i + 1]:.3f}") for i, cue in enumerate(cues)]


def _daisy_smil(document: Document, part: Part, audio: str) -> str:
    pars = []
    clips = _clips(part)
    for cue, begin, end in clips:
        element = _daisy_element(part, cue.id)
        skippable = ' system-required="footnote-on"' if cue.kind == "footnote" else ""
        # NOTE: the audio in a seq inside the par: the form DAISY 2.02 players expect
        pars.append(
            f'<par endsync="last" id="{element}-par"{skippable}>\n'
            f'<text src="content.html#{element}" id="{element}-text" />\n'
            f'<seq id="{element}-seq"><audio src="{audio}" clip-begin="npt={begin}s" clip-end="npt={end}s" '
            f'id="{element}-audio" /></seq>\n'
            "</par>"
        )
    length = sum(float(end) - float(begin) for _, begin, end in clips)
    head = (f'<meta name="dc:format" content="Daisy 2.02" />\n<meta name="dc:title" content={quoteattr(document.title)} />\n'
            f'<meta name="ncc:generator" content="{GENERATOR}" />\n'
            f'<meta name="ncc:timeInThisSmil" content="{_clock(length, 3)}" />\n'
            f'<meta name="ncc:totalElapsedTime" content="{_clock(part.start, 3)}" />\n'
            '<layout><region id="txtView" /></layout>')
    return (f'<?xml version="1.0" encoding="utf-8"?>\n{_SMIL1_DOCTYPE}\n<smil>\n<head>\n{head}\n</head>\n<body>\n'
            f'<seq dur="{length:.3f}s">\n' + "\n".join(pars) + "\n</seq>\n</body>\n</smil>\n")


def _daisy_content(document: Document, parts: list[Part]) -> str:
    """The full text: headings h1–h5 following the tree, one element per cue, footnotes as notes."""
    body = [f'<h1 class="title" id="book-title">{escape(document.title)}</h1>']
    depths = document.depths
    for part in parts:
        for cue in part.cues:
            if cue.kind == "heading":
                section = part.section if cue.id == "h" else document.section(cue.id[2:])
                level = min(6, depths[section.id])
                body.append(f'<h{level} id="{part.element_id(cue.id)}">{escape(cue.text)}</h{level}>')
        tables: set[int] = set()
        for cue in part.cues:
            if cue.kind in ("sentence", "figure"):
                body.append(f'<p id="{part.element_id(cue.id)}">{escape(cue.text)}{_daisy_noterefs(part, cue)}</p>')
            elif cue.kind == "table" and cue.block is not None and cue.block not in tables:
                # NOTE: a table is one element a row, each row the text its audio cue says
                tables.add(cue.block)
                block = part.section.blocks[cue.block]
                first = int(cue.id[1:])
                ids = [part.element_id(f"s{first + i}") for i in range(len(block.sentences))]
                body.append(table_to_markup(block, [f'id="{i}"' for i in ids], escape))
        for cue in part.cues:
            if cue.kind == "footnote":
                body.append(f'<p class="footnote" id="{part.element_id(cue.id)}">{escape(cue.text)}</p>')
    return (f'<?xml version="1.0" encoding="utf-8"?>\n{_XHTML_DOCTYPE}\n'
            '<html xmlns="http://www.w3.org/1999/xhtml" lang="ja" xml:lang="ja">\n<head>\n'
            '<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />\n'
            f"<title>{escape(document.title)}</title>\n</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n")


def _daisy_noterefs(part: Part, cue: Cue) -> str:
    """Links from a sentence to the footnotes its markers point to (DAISY noteref)."""
    if cue.block is None:
        return ""
    sentence = part.section.blocks[cue.block].sentences[cue.sentence]
    return "".join(f' <span class="noteref"><a href="#{part.element_id("n" + str(n.number))}">{escape(n.mark)}</a></span>'
                   for n in sentence.notes if any(c.id == f"n{n.number}" for c in part.cues))


# ---------------------------------------------------------------------------------------------
# EPUB 3 with Media Overlays

_ACTIVE_CLASS = "-epub-media-overlay-active"
_CSS = f"""body {{ font-family: serif; line-height: 1.9; }}
ruby {{ ruby-align: center; }}
ruby rt {{ font-size: 0.6em; }}
ruby.ol rt {{ margin-left: -0.83em; }}
ruby.or rt {{ margin-right: -0.83em; }}
.{_ACTIVE_CLASS} {{ background-color: #fff3b0; outline: 2px dashed #1a1a1a; }}
aside.footnote {{ font-size: 0.95em; border-top: 1px solid #6b6b6b; margin-top: 1.5em; }}
"""


def document_to_epub(document: Document, build: Build, path: Path, level: RubyLevel | str = "all") -> Path:
    """Write an EPUB 3 with a Media Overlay per content document of a finished build, ruby at ``level``,
    accessibility metadata."""
    level = parse_level(level) if isinstance(level, str) else level
    store.check_output_file(path, is_yomiage_epub)
    parts, published = _parts(document, build)
    total = sum(p.duration for p in parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.building")
    try:
        _write_epub(temporary, document, build.manifest, parts, total, level, published)
        store.check_output_file(path, is_yomiage_epub)
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def is_yomiage_epub(path: Path) -> bool:
    """Whether ``path`` is an EPUB that yomiage wrote (its package names yomiage as the generator)."""
    try:
        with zipfile.ZipFile(path) as book:
            package = book.read("EPUB/package.opf").decode("utf-8", "replace")
    except (OSError, zipfile.BadZipFile, KeyError):
        return False
    return f'<meta name="generator" content="{GENERATOR}"' in package


def _write_epub(temporary: Path, document: Document, made: Manifest, parts: list[Part], total: float,
                level: RubyLevel, published: datetime) -> None:
    # NOTE: every entry carries the content's publication time, never the clock: same input, same bytes
    stamp = published.astimezone(timezone.utc).timetuple()[:6]

    def add(name: str, data: str | bytes, compress: int = zipfile.ZIP_DEFLATED) -> None:
        info = zipfile.ZipInfo(name, date_time=stamp)
        info.compress_type = compress
        info.external_attr = 0o644 << 16
        book.writestr(info, data)

    with zipfile.ZipFile(temporary, "w") as book:
        add("mimetype", "application/epub+zip", zipfile.ZIP_STORED)
        add("META-INF/container.xml", _container())
        add("EPUB/style.css", _CSS)
        add("EPUB/nav.xhtml", _nav(document, parts))
        add("EPUB/cover.svg", _cover(document, made))
        for part in parts:
            add(f"EPUB/text/{part.number:03d}.xhtml", _epub_content(document, part, level))
            add(f"EPUB/smil/{part.number:03d}.smil", _epub_smil(part))
            add(f"EPUB/audio/{part.number:03d}.mp3", part.mp3.read_bytes(), zipfile.ZIP_STORED)
        add("EPUB/package.opf", _package(document, made, parts, total, level, published))


def _cover(document: Document, made: Manifest) -> str:
    """The cover as SVG: the title drawn as text (the reader's own fonts, no image made here), with its text
    alternative in <title>."""
    publisher = document.source.publisher or ""
    lines = break_lines(document.title, 10, phrases=True)
    size = 80 if len(lines) <= 8 else max(40, 640 // len(lines))
    title = "".join(
        f'<text x="500" y="{260 + i * int(size * 1.4)}" font-size="{size}" text-anchor="middle">{escape(line)}</text>'
        for i, line in enumerate(lines))
    label = f"{document.title}（{publisher}）yomiage 読み上げ版" if publisher else f"{document.title} yomiage 読み上げ版"
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<svg xmlns="http://www.w3.org/2000/svg" version="1.1" viewBox="0 0 1000 1600" width="1000" height="1600" '
            'role="img" aria-labelledby="cover-title" xml:lang="ja">'
            f'<title id="cover-title">{escape(label)}</title>'
            '<rect width="1000" height="1600" fill="#0b3d91"/>'
            f'<g fill="#ffffff" font-family="sans-serif" font-weight="bold">{title}</g>'
            f'<text x="500" y="1300" fill="#ffffff" font-family="sans-serif" font-size="56" text-anchor="middle">'
            f'{escape(publisher)}</text>'
            '<text x="500" y="1450" fill="#ffffff" font-family="sans-serif" font-size="40" text-anchor="middle">'
            f'yomiage 読み上げ版・声：{escape(made.voice_name)}</text>'
            '</svg>\n')


def _container() -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
            '<rootfiles><rootfile full-path="EPUB/package.opf" media-type="application/oebps-package+xml"/></rootfiles>'
            "</container>\n")


def _xhtml(title: str, body: str, *, nav: bool = False) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n'
            '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" lang="ja" xml:lang="ja">\n'
            f'<head><meta charset="UTF-8"/><title>{escape(title)}</title>'
            f'<link rel="stylesheet" type="text/css" href="{"" if nav else "../"}style.css"/></head>\n'
            f"<body>\n{body}\n</body>\n</html>\n")


def _nav(document: Document, parts: list[Part]) -> str:
    by_id = {p.section.id: (p, f"#{p.section.id}") for p in parts}
    by_id.update({s.id: (p, f"#{s.id}") for p in parts for s in p.announced})

    def tree(sections) -> str:
        items = []
        for s in sections:
            part, anchor = by_id[s.id]
            link = f'<a href="text/{part.number:03d}.xhtml{anchor}">{escape(s.heading or document.title)}</a>'
            items.append(f"<li>{link}{tree(s.children) if s.children else ''}</li>")
        return f"<ol>{''.join(items)}</ol>"

    body = (f'<nav epub:type="toc" id="toc" role="doc-toc"><h1>目次</h1>{tree(document.sections)}</nav>\n'
            f'<nav epub:type="landmarks" hidden=""><h2>ランドマーク</h2><ol>'
            f'<li><a epub:type="bodymatter" href="text/{parts[0].number:03d}.xhtml">本文</a></li></ol></nav>')
    return _xhtml(document.title, body, nav=True)


def _ruby_or_text(reading, text: str, level: RubyLevel) -> str:
    return tokens_to_html(reading.tokens, level) if reading is not None else escape(text)


def _epub_content(document: Document, part: Part, level: RubyLevel) -> str:
    section = part.section
    depths = document.depths
    out = []
    # NOTE: headings announced in this track (its heading-only parents) open the sections that contain it
    for parent in part.announced:
        cue = part.element_id(heading_cue(parent, True))
        out.append(f'<section epub:type="chapter" role="doc-chapter" id="{parent.id}" aria-labelledby="{cue}">')
        out.append(f'<h{min(6, depths[parent.id])} id="{cue}">{_heading_html(document, parent, level)}'
                   f'</h{min(6, depths[parent.id])}>')
    out.append(f'<section epub:type="chapter" role="doc-chapter" id="{section.id}" aria-labelledby="{part.element_id("h")}">')
    heading_level = min(6, part.depth)
    title = _ruby_or_text(section.title_reading, section.title, level) if section.title else escape(document.title)
    label = f'<span class="label">{escape(section.label)}</span>　' if section.label else ""
    out.append(f'<h{heading_level} id="{part.element_id("h")}">{label}{title}</h{heading_level}>')
    number = 0
    for block in section.blocks:
        if block.type == "table":
            ids = [part.element_id(f"s{number + i + 1}") for i in range(len(block.sentences))]
            number += len(block.sentences)
            out.append(table_to_markup(block, [f'id="{i}"' for i in ids],
                                       lambda text: _ruby_or_text(text_to_reading(text), text, level)))
            continue
        spans = []
        for sentence in block.sentences:
            number += 1
            html = _ruby_or_text(sentence.reading, sentence.text, level)
            refs = "".join(f'<a epub:type="noteref" role="doc-noteref" href="#{part.element_id("n" + str(n.number))}">'
                           f"{escape(n.mark)}</a>" for n in sentence.notes
                           if any(f.number == n.number for f in section.footnotes))
            spans.append(f'<span id="{part.element_id("s" + str(number))}">{html}{refs}</span>')
        out.append(f"<p>{''.join(spans)}</p>")
    for note in section.footnotes:
        out.append(f'<aside epub:type="footnote" role="doc-footnote" id="{part.element_id("n" + str(note.number))}">'
                   f"<p>注{note.number}。{_ruby_or_text(note.reading, note.text, level)}</p></aside>")
    out.append("</section>" * (1 + len(part.announced)))
    return _xhtml(section.heading or document.title, "\n".join(out))


def _heading_html(document: Document, section: Section, level: RubyLevel) -> str:
    title = _ruby_or_text(section.title_reading, section.title, level) if section.title else escape(document.title)
    label = f'<span class="label">{escape(section.label)}</span>　' if section.label else ""
    return label + title


def _epub_smil(part: Part) -> str:
    text = f"../text/{part.number:03d}.xhtml"
    pars = []
    for cue in part.cues:
        element = part.element_id(cue.id)
        kind = ' epub:type="footnote"' if cue.kind == "footnote" else ""
        pars.append(f'<par id="{element}-par"{kind}><text src="{text}#{element}"/>'
                    f'<audio src="../audio/{part.number:03d}.mp3" clipBegin="{_clock(cue.start, 3)}" '
                    f'clipEnd="{_clock(cue.end, 3)}"/></par>')
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<smil xmlns="http://www.w3.org/ns/SMIL" xmlns:epub="http://www.idpf.org/2007/ops" version="3.0">\n'
            f'<body><seq id="seq-{part.section.id}" epub:textref="{text}" epub:type="chapter">\n'
            + "\n".join(pars) + "\n</seq></body>\n</smil>\n")


def _package(document: Document, made: Manifest, parts: list[Part], total: float, level: RubyLevel,
             published: datetime) -> str:
    modified = published.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    summary = ("本文のすべての文に合成音声が同期しています（メディアオーバーレイ）。見出しの階層で移動できます。"
               f"漢字にはふりがな（{level}）が付いています。本文に画像はありません（表紙は題名を文字で示したものです）。")
    metadata = [
        f'<dc:identifier id="uid">{_identifier(document, made)}</dc:identifier>',
        f"<dc:title>{escape(document.title)}</dc:title>",
        "<dc:language>ja</dc:language>",
        f"<dc:creator>{escape(document.source.publisher or GENERATOR)}</dc:creator>",
        f"<dc:publisher>{escape(document.source.publisher or GENERATOR)}</dc:publisher>",
        f"<dc:source>{escape(document.source.url or document.source.file)}</dc:source>",
        *([f"<dc:rights>{escape(document.source.attribution)}</dc:rights>"] if document.source.attribution else []),
        f'<meta property="dcterms:modified">{modified}</meta>',
        f'<meta name="generator" content="{GENERATOR}" />',
        f'<meta property="media:duration">{_clock(sum(p.clips for p in parts), 3)}</meta>',
        f'<meta property="media:narrator">{escape(made.voice_name)}（合成音声）</meta>',
        f'<meta property="media:active-class">{_ACTIVE_CLASS}</meta>',
        '<meta property="schema:accessMode">textual</meta>',
        '<meta property="schema:accessMode">auditory</meta>',
        '<meta property="schema:accessModeSufficient">textual</meta>',
        '<meta property="schema:accessModeSufficient">auditory</meta>',
        '<meta property="schema:accessModeSufficient">textual,auditory</meta>',
        '<meta property="schema:accessibilityFeature">rubyAnnotations</meta>',
        '<meta property="schema:accessibilityFeature">synchronizedAudioText</meta>',
        '<meta property="schema:accessibilityFeature">structuralNavigation</meta>',
        '<meta property="schema:accessibilityFeature">tableOfContents</meta>',
        '<meta property="schema:accessibilityFeature">readingOrder</meta>',
        '<meta property="schema:accessibilityHazard">none</meta>',
        f'<meta property="schema:accessibilitySummary">{escape(summary)}</meta>',
        # NOTE: EPUB Accessibility 1.1 conformance: the claim, and who checked it (the build's own tests, with
        # EPUBCheck and Ace by DAISY where installed: see the README)
        '<meta property="dcterms:conformsTo">EPUB Accessibility 1.1 - WCAG 2.1 Level AA</meta>',
        f'<meta property="a11y:certifiedBy">{GENERATOR}</meta>',
    ]
    for part in parts:
        metadata.append(f'<meta property="media:duration" refines="#mo-{part.number:03d}">{_clock(part.clips, 3)}</meta>')
    items = ['<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>',
             '<item id="css" href="style.css" media-type="text/css"/>',
             '<item id="cover" href="cover.svg" media-type="image/svg+xml" properties="cover-image"/>']
    spine = []
    for part in parts:
        n = f"{part.number:03d}"
        items.append(f'<item id="t-{n}" href="text/{n}.xhtml" media-type="application/xhtml+xml" media-overlay="mo-{n}"/>')
        items.append(f'<item id="mo-{n}" href="smil/{n}.smil" media-type="application/smil+xml"/>')
        items.append(f'<item id="a-{n}" href="audio/{n}.mp3" media-type="audio/mpeg"/>')
        spine.append(f'<itemref idref="t-{n}"/>')
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid" xml:lang="ja" '
            'prefix="media: http://www.idpf.org/epub/vocab/overlays/# a11y: http://www.idpf.org/epub/vocab/package/a11y/#">\n'
            '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">\n' + "\n".join(metadata) + "\n</metadata>\n"
            "<manifest>\n" + "\n".join(items) + "\n</manifest>\n"
            '<spine page-progression-direction="ltr">\n' + "\n".join(spine) + "\n</spine>\n</package>\n")

