"""The library of documents: added, replaced and removed while the service runs (issue: a library of documents)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


def yomiage(*args: str, output: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "YOMIAGE_OUTPUT_DIR": str(output)}
    return subprocess.run([sys.executable, "-m", "service.cli", *args], capture_output=True, text=True, timeout=300,
                          env=env)


@pytest.mark.slow
def test_add_list_replace_remove_from_the_command_line(tmp_path):
    out = tmp_path / "out"
    added = yomiage("add", str(DATA / "notice.txt"), "--id", "bousai-2025", output=out)
    assert added.returncode == 0, added.stderr
    listed = yomiage("list", "--json", output=out)
    entries = json.loads(listed.stdout)
    entry = next(e for e in entries if e["id"] == "bousai-2025")
    assert entry["title"] == "令和7年度防災訓練のお知らせ" and entry["kind"] == "text" and entry["file"] == "notice.txt"
    first_added = entry["added"]
    # replacing keeps when it was added, and records when it was updated
    again = yomiage("add", str(DATA / "newsletter.txt"), "--id", "bousai-2025", "--title", "地域だより", output=out)
    assert again.returncode == 0, again.stderr
    entry = next(e for e in json.loads(yomiage("list", "--json", output=out).stdout) if e["id"] == "bousai-2025")
    assert entry["title"] == "地域だより" and entry["added"] == first_added and entry["updated"] >= first_added
    gone = yomiage("remove", "bousai-2025", output=out)
    assert gone.returncode == 0, gone.stderr
    assert all(e["id"] != "bousai-2025" for e in json.loads(yomiage("list", "--json", output=out).stdout))
    assert yomiage("remove", "bousai-2025", output=out).returncode == 2  # nothing there: a clear error


@pytest.mark.parametrize("doc_id", ["../escape", "UPPER", "a" * 80, "hakusho-r6-2-2-6", "with space", "-lead"])
def test_hostile_or_taken_ids_are_refused(tmp_path, doc_id):
    out = tmp_path / "out"
    result = yomiage("add", str(DATA / "notice.txt"), "--id", doc_id, output=out)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert not (out / "library").exists() or not any((out / "library").iterdir())


def test_a_file_that_is_not_a_document_writes_nothing(tmp_path):
    out = tmp_path / "out"
    junk = tmp_path / "image.png"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    result = yomiage("add", str(junk), output=out)
    assert result.returncode == 2 and "NUL" in result.stderr
    assert not (out / "library").exists() or not any((out / "library").iterdir())


def test_the_running_service_sees_added_and_removed_documents(tmp_path):
    from service.catalog import Catalog
    from tests.web_fixtures import make_app

    app = make_app(tmp_path)
    client = app.test_client()
    assert client.get("/d/guide/").status_code == 404
    catalog = Catalog(tmp_path)
    catalog.add((DATA / "guide.md").read_bytes(), "guide.md", doc_id="guide")
    page = client.get("/d/guide/")
    assert page.status_code == 200 and "guide" in [d["id"] for d in client.get("/api/documents").get_json()]
    catalog.remove("guide")
    assert client.get("/d/guide/").status_code == 404


# -- operators on the web ---------------------------------------------------------------------------------

def test_without_an_operator_token_the_service_is_read_only(tmp_path):
    from tests.web_fixtures import make_app

    client = make_app(tmp_path).test_client()
    assert client.post("/api/documents").status_code in (404, 405)
    assert client.get("/admin/upload").status_code == 404
    assert client.delete("/api/documents/sample").status_code in (404, 405)


def _operator_app(tmp_path, **extra):
    from tests.web_fixtures import make_app

    return make_app(tmp_path, ADMIN_TOKEN="s3cret-operator-token", **extra)


def _wait(client, url, timeout=120):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(url).get_json()
        if job["state"] in ("done", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job did not end: {job}")


def _multipart(fields: dict[str, str], name: str, data: bytes) -> tuple[bytes, str]:
    boundary = "yomiage-test-boundary"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                 f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


@pytest.mark.slow
def test_an_upload_through_the_real_server_becomes_playable(tmp_path):
    """POST a notice with the token through waitress: 202 with the job's URL, the job reports done/total, then
    the document's pages and section audio are served; DELETE takes it away."""
    import urllib.request

    from tests.web_fixtures import serving

    app = _operator_app(tmp_path)
    with serving(app) as base:
        body, kind = _multipart({"id": "bousai"}, "notice.txt", (DATA / "notice.txt").read_bytes())
        request = urllib.request.Request(f"{base}/api/documents", data=body, method="POST",
                                         headers={"Content-Type": kind, "Authorization": "Bearer s3cret-operator-token"})
        with urllib.request.urlopen(request, timeout=60) as response:
            assert response.status == 202
            job_url = json.loads(response.read())["url"]
        client = app.test_client()
        job = _wait(client, job_url)
        assert job["state"] == "done" and job["document"] == "bousai" and job["done"] == job["total"] > 1
        with urllib.request.urlopen(f"{base}/d/bousai/", timeout=30) as page:
            assert "防災訓練" in page.read().decode()
        sections = client.get("/api/documents/bousai").get_json()["sections"]
        with urllib.request.urlopen(f"{base}/api/documents/bousai/sections/{sections[0]['id']}.mp3", timeout=60) as mp3:
            assert mp3.status == 200 and len(mp3.read()) > 1000
        gone = urllib.request.Request(f"{base}/api/documents/bousai", method="DELETE",
                                      headers={"Authorization": "Bearer s3cret-operator-token"})
        with urllib.request.urlopen(gone, timeout=30) as response:
            assert response.status == 204
        assert client.get("/d/bousai/").status_code == 404


@pytest.mark.parametrize("headers, status", [({}, 401), ({"Authorization": "Bearer wrong"}, 401),
                                             ({"Authorization": "Basic s3cret-operator-token"}, 401)])
def test_writes_need_the_token(tmp_path, headers, status):
    client = _operator_app(tmp_path).test_client()
    body, kind = _multipart({}, "notice.txt", (DATA / "notice.txt").read_bytes())
    assert client.post("/api/documents", data=body, content_type=kind, headers=headers).status_code == status
    assert client.delete("/api/documents/x", headers=headers).status_code == status


def test_uploads_are_judged_by_content_and_size(tmp_path):
    client = _operator_app(tmp_path, MAX_UPLOAD_BYTES=4096).test_client()
    auth = {"Authorization": "Bearer s3cret-operator-token"}
    png, kind = _multipart({}, "notice.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(100))
    assert client.post("/api/documents", data=png, content_type=kind, headers=auth).status_code == 415
    big, kind = _multipart({}, "big.txt", "あ".encode() * 3000)
    assert client.post("/api/documents", data=big, content_type=kind, headers=auth).status_code == 413
    broken, kind = _multipart({}, "empty.txt", b"   ")
    response = client.post("/api/documents", data=broken, content_type=kind, headers=auth)
    job = _wait(client, response.get_json()["url"])
    assert job["state"] == "failed" and "読み上げる文がありません" in job["error"]  # recorded once, not retried


def test_the_upload_form_needs_its_csrf_token(tmp_path):
    client = _operator_app(tmp_path).test_client()
    page = client.get("/admin/upload")
    assert page.status_code == 200
    import re

    csrf = re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True))[1]
    body, kind = _multipart({"csrf": "forged", "token": "s3cret-operator-token"}, "notice.txt",
                            (DATA / "notice.txt").read_bytes())
    assert client.post("/admin/upload", data=body, content_type=kind).status_code == 403
    body, kind = _multipart({"csrf": csrf, "token": "s3cret-operator-token", "id": "form-notice"}, "notice.txt",
                            (DATA / "notice.txt").read_bytes())
    response = client.post("/admin/upload", data=body, content_type=kind)
    assert response.status_code == 303 and "/admin/jobs/" in response.headers["Location"]
