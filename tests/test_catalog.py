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
