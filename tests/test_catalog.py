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
    from service.library.catalog import Catalog
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


# -- replacing a document while it is served -------------------------------------------------------------

def _observe(client, doc_id: str, section_of, seen: list, stop) -> None:
    """Read the document's text and one section's audio as a listener would, until told to stop."""
    import hashlib

    while not stop.is_set():
        data = client.get(f"/api/documents/{doc_id}").get_json()
        section_id = section_of(data)
        mp3 = client.get(f"/api/documents/{doc_id}/sections/{section_id}.mp3")
        assert mp3.status_code == 200, mp3.status_code
        seen.append((json.dumps(data, ensure_ascii=False), hashlib.sha256(mp3.data).hexdigest()))


@pytest.mark.slow
def test_a_replacement_is_served_only_when_complete_then_in_one_step(tmp_path):
    """Listeners keep the first version (text and audio) while the second builds, then get the second whole: every
    observation made during the build is one version or the other, never a mixture, and it switches once."""
    import threading

    from service.library.catalog import Catalog
    from tests.web_fixtures import make_app

    app = make_app(tmp_path)
    lib = app.extensions["yomiage"]
    client = app.test_client()
    catalog = Catalog(tmp_path)
    first = (DATA / "notice.txt").read_bytes()
    second = first.replace("正午まで".encode(), "午前11時まで".encode())
    entry = catalog.add(first, "notice.txt", doc_id="bousai")
    lib.build_newest(entry, lib.voice(None))
    assert catalog.entry("bousai").state == "ready" and catalog.entry("bousai").served == entry.sha256

    def section_of(data):  # the 日時 section, whichever version
        return next(s["id"] for s in data["sections"] if "日時" in s["title"])

    def text_of(data):
        return json.dumps(data, ensure_ascii=False)

    before = client.get("/api/documents/bousai").get_json()
    old_mp3 = client.get(f"/api/documents/bousai/sections/{section_of(before)}.mp3").data
    newer = catalog.add(second, "notice.txt", doc_id="bousai")
    assert newer.state == "pending" and newer.served == entry.sha256
    # the new version is not served before it is built: same text, same audio
    assert client.get("/api/documents/bousai").get_json() == before
    assert client.get(f"/api/documents/bousai/sections/{section_of(before)}.mp3").data == old_mp3

    seen: list = []
    stop = threading.Event()
    reader = threading.Thread(target=_observe, args=(app.test_client(), "bousai", section_of, seen, stop))
    reader.start()
    try:
        lib.build_newest(newer, lib.voice(None))
        time_after = len(seen)
        import time

        deadline = time.monotonic() + 30
        while len(seen) < time_after + 3 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        reader.join(timeout=60)
    after = client.get("/api/documents/bousai").get_json()
    new_mp3 = client.get(f"/api/documents/bousai/sections/{section_of(after)}.mp3").data
    assert "11時" in text_of(after) and "正午" not in text_of(after) and new_mp3 != old_mp3
    import hashlib

    # NOTE: each request is one version or the other; a reader's two requests may straddle the switch (text of
    # the first, audio of the second), but never go back
    texts, sounds = [text_of(before), text_of(after)], [hashlib.sha256(old_mp3).hexdigest(),
                                                        hashlib.sha256(new_mp3).hexdigest()]
    assert seen and all(text in texts and sound in sounds for text, sound in seen), "a response mixed versions"
    for order in ([texts.index(text) for text, _ in seen], [sounds.index(sound) for _, sound in seen]):
        assert order == sorted(order) and order[-1] == 1, "served the new version, then the old again"
    state = catalog.entry("bousai")
    assert state.state == "ready" and state.served == newer.sha256 and state.previous == entry.sha256


@pytest.mark.slow
def test_a_version_that_fails_is_recorded_and_listeners_keep_the_last_good_one(tmp_path):
    from service.library.catalog import Catalog
    from service.products.layout import Layout
    from tests.web_fixtures import make_app

    app = make_app(tmp_path)
    lib = app.extensions["yomiage"]
    client = app.test_client()
    catalog = Catalog(tmp_path)
    entry = catalog.add((DATA / "notice.txt").read_bytes(), "notice.txt", doc_id="bousai")
    lib.build_newest(entry, lib.voice(None))
    newer = catalog.add((DATA / "newsletter.txt").read_bytes(), "newsletter.txt", doc_id="bousai")

    # a real fault: where the new version's products go, something else is in the way (a file, not a folder)
    blocker = Layout(tmp_path).version_folder("bousai", newer.sha256)
    blocker.write_text("not ours")
    with pytest.raises(OSError):
        lib.build_newest(newer, lib.voice(None))
    state = catalog.entry("bousai")
    assert state.state == "failed" and "Error" in state.error and state.served == entry.sha256
    assert blocker.read_text() == "not ours"
    listed = next(d for d in client.get("/api/documents").get_json() if d["id"] == "bousai")
    assert listed["title"] == "令和7年度防災訓練のお知らせ"  # still the version that works
    assert listed["library"]["state"] == "failed" and listed["library"]["error"] == state.error
    assert "失敗: " in yomiage("list", output=tmp_path).stdout


def test_old_versions_products_are_removed_two_switches_later_and_only_ours(tmp_path):
    """Publishing keeps one earlier version's products (requests under way) and removes the one before it; a file
    yomiage did not write in that folder is left alone, and so is its folder."""
    from service.library.catalog import Catalog
    from service.products.layout import Layout

    catalog = Catalog(tmp_path)
    layout = Layout(tmp_path)
    shas = []
    for n in range(3):
        data = (DATA / "notice.txt").read_bytes() + f"\n追記{n}。\n".encode()
        entry = catalog.add(data, "notice.txt", doc_id="bousai")
        folder = layout.version_folder("bousai", entry.sha256) / "mei"
        folder.mkdir(parents=True)
        for name in ("01-s1.mp3", "01-s1.json", "manifest.json", "full.mp3"):
            (folder / name).write_bytes(b"x")
        if n == 0:
            (folder / "notes-by-operator.txt").write_text("keep me")
        catalog.publish("bousai", entry.sha256, f"key{n}")
        shas.append(entry.sha256)
    first = layout.version_folder("bousai", shas[0]) / "mei"
    assert sorted(p.name for p in first.iterdir()) == ["notes-by-operator.txt"]
    assert (layout.version_folder("bousai", shas[1]) / "mei" / "01-s1.mp3").exists()
    assert (layout.version_folder("bousai", shas[2]) / "mei" / "manifest.json").exists()
    sources = sorted(p.name for p in (tmp_path / "library" / "bousai").iterdir())
    assert sources == sorted(["meta.json", f"{shas[2][:16]}.source"])


def test_a_pdf_added_is_read_once_by_the_process_that_then_serves_it(tmp_path, monkeypatch):
    """Adding reads the file (to refuse what is not a document); the service in the same process gets the same
    tree without reading a PDF again (a 100-page PDF takes seconds), with the title and source the library keeps."""
    from service.library.catalog import Catalog
    from simplify.sources import pdf
    from tests.web_fixtures import make_app

    read = []
    real = pdf.pdf_to_lines
    monkeypatch.setattr(pdf, "pdf_to_lines", lambda data, name, *rest: read.append(name) or real(data, name, *rest))
    data = (Path(__file__).parent / "data" / "corpus" / "kagaku-r6-ch1.pdf").read_bytes()
    client = make_app(tmp_path).test_client()
    Catalog(tmp_path).add(data, "ch1.pdf", doc_id="kagaku", title="科学技術白書 第1章", attribution="文部科学省")
    page = client.get("/d/kagaku/")
    assert page.status_code == 200 and "科学技術白書 第1章" in page.get_data(as_text=True)
    listed = next(d for d in client.get("/api/documents").get_json() if d["id"] == "kagaku")
    assert listed["title"] == "科学技術白書 第1章" and listed["attribution"] == "文部科学省"
    assert read == ["ch1.pdf"]


def test_a_long_new_document_is_listed_and_heard_before_its_whole_analysis(tmp_path, monkeypatch):
    """A document over LISTEN_FIRST_CHARS is served with its titles read while the whole analysis runs in the
    background (held here until the pages have been served); then the whole analysis takes its place."""
    import threading

    import importlib

    from service.library.catalog import Catalog
    from simplify.documents import annotate

    library_module = importlib.import_module("service.library.reading_room")
    from tests.web_fixtures import make_app

    release, started = threading.Event(), threading.Event()

    def held(document):
        if document.id == "bousai":
            started.set()
            assert release.wait(60)
        return annotate(document)

    monkeypatch.setattr(library_module, "annotate", held)
    app = make_app(tmp_path, LISTEN_FIRST_CHARS=0, AUTO_BUILD=False, EXTRA_DOCUMENTS=[])
    lib = app.extensions["yomiage"]
    client = app.test_client()
    Catalog(tmp_path).add((DATA / "notice.txt").read_bytes(), "notice.txt", doc_id="bousai")
    try:
        contents = client.get("/d/bousai/")
        assert contents.status_code == 200 and started.wait(30)
        served = lib.documents()["bousai"]
        assert all(s.title_reading is not None for s in served.walk() if s.title)  # the contents page's ruby
        assert not any(s.reading for sec in served.walk() for s in sec.sentences())  # the rest is not read yet
        first = next(s for s in served.walk() if any(True for _ in s.sentences()))
        page = client.get(f"/d/bousai/s/{first.id}")
        assert page.status_code == 200 and "<ruby>" in page.get_data(as_text=True)  # read as it is asked for
        stream = client.get(f"/api/documents/bousai/sections/{first.id}/stream")
        assert stream.status_code == 200 and len(stream.data) > 1000
    finally:
        release.set()
    lib.wait_annotated("bousai", 60)
    whole = lib.documents()["bousai"]
    assert all(s.reading is not None for sec in whole.walk() for s in sec.sentences())
    assert whole.glossary == annotate(Catalog(tmp_path).document(Catalog(tmp_path).entry("bousai"))).glossary


def test_a_local_build_reports_its_state_through_the_jobs_interface(tmp_path):
    from service.library.jobs import BuildState, LocalBuilds, builds_for
    from service.products.build import BuildOptions, track_plans
    from service.speech.voices import get_voice
    from simplify.documents import annotate, path_to_document

    document = annotate(path_to_document(DATA / "notice.txt"))
    options = BuildOptions(output=tmp_path, jobs=2)
    runner = builds_for("", None, options)
    assert isinstance(runner, LocalBuilds)  # no queue configured: builds run here
    states: list[BuildState] = []
    final = runner.run(document.id, None, get_voice("mei"), document=document, on_state=states.append)
    total = len(track_plans(document))
    assert final == BuildState("done", total, total)
    assert [s.done for s in states] == list(range(1, total + 1)) and {s.state for s in states} == {"running"}
    assert (tmp_path / document.id / "mei" / "manifest.json").is_file()


def test_a_preview_that_cannot_be_shown_leaves_the_upload_alone(tmp_path, monkeypatch):
    """A scan's first pages are shown while the rest is read; if showing them fails, the upload goes on (the whole
    document is still read, checked and served) and nothing half-made is listed."""
    from dataclasses import replace

    from service.library import reading_room as room
    from service.web.context import reading_room
    from simplify.documents import path_to_document
    from tests.web_fixtures import make_app

    app = make_app(tmp_path)
    with app.app_context():
        lib = reading_room(app)
    document = replace(path_to_document(Path(__file__).parent / "data" / "sample.txt"), id="pool")

    def broken(_document):
        raise RuntimeError("titles could not be read")

    monkeypatch.setattr(room, "annotate_titles", broken)
    lib.preview(document)
    assert "pool" not in lib.documents() and not lib.reading("pool")
    monkeypatch.undo()
    lib.preview(document)
    assert lib.reading("pool") and lib.documents()["pool"].title == document.title
    lib.end_preview("pool")
    assert "pool" not in lib.documents()
