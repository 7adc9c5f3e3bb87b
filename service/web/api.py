"""The JSON API: documents, sections, glossary, and furigana/speech for a user's own short text."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from simplify.errors import InputError, TooLargeError, has_surrogates
from simplify.export import document_to_dict, section_to_dict, term_to_dict, token_to_dict
from simplify.glossary import term_usage
from simplify.reading import check_text, text_to_reading
from simplify.ruby import parse_level, tokens_to_html

from service.products.build import speak_text
from service.web.context import reading_room

bp = Blueprint("api", __name__, url_prefix="/api")


def _json_body() -> dict:
    if not request.is_json:
        raise InputError("JSON（Content-Type: application/json）で送ってください。", code="unsupported_media_type", status=415)
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # NOTE: json nests by recursion; a deep enough body under the size limit ends it
        data = None
    if not isinstance(data, dict):
        raise InputError("JSON のオブジェクトを送ってください。例: {\"text\": \"読み上げる\"}", code="bad_json")
    for key in ("level", "voice"):
        if isinstance(data.get(key), str) and has_surrogates(data[key]):
            raise InputError(f"「{key}」に不正な文字（サロゲート）が含まれています。", code="bad_text")
    return data


def _user_text(data: dict) -> str:
    text = data.get("text")
    if not isinstance(text, str):
        raise InputError("「text」に文を入れてください。", code="empty_text")
    limit = current_app.config["MAX_TEXT_CHARS"]
    if len(text) > limit:
        raise TooLargeError(f"文が長すぎます（{len(text):,} 文字）。{limit:,} 文字以下にしてください。")
    return check_text(text)


@bp.get("/documents")
def documents():
    lib = reading_room()
    entries = lib.entries()
    return jsonify([
        {"id": d.id, "title": d.title, "attribution": d.source.attribution,
         "sections": sum(1 for _ in d.walk()), "url": url_for("api.document", doc_id=d.id),
         **({"library": _library_state(entries[d.id])} if d.id in entries else
            {"library": {"state": "reading"}} if lib.is_preview(d) else {})}
        for d in lib.documents().values()
    ])


def _library_state(entry) -> dict:
    """A library document's state: the version served, whether a newer one is being built, and its error."""
    return {"state": entry.state, "error": entry.error, "updated": entry.updated,
            "serving": entry.serving[:12], "newest": entry.sha256[:12]}


@bp.get("/documents/<doc_id>")
def document(doc_id: str):
    return jsonify(document_to_dict(reading_room().document(doc_id)))


@bp.get("/documents/<doc_id>/sections/<section_id>")
def section(doc_id: str, section_id: str):
    document, found, number, total = reading_room().section(doc_id, section_id)
    sections = list(document.walk())
    data = section_to_dict(found, children=False)
    data.update({
        "number": number,
        "children": [c.id for c in found.children],
        "previous": sections[number - 2].id if number > 1 else None,
        "next": sections[number].id if number < total else None,
        "audio": {
            "mp3": url_for("audio.section_mp3", doc_id=doc_id, section_id=section_id),
            "stream": url_for("audio.section_stream", doc_id=doc_id, section_id=section_id),
            "vtt": url_for("audio.section_vtt", doc_id=doc_id, section_id=section_id),
        },
    })
    return jsonify(data)


@bp.get("/glossary")
def glossary():
    document = reading_room().document(request.args.get("document") or next(iter(reading_room().documents())))
    usage = term_usage(document)
    return jsonify([term_to_dict(t, usage) for t in document.glossary])


@bp.post("/furigana")
def furigana():
    data = _json_body()
    level = parse_level(str(data.get("level") or current_app.config["DEFAULT_RUBY"]))
    reading = text_to_reading(_user_text(data))
    return jsonify({"text": reading.text, "level": str(level), "html": tokens_to_html(reading.tokens, level),
                    "spoken": reading.spoken, "tokens": [token_to_dict(t) for t in reading.tokens]})


@bp.post("/speech")
def speech():
    data = _json_body()
    text = _user_text(data)
    lib = reading_room()
    voice = lib.voice(data.get("voice"))
    with lib.slot():
        mp3 = speak_text(text, voice, lib.options, lib.synth(voice))
    return Response(mp3, mimetype="audio/mpeg", headers={"Content-Disposition": "inline; filename=speech.mp3"})
