"""Notices read with the structure their authors gave them: the title is the notice's own heading (never a date,
a sender, a fiscal-year label alone or a 【】 note in the middle), banners and rules are furniture, and a headline
list that repeats below as sections is a list (issue: everyday notices read the way an announcer reads them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from simplify.model import Source
from simplify.sources import bytes_to_document
from tests.test_sources import outline_of

NOTICES = Path(__file__).parent / "data" / "notices"


def _read(text: str):
    return bytes_to_document(text.encode(), "notice.txt", doc_id="n", source=Source(file="notice.txt"))


def _said(document) -> str:
    return "\n".join(s.text for section in document.walk() for s in section.sentences())


def test_a_mail_magazine_banners_are_furniture_and_its_headline_list_is_a_list():
    document = bytes_to_document((NOTICES / "mail-magazine.txt").read_bytes(), "mail-magazine.txt", doc_id="m",
                                 source=Source(file="mail-magazine.txt"))
    assert document.title == "くらしの便り第457号"
    assert outline_of(document) == ["くらしの便り第457号", "今号の内容", "  ◆ ごみ収集日の変更", "  ◆ 市民プールの開放",
                                    "  ◆ 相談窓口のご案内"]
    contents = document.sections[0]
    said = _said(document)
    assert "━" not in said and "■□" not in said and "━" not in document.title
    assert all("━" in text or "■" in text for text in document.discarded)
    listed = [s.text for s in document.sections[1].sentences()]
    assert listed == ["ごみ収集日の変更", "市民プールの開放", "相談窓口のご案内"]  # read once as the contents, no empty sections
    assert "令和7年6月2日発行" in [s.text for s in contents.sentences()]  # the date stays, read after the title
    assert all(s.blocks or s.children for s in document.walk())


def test_a_notice_title_is_its_own_heading_not_its_date_sender_or_year_label():
    document = bytes_to_document((NOTICES / "card-counter.txt").read_bytes(), "card-counter.txt", doc_id="c",
                                 source=Source(file="card-counter.txt"))
    assert document.title == "令和7年度 マイナンバーカードの休日交付について"
    opening = document.sections[0]
    assert opening.title == document.title
    assert [s.text for s in opening.sentences()][:2] == ["令和7年5月20日", "みどり市長"]
    assert outline_of(document)[1:] == ["１． 日時", "２． 場所", "  留意事項", "３． 問い合わせ先"]


@pytest.mark.parametrize("text, title", [
    ("2025年6月2日\nみどり町 総務課\n\n町民運動会のご案内\n\n今年も運動会を開きます。", "町民運動会のご案内"),
    ("住民の皆様へ\n\n断水のお知らせ\n\n工事のため、水道が止まります。", "断水のお知らせ"),
    ("令和6年度\n\n固定資産税の納期について\n\n納期は次のとおりです。", "令和6年度 固定資産税の納期について"),
    # counter-examples: a title that holds a date or a year is a title; a first sentence is no title
    ("令和7年5月20日の説明会について\n\n説明会を開きます。", "令和7年5月20日の説明会について"),
    ("令和7年度の予算\n\n予算の概要です。", "令和7年度の予算"),
    ("2025年6月2日\n\n本日、窓口は混み合っています。お待ちください。", "2025年6月2日"),
])
def test_the_title_skips_dates_senders_and_joins_a_year_label(text, title):
    assert _read(text).title == title


@pytest.mark.parametrize("text, said, heading", [
    ("お知らせ\n\n＝＝＝＝＝＝＝＝＝＝\n本文です。\n－－－－－－－－\n", ["本文です。"], None),
    ("お知らせ\n\n★☆★☆★☆★☆\n本文です。\n", ["本文です。"], None),
    ("お知らせ\n\n◆◆ 特集 ◆◆\n本文です。\n", ["本文です。"], "特集"),
    ("お知らせ\n\n■□ 今週の予定 □■\n本文です。\n", ["本文です。"], "今週の予定"),
    # counter-examples: marks inside a sentence, and a line of words between dashes, are text
    ("お知らせ\n\n評価は★★★です。\n", ["評価は★★★です。"], None),
    ("お知らせ\n\n――そして春が来た――\n", ["――そして春が来た――"], None),
])
def test_rules_and_banners_are_never_read_and_framed_titles_are_headings(text, said, heading):
    document = _read(text)
    assert [s.text for s in document.walk() for s in s.sentences()] == said
    assert [s.title for s in document.walk()][1:] == ([heading] if heading else [])


def test_a_marker_run_that_does_not_repeat_below_stays_a_run_of_headings():
    document = _read("お知らせ\n\n◆受付時間\n平日の9時から17時です。\n◆場所\n市役所1階です。\n")
    assert [s.title for s in document.walk()][1:] == ["受付時間", "場所"]
    empty = _read("お知らせ\n\n◆受付時間\n◆場所\n\n本文です。\n")
    assert [s.title for s in empty.walk()][1:] == ["受付時間", "場所"]  # nothing repeats them: not a contents list


@pytest.mark.parametrize("name", sorted(p.name for p in NOTICES.glob("*.txt")))
def test_every_word_of_the_notices_is_shown_as_it_is_said(name):
    """Ruby = voice on the notice fixtures, with their place names: each token's ruby is the kana the voice says."""
    from simplify.reading import document_with_readings, same_sound

    document = document_with_readings(bytes_to_document((NOTICES / name).read_bytes(), name, doc_id="n",
                                                        source=Source(file=name)))
    particles = {("は", "ワ"), ("へ", "エ"), ("を", "オ")}
    wrong = []
    for section in document.walk():
        for sentence in [*section.sentences(), *section.footnotes]:
            for token in sentence.reading.tokens:
                if not token.reading or not token.pron or token.source in ("printed", "silent"):
                    continue
                kana = "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in token.reading)
                if not same_sound(kana, token.pron) and (token.reading, token.pron) not in particles:
                    wrong.append((token.surface, token.reading, token.pron))
    assert wrong == []


def test_a_notice_with_every_kind_of_form_is_said_as_an_announcer_says_it():
    from simplify.reading import document_with_readings

    document = document_with_readings(bytes_to_document((NOTICES / "event.txt").read_bytes(), "event.txt",
                                                        doc_id="e", source=Source(file="event.txt")))
    assert document.title == "ごみ分別説明会のご案内"
    said = "".join(s.reading.spoken for section in document.walk() for s in section.sentences()).replace("、", "")
    for expected in ("シカマチ", "ブンベツ", "キボースルカタ", "ニセンニジューゴネンシチガツイツカ", "クジカラジューイチジサンジュップン",
                     "ドニチ", "トーカカラジューゴニチ", "スエヨシイチノイチ", "サンビャクエン", "アットマーク", "スラッシュ",
                     "サンポー"):
        assert expected in said, expected
