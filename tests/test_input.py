"""Input that is not the default: encodings, line ends, re-wrapped text, odd and hostile files."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from simplify.documents import bytes_to_document, path_to_document
from simplify.errors import DecodeError, InputError, TooLargeError
from simplify.model import Document, Source
from simplify.sources.wrapped import wrapped_to_lines
from simplify.structure import lines_to_document
from simplify.textio import MAX_INPUT_BYTES, bytes_to_text
from tests.invariants import assert_nothing_lost


def shape(document: Document) -> list:
    """What must not change when only the layout of the input changes."""
    return [
        (
            s.id,
            s.level,
            s.label,
            s.title,
            [[x.text_with_marks() for x in b.sentences] for b in s.blocks],
            [(f.number, f.text) for f in s.footnotes],
        )
        for s in document.walk()
    ]


def parse(text: str) -> Document:
    return lines_to_document(wrapped_to_lines(text), doc_id="t", source=Source(file="t.txt"))


# A paragraph every legacy encoding can carry (no NEC or IBM extensions).
SAMPLE = (
    "第6節 ICT利活用の推進\n\n 1 概要\n 1 これまでの取組\n\n"
    "総務省では、地域社会のDX化を推進してきた＊1。これらの方\n針を踏まえ、開 催 さ れ た。\n\n"
    "＊1\t 同法は、廃止された。\n"
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932", "shift_jis", "euc_jp"])
@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_encodings_and_line_ends_give_the_same_document(encoding, newline):
    expected = shape(parse(SAMPLE))
    data = SAMPLE.replace("\n", newline).encode(encoding)
    assert shape(bytes_to_document(data, "sample.txt", doc_id="t")) == expected


def test_default_document_in_cp932_gives_the_same_tree(default_text, default_doc):
    data = default_text.encode("cp932")
    assert shape(bytes_to_document(data, "x.txt", doc_id="t")) == shape(
        bytes_to_document(default_text.encode("utf-8"), "x.txt", doc_id="t")
    )


def test_undecodable_bytes_name_the_file_and_offset():
    data = "正しい文。".encode("utf-8") + b"\x81\xff\xfe\xfa"
    with pytest.raises(DecodeError) as info:
        bytes_to_text(data, "bad.txt")
    assert "bad.txt" in info.value.message
    assert "バイト位置 15" in info.value.message


def _iconv(text: str, encoding: str) -> bytes:
    """Bytes as glibc's iconv writes them: an encoder independent of ours."""
    import subprocess

    return subprocess.run(["iconv", "-f", "UTF-8", "-t", encoding], input=text.encode(), capture_output=True,
                          check=True).stdout


def test_euc_jp_with_nec_and_ibm_characters_is_read_as_the_superset_real_files_use(default_text):
    """eucJP-ms: NEC row 13 (①, Ⅱ, ㈱, ≒) and the IBM extensions (髙, 﨑) that EUC-JP files from Windows carry."""
    text = "①市の説明会は㈱髙﨑商店で、第Ⅱ期は≒３０人。ⅲ\n"
    assert bytes_to_text(_iconv(text, "EUC-JP-MS"), "notice.txt") == text
    # the embedded default has ① and Ⅱ: saved as eucJP-ms it gives the same document (EUC-JP's 1-33 is read
    # as the JIS WAVE DASH 〜, where the default has the full-width tilde ～ that Windows puts there)
    text = default_text.replace("\uff5e", "\u301c")
    assert shape(bytes_to_document(_iconv(text, "EUC-JP-MS"), "x.txt", doc_id="t")) == shape(
        bytes_to_document(text.encode("utf-8"), "x.txt", doc_id="t"))


def test_undecodable_euc_jp_names_the_closest_encoding_and_its_first_bad_byte():
    data = "説明会のお知らせ。".encode("euc_jp") * 20 + b"\xa4\x20\x81\x20"  # and not CP932 either
    with pytest.raises(DecodeError) as info:
        bytes_to_text(data, "bad.txt")
    assert "EUC-JP" in info.value.message
    assert f"バイト位置 {len(data) - 4}" in info.value.message and "0xA4" in info.value.message


def test_binary_file_is_refused_clearly():
    with pytest.raises(DecodeError) as info:
        bytes_to_text(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image.png")
    assert "image.png" in info.value.message
    assert "NUL" in info.value.message


def test_utf16_with_bom_is_read_not_misread():
    assert bytes_to_text("日本語\r\n".encode("utf-16"), "u16.txt") == "日本語\n"
    assert bytes_to_text("日本語".encode("utf-16-be").join([b"\xfe\xff", b""]), "u16.txt") == "日本語"


def test_too_large_is_refused_before_reading(tmp_path):
    big = tmp_path / "big.txt"
    with open(big, "wb") as f:
        f.truncate(MAX_INPUT_BYTES + 1)
    with pytest.raises(TooLargeError) as info:
        path_to_document(big)
    assert info.value.status == 413


def test_missing_and_directory_paths_are_clear_errors(tmp_path):
    for path in (tmp_path / "nope.txt", tmp_path, tmp_path / ".." / "nope" / "x.txt"):
        with pytest.raises(InputError) as info:
            path_to_document(path)
        assert "ファイル" in info.value.message


@pytest.mark.parametrize("text", [
    "総務省では、ｶﾀｶﾅｶﾀｶﾅ",  # half-width kana in EUC-JP are 0x8E pairs, which CP932 reads as kanji (叱実…)
    " 2 今後の課題ｶﾀｶﾅｶﾀｶﾅ",
    "ｶﾀｶﾅｶﾀｶﾅｶﾀｶﾅ、総務省では、。2",
    "漢字だけの見出し：情報通信白書",
    "ﾃﾚﾜｰｸを推進した。",
])
@pytest.mark.parametrize("encoding", ["cp932", "euc_jp"])
def test_cp932_and_euc_jp_are_told_apart_with_half_width_kana(text, encoding):
    assert bytes_to_text(text.encode(encoding), "x.txt") == text


@pytest.mark.parametrize("text", ["", "\n\n\n", "   \t  \n", "\ufeff"])
def test_empty_input_gives_an_empty_document(text):
    document = parse(text.replace("\ufeff", ""))
    assert [s for s in document.walk() if list(s.sentences())] == []


def test_plain_text_without_headings_is_one_section_of_paragraphs():
    text = "これは普通の文章です。見出しはありません。\n\n二つ目の段落です。\n改行されても\n一つの文です。\n"
    document = parse(text)
    assert len(document.sections) == 1
    section = document.sections[0]
    assert section.children == ()
    assert [[s.text for s in b.sentences] for b in section.blocks] == [
        ["これは普通の文章です。", "見出しはありません。"],
        ["二つ目の段落です。", "改行されても一つの文です。"],
    ]
    assert_nothing_lost(text, document)


@pytest.mark.slow
def test_multi_megabyte_input_is_linear_time():
    paragraph = "総務省では、地域社会のDX化や新たな情報通信技術を推進してきた＊1。\n" * 3
    text = ("第6節 テスト\n\n 1 概要\n" + paragraph + "\n") * 1 + (paragraph * 40000)
    assert len(text.encode()) > 10_000_000
    start = time.perf_counter()
    document = parse(text)
    elapsed = time.perf_counter() - start
    assert sum(1 for s in document.walk() for _ in s.sentences()) == 120003
    assert elapsed < 60  # a bound against quadratic behaviour, not a speed target


def test_one_huge_line_without_punctuation():
    text = "あ" * 2_000_000
    document = parse(text)
    assert sum(len(x.text) for s in document.walk() for x in s.sentences()) == 2_000_000


def _strip_furniture(text: str, document: Document) -> str:
    discarded = list(document.discarded)
    kept = []
    for line in text.split("\n"):
        if discarded and line.strip() == discarded[0]:
            discarded.pop(0)
            continue
        kept.append(line)
    assert discarded == []
    return "\n".join(kept)


def test_text_without_page_furniture_gives_the_same_tree(default_text, default_doc):
    clean = _strip_furniture(default_text, default_doc)
    document = parse(clean)
    assert document.discarded == ()
    assert shape(document) == shape(parse(default_text))


def _units(text: str) -> list[str]:
    """Characters, with footnote markers kept whole so that a wrap never splits one."""
    import re

    return re.findall(r"＊\d+|.", text)


def _rewrap(document: Document, width: int) -> str:
    """The document printed again at another line width: headings, paragraphs, then footnotes."""
    out = []
    for section in document.walk():
        sep = "\u3000" if section.level >= 4 else " "
        out.append(f" {section.label}{sep}{section.title}")
        for block in section.blocks:
            if block.type == "figure":
                out += ["", f"{block.figure} {block.caption}", ""]
                continue
            units = _units("".join(s.text_with_marks() for s in block.sentences))
            lines = ["".join(units[i : i + width]) for i in range(0, len(units), width)]
            out += [""] + lines + [""]
        for footnote in section.footnotes:
            out.append(f"{footnote.mark}\t{footnote.text}")
    return "\n".join(out)


@pytest.mark.parametrize("width", [17, 30, 52, 80])
def test_rewrapped_text_gives_the_same_tree(default_doc, width):
    document = parse(_rewrap(default_doc, width))
    assert shape(document) == shape(parse(_rewrap(default_doc, 44)))
    assert [s.id for s in document.walk()] == [s.id for s in default_doc.walk()]
    expected = [[x.text for x in s.sentences()] for s in default_doc.walk()]
    assert [[x.text for x in s.sentences()] for s in document.walk()] == expected


# -- properties --------------------------------------------------------------------------------

FRAGMENTS = [
    "第6節 ICT利活用の推進", " 1 概要", " 2 今後の課題", "ア　地域", "（ア）ローカル5G", "（イ）",
    "＊1\t 注の本文。", "＊2\t https://example.jp/a", "＊3", "＊", "\t https://x.jp/", "総務省では、", "推進した。",
    "開 催 さ れ た", "Existing Practices", "「引用。", "」", "（", "）", "。", "、", "254 令和6年版　情報通信白書",
    "第", "2", "章", "総", "x.indd 2024/06/21 9:59:29", "図表Ⅱ-2-6-1 図の題", "（図表Ⅱ-2-6-1）", "ｶﾀｶﾅ", "😀",
    "\u200b", "\x07", "\U000e0001", "\ufeff", "𠮷", "\u3000", " ", "\t", "\n", "\n\n", "\r\n", "\u2028", "\x0c",
]

texts = st.one_of(
    st.lists(st.sampled_from(FRAGMENTS), max_size=80).map("".join),
    st.text(max_size=400),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_property_nothing_lost(text):
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    document = parse(text)
    assert_nothing_lost(text, document)
    ids = [s.id for s in document.walk()]
    assert len(ids) == len(set(ids))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FRAGMENTS[:30]), min_size=1, max_size=60).map("".join),
       st.sampled_from(["utf-8", "cp932", "euc_jp"]))
@example("総務省では、ｶﾀｶﾅｶﾀｶﾅ", "euc_jp")  # once read as CP932: ﾁ﨓ｳｾﾊ､ﾇ､ﾏ｡｢叱実…
def test_property_encodings_round_trip(text, encoding):
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # NOTE: bytes with no hiragana at all (say, only half-width kana) are genuinely ambiguous between
    # CP932 and EUC-JP; ordinary Japanese text always has some.
    assume(any("\u3041" <= c <= "\u309f" for c in text))
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return  # a character this encoding cannot carry: nothing to compare
    assert bytes_to_text(data, "x.txt") == text


@pytest.mark.parametrize("encoding, label", [
    ("euc_jis_2004", "EUC-JIS-2004（JIS X 0213）"),  # ～ is 0xA2B2 there, unassigned in EUC-JP
    ("shift_jis_2004", "Shift_JIS-2004（JIS X 0213）"),
    ("iso2022_jp", "ISO-2022-JP"),  # mail-style notices: 7-bit, with escapes
])
def test_jis_x_0213_and_iso_2022_jp_notices_are_read_and_the_encoding_is_reported(encoding, label):
    from simplify.model import Source
    from simplify.sources import bytes_to_document

    text = "第1節　窓口のご案内\n\n受付時間は９時～17時です。\n" if encoding != "shift_jis_2004" else \
        "第1節　窓口のご案内\n\n受付時間は９時〜17時です。𠮟責はしません。\n"
    if encoding == "iso2022_jp":
        text = text.replace("～", "〜")
    document = bytes_to_document(text.encode(encoding), "notice.txt", doc_id="n", source=Source(file="notice.txt"))
    sentences = [s.text for sec in document.walk() for s in sec.sentences()]
    assert "".join(sentences) == text.split("\n")[2]  # every character read as written
    assert f"文字コード: {label}" in document.source_report
