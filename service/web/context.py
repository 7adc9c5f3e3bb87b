"""What every route needs from the application: the reading room it serves, and absolute URLs."""

from __future__ import annotations

from flask import Flask, current_app, request, url_for

from service.library.reading_room import ReadingRoom


def external_url(endpoint: str, **values) -> str:
    """An absolute URL for feeds and playlists, on the operator's public base URL (YOMIAGE_PUBLIC_URL). A
    request's Host header is used only behind a trusted proxy (YOMIAGE_TRUST_PROXY), never as sent by a client:
    it would put a stranger's host into every enclosure."""
    base = current_app.config.get("PUBLIC_URL") or ""
    if not base:
        base = request.host_url if current_app.config.get("TRUST_PROXY") else "http://localhost/"
    return base.rstrip("/") + url_for(endpoint, **values)


def reading_room(app: Flask | None = None) -> ReadingRoom:
    return (app or current_app).extensions["yomiage"]
