"""A document's podcast feed (RSS 2.0 with the iTunes and Podcasting 2.0 namespaces) and its M3U8 playlist.

Both are made from the manifest of a finished build. Their dates come from the content (the manifest's
``published``: when this content was first built), never from the clock, so a rebuild that changes nothing
leaves every episode where podcast apps filed it. Absolute links come from a ``Links`` the caller gives,
built on the operator's public address, never on a request's Host header.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Protocol

from simplify.model import Document

from service.products.manifest import Manifest
from service.speech.voices import Voice

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
ATOM = "http://www.w3.org/2005/Atom"
for _prefix, _uri in (("itunes", ITUNES), ("podcast", PODCAST), ("atom", ATOM)):
    ET.register_namespace(_prefix, _uri)


class Links(Protocol):
    """Absolute URLs of a document's pages and files, for one voice."""

    def page(self) -> str: ...
    def feed(self) -> str: ...
    def artwork(self) -> str: ...
    def section_page(self, section_id: str) -> str: ...
    def track(self, section_id: str) -> str: ...
    def captions(self, section_id: str) -> str: ...


@dataclass(frozen=True)
class Operator:
    """Who runs this service (settings YOMIAGE_OPERATOR and YOMIAGE_CONTACT_EMAIL)."""

    name: str
    email: str = ""


def published(manifest: Manifest, folder: Path) -> datetime:
    """When the manifest's content was first built (older manifests: the file's time)."""
    if manifest.published:
        return datetime.fromisoformat(manifest.published).astimezone(timezone.utc)
    stamp = (folder / "manifest.json").stat().st_mtime
    return datetime.fromtimestamp(stamp, tz=timezone.utc).replace(microsecond=0)


def summary(document: Document, section_id: str, limit: int = 200) -> str:
    """An episode's description: its heading, then its opening sentences, cut at a sentence end near the limit."""
    section = document.section(section_id)
    text = ""
    for sentence in section.sentences():
        if text and len(text) + len(sentence.text) > limit:
            text += "…"
            break
        text += sentence.text
    if len(text) > limit + 1:  # one very long first sentence
        text = text[:limit] + "…"
    heading = section.heading or document.title
    return f"{heading}。{text}" if text else f"{heading}（{document.title}）"


def _clock(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = text
    return element


def podcast_feed(document: Document, voice: Voice, manifest: Manifest, folder: Path, links: Links,
                 operator: Operator) -> bytes:
    """RSS 2.0: one episode per section, in reading order, dated from the content."""
    built = published(manifest, folder)
    attribution = document.source.attribution or document.source.file
    title = f"{document.title}（{voice.name}）"
    rss = ET.Element("rss", {"version": "2.0"})
    channel = _add(rss, "channel")
    _add(channel, "title", title)
    _add(channel, "link", links.page())
    _add(channel, f"{{{ATOM}}}link", href=links.feed(), rel="self", type="application/rss+xml")
    _add(channel, "language", "ja")
    _add(channel, "lastBuildDate", format_datetime(built))
    image = _add(channel, "image")
    _add(image, "url", links.artwork())
    _add(image, "title", title)
    _add(image, "link", links.page())
    _add(channel, f"{{{ITUNES}}}image", href=links.artwork())
    _add(channel, "generator", "yomiage")
    _add(channel, "description", f"{document.title}を節ごとに読み上げた音声です。{attribution}")
    _add(channel, "copyright", attribution)
    _add(channel, f"{{{ITUNES}}}author", document.source.publisher or operator.name)
    owner = _add(channel, f"{{{ITUNES}}}owner")
    _add(owner, f"{{{ITUNES}}}name", operator.name)
    if operator.email:
        _add(owner, f"{{{ITUNES}}}email", operator.email)
    ET.SubElement(channel, f"{{{ITUNES}}}category", {"text": "Government"})
    _add(channel, f"{{{ITUNES}}}explicit", "false")
    _add(channel, f"{{{ITUNES}}}type", "serial")
    tracks = manifest.tracks
    for track in tracks:
        section_id = track.section
        item = _add(channel, "item")
        _add(item, "title", track.title or document.title)
        _add(item, "link", links.section_page(section_id))
        _add(item, "description", summary(document, section_id))
        _add(item, "enclosure", url=links.track(section_id), length=str((folder / track.mp3).stat().st_size),
             type="audio/mpeg")
        _add(item, "guid", f"{document.id}/{voice.id}/{section_id}", isPermaLink="false")
        # NOTE: one second apart in reading order, so that apps which sort by date keep the book's order
        _add(item, "pubDate", format_datetime(built - timedelta(seconds=len(tracks) - track.number)))
        _add(item, f"{{{PODCAST}}}transcript", url=links.captions(section_id), type="text/vtt", language="ja",
             rel="captions")
        _add(item, f"{{{ITUNES}}}duration", _clock(track.duration))
        _add(item, f"{{{ITUNES}}}episode", str(track.number))
        _add(item, f"{{{ITUNES}}}episodeType", "full")
        _add(item, f"{{{ITUNES}}}explicit", "false")
    return ET.tostring(rss, encoding="utf-8", xml_declaration=True)


def playlist_m3u8(manifest: Manifest, links: Links) -> str:
    """Extended M3U in UTF-8 (hence .m3u8): one entry per section track, with its length and title."""
    lines = ["#EXTM3U", f"#PLAYLIST:{manifest.title}"]
    for track in manifest.tracks:
        title = " ".join((track.title or manifest.title).split())  # NOTE: one line per entry
        lines += [f"#EXTINF:{round(track.duration)},{title}", links.track(track.section)]
    return "\n".join(lines) + "\n"
