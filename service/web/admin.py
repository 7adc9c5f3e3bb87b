"""Operators' routes: add a document (an upload page and ``POST /api/documents``), remove one, follow a job.

They exist only when an operator token is configured (``YOMIAGE_ADMIN_TOKEN``); without one the service is
read-only. The token is compared in constant time. The upload form also carries a CSRF token (a random value in a
cookie and in the form, which must match), uploads are size-limited, and a file is judged by its content, never by
its name.
"""

from __future__ import annotations

import hmac
import secrets

from flask import Blueprint, current_app, jsonify, make_response, redirect, render_template, request, url_for

from simplify.errors import InputError, NotFoundError, TooLargeError, shown
from simplify.sources import sniff
from simplify.sources.docx import is_ole

from service.products.build import track_plans
from service.web.context import reading_room

bp = Blueprint("admin", __name__)


class Unauthorized(InputError):
    code = "unauthorized"
    status = 401


def _jobs():
    return current_app.extensions["yomiage_jobs"]


def _check_token(given: str | None) -> None:
    expected = current_app.config["ADMIN_TOKEN"]
    if not given or not hmac.compare_digest(given.encode(), expected.encode()):
        raise Unauthorized("運営者のトークンが違います。")


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.startswith("Bearer ") else None


def _allow_upload() -> None:
    # NOTE: the API's small body limit is for JSON; an upload route allows a document's size (and no more)
    request.max_content_length = current_app.config["MAX_UPLOAD_BYTES"] + 65536


def _upload() -> tuple[bytes, str]:
    """The uploaded file's bytes and name, after the size limit and a first look at its content."""
    file = request.files.get("file")
    if file is None or not file.filename:
        raise InputError("ファイルを選んでください。", code="no_file")
    data = file.read(current_app.config["MAX_UPLOAD_BYTES"] + 1)
    if len(data) > current_app.config["MAX_UPLOAD_BYTES"]:
        raise TooLargeError("ファイルが大きすぎます。")
    kind = sniff(data, file.filename)
    if kind == "text" and b"\x00" in data[:65536] and not is_ole(data):
        raise InputError(f"{shown(file.filename)}: 文書として読めるファイルではありません"
                         "（PDF・Word・HTML・Markdown・テキスト）。",
                         code="unsupported", status=415)
    return data, file.filename


def _start(data: bytes, name: str, doc_id: str | None, title: str | None):
    lib = reading_room()
    catalog = lib.catalog
    voice = lib.voice(None)

    def work(job) -> None:
        previewed: set[str] = set()

        def preview(document) -> None:  # NOTE: a long PDF's first pages, heard while the rest is read
            previewed.add(document.id)
            lib.preview(document)

        try:
            entry = catalog.add(data, name, doc_id=doc_id, title=title, on_preview=preview)
        finally:  # NOTE: added (the document takes the preview's place) or refused (the preview goes)
            for shown in previewed:
                lib.end_preview(shown)
        job.document = entry.id
        job.total = len(track_plans(catalog.document(entry)))

        def follow(state) -> None:
            job.done, job.total = state.done, state.total or job.total

        # NOTE: listeners keep the version they had until this one is complete; then it is published
        lib.build_newest(entry, voice, on_state=follow)

    return _jobs().submit("add", doc_id or name, work)


@bp.post("/api/documents")
def add_document():
    _check_token(_bearer())
    _allow_upload()
    data, name = _upload()
    job = _start(data, name, request.form.get("id") or None, request.form.get("title") or None)
    response = jsonify({"job": job.id, "url": url_for("admin.job", job_id=job.id)})
    response.status_code = 202
    response.headers["Location"] = url_for("admin.job", job_id=job.id)
    return response


@bp.delete("/api/documents/<doc_id>")
def remove_document(doc_id: str):
    _check_token(_bearer())
    reading_room().catalog.remove(doc_id)
    return "", 204


@bp.get("/api/jobs/<job_id>")
def job(job_id: str):
    found = _jobs().get(job_id)
    if found is None:
        raise NotFoundError(f"処理「{shown(job_id)}」は見つかりません。")
    return jsonify(found.to_dict())


@bp.get("/admin/upload")
def upload_page():
    token = secrets.token_urlsafe(24)
    response = make_response(render_template("upload.html", csrf=token, max_mb=current_app.config["MAX_UPLOAD_BYTES"] // 1_000_000))
    response.set_cookie("csrf", token, httponly=True, samesite="Strict", secure=request.is_secure)
    return response


@bp.post("/admin/upload")
def upload_form():
    _allow_upload()
    cookie, field = request.cookies.get("csrf", ""), request.form.get("csrf", "")
    if not cookie or not hmac.compare_digest(cookie.encode(), field.encode()):
        raise InputError("フォームの有効期限が切れました。ページを読み込み直してください。", code="csrf", status=403)
    _check_token(request.form.get("token"))
    data, name = _upload()
    job = _start(data, name, request.form.get("id") or None, request.form.get("title") or None)
    return redirect(url_for("admin.job_page", job_id=job.id), code=303)


@bp.get("/admin/jobs/<job_id>")
def job_page(job_id: str):
    found = _jobs().get(job_id)
    if found is None:
        raise NotFoundError(f"処理「{shown(job_id)}」は見つかりません。")
    return render_template("job.html", job=found)
