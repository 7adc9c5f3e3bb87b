"""Audio endpoints: section MP3 (Range, ETag, UTF-8 file name), live stream, cues; the whole document as a
chaptered MP3, a ZIP, an M3U playlist and a podcast feed; glossary explanations."""

from __future__ import annotations

import threading
import zipfile
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone
from xml.sax.saxutils import escape

from flask import Blueprint, Response, request, send_file, stream_with_context, url_for

from ..build import download_name, track_name
from ..store import single_flight
from ..streaming import stream_section_mp3
from . import library

bp = Blueprint("audio", __name__, url_prefix="/api")


def _voice():
    return library().voice(request.args.get("voice"))


def _send(path, mimetype: str, name: str):
    """A file with Range (206), ETag and Last-Modified; inline unless ?download=1."""
    attachment = request.args.get("download") == "1"
    response = send_file(path, mimetype=mimetype, conditional=True, etag=True, download_name=name,
                         as_attachment=attachment, max_age=3600)
    response.headers["Accept-Ranges"] = "bytes"
    # NOTE: open data with no cookies or accounts: web-based podcast players on other sites may fetch
    # the audio and, above all, the caption files (the podcast namespace asks for CORS on transcripts)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _section_file(doc_id: str, section_id: str, kind: str, mimetype: str):
    """One of a section's built files (made on demand), under its person-readable download name."""
    track, folder, section, number = library().track(doc_id, section_id, _voice())
    return _send(folder / track[kind], mimetype, download_name(number, section, kind))


@bp.get("/documents/<doc_id>/sections/<section_id>.mp3")
def section_mp3(doc_id: str, section_id: str):
    return _section_file(doc_id, section_id, "mp3", "audio/mpeg")


@bp.get("/documents/<doc_id>/sections/<section_id>.vtt")
def section_vtt(doc_id: str, section_id: str):
    return _section_file(doc_id, section_id, "vtt", "text/vtt")


@bp.get("/documents/<doc_id>/sections/<section_id>.json")
def section_timing(doc_id: str, section_id: str):
    return _section_file(doc_id, section_id, "json", "application/json")


@bp.get("/documents/<doc_id>/sections/<section_id>/stream")
def section_stream(doc_id: str, section_id: str):
    lib = library()
    voice = _voice()
    document, section, number, total = lib.section(doc_id, section_id)
    built = lib.folder(document, voice) / f"{track_name(number, section)}.json"
    if built.exists():  # already made: the file itself, with Range, needs no synthesis slot
        return _section_file(doc_id, section_id, "mp3", "audio/mpeg")
    if request.method == "HEAD":  # NOTE: a HEAD never reads a body, so it must never take a synthesis slot
        return _stream_response(iter(()))
    lib.acquire()
    release = _once(lib.release)

    def generate():
        try:
            yield from stream_section_mp3(document, section, number, total, voice, lib.options, lib.synth(voice))
        finally:
            release()

    response = _stream_response(stream_with_context(generate()))
    # NOTE: the server closes every response it was given, whether or not it read the body; the generator's own
    # finally covers the body being read to the end
    response.call_on_close(release)
    return response


def _stream_response(body) -> Response:
    response = Response(body, mimetype="audio/mpeg", direct_passthrough=True)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"
    return response


def _once(action):
    """``action`` made safe to call from several places: it runs the first time only."""
    lock, done = threading.Lock(), []

    def run():
        with lock:
            if done:
                return
            done.append(True)
        action()

    return run


@bp.get("/documents/<doc_id>.mp3")
def document_mp3(doc_id: str):
    manifest, folder = library().manifest(doc_id, _voice())
    return _send(folder / manifest["full"]["mp3"], "audio/mpeg", f"{doc_id}.mp3")


def _derived(path, folder, lock: str, make) -> None:
    """A whole-document product made from the built tracks: made again when the build is newer."""
    with single_flight(lock, library().output / "cache" / "locks"):
        if not path.exists() or path.stat().st_mtime < (folder / "manifest.json").stat().st_mtime:
            make()


@bp.get("/documents/<doc_id>.zip")
def document_zip(doc_id: str):
    lib = library()
    voice = _voice()
    manifest, folder = lib.manifest(doc_id, voice)
    document = lib.document(doc_id)
    path = folder / "all.zip"

    def make():
        sections = {s.id: s for s in document.walk()}
        temporary = folder / ".all.zip.building"
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_STORED) as archive:
            for track in manifest["tracks"]:
                archive.write(folder / track["mp3"], download_name(track["number"], sections[track["section"]], "mp3"))
        temporary.replace(path)

    _derived(path, folder, f"zip-{doc_id}-{voice.id}", make)
    return _send(path, "application/zip", f"{doc_id}-{voice.id}.zip")


@bp.get("/documents/<doc_id>.m3u")
def document_m3u(doc_id: str):
    voice = _voice()
    manifest, _ = library().manifest(doc_id, voice)
    lines = ["#EXTM3U", f"#PLAYLIST:{manifest['title']}"]
    for track in manifest["tracks"]:
        url = url_for("audio.section_mp3", doc_id=doc_id, section_id=track["section"], voice=voice.id, _external=True)
        lines += [f"#EXTINF:{round(track['duration'])},{track['title']}", url]
    return Response("\n".join(lines) + "\n", mimetype="audio/x-mpegurl",
                    headers={"Content-Disposition": f"inline; filename={doc_id}-{voice.id}.m3u"})


def _summary(section, document_title: str, limit: int = 200) -> str:
    """An episode's description: its heading, then its opening sentences, cut at a sentence end near the limit."""
    text = ""
    for sentence in section.sentences():
        if text and len(text) + len(sentence.text) > limit:
            text += "…"
            break
        text += sentence.text
    if len(text) > limit + 1:  # one very long first sentence
        text = text[:limit] + "…"
    heading = section.heading or document_title
    return f"{heading}。{text}" if text else f"{heading}（{document_title}）"


def _duration(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"


@bp.get("/documents/<doc_id>/feed.xml")
def document_feed(doc_id: str):
    """Podcast RSS 2.0 with iTunes tags: one item per section, for community radio."""
    lib = library()
    voice = _voice()
    manifest, folder = lib.manifest(doc_id, voice)
    document = lib.document(doc_id)
    built = datetime.fromtimestamp((folder / "manifest.json").stat().st_mtime, tz=timezone.utc).replace(microsecond=0)
    page = url_for("pages.toc", doc_id=doc_id, _external=True)
    feed = url_for("audio.document_feed", doc_id=doc_id, voice=voice.id, _external=True)
    artwork = url_for("static", filename="cover.png", _external=True)  # 1400 px square, made from cover.svg
    attribution = document.source.attribution or document.source.file
    tracks = manifest["tracks"]
    items = []
    for track in tracks:
        section_id = track["section"]
        url = url_for("audio.section_mp3", doc_id=doc_id, section_id=section_id, voice=voice.id, _external=True)
        captions = url_for("audio.section_vtt", doc_id=doc_id, section_id=section_id, voice=voice.id, _external=True)
        link = url_for("pages.section", doc_id=doc_id, section_id=section_id, _external=True)
        size = (folder / track["mp3"]).stat().st_size
        # NOTE: one second apart in reading order, so that apps which sort by date keep the book's order
        published = built - timedelta(seconds=len(tracks) - track["number"])
        items.append(
            "<item>"
            f"<title>{escape(track['title'] or document.title)}</title>"
            f"<link>{escape(link)}</link>"
            f"<description>{escape(_summary(document.section(section_id), document.title))}</description>"
            f'<enclosure url="{escape(url)}" length="{size}" type="audio/mpeg"/>'
            f'<guid isPermaLink="false">{escape(doc_id)}/{escape(voice.id)}/{escape(section_id)}</guid>'
            f"<pubDate>{format_datetime(published)}</pubDate>"
            f'<podcast:transcript url="{escape(captions)}" type="text/vtt" language="ja" rel="captions"/>'
            f"<itunes:duration>{_duration(track['duration'])}</itunes:duration>"
            f"<itunes:episode>{track['number']}</itunes:episode>"
            "<itunes:episodeType>full</itunes:episodeType>"
            "<itunes:explicit>false</itunes:explicit>"
            "</item>"
        )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"'
        ' xmlns:podcast="https://podcastindex.org/namespace/1.0" xmlns:atom="http://www.w3.org/2005/Atom">'
        "<channel>"
        f"<title>{escape(document.title)}（{escape(voice.name)}）</title>"
        f"<link>{escape(page)}</link>"
        f'<atom:link href="{escape(feed)}" rel="self" type="application/rss+xml"/>'
        "<language>ja</language>"
        f"<lastBuildDate>{format_datetime(built)}</lastBuildDate>"
        f"<image><url>{escape(artwork)}</url><title>{escape(document.title)}（{escape(voice.name)}）</title>"
        f"<link>{escape(page)}</link></image>"
        f'<itunes:image href="{escape(artwork)}"/>'
        "<generator>yomiage</generator>"
        f"<description>{escape(document.title)}を節ごとに読み上げた音声です。{escape(attribution)}</description>"
        f"<copyright>{escape(attribution)}</copyright>"
        f"<itunes:author>{escape(document.source.publisher or 'yomiage')}</itunes:author>"
        '<itunes:category text="Government"/>'
        "<itunes:explicit>false</itunes:explicit>"
        "<itunes:type>serial</itunes:type>"
        + "".join(items)
        + "</channel></rss>"
    )
    return Response(xml, mimetype="application/rss+xml")


@bp.get("/documents/<doc_id>/glossary/<term_id>.mp3")
def glossary_mp3(doc_id: str, term_id: str):
    path = library().glossary_audio(doc_id, term_id, _voice())
    return _send(path, "audio/mpeg", f"{term_id}.mp3")


@bp.get("/documents/<doc_id>.epub")
def document_epub(doc_id: str):
    """EPUB 3 with Media Overlays, ruby at ?ruby= (default all); made once per voice and level."""
    from simplify.ruby import parse_level

    from ..books import document_to_epub

    lib = library()
    voice = _voice()
    level = parse_level(request.args.get("ruby") or "all")
    manifest, folder = lib.manifest(doc_id, voice)
    path = folder / f"book-{str(level).replace(':', '')}.epub"
    _derived(path, folder, f"epub-{doc_id}-{voice.id}-{level}",
             lambda: document_to_epub(lib.document(doc_id), voice, lib.options, path, level))
    return _send(path, "application/epub+zip", f"{doc_id}-{voice.id}.epub")


@bp.get("/documents/<doc_id>.daisy.zip")
def document_daisy(doc_id: str):
    """The DAISY 2.02 book as one ZIP (ncc.html at its root)."""
    from ..books import document_to_daisy

    lib = library()
    voice = _voice()
    manifest, folder = lib.manifest(doc_id, voice)
    path = folder / "daisy.zip"

    def make():
        book = document_to_daisy(lib.document(doc_id), voice, lib.options, folder / "daisy").parent
        temporary = folder / ".daisy.zip.building"
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_STORED) as archive:
            for file in sorted(book.iterdir()):
                archive.write(file, file.name)
        temporary.replace(path)

    _derived(path, folder, f"daisy-{doc_id}-{voice.id}", make)
    return _send(path, "application/zip", f"{doc_id}-{voice.id}-daisy.zip")
