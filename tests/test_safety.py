"""Never delete or overwrite what yomiage did not write; hostile requests get 4xx, never a 500 or a stuck slot."""

from __future__ import annotations

import json
import re
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from service.products.books import document_to_daisy, document_to_epub
from tests.builds import built
from service.products.build import BuildOptions
from service.store import OutputRefused
from service.speech.voices import get_voice
from simplify.documents import annotate, path_to_document
from simplify.errors import InputError
from simplify.ruby import parse_level

DATA = Path(__file__).parent / "data"


def yomiage(*args: str, env: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "service.cli", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def user_files(folder: Path) -> dict[str, bytes]:
    files = {"precious.txt": "大切なメモ".encode(), "thesis.docx": b"PK\x03\x04 not ours"}
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return files


def no_leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


# -- the data-loss bug: DAISY emptied its output folder ---------------------------------------------

def test_daisy_refuses_a_folder_with_the_users_files(tmp_path):
    files = user_files(tmp_path / "mine")
    result = yomiage("daisy", str(DATA / "sample.txt"), "--output", str(tmp_path / "mine"),
                     env={"YOMIAGE_OUTPUT_DIR": str(tmp_path / "out")})
    assert result.returncode == 2, result.stderr
    assert "yomiage が書いたものではない" in result.stderr and "Traceback" not in result.stderr
    assert {p.name: p.read_bytes() for p in (tmp_path / "mine").iterdir()} == files
    assert no_leftovers(tmp_path) == []


def test_daisy_refuses_an_existing_file(tmp_path):
    target = tmp_path / "book"
    target.write_text("not a folder", encoding="utf-8")
    result = yomiage("daisy", str(DATA / "sample.txt"), "--output", str(target),
                     env={"YOMIAGE_OUTPUT_DIR": str(tmp_path / "out")})
    assert result.returncode == 2 and "フォルダではありません" in result.stderr
    assert target.read_text(encoding="utf-8") == "not a folder"


@pytest.fixture(scope="module")
def book_inputs(tmp_path_factory):
    document = annotate(path_to_document(DATA / "sample.txt"))
    return document, get_voice("mei"), BuildOptions(output=tmp_path_factory.mktemp("safety-books"), jobs=2)


def test_daisy_fills_an_empty_folder_and_replaces_only_its_own_book(book_inputs, tmp_path):
    document, voice, options = book_inputs
    target = tmp_path / "book"
    target.mkdir()
    document_to_daisy(document, built(document, voice, options), target)
    first = sorted(p.name for p in target.iterdir())
    assert "ncc.html" in first and "001.mp3" in first
    document_to_daisy(document, built(document, voice, options), target)  # an earlier yomiage book: replaced in one step
    assert sorted(p.name for p in target.iterdir()) == first
    assert no_leftovers(tmp_path) == []
    (target / "notes.txt").write_text("私のメモ", encoding="utf-8")  # now the folder holds a user's file
    with pytest.raises(OutputRefused):
        document_to_daisy(document, built(document, voice, options), target)
    assert (target / "notes.txt").read_text(encoding="utf-8") == "私のメモ"
    assert sorted(p.name for p in target.iterdir()) == sorted(first + ["notes.txt"])


def test_daisy_killed_while_filling_leaves_the_target_as_it_was(book_inputs, tmp_path, monkeypatch):
    import service.products.books as books

    document, voice, options = book_inputs
    target = tmp_path / "book"
    document_to_daisy(document, built(document, voice, options), target)
    before = {p.name: p.read_bytes() for p in target.iterdir()}

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(books, "_daisy_content", broken)
    with pytest.raises(RuntimeError):
        document_to_daisy(document, built(document, voice, options), target)
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before
    assert no_leftovers(tmp_path) == []


def test_epub_refuses_a_folder_and_a_file_it_did_not_write(book_inputs, tmp_path):
    document, voice, options = book_inputs
    folder = tmp_path / "dir"
    folder.mkdir()
    with pytest.raises(OutputRefused, match="フォルダです"):
        document_to_epub(document, built(document, voice, options), folder)
    theirs = tmp_path / "theirs.epub"
    theirs.write_bytes(b"PK\x05\x06" + bytes(18))  # an empty ZIP: somebody else's file
    with pytest.raises(OutputRefused, match="上書きしません"):
        document_to_epub(document, built(document, voice, options), theirs)
    assert theirs.read_bytes() == b"PK\x05\x06" + bytes(18)
    ours = document_to_epub(document, built(document, voice, options), tmp_path / "ours.epub")
    document_to_epub(document, built(document, voice, options), ours, "grade:2")  # its own earlier book: replaced
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir", "ours.epub", "theirs.epub"]


def test_epub_cli_on_a_folder_is_a_clear_error(tmp_path):
    result = yomiage("epub", str(DATA / "sample.txt"), "--output", str(tmp_path),
                     env={"YOMIAGE_OUTPUT_DIR": str(tmp_path / "out")})
    assert result.returncode == 2 and "フォルダです" in result.stderr and "Traceback" not in result.stderr
    assert no_leftovers(tmp_path) == []


def test_export_overwrites_its_own_json_but_not_a_users_file(tmp_path):
    theirs = tmp_path / "data.json"
    theirs.write_text('{"mine": true}', encoding="utf-8")
    result = yomiage("export", "--no-readings", str(DATA / "sample.txt"), "--output", str(theirs))
    assert result.returncode == 2 and "上書きしません" in result.stderr
    assert theirs.read_text(encoding="utf-8") == '{"mine": true}'
    ours = tmp_path / "ours.json"
    for _ in range(2):
        result = yomiage("export", "--no-readings", str(DATA / "sample.txt"), "--output", str(ours))
        assert result.returncode == 0, result.stderr
    assert '"generator": "yomiage"' in ours.read_text(encoding="utf-8")


# -- inputs that are not documents ----------------------------------------------------------------------

@pytest.mark.parametrize("content", [b"", b"   \n\n\t\r\n", "\u3000\n".encode(), b"\xef\xbb\xbf\n"])
def test_an_empty_file_says_there_is_nothing_to_read(tmp_path, content):
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    out = tmp_path / "out"
    result = yomiage("build", str(path), "--output", str(out), "--quiet")
    assert result.returncode == 2 and "読み上げる文がありません" in result.stderr
    assert not out.exists() or not any(out.rglob("*.mp3"))


@pytest.mark.parametrize("target, needle", [(".", "フォルダです"), ("/dev/null", "通常のファイルではありません")])
def test_a_folder_or_a_device_is_named_for_what_it_is(target, needle):
    result = yomiage("outline", target)
    assert result.returncode == 2 and needle in result.stderr


def test_serve_on_a_busy_port_is_a_clear_error(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = yomiage("serve", "--port", str(port), env={"YOMIAGE_OUTPUT_DIR": str(tmp_path)}, timeout=60)
    assert result.returncode == 2 and str(port) in result.stderr
    assert "Traceback" not in result.stderr and "公開しています" not in result.stderr


@pytest.mark.slow
def test_serve_logs_one_line_per_request_and_links_to_its_own_address(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "YOMIAGE_OUTPUT_DIR": str(tmp_path)}
    log = tmp_path / "access.log"
    server = subprocess.Popen([sys.executable, "-m", "service.cli", "serve", "--port", str(port)], env=env,
                              stdout=log.open("w"), stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/", timeout=5).read()
                break
            except OSError:
                time.sleep(0.1)
        with urllib.request.urlopen(base + "/api/documents?x=%0A%22", timeout=10) as response:
            size = len(response.read())
        try:
            urllib.request.urlopen(base + "/d/nothing-here/", timeout=10)
        except urllib.error.HTTPError as error:
            assert error.code == 404
        # NOTE: a line is written when the server closes the response, just after the client has it
        for _ in range(100):
            if log.read_text(encoding="utf-8").count('"GET ') >= 3:
                break
            time.sleep(0.1)
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    out = log.read_text(encoding="utf-8")
    lines = [line for line in out.splitlines() if '"GET ' in line]
    assert len(lines) == 3, out
    assert re.fullmatch(r'127\.0\.0\.1 - - \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] '
                        r'"GET /api/documents\?x=%0A%22 HTTP/1\.1" 200 ' + str(size) + r' \d+\.\d{3}s', lines[1]), lines[1]
    assert '"GET /d/nothing-here/ HTTP/1.1" 404 ' in lines[2]
    assert "Traceback" not in err


# -- hostile requests -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["grade:²", "grade:٣", "grade:１", "grade:\udcff", "grade:"])
def test_ruby_levels_with_non_ascii_digits_are_input_errors(text):
    with pytest.raises(InputError):
        parse_level(text)


def test_a_hostile_ruby_level_is_a_400_and_a_hostile_cookie_is_ignored(client):
    response = client.post("/api/furigana", json={"text": "漢字", "level": "grade:²"})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_level"
    client.set_cookie("ruby", "grade:²")
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("field, value", [("level", "grade:\udcff"), ("voice", "mei\ud800"), ("text", "漢字\udfff")])
def test_a_lone_surrogate_is_a_400_with_a_json_error(client, field, value):
    body = {"text": "漢字", field: value}
    raw = json.dumps(body)  # ASCII escapes: \udcff arrives as a lone surrogate after parsing
    for url in ("/api/furigana", "/api/speech") if field != "voice" else ("/api/speech",):
        response = client.post(url, data=raw, content_type="application/json")
        assert response.status_code in (400, 404), (url, field, response.status_code)
        assert response.get_json()["error"]["message"]


def test_deeply_nested_json_under_the_body_limit_is_a_400(client):
    raw = '{"text": "漢字", "level": ' + "[" * 5_000 + "]" * 5_000 + "}"
    response = client.post("/api/furigana", data=raw, content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_json"


@pytest.mark.parametrize("path", ["/d/{id}/", "/api/documents/{id}", "/d/sample/s/{id}", "/api/documents/sample/sections/{id}"])
def test_echoed_ids_are_cut_and_cleaned(client, path):
    hostile = "x" * 10_000 + "\x00\x1b[31m"
    response = client.get(path.format(id=urllib.request.quote(hostile)))
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "\x00" not in body and "\x1b" not in body and "x" * 200 not in body
    assert "xxxxxxxx" in body  # the start is still shown, so the person can see what they asked for


def speak(base: str, text: str):
    request = urllib.request.Request(f"{base}/api/speech", data=json.dumps({"text": text}).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    return urllib.request.urlopen(request, timeout=120)


@pytest.mark.slow
def test_head_on_an_unbuilt_stream_never_holds_a_synthesis_slot(tmp_path):
    from tests.web_fixtures import make_app, serving

    app = make_app(tmp_path, MAX_SYNTH=1, SYNTH_WAIT=0.5)
    with serving(app) as base:
        url = f"{base}/api/documents/sample/sections/s1/stream"
        for _ in range(4):
            with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=30) as response:
                assert response.status == 200 and response.headers["Content-Type"] == "audio/mpeg"
        with speak(base, "こんにちは") as response:
            assert response.status == 200 and len(response.read()) > 1000
        # and a listener who hangs up after the first bytes gives the slot back too
        with urllib.request.urlopen(url, timeout=120) as response:
            assert len(response.read(4096)) == 4096
        for _ in range(20):
            try:
                with speak(base, "さようなら") as response:
                    assert response.status == 200
                    break
            except urllib.error.HTTPError as error:
                assert error.code == 503
        else:
            pytest.fail("the slot of a closed stream was never released")


@pytest.mark.parametrize("header", [
    0xFFEB9000,  # MPEG version bits 01: reserved
    0xFFFBF000,  # bitrate index 15: reserved
    0xFFFB9C00,  # sample-rate index 3: reserved
    0xFFFB0000,  # bitrate index 0 ("free format"): not ours
    0xFFFD9000,  # layer II
])
def test_mp3_frames_refuses_reserved_headers_with_valueerror(header):
    from service.speech.audio import mp3_frames

    with pytest.raises(ValueError):
        mp3_frames(header.to_bytes(4, "big") + bytes(400))


# -- shared state in a threaded server ------------------------------------------------------------------

def test_compiling_the_lexicon_never_silences_other_threads(tmp_path, capfd):
    """The dictionary compiler runs in a child whose output is kept; fd 1 of this process is never redirected."""
    import threading

    from simplify.lexicon import compile_dictionary, default_lexicon

    stop = threading.Event()
    written = []

    def chatter():
        n = 0
        while not stop.is_set():
            os.write(1, f"<{n}>".encode())
            written.append(n)
            n += 1
            stop.wait(0.001)

    thread = threading.Thread(target=chatter)
    thread.start()
    try:
        path = compile_dictionary(default_lexicon(), tmp_path)
    finally:
        stop.set()
        thread.join()
    assert path.stat().st_size > 0
    out = capfd.readouterr().out
    missing = [n for n in written if f"<{n}>" not in out]
    assert written and not missing, f"{len(missing)} of {len(written)} writes lost while compiling"
    assert "emitting" not in out and "reading" not in out.lower().replace("<", "")  # the compiler's own chatter


def test_the_producer_lock_map_does_not_grow_with_every_key(tmp_path):
    import threading

    from service import store

    before = len(store._locks)
    for n in range(500):
        with store.single_flight(f"key-{n}", tmp_path):
            pass

    def contend():
        for n in range(50):
            with store.single_flight(f"shared-{n % 3}", tmp_path):
                pass

    threads = [threading.Thread(target=contend) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(store._locks) == before


def test_two_requests_start_one_background_build(tmp_path, monkeypatch):
    """The "is a build running?" check and the start happen under one lock."""
    import threading
    import time

    import importlib

    from tests.web_fixtures import make_app

    library_module = importlib.import_module("service.library.reading_room")

    app = make_app(tmp_path)
    library = app.extensions["yomiage"]
    started = []
    release = threading.Event()

    def slow_build(self, document, voice):
        started.append(document.id)
        release.wait(10)

    monkeypatch.setattr(library_module.ReadingRoom, "_build_all", slow_build)
    real_built = library_module.ReadingRoom.built_manifest
    monkeypatch.setattr(library_module.ReadingRoom, "built_manifest",
                        lambda self, d, v: (time.sleep(0.05), real_built(self, d, v))[1])
    voice = library.voice(None)
    errors = []

    def ask():
        try:
            library.manifest("sample", voice)
        except library_module.Preparing as error:
            errors.append(error)

    askers = [threading.Thread(target=ask) for _ in range(8)]
    for t in askers:
        t.start()
    for t in askers:
        t.join()
    release.set()
    assert len(errors) == 8 and started == ["sample"]


# -- characters XML cannot carry --------------------------------------------------------------------------

CONTROLS = "".join(chr(c) for c in range(1, 32) if chr(c) not in "\t\n\r") + "\ufffe\uffff"


@pytest.mark.slow
def test_control_characters_never_reach_markup(tmp_path, client):
    """A document with every C0 control (and U+FFFE/U+FFFF) gives well-formed EPUB and DAISY files."""
    import zipfile
    from xml.etree import ElementTree

    text = f"第1節　お知らせ{CONTROLS[:5]}\n\n 1 概要\n\n説明会を開きます{CONTROLS}。場所は市役所です\x0bです。\n"
    source = tmp_path / "controls.txt"
    source.write_text(text, encoding="utf-8")
    document = annotate(path_to_document(source))
    assert not any(c in CONTROLS for s in document.walk() for x in s.sentences() for c in x.text)
    options = BuildOptions(output=tmp_path / "out", jobs=2)
    voice = get_voice("mei")
    epub = document_to_epub(document, built(document, voice, options), tmp_path / "c.epub", "all")
    with zipfile.ZipFile(epub) as book:
        for name in book.namelist():
            if name.endswith((".xhtml", ".opf", ".smil", ".xml")):
                ElementTree.fromstring(book.read(name))  # raises on a forbidden character
    ncc = document_to_daisy(document, built(document, voice, options), tmp_path / "daisy")
    for file in ncc.parent.iterdir():
        if file.suffix in (".html", ".smil"):
            body = file.read_text(encoding="utf-8")
            assert not any(c in CONTROLS for c in body), file.name
    response = client.post("/api/furigana", json={"text": f"漢字{CONTROLS}です"})
    assert response.status_code == 200
    data = response.get_json()
    assert not any(c in CONTROLS for c in data["html"] + data["text"])
