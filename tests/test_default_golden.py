"""Golden tests on the default document: heading tree, footnotes, broken sentences, furniture."""

from __future__ import annotations

import re

import pytest

from simplify.sentences import normalize_spaces, split_sentences
from tests.invariants import assert_nothing_lost

TREE = [
    ("s6", 1, "第6節", "ICT利活用の推進"),
    ("s6-1", 2, "1", "概要"),
    ("s6-1-1", 3, "1", "これまでの取組"),
    ("s6-1-2", 3, "2", "今後の課題と方向性"),
    ("s6-2", 2, "2", "地域社会・経済の活性化に資するDX化の推進"),
    ("s6-2-1", 3, "1", "活力ある地域社会の実現に向けた検討"),
    ("s6-2-1-a", 4, "ア", "地域のデジタル基盤を活用した課題解決"),
    ("s6-2-1-a-a", 5, "（ア）", "ローカル5Gの推進"),
    ("s6-2-1-a-i", 5, "（イ）", "地域のデジタル基盤を活用した先進的なデジタル技術の実装"),
    ("s6-2-1-a-u", 5, "（ウ）", "スマートシティの推進"),
    ("s6-2-1-a-e", 5, "（エ）", "情報銀行の社会実装"),
    ("s6-2-1-i", 4, "イ", "地域社会のDXを支える人材確保・育成"),
    ("s6-2-1-i-a", 5, "（ア）", "外部人材確保支援事業"),
    ("s6-2-1-i-i", 5, "（イ）", "地域情報化アドバイザー派遣制度"),
    ("s6-2-2", 3, "2", "ICTスタートアップの発掘・育成"),
    ("s6-2-3", 3, "3", "テレワークの推進"),
    ("s6-2-3-a", 4, "ア", "テレワークの概要"),
    ("s6-2-3-i", 4, "イ", "テレワーク普及に対する支援"),
    ("s6-3", 2, "3", "デジタル空間の進展に伴う新たな課題の解決に向けた対応"),
    ("s6-3-1", 3, "1", "AIの普及促進とリスクへの対応"),
    ("s6-3-2", 3, "2", "メタバース等の利活用に関する課題整理"),
    ("s6-3-3", 3, "3", "インターネット上の偽・誤情報に対する総合的な対策の推進"),
    ("s6-3-3-a", 4, "ア", "令和6年能登半島地震への対応"),
    ("s6-3-3-i", 4, "イ", "デジタル空間における情報流通の健全性確保の在り方に関する検討"),
    ("s6-3-3-u", 4, "ウ", "国際連携の推進"),
    ("s6-4", 2, "4", "日本社会全体の活性化等に向けたデータ流通社会の実現"),
    ("s6-4-1", 3, "1", "防災情報システムの整備"),
    ("s6-4-1-a", 4, "ア", "災害に強い消防防災通信ネットワークの整備"),
    ("s6-4-1-i", 4, "イ", "災害対策用移動通信機器の配備"),
    ("s6-4-1-u", 4, "ウ", "災害時の非常用通信手段の確保"),
    ("s6-4-1-e", 4, "エ", "全国瞬時警報システム（Jアラート）の安定的な運用"),
    ("s6-4-1-o", 4, "オ", "Lアラートの活用の推進"),
    ("s6-4-2", 3, "2", "医療分野におけるICT利活用の推進"),
    ("s6-4-3", 3, "3", "教育分野におけるICT利活用の推進"),
    ("s6-4-4", 3, "4", "キャッシュレス決済の推進"),
    ("s6-4-5", 3, "5", "安全で信頼性のあるクラウドサービスの導入促進"),
    ("s6-5", 2, "5", "安全・安心な情報の利用環境の整備"),
    ("s6-5-1", 3, "1", "高齢者等のデジタル活用に対する支援向上"),
    ("s6-5-2", 3, "2", "幅広い世代を対象としたICT活用のためのリテラシー向上推進"),
    ("s6-5-3", 3, "3", "青少年のインターネット利用環境の整備"),
    ("s6-5-4", 3, "4", "情報バリアフリーに向けた研究開発への支援"),
    ("s6-5-5", 3, "5", "情報のアクセシビリティの向上"),
    ("s6-5-6", 3, "6", "公共インフラとしての電話リレーサービスの提供"),
]


def test_heading_tree_has_every_level_with_stable_ids(default_doc):
    got = [(s.id, s.level, s.label, s.title) for s in default_doc.walk()]
    assert got == TREE
    ids = [s.id for s in default_doc.walk()]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][a-z0-9-]*", i) for i in ids)


def test_tree_nesting_follows_levels(default_doc):
    def check(section):
        for child in section.children:
            assert child.level > section.level
            check(child)

    for root in default_doc.sections:
        assert root.level == 1
        check(root)
    kou = [s.id for s in default_doc.sections[0].children]
    assert kou == ["s6-1", "s6-2", "s6-3", "s6-4", "s6-5"]


FOOTNOTES = {
    1: ("s6-1-1", "同法は、デジタル社会形成基本法（令和3年法律第35号）により廃止された。", 0),
    2: ("s6-2-1", "活力ある地域社会の実現に向けた情報通信基盤と利活用の在り方に関する懇談会", 1),
    3: ("s6-2-1-a-u", "スマートシティリファレンスアーキテクチャ（ホワイトペーパー）", 3),
    4: ("s6-2-3-a", "「第八回・テレワークに関する調査／就業時マスク調査」（パーソル総合研究所）", 1),
    5: ("s6-3-1", "G7における議論については、第Ⅱ部第2章第8節「ICT国際戦略の推進」も参照。", 0),
    6: ("s6-3-1", "国際的な議論のためのAI開発ガイドライン", 1),
    7: ("s6-3-1", "AI利活用ガイドライン", 1),
    8: ("s6-3-1", "AI原則実践のためのガバナンス・ガイドラインVer.1.1", 1),
    9: ("s6-3-2", "「Web3時代に向けたメタバース等の利活用に関する研究会」の開催（報道資料）", 1),
    10: ("s6-3-2", "https://www.soumu.go.jp/main_content/000892205.pdf", 1),
    11: ("s6-3-2", "「安心・安全なメタバースの実現に関する研究会」の開催（報道資料）", 1),
    12: ("s6-3-3-a", "「被災者の生活と生業（なりわい）支援のためのパッケージ」", 1),
    13: ("s6-3-3-i", "「デジタル空間における情報流通の健全性確保の在り方に関する検討会」の開催", 2),
    14: ("s6-4-2", "Personal Health Recordの略語。", 0),
    15: ("s6-5-2", "「ICT活用のためのリテラシー向上に関する検討会」", 1),
    16: ("s6-5-3", "保護者がこどものライフサイクルを見通して", 0),
    17: ("s6-5-3", "上手にネットと付き合おう！～安心・安全なインターネット利用ガイド～", 1),
    18: ("s6-5-3", "第Ⅱ部第2章第2節参照", 0),
    19: ("s6-5-3", "https://www.soumu.go.jp/use_the_internet_wisely/special/ilas/", 1),
}


def test_all_nineteen_footnotes_attach_where_their_marker_is(default_doc):
    found = {f.number: (s.id, f) for s in default_doc.walk() for f in s.footnotes}
    assert sorted(found) == list(range(1, 20))
    for number, (section_id, start, n_urls) in FOOTNOTES.items():
        where, footnote = found[number]
        assert where == section_id, number
        assert footnote.mark == f"＊{number}"
        assert footnote.text.startswith(start), (number, footnote.text)
        assert len(footnote.urls) == n_urls, (number, footnote.urls)
        assert all(u in footnote.text for u in footnote.urls)


def test_multiline_footnotes_are_whole(default_doc):
    notes = {f.number: f.text for s in default_doc.walk() for f in s.footnotes}
    assert notes[14].endswith("自身の健康増進等に活用することが期待される。")
    assert "検査結果等診療関連情報" in notes[14]  # a line wrapped inside a word
    assert "こどもの情報発信を契機とするトラブル防止" in notes[16]  # across a blank line
    assert notes[16].endswith("（こども大綱（令和5年12月22日閣議決定）P50）")
    assert notes[3].count("https://") == 3


def test_markers_are_removed_and_kept_as_references(default_doc):
    refs = {}
    for section in default_doc.walk():
        for sentence in section.sentences():
            assert "＊" not in sentence.text
            for note in sentence.notes:
                refs[note.number] = (sentence, note)
    assert sorted(refs) == list(range(1, 20))
    sentence, note = refs[14]
    assert sentence.text[note.offset - 3 : note.offset] == "PHR"
    assert sentence.text[note.offset :].startswith("データの活用")
    sentence, note = refs[16]
    assert sentence.text[: note.offset].endswith("ペアレンタルコントロール")  # the marker was after a wrap
    adjacent = [n.number for n in refs[6][0].notes]
    assert adjacent == [6, 7, 8]
    assert len({n.offset for n in refs[6][0].notes}) == 1


BROKEN = [
    # across a page: footnote ＊2 and its URL printed in between
    "本事業では、①デジタル技術の導入計画の策定支援、②先進的なソリューションの実用化支援（実証事業）、③地域"
    "のデジタル基盤の整備支援（補助事業）を通じて、地方公共団体等によるデジタル技術を活用した地域課題解決の取組を総合的に支援している。",
    # across a page: footnote ＊3 with three URLs in between
    "また、同スキル標準に基づき、一定のスキルや経験を有する民間等の人材を公募し、",
    # across a page: footnote ＊4
    "今後日本が目指していくべきテレワークの在り方について、専門家の意見を聞きながら検討を行った。",
    # across a page: footnotes ＊12, ＊13, and justification spaces in 開 催 さ れ た
    "この宣言を受け、G7議長国の日本政府として総務省にてEPaDを取りまとめ、IGF京都2023のDay0に開催されたセッション"
    "「Sharing “Existing Practices against Disinformation（EPaD）”」（総務省主催）においてEPaDが公表され、",
    # across a page with running heads, page numbers, the side tab and job lines in between
    "「SNS等の誹謗中傷」、「インターネット上の海賊版対策」、「偽・誤情報」といった「旬」のトピックも特集として掲載し、",
    # across a page: footnotes ＊18, ＊19
    "聴覚障害者等（聴覚、言語機能又は音声機能の障害のため、音声言語による意思疎通を図ることに支障がある者）による手話・文字を通訳し、",
    # across blank lines inside a paragraph
    "我が国は、少子高齢化による労働人口の減少や国内市場も縮小が見込まれるなど、厳しい経済環境である。",
    "「デジタル田園都市国家構想」の実現に向け、地域のニーズに応じたデジタル技術を住民がその利便性を実感できる形で",
    "2024年（令和6年）3月にメタバースの原則（1次案）を示しており、同年夏頃を目処に報告書の公表を予定している。",
    "主に「遠隔医療の普及」と「PHRデータの活用」を推進している。",
    "具体的には、国立研究開発法人日本医療研究開発機構（AMED：Japan Agency for Medical Research and Development）による研究事業として、",
    "その後、主に飲食、小売、理美容、タクシーなどJPQRと親和性の高い業界や、",
    "2023年（令和5年）6月には、同検討会や同ワーキンググループにおける検討の結果を踏まえ、「ICT活用のためのリテラシー向上に関するロードマップ」をとりまとめ、公表した。",
]


@pytest.mark.parametrize("fragment", BROKEN)
def test_sentences_broken_by_the_pdf_come_out_whole(default_doc, fragment):
    sentences = [s.text for sec in default_doc.walk() for s in sec.sentences()]
    assert any(fragment in s for s in sentences), fragment


def test_no_furniture_left_in_any_text(default_doc):
    texts = [s.title for s in default_doc.walk()]
    texts += [x.text for s in default_doc.walk() for x in s.sentences()]
    texts += [f.text for s in default_doc.walk() for f in s.footnotes]
    for text in texts:
        assert ".indd" not in text
        assert "情報通信白書" not in text
        assert "2024/06/21" not in text
        assert "総務省における ICT政策の取組状況" not in text
        assert not re.search(r"\s{2,}", text)
    assert "総" not in [x.text for s in default_doc.walk() for x in s.sentences()]


def test_discarded_is_exactly_the_page_furniture(default_doc):
    kinds = {
        "running head": lambda d: "利活用の推進" in d and "第6節" in d or d == "総務省における ICT政策の取組状況",
        "running foot": lambda d: "情報通信白書" in d,
        "side tab": lambda d: d in ("第", "2", "章", "総"),
        "job line": lambda d: ".indd" in d,
    }
    for item in default_doc.discarded:
        assert any(test(item) for test in kinds.values()), item
    assert len(default_doc.discarded) == 2 * (1 + 1 + 3 + 17 + 1) + 1


def test_figure_caption_and_reference(default_doc):
    section = default_doc.section("s6-5-6")
    figure = section.blocks[-1]
    assert figure.type == "figure"
    assert figure.figure == "図表Ⅱ-2-6-1"
    assert figure.caption == "電話リレーサービスの普及促進イラスト"
    last = section.blocks[-2].sentences[-1]
    assert last.text.endswith("1万5,267人となっている。（図表Ⅱ-2-6-1）")
    assert last.figures == ("図表Ⅱ-2-6-1",)


def test_paragraph_breaks_survive_page_breaks(default_doc):
    section = default_doc.section("s6-4-5")
    firsts = [b.sentences[0].text for b in section.blocks]
    assert firsts[-1] == "また、クラウドサービスの一層の普及に向け、業界団体等とも連携しつつ、クラウドサービスの優良事例の周知・広報等に取り組んでいる。"


def test_nothing_lost_on_the_default(default_text, default_doc):
    assert_nothing_lost(default_text, default_doc)


@pytest.mark.parametrize(
    "raw, expected",
    [
        (" IGF京 都2023のDay0に 開 催 さ れ た セ ッ シ ョ ン", "IGF京都2023のDay0に開催されたセッション"),
        ("Existing Practices against", "Existing Practices against"),
        ("Personal\tHealth\tRecordの略語", "Personal Health Recordの略語"),
        ("記事　https://example.jp/a", "記事 https://example.jp/a"),
        ("", ""),
    ],
)
def test_normalize_spaces(raw, expected):
    assert normalize_spaces(raw) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("一。二。", ["一。", "二。"]),
        ("「引用。中」です。次。", ["「引用。中」です。", "次。"]),
        ("（注。あり）文。", ["（注。あり）文。"]),
        ("閉じない「括弧。次の文。", ["閉じない「括弧。", "次の文。"]),
        ("本当？はい！", ["本当？", "はい！"]),
        ("終わりなし", ["終わりなし"]),
        ("。。", ["。。"]),
        # a note's mark set after the full stop (as Word users place them) is the sentence's, never one of its own
        ("変わります。＊1次の文。", ["変わります。＊1", "次の文。"]),
        ("変わります。＊1、＊2", ["変わります。＊1、＊2"]),
    ],
)
def test_split_sentences(text, expected):
    assert split_sentences(text) == expected


@pytest.mark.parametrize(
    "section_id, starts",
    [
        # a short line that ends a sentence ends its paragraph (the text is wrapped to a fixed measure)
        ("s6-3-1", ["最近ではAIに関する報道", "こうした中、2023年（", "一方、国内ではAI技術の"]),
        ("s6-3-2", ["総務省では、安全・安心な", "同研究会では、メタバース", "報告書では、メタバース等"]),
        ("s6-4-2", ["我が国は超高齢化社会に突", "具体的には、国立研究開発", "このほか、医療情報を取り"]),
        ("s6-5-6", ["「電話リレーサービス」と", "「電話リレーサービス」の", "図表Ⅱ-2-6-1 電話"]),
    ],
)
def test_paragraphs_start_where_the_page_starts_them(default_doc, section_id, starts):
    assert [b.sentences[0].text[:12] for b in default_doc.section(section_id).blocks] == starts
