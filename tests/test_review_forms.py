"""The review report lists how every range, time, address, e-mail address, fee, counted law and place name of a
document will be said, so an operator can check a notice before publishing it (issue: everyday notices)."""

from __future__ import annotations

import json
import subprocess
import sys

from simplify.model import Source
from simplify.review import spoken_forms_report
from simplify.sources import bytes_to_document

NOTICE = """石川県志賀町 防災訓練のお知らせ

日時：9月1日 9:00～12:00
会場：志賀町役場（志賀町末吉千古1-1）
参加費：300
申込み：bousai@town.example.jp
志賀町では、毎年この訓練を行っています。
"""


def _document():
    return bytes_to_document(NOTICE.encode(), "n.txt", doc_id="n", source=Source(file="n.txt"))


def test_every_form_said_otherwise_than_printed_is_listed_once_with_its_count():
    report = {(f.printed, f.kind): f for f in spoken_forms_report(_document())}
    assert report[("9:00～12:00", "range")].spoken == "9時から12時"
    assert report[("300", "fee")].spoken == "300円"
    assert report[("1-1", "address")].spoken == "1の1"
    assert "アットマーク" in report[("bousai@town.example.jp", "email")].spoken
    place = report[("志賀町", "place")]
    assert place.spoken == "シカマチ" and place.count == 4  # the title, the venue, the address, the last sentence
    assert place.contexts and all("志賀町" in c for c in place.contexts)


def test_the_cli_review_prints_the_forms_and_gives_them_as_json(tmp_path):
    path = tmp_path / "notice.txt"
    path.write_text(NOTICE, encoding="utf-8")
    run = lambda *a: subprocess.run([sys.executable, "-m", "service.cli", "review", str(path), *a],
                                    capture_output=True, text=True, timeout=300)
    shown = run()
    assert shown.returncode == 0, shown.stderr
    assert "9:00～12:00 → 9時から12時" in shown.stdout and "志賀町 → シカマチ" in shown.stdout
    data = json.loads(run("--json").stdout)
    assert any(f["printed"] == "300" and f["spoken"] == "300円" and f["kind"] == "fee" and f["count"] == 1
               for f in data["spoken_forms"])
