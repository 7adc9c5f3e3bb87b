"""Benchmark: how soon a listener hears a freshly uploaded 100-page PDF.

An operator uploads a 100-page PDF (the corpus's two 科学技術・イノベーション白書 chapters, repeated; made here with
pypdfium2) through the real HTTP server (waitress on 127.0.0.1) with nothing else configured, to a running service:
one whose embedded default is built (its output folder is a copy of one built once at the start) and that has
finished its own start-up work (the default's analysis; its process idle). Uploading while a fresh service still
analyses its default measured that contention instead. The upload reads the PDF's first pages first and serves them
(the contents page lists their whole sections) while the rest is read.
From the moment the upload's 202 arrives, a listener polls the document and opens the first section's stream; the
clock stops at the stream's first MP3 bytes. The whole build goes on meanwhile on the same 2 cores.

Printed beside it, measured in the same run: reading that PDF in one process (the baseline) and with the pages
shared among readers, and annotating the document. Run: ``.venv/bin/python bench/first_audio.py`` (about 8 minutes:
the default's build, three rounds, and one round to the whole build).
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = ROOT / "tests" / "data" / "corpus"
TOKEN = "bench-operator-token"


def hundred_pages() -> bytes:
    import io

    import pypdfium2 as pdfium

    chapters = [pdfium.PdfDocument(str(CORPUS / name)) for name in ("kagaku-r6-ch1.pdf", "kagaku-r6-ch2.pdf")]
    out = pdfium.PdfDocument.new()
    while len(out) < 100:
        for chapter in chapters:
            if len(out) < 100:
                out.import_pages(chapter, list(range(min(len(chapter), 100 - len(out)))))
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def reading(data: bytes) -> dict:
    from simplify.documents import annotate
    from simplify.model import Source
    from simplify.sources import bytes_to_document
    from simplify.sources.pdf import DEFAULT_LIMITS, PdfLimits

    times = {}
    for label, readers in (("one reader", 1), ("shared", DEFAULT_LIMITS.readers)):
        start = time.perf_counter()
        document = bytes_to_document(data, "hundred.pdf", doc_id="hundred", source=Source(file="hundred.pdf"),
                                     pdf_limits=PdfLimits(readers=readers))
        times[label] = time.perf_counter() - start
    start = time.perf_counter()
    annotate(document)
    times["annotate"] = time.perf_counter() - start
    times["sections"] = sum(1 for _ in document.walk())
    return times


def _get(url: str, timeout: float = 60):
    return urllib.request.urlopen(url, timeout=timeout)


def built_default() -> Path:
    """An output folder with the embedded default built (``yomiage build``), copied for each round."""
    import os
    import subprocess

    out = Path(tempfile.mkdtemp(prefix="yomiage-first-default-"))
    subprocess.run([sys.executable, "-m", "service.cli", "build", "--output", str(out), "--quiet"], check=True,
                   cwd=ROOT, env={**os.environ, "YOMIAGE_CACHE_DIR": str(out / "lex")}, stderr=subprocess.DEVNULL)
    return out


def _settle(app, base: str) -> None:
    """Until the service has done its start-up work: the default's analysis finished and this process idle (under
    2 % of a core over half a second), at most a minute."""
    from service.web.context import reading_room
    from simplify.documents import DEFAULT_ID

    with _get(f"{base}/") as response:  # NOTE: a running service: it has served its home page before
        response.read()
    reading_room(app).wait_annotated(DEFAULT_ID, timeout=60)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        before = time.process_time()
        time.sleep(0.5)
        if time.process_time() - before < 0.01:
            return


def upload_to_first_audio(data: bytes, *, wait_for_build: bool, template: Path | None = None) -> dict:
    import shutil
    import threading

    import waitress

    from service.web import create_app

    out = Path(tempfile.mkdtemp(prefix="yomiage-first-"))
    if template is not None:
        shutil.copytree(template, out, dirs_exist_ok=True)
    app = create_app({"OUTPUT_DIR": str(out), "ADMIN_TOKEN": TOKEN, "EXTRA_DOCUMENTS": []})
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=8)
    # NOTE: never stopped: each round runs in a process of its own, which ends after it (with its build)
    threading.Thread(target=server.run, daemon=True).start()
    base = f"http://127.0.0.1:{server.effective_port}"
    _settle(app, base)
    body, kind = _form(data)
    request = urllib.request.Request(f"{base}/api/documents", data=body, method="POST",
                                     headers={"Content-Type": kind, "Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(request, timeout=120) as response:
        assert response.status == 202
    uploaded = time.perf_counter()
    while True:  # NOTE: as a listener would: the contents page, then its first section's link
        try:
            with _get(f"{base}/d/hundred/") as response:
                page = response.read().decode("utf-8")
            break
        except urllib.error.HTTPError as error:
            if error.code != 404:
                raise
            time.sleep(0.05)
    listed = time.perf_counter()
    first = re.search(r'href="/d/hundred/s/([^"?#]+)"', page)[1]
    with _get(f"{base}/api/documents/hundred/sections/{first}/stream") as stream:
        chunk = stream.read(1)
    heard = time.perf_counter()
    assert chunk
    state = "" if wait_for_build else "ready"
    while state not in ("ready", "failed"):
        time.sleep(1.0)
        with _get(f"{base}/api/documents") as response:
            state = next(d for d in json.loads(response.read()) if d["id"] == "hundred")["library"]["state"]
    return {"listed": listed - uploaded, "first_audio": heard - uploaded, "built": time.perf_counter() - uploaded,
            "section": first}


def _form(data: bytes) -> tuple[bytes, str]:
    """A multipart upload of ``data`` as hundred.pdf under the id ``hundred``."""
    boundary = "yomiage-bench-boundary"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="id"\r\n\r\nhundred\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="hundred.pdf"\r\n'
            f"Content-Type: application/pdf\r\n\r\n").encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def one_round(path: str, wait_for_build: bool, template: str) -> None:
    """One upload in a process of its own: prints its times as JSON, then ends the process (and the build)."""
    import os

    result = upload_to_first_audio(Path(path).read_bytes(), wait_for_build=wait_for_build, template=Path(template))
    print(json.dumps(result), flush=True)
    os._exit(0)


def _round(path: str, template: Path, *flags: str) -> dict:
    """One round in a process group of its own, ended whole afterwards: the round's process exits at its first
    audio, and the children it leaves (the background analysis's readers) must not take the next round's cores."""
    import os
    import signal
    import subprocess

    process = subprocess.Popen([sys.executable, __file__, "--round", path, str(template), *flags],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        out, _ = process.communicate(timeout=1200)
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    if process.returncode:
        raise SystemExit(f"a round failed ({process.returncode})")
    return json.loads(out.splitlines()[-1])


def main(rounds: int = 3) -> None:
    import os
    import shutil
    import statistics

    data = hundred_pages()
    times = reading(data)
    with tempfile.NamedTemporaryFile(suffix=".pdf", delete=False) as f:
        f.write(data)
    template = built_default()
    try:
        results = [_round(f.name, template) for _ in range(rounds)]
        whole = _round(f.name, template, "--whole")
    finally:
        os.unlink(f.name)
        shutil.rmtree(template, ignore_errors=True)
    median = {key: statistics.median(r[key] for r in results) for key in ("listed", "first_audio")}
    print(f"PDF: 100 pages, {len(data) / 1e6:.1f} MB, {times['sections']} sections, cores: {os.cpu_count()}")
    print(f"reading it, one reader (baseline): {times['one reader']:.1f} s")
    print(f"reading it, pages shared among readers: {times['shared']:.1f} s "
          f"({times['shared'] / times['one reader']:.2f}x the baseline)")
    print(f"annotating it (readings, glossary, readability): {times['annotate']:.1f} s")
    each = ", ".join(f"{r['first_audio']:.1f}" for r in results)
    print(f"upload finished -> contents page: {median['listed']:.1f} s; -> first audio of {results[0]['section']}: "
          f"{median['first_audio']:.1f} s (median of {rounds}: {each}; target 10 s)")
    print(f"upload finished -> whole document built (one more round): {whole['built']:.0f} s")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--round"]:
        one_round(sys.argv[2], wait_for_build="--whole" in sys.argv, template=sys.argv[3])
    else:
        main()
