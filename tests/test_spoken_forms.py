"""Notices read as an announcer reads them: clock times and ranges (issue 20's first item)."""

from __future__ import annotations

from pathlib import Path

import pytest

from simplify.reading import text_to_reading
from simplify.spoken_forms import spoken_forms


@pytest.mark.parametrize("text, expected", [
    ("受付は9:00~17:30です。", "受付は9時から17時30分です。"),
    ("9時~11時30分に開きます。", "9時から11時30分に開きます。"),
    ("2022年2月5日〜2022年2月17日まで", "2022年2月5日から2022年2月17日まで"),
    ("10～15日に実施", "10日から15日に実施"),
    ("参加は3～5歳の方", "参加は3歳から5歳の方"),
    ("午前8:30から", "午前8時30分から"),
    ("13：00～16：00", "13時から16時"),
    ("9時－12時", "9時から12時"),
    ("300～500円", "300円から500円"),
    ("所在地：成田市大栄71-1", "所在地：成田市大栄71の1"),
    ("千代田区霞が関2-1-2", "千代田区霞が関2の1の2"),
    ("2022-02-18に公表", "2022年2月18日に公表"),
    ("午後1時30分~午後2時30分", "午後1時30分から午後2時30分"),  # the second time with its own 午後
    ("午前10時～午後3時", "午前10時から午後3時"),
    ("30㎝くらいの厚さ", "30センチメートルくらいの厚さ"),  # a unit set as one square character
    ("面積は30㎡、重さ5㎏まで", "面積は30平方メートル、重さ5キログラムまで"),
])
def test_times_and_ranges_are_said_as_an_announcer_says_them(text, expected):
    assert spoken_forms(text) == expected


@pytest.mark.parametrize("text", [
    "電話 03-1234-5678",  # a phone number is no range
    "所在地 71-1",  # nor an address
    "比率は1:2です。",  # nor a ratio
    "第1-1-1図",  # nor a figure number
    "〜について",  # a wave dash with nothing before it
    "ＡＩ～人工知能～",  # nor between words
    "25:00",  # nor an hour past 24
    "電話03-1234-5678",  # a phone number after a word starts with 0
    "〒123-4567",  # a postal code
    "TEL 1234-5678",
])
def test_what_is_not_a_time_or_a_range_is_left_alone(text):
    assert spoken_forms(text) == text


def test_the_voice_says_kara_and_ji_and_the_page_keeps_the_written_form():
    reading = text_to_reading("受付は9:00~17:30です。")
    assert "クジカラジューシチジサンジュップン" in reading.spoken.replace("、", "")
    assert "".join(t.surface for t in reading.tokens) == "受付は9:00~17:30です。"  # the page shows what is printed


@pytest.mark.parametrize("text, spelled", [
    ("連絡先 bousai@city.example.jp まで", "ビーオーユーエスエーアイ、アットマーク、シーアイティーワイ、ドット、イーエックスエーエムピーエルイー、ドット、ジェーピー"),
    ("soudan_2@example.go.jp", "エスオーユーディーエーエヌアンダーバーニー、アットマーク、イーエックスエーエムピーエルイー、ドット、ジーオー、ドット、ジェーピー"),
])
def test_an_email_address_is_spelled_so_a_listener_can_write_it_down(text, spelled):
    assert spelled in text_to_reading(text).spoken


@pytest.mark.parametrize("text", ["@mention だけ", "メールは a@b まで", "x@y.z"])
def test_what_is_not_an_email_address_is_not_spelled(text):
    assert "アットマーク" not in text_to_reading(text).spoken


@pytest.mark.parametrize("text, expected", [
    ("参加費：300", "参加費：300円"),
    ("参加費は1,000です。", "参加費は1,000円です。"),
    ("利用料 500（中学生以下 無料）", "利用料 500円（中学生以下 無料）"),
    ("担い手3法が成立した", "担い手さんぽうが成立した"),
    ("関連6法を改正", "関連ろっぽうを改正"),
    ("働き方改革関連8法", "働き方改革関連はっぽう"),
])
def test_an_amount_under_a_fee_label_is_said_in_yen_and_laws_are_counted_with_rendaku(text, expected):
    assert spoken_forms(text) == expected


@pytest.mark.parametrize("text", [
    "参加費は無料です。",  # no amount
    "参加費 300円",  # the unit is printed
    "利用料 3割",  # a share, not an amount
    "料金 2回目から",  # a count
    "3法人が参加",  # corporations, not laws
    "2法案を提出",  # bills
    "第3法",  # an ordinal
    "4法",  # no rendaku: OpenJTalk's よんほう is right
])
def test_fees_and_law_counts_leave_other_numbers_alone(text):
    assert spoken_forms(text) == text


def test_the_voice_and_the_ruby_say_sanpou_and_the_fee_in_yen():
    reading = text_to_reading("担い手3法の参加費は300です。")
    assert "サンポー" in reading.spoken and "サンビャクエン" in reading.spoken
    ruby = {t.surface: t.reading for t in reading.tokens}
    assert ruby.get("3法") == "さんぽう"


@pytest.mark.parametrize("text, spelled", [
    ("詳しくは https://www.city.example.jp/ をご覧ください。",
     "ダブリューダブリューダブリュー、ドット、シーアイティーワイ、ドット、イーエックスエーエムピーエルイー、ドット、ジェーピー"),
    ("申込みは https://example.jp/kyushoku から",
     "イーエックスエーエムピーエルイー、ドット、ジェーピー、スラッシュ、ケーワイユーエスエイチオーケーユー"),
])
def test_a_short_address_a_notice_gives_is_spelled_without_its_scheme(text, spelled):
    spoken = text_to_reading(text).spoken
    assert spelled in spoken and "エイチティーティーピー" not in spoken


@pytest.mark.parametrize("text", [
    "出典：https://www.soumu.go.jp/main_content/000499625.pdf",  # a reference: long, said リンク
    "https://example.jp/search?q=%E3%81%82",  # short but not spellable: リンク
])
def test_a_long_or_unspellable_address_is_said_link(text):
    spoken = text_to_reading(text).spoken
    assert "リンク" in spoken and "スラッシュ" not in spoken


def test_a_voice_set_to_say_half_hours_says_han_and_the_page_keeps_what_is_printed():
    """17:30 is ジューシチジサンジュップン by default and ジューシチジハン for a voice whose preset says ``clock = "half"``
    (an announcer's choice); the printed 17:30 carries no ruby, so the page is the same for both."""
    from dataclasses import replace

    from service.speech.utterances import section_to_utterances
    from service.speech.voices import get_voice
    from simplify.model import Source
    from simplify.reading import document_with_readings
    from simplify.sources import bytes_to_document

    text = "窓口のご案内\n\n受付は9:00～17:30です。\n"
    document = document_with_readings(bytes_to_document(text.encode(), "n.txt", doc_id="n", source=Source(file="n.txt")))
    section = document.sections[0]
    minutes = get_voice("mei")
    half = replace(minutes, clock="half")

    def said(voice) -> str:
        utterances = section_to_utterances(section, voice)
        return "".join(r.spoken for u in utterances if u.kind == "sentence" for r in u.readings).replace("、", "")

    assert "ジュップン" in said(minutes) and "ハン" not in said(minutes)
    assert "ジハンデス" in said(half) and "クジカラ" in said(half)
    sentence = section.blocks[0].sentences[0]
    assert [t.reading for t in sentence.reading.tokens if t.surface == "17:30"] == [""]  # no ruby either way


def test_a_voice_preset_with_an_unknown_clock_setting_is_refused(tmp_path):
    import shutil

    from service.speech.voices import list_voices
    from simplify.errors import InputError

    voices = Path(__file__).resolve().parent.parent / "voices"
    for item in voices.iterdir():
        shutil.copy(item, tmp_path / item.name)
    (tmp_path / "odd.toml").write_text('id = "odd"\nname = "変"\nhtsvoice = "mei_normal.htsvoice"\nclock = "quarter"\n',
                                      encoding="utf-8")
    with pytest.raises(InputError, match="clock"):
        list_voices(tmp_path)


@pytest.mark.parametrize("text, said", [
    ("お問い合わせは市民課（内線214）まで。", "ナイセンニーイチヨン"),  # a number to dial: digit by digit, as a phone number
    ("内線：3057", "ナイセンサンゼロゴーナナ"),
    ("代表 0761-22-1111 内線 45", "ナイセンヨンゴー"),
    ("内線番号は102です。", "ナイセンバンゴーワイチゼロニー"),
])
def test_an_extension_number_is_said_digit_by_digit(text, said):
    assert said in text_to_reading(text).spoken.replace("、", "")


@pytest.mark.parametrize("text", ["内線工事は3日間です。", "内線の数は120本", "内線2本を増設"])
def test_what_is_not_an_extension_number_keeps_its_reading(text):
    assert spoken_forms(text) == text


@pytest.mark.parametrize("text, said", [
    ("会場は本庁舎3階301号室です。", "サンビャクイチゴーシツ"),  # a room number is a number, said as one
    ("１２０８号室へお越しください。", "センニヒャクハチゴーシツ"),
    ("国道246号線を通行止めにします。", "ニヒャクヨンジューロクゴーセン"),  # so is a route's
    ("死傷者は、合計、１、０００名となった。", "ゴーケー、センメー"),  # a thousands separator set as 、
    ("海抜２９、００２フィートです。", "ニマンキューセンニフィート"),
    ("利用者は12、500人を超えた。", "イチマンニセンゴヒャクニン"),
])
def test_room_and_route_numbers_and_thousands_set_with_a_comma_are_said_as_numbers(text, said):
    assert said in text_to_reading(text).spoken


@pytest.mark.parametrize("text", [
    "１、２年でマスターする。",  # two numbers, one and two years
    "７、１０、１６の平均は、１１である。",  # a list of numbers
    "第1、002号議案",  # not a thousands figure: an ordinal's list
    "5、100、200と続く。",
    "号室の番号を確認する。",
    "0120号室",  # a number with a leading zero is no count
])
def test_what_is_not_a_room_number_or_a_thousands_figure_is_left_alone(text):
    assert spoken_forms(text) == text


@pytest.mark.parametrize("text, said", [
    ("月・水・金に開館します。", "ゲツ、スイ、キンニ"),  # days of the week in a list are said as days
    ("火木金のシフトで出勤", "カモクキンノ"),
    ("毎週火・木曜日に開きます。", "カ、モクヨービ"),
    ("受付は月～金曜日です。", "ゲツカラキンヨービ"),
    ("月～金 9時～17時", "ゲツカラキン"),
    ("日・祝日は休みです。", "ニチ、シュクジツ"),
    ("土、日、月の午前10時から", "ド、ニチ、ゲツノ"),
    ("8月1日(月)～8月5日(金)に実施", "ゲツヨービカラハチガツイツカ"),  # a range of dates with their days
])
def test_days_of_the_week_in_a_list_are_said_as_days(text, said):
    assert said.replace("、", "") in text_to_reading(text).spoken.replace("、", "")


@pytest.mark.parametrize("text", [
    "月日が経つのは早い。",  # time (つきひ), not Monday and Sunday
    "毎月水曜日に集まる。",  # every month; one day
    "水木は休館",  # two characters side by side may be a name (水木): a list needs a mark or a third day
    "金曜日に出す。",
    "土木工事を行う。",
    "日本の金・銀・銅メダル",  # one of them is no day
])
def test_what_is_not_a_list_of_days_is_left_alone(text):
    assert spoken_forms(text) == text
