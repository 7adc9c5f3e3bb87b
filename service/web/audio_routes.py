"""Audio endpoints: section MP3 (Range, ETag, UTF-8 file name), live stream, cues; the whole document as a
chaptered MP3, a ZIP, an M3U playlist and a podcast feed; glossary explanations."""

from __future__ import annotations

import hashlib
import threading

from flask import Blueprint, Response, current_app, redirect, request, send_file, stream_with_context, url_for
from werkzeug.http import parse_range_header

from simplify.ruby import parse_level

from service.products import packaging
from service.products.build import download_name, find_section
from service.products.feed import Operator, playlist_m3u8, podcast_feed, published
from service.products.streaming import stream_section_mp3
from service.web.context import external_url, reading_room

bp = Blueprint("audio", __name__, url_prefix="/api")


def _voice():
    return reading_room().voice(request.args.get("voice"))


def _send(path, mimetype: str, name: str):
    """A file with Range (206), ETag and Last-Modified; inline unless ?download=1."""
    attachment = request.args.get("download") == "1"
    _ignore_unusable_range()
    response = send_file(path, mimetype=mimetype, conditional=True, etag=True, download_name=name,
                         as_attachment=attachment, max_age=3600)
    response.headers["Accept-Ranges"] = "bytes"
    # NOTE: open data with no cookies or accounts: web-based podcast players on other sites may fetch
    # the audio and, above all, the caption files (the podcast namespace asks for CORS on transcripts)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _ignore_unusable_range() -> None:
    """A Range header that is not one byte range (``bytes=abc``, ``items=0-1``, several ranges) is ignored,
    as RFC 9110 allows: the whole file (200), not a 416 for a request that asked for nothing we refuse."""
    header = request.environ.get("HTTP_RANGE")
    if header is None:
        return
    parsed = parse_range_header(header)
    if parsed is None or parsed.units != "bytes" or len(parsed.ranges) != 1:
        del request.environ["HTTP_RANGE"]


def _section_file(doc_id: str, section_id: str, kind: str, mimetype: str):
    """One of a section's built files (made on demand), under its person-readable download name."""
    track, folder, section, number = reading_room().track(doc_id, section_id, _voice())
    # NOTE: a heading-only section is heard at the start of the track it is folded into: that track's name
    carrier = reading_room().document(doc_id).section(track.section)
    return _send(folder / track.file(kind), mimetype, download_name(track.number, carrier, kind))


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
    lib = reading_room()
    voice = _voice()
    document, section, number, total = lib.section(doc_id, section_id)
    if find_section(document, section, voice, lib.options) is not None:  # already made: the file itself, with Range, needs no synthesis slot
        return _section_file(doc_id, section_id, "mp3", "audio/mpeg")
    if request.method == "HEAD":  # NOTE: a HEAD never reads a body, so it must never take a synthesis slot
        return _stream_response(iter(()))
    lib.acquire()
    release = _once(lib.release)

    def generate():
        try:
            yield from stream_section_mp3(document, section, voice, lib.options, lib.synth(voice))
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
    manifest, folder = reading_room().manifest(doc_id, _voice())
    return _send(folder / manifest.full.mp3, "audio/mpeg", f"{doc_id}.mp3")


@bp.get("/documents/<doc_id>.zip")
def document_zip(doc_id: str):
    lib = reading_room()
    voice = _voice()
    document, build = lib.build(doc_id, voice)
    path = packaging.tracks_zip(document, voice, lib.options, build)
    return _send(path, "application/zip", f"{doc_id}-{voice.id}.zip")


class _WebLinks:
    """The feed's and playlist's absolute links, on the public base URL."""

    def __init__(self, doc_id: str, voice_id: str):
        self.doc_id, self.voice_id = doc_id, voice_id

    def page(self) -> str:
        return external_url("pages.toc", doc_id=self.doc_id)

    def feed(self) -> str:
        return external_url("audio.document_feed", doc_id=self.doc_id, voice=self.voice_id)

    def artwork(self) -> str:
        return external_url("static", filename="cover.png")  # 1400 px square, made from cover.svg

    def section_page(self, section_id: str) -> str:
        return external_url("pages.section", doc_id=self.doc_id, section_id=section_id)

    def track(self, section_id: str) -> str:
        return external_url("audio.section_mp3", doc_id=self.doc_id, section_id=section_id, voice=self.voice_id)

    def captions(self, section_id: str) -> str:
        return external_url("audio.section_vtt", doc_id=self.doc_id, section_id=section_id, voice=self.voice_id)


@bp.get("/documents/<doc_id>.m3u8")
def document_m3u8(doc_id: str):
    voice = _voice()
    manifest, _ = reading_room().manifest(doc_id, voice)
    return Response(playlist_m3u8(manifest, _WebLinks(doc_id, voice.id)), mimetype="audio/x-mpegurl",
                    headers={"Content-Disposition": f"inline; filename={doc_id}-{voice.id}.m3u8"})


@bp.get("/documents/<doc_id>.m3u")
def document_m3u(doc_id: str):
    """The playlist's older name: it is UTF-8, which players expect under .m3u8."""
    return redirect(url_for("audio.document_m3u8", doc_id=doc_id, **request.args), code=308)


@bp.get("/documents/<doc_id>/feed.xml")
def document_feed(doc_id: str):
    """Podcast RSS 2.0 with iTunes tags: one item per section, for community radio."""
    lib = reading_room()
    voice = _voice()
    manifest, folder = lib.manifest(doc_id, voice)
    operator = Operator(current_app.config["OPERATOR"], current_app.config["CONTACT_EMAIL"])
    xml = podcast_feed(lib.document(doc_id), voice, manifest, folder, _WebLinks(doc_id, voice.id), operator)
    response = Response(xml, mimetype="application/rss+xml")
    response.set_etag(hashlib.sha256(xml).hexdigest()[:32])
    response.last_modified = published(manifest, folder)
    return response.make_conditional(request)


@bp.get("/documents/<doc_id>/glossary/<term_id>.mp3")
def glossary_mp3(doc_id: str, term_id: str):
    path = reading_room().glossary_audio(doc_id, term_id, _voice())
    return _send(path, "audio/mpeg", f"{term_id}.mp3")


@bp.get("/documents/<doc_id>.epub")
def document_epub(doc_id: str):
    """EPUB 3 with Media Overlays, ruby at ?ruby= (default all); made once per voice and level."""
    lib = reading_room()
    voice = _voice()
    level = parse_level(request.args.get("ruby") or "all")
    document, build = lib.build(doc_id, voice)
    path = packaging.epub(document, voice, lib.options, build, level)
    return _send(path, "application/epub+zip", f"{doc_id}-{voice.id}.epub")


@bp.get("/documents/<doc_id>.daisy.zip")
def document_daisy(doc_id: str):
    """The DAISY 2.02 book as one ZIP (ncc.html at its root)."""
    lib = reading_room()
    voice = _voice()
    document, build = lib.build(doc_id, voice)
    path = packaging.daisy_zip(document, voice, lib.options, build)
    return _send(path, "application/zip", f"{doc_id}-{voice.id}-daisy.zip")
