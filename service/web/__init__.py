"""The Flask application: accessible pages, the JSON API and the audio endpoints."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, make_response, render_template, request
from markupsafe import escape
from werkzeug.exceptions import HTTPException, RequestedRangeNotSatisfiable
from werkzeug.middleware.proxy_fix import ProxyFix

from simplify.errors import InputError, has_surrogates

from service.config import jobs, setting
from service.library.jobs import LocalJobs
from service.library.reading_room import ReadingRoom
from service.web import admin, api, audio_routes, pages
from service.web.render import duration_text

log = logging.getLogger(__name__)

# Japanese messages for the HTTP errors Flask raises itself.
_HTTP_MESSAGES = {
    400: ("bad_request", "リクエストが正しくありません。"),
    404: ("not_found", "お探しのページやデータは見つかりません。"),
    405: ("method_not_allowed", "この方法ではアクセスできません。"),
    401: ("unauthorized", "運営者のトークンが必要です。"),
    413: ("too_large", "送られたデータが大きすぎます。短くしてください。"),
    415: ("unsupported_media_type", "JSON（Content-Type: application/json）で送ってください。"),
    416: ("range_not_satisfiable", "指定された範囲はファイルの外です。"),
}


def _config_from_settings() -> dict:
    return {
        "OUTPUT_DIR": setting("YOMIAGE_OUTPUT_DIR"),
        "VOICES_DIR": setting("YOMIAGE_VOICES_DIR"),
        "DEFAULT_VOICE": setting("YOMIAGE_DEFAULT_VOICE"),
        "DEFAULT_RUBY": setting("YOMIAGE_DEFAULT_RUBY"),
        "LOUDNESS": setting("YOMIAGE_LOUDNESS"),
        "MP3_BITRATE": setting("YOMIAGE_MP3_BITRATE"),
        "JOBS": jobs(),
        "MAX_SYNTH": setting("YOMIAGE_MAX_SYNTH"),
        "LISTEN_FIRST_CHARS": int(setting("YOMIAGE_LISTEN_FIRST_CHARS")),
        "MAX_TEXT_CHARS": int(setting("YOMIAGE_MAX_TEXT_CHARS")),
        "MAX_CONTENT_LENGTH": int(setting("YOMIAGE_MAX_BODY_BYTES")),
        "PUBLIC_URL": setting("YOMIAGE_PUBLIC_URL"),
        "TRUST_PROXY": int(setting("YOMIAGE_TRUST_PROXY")),
        "OPERATOR": setting("YOMIAGE_OPERATOR"),
        "ADMIN_TOKEN": setting("YOMIAGE_ADMIN_TOKEN"),
        "QUEUE_URL": setting("YOMIAGE_QUEUE_URL"),
        "AUTO_BUILD": setting("YOMIAGE_AUTO_BUILD") not in ("0", "false", "no"),
        "MAX_UPLOAD_BYTES": int(setting("YOMIAGE_MAX_UPLOAD_BYTES")),
        "CONTACT_EMAIL": setting("YOMIAGE_CONTACT_EMAIL"),
    }


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(code: str, message: str, status: int):
    """The one shape of every error: JSON ``{"error": {"code", "message"}}`` under /api, an HTML page elsewhere."""
    message = message.encode("utf-8", "replace").decode("utf-8")  # NOTE: a lone surrogate must not 500 the error
    if wants_json():
        response = jsonify({"error": {"code": code, "message": message}})
    else:
        response = make_response(render_template("error.html", code=code, message=message, status=status))
    response.status_code = status
    if status == 503:
        response.headers["Retry-After"] = "30"
    return response


def create_app(config: dict | None = None) -> Flask:
    """Application factory: settings from the environment (see README), overridden by ``config``."""
    app = Flask(__name__)
    app.config.update(_config_from_settings())
    app.config.update(config or {})
    app.json.ensure_ascii = False
    if app.config.get("TRUST_PROXY"):
        # NOTE: only behind a proxy the operator runs: it sets X-Forwarded-* and clients cannot
        hops = int(app.config["TRUST_PROXY"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops)
    app.extensions["yomiage"] = ReadingRoom(app.config)
    app.extensions["yomiage"].warm_up()

    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(audio_routes.bp)
    if app.config.get("ADMIN_TOKEN"):
        # NOTE: without an operator token, the write routes do not exist: the service is read-only
        app.extensions["yomiage_jobs"] = LocalJobs(workers=1)
        app.register_blueprint(admin.bp)
    app.add_template_filter(duration_text, "duration")

    @app.context_processor
    def _plain_words():
        # NOTE: pages pass the reader's ruby level; an error page shows the site's words as they are
        return {"ruby": lambda text: escape(text or ""), "heading_html": lambda section: escape(section.heading)}

    @app.errorhandler(InputError)
    def _input_error(error: InputError):
        return error_response(error.code, error.message, error.status)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        code, message = _HTTP_MESSAGES.get(error.code or 500, ("http_error", "リクエストを処理できませんでした。"))
        response = error_response(code, message, error.code or 500)
        if isinstance(error, RequestedRangeNotSatisfiable) and error.length is not None:
            response.headers["Content-Range"] = f"bytes */{error.length}"  # NOTE: RFC 9110 15.5.17
        return response

    @app.errorhandler(Exception)
    def _internal_error(error: Exception):
        log.exception("internal error on %s", request.path)
        return error_response("internal", "サーバーで問題が起きました。時間をおいてお試しください。", 500)

    @app.after_request
    def _headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.mimetype == "text/html":
            response.headers.setdefault(
                "Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; media-src 'self'; style-src 'self'; script-src 'self'",
            )
        return response

    return app
