"""Raw PDF-extracted text through ``simplify.sources.wrapped`` and the one structure model.

The default's golden tree is in test_default_golden.py; these are the general rules, each with a counter-example."""

from __future__ import annotations

import pytest

from simplify.model import Source
from simplify.sources import bytes_to_document
from simplify.sources.wrapped import looks_wrapped, wrapped_to_lines
from simplify.structure import Line, lines_to_document
from tests.invariants import assert_nothing_lost

# Wrapped at a measure of ~18 full-width characters, as a PDF extractor gives a white paper's column.
BODY = (
    "総務省では、地域の課題解決に向けて様々な\n"
    "施策を推進しており、その成果は全国の自治\n"
    "体に広がっている。今後も関係機関と連携し\n"
    "ながら取組を進めていく。\n"
)


def parse(text: str):
    return lines_to_document(wrapped_to_lines(text), doc_id="t", source=Source(file="t.txt"))


def first(section):
    return next(section.sentences())


def tree(document) -> list[tuple[str, int, str, str]]:
    return [(s.id, s.level, s.label, s.title) for s in document.walk()]


def test_a_numbered_line_that_goes_on_with_an_unfinished_sentence_is_body():
    text = ("第1節 防災\n 1 概要\n主要な通信網として、①政府と都道府県を結ぶ中央防災無線、\n"
            "②消防庁と都道府県を結ぶ消防防災無\n線などが構築されている。\n" + BODY)
    document = parse(text)
    assert tree(document) == [("s1", 1, "第1節", "防災"), ("s1-1", 2, "1", "概要")]
    assert first(document.section("s1-1")).text == "主要な通信網として、①政府と都道府県を結ぶ中央防災無線、②消防庁と都道府県を結ぶ消防防災無線などが構築されている。"
    assert_nothing_lost(text, document)


def test_a_numbered_heading_after_a_finished_sentence_is_still_a_heading():
    text = "第1節 防災\n 1 概要\n" + BODY + " 2 今後の課題\n" + BODY
    assert [s.title for s in parse(text).walk()] == ["防災", "概要", "今後の課題"]


def test_a_running_foot_is_furniture_on_pages_below_100_and_a_repeated_heading_title_is_not():
    # NOTE: "12 令和6年版 情報通信白書" reads as heading 12 by its look; its rest comes again with another number
    text = ("第1節 防災\n 1 概要\n" + BODY + "12 令和6年版　情報通信白書\n" + BODY + " 2 概要\n" + BODY
            + "14 令和6年版　情報通信白書\n")
    document = parse(text)
    assert [s.title for s in document.walk()] == ["防災", "概要", "概要"]
    assert document.discarded == ("12 令和6年版　情報通信白書", "14 令和6年版　情報通信白書")
    assert_nothing_lost(text, document)


def test_parenthesised_numbers_are_headings_and_bullets_stay_body():
    text = ("第1節 研究\n（１）研究データの共有\n" + BODY + "● 地域の課題を解決する\n" + BODY
            + "（２）人材の育成\n" + BODY)
    document = parse(text)
    assert tree(document) == [("s1", 1, "第1節", "研究"), ("s1-1", 2, "（１）", "研究データの共有"),
                              ("s1-2", 2, "（２）", "人材の育成")]
    assert any(s.text.startswith("●地域の課題を解決する") for s in document.section("s1-1").sentences())


def test_a_note_printed_inside_a_paragraph_leaves_the_paragraph_whole():
    text = ("第1節 防災\n総務省は、情報銀行＊1の社会実装を推進してお\n＊1\t 個人のデータを預かり、本人の同意の下で\n"
            "\t第三者に提供する事業者。\nり、指針を取りまとめた。\n" + BODY)
    document = parse(text)
    section = document.section("s1")
    assert first(section).text == "総務省は、情報銀行の社会実装を推進しており、指針を取りまとめた。"
    assert [(f.number, f.text) for f in section.footnotes] == [(1, "個人のデータを預かり、本人の同意の下で第三者に提供する事業者。")]
    assert_nothing_lost(text, document)


def test_form_feeds_end_lines_and_control_characters_are_not_text():
    text = "第1節 防災\n" + BODY.replace("様々な\n", "様々な\x0c\n").replace("自治\n", "自\x07治\n")
    document = parse(text)
    assert "\x07" not in first(document.section("s1")).text
    assert "自治体" in first(document.section("s1")).text
    assert_nothing_lost(text, document)


@pytest.mark.parametrize("text, wrapped", [
    ("第1節 防災\n＊1\t 注の本文。\n", True),
    (BODY * 4, True),
    ("お知らせ\n\n今年も防災訓練を行います。\n\n日時は十月一日です。\n", False),
])
def test_wrapped_text_is_told_from_text_whose_lines_are_paragraphs(text, wrapped):
    assert looks_wrapped(text) is wrapped


def test_an_upload_of_wrapped_text_goes_through_the_wrapped_source():
    text = "第1節 防災\n 1 概要\n" + BODY * 3
    document = bytes_to_document(text.encode(), "t.txt", doc_id="t", source=Source(file="t.txt"))
    assert [s.title for s in document.walk()] == ["防災", "概要"]
    assert len(list(document.section("s1-1").sentences())) == 6


# -- the 項/目 rule of the structure model, for every source ------------------------------------------------------


def _notice(*lines: str):
    return lines_to_document([Line(text) for text in lines], doc_id="n", source=Source(file="n.txt"))


def test_a_numbered_heading_followed_by_its_own_1_opens_a_deeper_level():
    document = _notice("1 概要", "1 これまでの取組", "本文です。", "2 今後の課題", "本文です。",
                       "2 地域の活性化", "1 地域の課題", "本文です。")
    assert [(s.id, s.level, s.title) for s in document.walk()] == [
        ("s1", 1, "概要"), ("s1-1", 2, "これまでの取組"), ("s1-2", 2, "今後の課題"),
        ("s2", 1, "地域の活性化"), ("s2-1", 2, "地域の課題")]


def test_a_flat_numbered_list_stays_flat():
    document = _notice("1 日時", "十月一日です。", "2 場所", "市民会館です。", "3 持ち物", "筆記用具です。")
    assert [(s.id, s.level, s.title) for s in document.walk()] == [
        ("s1", 1, "日時"), ("s2", 1, "場所"), ("s3", 1, "持ち物")]


def test_headings_whose_titles_end_in_their_numbers_are_not_page_lines():
    # NOTE: " 10 節10" once split as page 10 + "節1" + 0, so that four headings shared one "rest" and were dropped
    text = "第1節 長い文書\n" + "".join(f" {i} 節{i}\n総務省では、デジタル化を推進している。第{i}の取組である。\n"
                                      for i in range(1, 13))
    document = parse(text)
    assert [s.title for s in document.walk()] == ["長い文書"] + [f"節{i}" for i in range(1, 13)]
    assert document.discarded == ()
