"""Ruby levels and the renderers (HTML, text, kana)."""

from __future__ import annotations

import pytest

from simplify.errors import InputError
from simplify.reading import text_to_reading
from simplify.ruby import kanji_grade, parse_level, tokens_to_html, tokens_to_kana, tokens_to_text


def text(sentence: str, level: str) -> str:
    return tokens_to_text(text_to_reading(sentence).tokens, parse_level(level))


@pytest.mark.parametrize(
    "level, expected",
    [
        # 障害者 is one dictionary word: its ruby is one group, shown when any of its kanji needs it
        ("all", "障害者(しょうがいしゃ)の情報(じょうほう)を読(よ)み上(あ)げる"),
        ("grade:3", "障害者(しょうがいしゃ)の情報(じょうほう)を読み上げる"),  # 障 6, 情 5, 報 5; 読 上 ≤ 3
        ("grade:5", "障害者(しょうがいしゃ)の情報を読み上げる"),
        ("grade:6", "障害者の情報を読み上げる"),
        ("grade:7", "障害者の情報を読み上げる"),
        ("none", "障害者の情報を読み上げる"),
    ],
)
def test_levels(level, expected):
    assert text("障害者の情報を読み上げる", level) == expected


def test_grade_7_shows_only_kanji_outside_joyo():
    assert text("誹謗中傷と旗", "grade:7") == "誹謗(ひぼう)中傷と旗"  # 誹 謗 are not 常用; 中 傷 旗 are


def test_kanji_grades_come_from_the_2020_table():
    assert [kanji_grade(c) for c in "一字茨媛障謗"] == [1, 1, 4, 4, 6, 8]
    assert kanji_grade("傷") == 6 and kanji_grade("旗") == 4 and kanji_grade("誹") == 8


KANA = [
    # 文節 spacing, as textbooks write for learners: a compound noun is one phrase, particles join the word before
    ("情報通信白書を読み上げるPHRと生業（なりわい）", "じょうほうつうしんはくしょを よみあげる ピーエイチアールと なりわい"),
    # numbers in hiragana, with the voice's sound changes (いっかげつ, じゅっぷん)
    ("2021年に1か月に10分間の研修を行った。", "にせんにじゅういちねんに いっかげつに じゅっぷんかんの けんしゅうを おこなった。"),
    # a loanword stays one word in katakana; として is one compound particle
    ("取組として、フィルタリングを行った。", "とりくみとして、フィルタリングを おこなった。"),
    ("障害のある方について、利用することができる。", "しょうがいの ある かたについて、りようする ことが できる。"),
]


@pytest.mark.parametrize("text, kana", KANA)
def test_kana_level_is_hiragana_spaced_by_phrase(text, kana):
    assert tokens_to_kana(text_to_reading(text).tokens) == kana


def test_kana_level_of_the_default_has_no_katakana_numbers(annotated_doc):
    import re

    for section in annotated_doc.walk():
        for sentence in section.sentences():
            kana = tokens_to_kana(sentence.reading.tokens)
            assert not re.search(r"[0-9０-９]", kana), kana
            numbers = [t for t in sentence.reading.tokens if t.pos_detail.startswith("数")]
            for token in numbers:
                assert not re.search(r"[ァ-ヶ]", token.reading), (token, sentence.text)


@pytest.mark.parametrize("level, shown, hidden", [
    ("jlpt:N5", {"豊", "総", "論", "重"}, set()),
    ("jlpt:N3", {"豊", "総", "務"}, {"重", "社", "会"}),
    ("jlpt:N1", {"鬱"}, {"豊", "論", "重"}),
])
def test_jlpt_levels_rub_only_kanji_beyond_the_level(level, shown, hidden):
    from simplify.ruby import kanji_jlpt, token_pairs

    level_ = parse_level(level)
    assert str(level_) == level
    tokens = text_to_reading("総務省は議論を重ねて、豊かな社会の実現を目指し、憂鬱な気分を減らす。").tokens
    rubbed = {c for t in tokens for text, rt in token_pairs(t, level_) if rt for c in text}
    assert shown <= rubbed and not (hidden & rubbed), rubbed
    assert kanji_jlpt("日") == 5 and kanji_jlpt("豊") == 2 and kanji_jlpt("鬱") == 0


@pytest.mark.parametrize("bad", ["grade:0", "grade:8", "grade:x", "some", "", "grade:"])
def test_bad_levels_are_input_errors(bad):
    with pytest.raises(InputError) as info:
        parse_level(bad)
    assert info.value.code == "bad_level"


def test_html_escapes_everything_and_hides_rt_from_screen_readers():
    html = tokens_to_html(text_to_reading("<script>alert('読')</script>&amp;").tokens, parse_level("all"))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&amp;amp;" in html
    assert '<ruby>読<rp aria-hidden="true">(</rp><rt aria-hidden="true">' in html
    kana = tokens_to_html(text_to_reading("<b>").tokens, parse_level("kana"))
    assert "<b>" not in kana
