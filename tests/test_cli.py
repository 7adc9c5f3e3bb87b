"""The yomiage command as a user runs it: a real subprocess, stdout that parses, clear errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def yomiage(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args], capture_output=True, text=True, timeout=300, **kwargs
    )


def test_export_prints_only_json_with_the_contract_fields():
    result = yomiage("export", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)  # nothing else on stdout (no import warnings)
    assert data["id"] == "hakusho-r6-2-2-6"
    assert "総務省" in data["source"]["attribution"]
    section = data["sections"][0]
    assert set(section) >= {"id", "level", "label", "title", "blocks", "footnotes", "children"}
    sentence = section["children"][0]["children"][0]["blocks"][0]["sentences"][0]
    assert set(sentence) >= {"text", "notes"}
    assert sentence["notes"] == [{"mark": "＊1", "number": 1, "offset": sentence["notes"][0]["offset"]}]
    assert data["discarded"]


def test_export_to_file_writes_atomically(tmp_path):
    target = tmp_path / "out" / "doc.json"
    result = yomiage("export", "--output", str(target))
    assert result.returncode == 0, result.stderr
    assert json.loads(target.read_text(encoding="utf-8"))["id"] == "hakusho-r6-2-2-6"
    assert [p.name for p in target.parent.iterdir()] == ["doc.json"]


def test_outline_is_readable():
    result = yomiage("outline")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert "第6節　ICT利活用の推進" in lines[1]
    assert any(line.startswith("          （ア）　ローカル5Gの推進") for line in lines)


def test_user_file_in_cp932(tmp_path):
    path = tmp_path / "文書.txt"
    path.write_bytes("第1節 テスト\r\n 1 概要\r\n本文です。\r\n".encode("cp932"))
    result = yomiage("export", str(path))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["sections"][0]["children"][0]["blocks"][0]["sentences"][0]["text"] == "本文です。"


@pytest.mark.parametrize(
    "content, needle",
    [(None, "見つかりません"), (b"\x00\x01\x02", "NUL"), (b"\x81\xff\xfe\xfa\xfd", "文字コード")],
)
def test_bad_files_exit_2_with_a_message(tmp_path, content, needle):
    path = tmp_path / "bad.txt"
    if content is not None:
        path.write_bytes(content)
    result = yomiage("export", str(path))
    assert result.returncode == 2
    assert needle in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_export_carries_tokens_and_spoken_everywhere():
    data = json.loads(yomiage("export").stdout)

    def walk(sections):
        for section in sections:
            yield section
            yield from walk(section["children"])

    count = 0
    for section in walk(data["sections"]):
        assert "".join(t["surface"] for t in section["title_reading"]["tokens"]) == section["title"]
        for footnote in section["footnotes"]:
            assert "".join(t["surface"] for t in footnote["tokens"]) == footnote["text"]
            assert footnote["spoken"]
        for block in section["blocks"]:
            for sentence in block["sentences"]:
                assert "".join(t["surface"] for t in sentence["tokens"]) == sentence["text"]
                assert sentence["spoken"]
                count += 1
    assert count > 100
    first = next(t for s in walk(data["sections"]) for b in s["blocks"] for x in b["sentences"] for t in x["tokens"]
                 if t["surface"] == "推進")
    assert first["reading"] == "すいしん" and first["romaji"] == "suishin" and first["ruby"] == [["推進", "すいしん"]]


def test_furigana_command_formats():
    result = yomiage("furigana", "読み上げる", "--level", "grade:1")
    assert result.stdout.strip() == "読(よ)み上げる"
    data = json.loads(yomiage("furigana", "PHRを読み上げる", "--format", "json").stdout)
    assert data["spoken"] == "ピーエイチアールヲヨミアゲル"
    assert [t["surface"] for t in data["tokens"]] == ["PHR", "を", "読み上げる"]
    assert data["tokens"][2]["romaji"] == "yomiageru"
    assert "<rt" in yomiage("furigana", "読む", "--format", "html").stdout


def test_reading_command_prints_the_spoken_script():
    result = yomiage("reading", "Lアラートの活用")
    assert result.returncode == 0
    assert result.stdout.strip() == "エルアラートノカツヨー"


@pytest.mark.parametrize("args, needle", [(["furigana", "  "], "空"), (["furigana", "読む", "--level", "grade:9"], "段階")])
def test_furigana_errors(args, needle):
    result = yomiage(*args)
    assert result.returncode == 2
    assert needle in result.stderr


def test_build_with_an_unknown_voice_is_an_error_not_a_fallback(tmp_path):
    result = yomiage("build", "--voice", "nobody", "--output", str(tmp_path))
    assert result.returncode == 2
    assert "nobody" in result.stderr and "mei" in result.stderr
    assert not any(tmp_path.iterdir())


def test_build_rejects_unknown_formats(tmp_path):
    result = yomiage("build", "--formats", "mp3,flac", "--output", str(tmp_path))
    assert result.returncode == 2 and "形式" in result.stderr


def test_voices_command_lists_the_presets():
    result = yomiage("voices")
    assert result.returncode == 0
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    assert [line[0] for line in lines] == ["mei", "mei-low", "mei-slow", "natural-f", "natural-f-slow", "natural-m"]
    assert "mei_normal.htsvoice" in lines[0][2] and "kokoro jf_alpha" in lines[3][2]


def test_review_lists_disagreements_with_their_decision():
    result = yomiage("review", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["summary"]["disagreements"] > 0 and data["summary"].get("open", 0) == 0
    top = data["disagreements"][0]
    assert top["count"] >= data["disagreements"][-1]["count"] and top["contexts"] and top["decided"]
    text = yomiage("review", "--limit", "3")
    assert text.returncode == 0 and "確認済み" in text.stdout and "未確認 0" in text.stderr
