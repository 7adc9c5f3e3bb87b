"""Bytes -> text: the encodings Japanese public documents arrive in, with clear errors."""

from __future__ import annotations

import codecs
import functools
import re
import unicodedata
from pathlib import Path

from .errors import DecodeError, TooLargeError

# NOTE: 20 MB is some 40 white-paper chapters; larger input is refused before any work is done.
MAX_INPUT_BYTES = 20 * 1024 * 1024

_FALLBACKS = ("cp932", "euc_jp")
# NOTE: JIS X 0213 (2004) encodings, tried only when the common ones fail: their code points beyond JIS X 0208
# (～ as EUC 0xA2B2, 𠮟, ㋐ …) are unassigned in CP932 and EUC-JP, while most of the rest is the same
_JIS2004 = ("shift_jis_2004", "euc_jis_2004")
# ISO-2022-JP (mail-style notices): 7-bit, JIS X 0208 designated by escapes; the wider variants after the plain one
_ISO2022 = ("iso2022_jp", "iso2022_jp_2004", "iso2022_jp_ext", "iso2022_jp_2")
_ISO2022_ESCAPE = re.compile(rb"\x1b(?:\$[@B]|\$\(Q|\$\(O|\$\(P|\(I|\(J|\$A|\$\(C|\$\(D)")
_NAMES = {"utf-8-sig": "UTF-8", "utf-16": "UTF-16", "cp932": "Shift_JIS（CP932）", "euc_jp": "EUC-JP",
          "shift_jis_2004": "Shift_JIS-2004（JIS X 0213）", "euc_jis_2004": "EUC-JIS-2004（JIS X 0213）",
          "iso2022_jp": "ISO-2022-JP", "iso2022_jp_2004": "ISO-2022-JP-2004", "iso2022_jp_ext": "ISO-2022-JP（半角カナ）",
          "iso2022_jp_2": "ISO-2022-JP-2"}

# eucJP-ms (the EUC-JP that Windows-made and most Unix-converted files use), where it goes beyond JIS X 0208/0212:
# row 13 (NEC special characters) and the IBM extensions at 0x8FF3F3–0x8FF4FE, in code order, as glibc's
# EUC-JP-MS charmap decodes them ("\0" = unassigned). Rows 85–94 of both planes are the user-defined area (PUA).
_ROW13 = ("①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ\u0000㍉㌔㌢㍍㌘㌧㌃㌶㍑㍗㌍㌦㌣㌫㍊㌻㎜㎝㎞㎎㎏㏄㎡"
          "\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000㍻〝〟№㏍℡㊤㊥㊦㊧㊨㈱㈲㈹㍾㍽㍼≒≡∫∮∑√⊥∠∟⊿∵∩∪\u0000\u0000")
# NOTE: CJK compatibility ideographs are written as escapes: a tool that NFC-normalises this file must not merge them
_IBM = ("ⅰⅱⅲⅳⅴⅵⅶⅷⅸⅹⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ＇＂㈱№℡炻仼僴凬匇匤\ufa0e咊坙\ufa0f\ufa10增寬峵嵓\ufa11德悅愠敎昻晥\ufa12\uf929栁"
        "\ufa13\ufa14橫櫢淸淲瀨\ufa15\ufa16甁皂皞\ufa17礰\ufa18\ufa19\ufa1a\ufa1b竧\ufa1c\ufa1d綠緖\ufa1e荢\ufa1f薰"
        "\ufa20\ufa21蠇\ufa22譿賴赶\ufa23\ufa24\ufa25郞\ufa26鄕\ufa27\ufa28閒\uf9dc\ufa29霻靍靑\ufa2a\ufa2b\ufa2c馞髙魲"
        "\ufa2d黑")


def _eucjp_ms(error: UnicodeDecodeError) -> tuple[str, int]:
    """Codec error handler: the eucJP-ms sequences that Python's euc_jp does not know."""
    data, i = error.object, error.start
    lead = data[i]
    second = data[i + 1] if i + 1 < len(data) else 0
    if 0xA1 <= second <= 0xFE:
        if lead == 0xAD and _ROW13[second - 0xA1] != "\0":
            return _ROW13[second - 0xA1], i + 2
        if 0xF5 <= lead <= 0xFE:
            return chr(0xE000 + (lead - 0xF5) * 94 + second - 0xA1), i + 2
        third = data[i + 2] if i + 2 < len(data) else 0
        if lead == 0x8F and 0xA1 <= third <= 0xFE:
            if (0xF3, 0xF3) <= (second, third) <= (0xF4, 0xFE):
                return _IBM[(third - 0xF3) if second == 0xF3 else 12 + third - 0xA1], i + 3
            if second >= 0xF5:
                return chr(0xE3AC + (second - 0xF5) * 94 + third - 0xA1), i + 3
    raise error


codecs.register_error("yomiage-eucjp-ms", _eucjp_ms)


def fold_forms(text: str) -> str:
    """Glyph forms as the characters they stand for: CJK radicals (⽅ ⼈ ⺠, U+2E80–U+2FDF) as ideographs (方 人 民),
    which some PDF makers' fonts map the shared glyph to first; vertical presentation forms (︒ ︑ ﹁ ︵, what a
    vertical page's glyphs may be mapped to) as 。、「（. No dictionary, search or voice knows the forms as words."""
    if not any("\u2e80" <= c <= "\u2fdf" or "\ufe10" <= c <= "\ufe4f" for c in text):
        return text
    return text.translate(_forms())


@functools.cache
def _forms() -> dict[int, str]:
    table = {}
    for row in (Path(__file__).parent / "data" / "radicals.tsv").read_text(encoding="utf-8").splitlines():
        if row and not row.startswith("#"):
            radical, ideograph = row.split("\t")[:2]
            table[int(radical, 16)] = chr(int(ideograph, 16))
    for code in (*range(0xFE10, 0xFE1A), *range(0xFE30, 0xFE50)):
        plain = unicodedata.normalize("NFKC", chr(code))
        if plain == chr(code) or not plain.strip():
            continue
        # NOTE: NFKC gives ASCII for some (︵ -> "("); Japanese text sets them full width; ︙ is an ellipsis
        table[code] = "…" if plain == "..." else "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in plain)
    return table


def _japanese_score(text: str) -> int:
    """How much of a reading looks like ordinary Japanese, for bytes that decode both as CP932 and as EUC-JP
    without kana (see ``_choose``): kanji and full-width forms count for; half-width kana, and above all half-width
    punctuation (｡｢｣､･), IBM/NEC compatibility kanji and private-use characters — what a wrong guess makes — against."""
    score = 0
    for c in text:
        if "\u3000" <= c <= "\u30ff" or "\u4e00" <= c <= "\u9fff" or "\uff01" <= c <= "\uff5e":
            score += 1
        elif "\uff61" <= c <= "\uff65":
            score -= 2
        elif "\uff66" <= c <= "\uff9f":
            score -= 1
        elif "\uf900" <= c <= "\ufaff":
            score -= 3
        elif "\ue000" <= c <= "\uf8ff":
            score -= 2
    return score


def _choose(candidates: list[tuple[str, str]]) -> tuple[str, str]:
    """Pick between the CP932 and EUC-JP readings (text, encoding) of the same bytes.

    When both decode, the bytes cannot be CP932 text with hiragana, katakana or full-width punctuation: those are
    lead bytes 0x81–0x83, which EUC-JP never allows. So an EUC-JP reading that has any of them is the right one;
    only text without them (bare kanji and half-width kana) is left to the score."""
    if len(candidates) == 2:  # NOTE: in the order of _FALLBACKS (Shift_JIS's family, then EUC's)
        euc = candidates[1]
        if any("\u3001" <= c <= "\u30ff" for c in euc[0]):
            return euc
    return max(candidates, key=lambda candidate: _japanese_score(candidate[0]))


# What XML 1.0 cannot carry (every page, book and feed is XML or HTML): C0 controls other than tab and line ends,
# lone surrogates, U+FFFE/U+FFFF. Vertical tab and form feed (a page break in extracted text) end a line.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKING = str.maketrans({"\x0b": "\n", "\x0c": "\n"})


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids (none of them is anything a person reads)."""
    return _XML_FORBIDDEN.sub("", text.translate(_LINE_BREAKING))


def check_size(size: int, name: str) -> None:
    if size > MAX_INPUT_BYTES:
        raise TooLargeError(
            f"{name}: ファイルが大きすぎます（{size:,} バイト）。"
            f"{MAX_INPUT_BYTES // (1024 * 1024)} MB 以下に分けてください。"
        )


def bytes_to_text(data: bytes, name: str = "<input>") -> str:
    """Decode UTF-8 (with or without BOM), CP932/Shift_JIS or EUC-JP (as eucJP-ms), and where those fail the JIS X
    0213 encodings and ISO-2022-JP; line ends become ``\\n``.

    >>> bytes_to_text("総務省\\r\\n".encode("cp932"))
    '総務省\\n'
    """
    return decode(data, name)[0]


def decode(data: bytes, name: str = "<input>") -> tuple[str, str]:
    """The text and the name of the encoding it was read in (for the report).

    >>> decode("９時～17時".encode("euc_jis_2004"))
    ('９時～17時', 'EUC-JIS-2004（JIS X 0213）')
    """
    check_size(len(data), name)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # NOTE: Windows Notepad's "Unicode" is UTF-16 with a BOM; accept it rather than misread it.
        try:
            return _newlines(data.decode("utf-16")), _NAMES["utf-16"]
        except UnicodeDecodeError as error:
            raise DecodeError(f"{name}: UTF-16 として読めません（バイト位置 {error.start}）。") from None
    nul = data.find(b"\x00")
    if nul >= 0:
        raise DecodeError(
            f"{name}: テキストファイルではありません（バイト位置 {nul} に NUL 文字があります）。"
        )
    if data.isascii() and _ISO2022_ESCAPE.search(data):
        return _iso2022(data, name)
    try:
        return _newlines(data.decode("utf-8-sig")), _NAMES["utf-8-sig"]
    except UnicodeDecodeError as utf8_error:
        failures = [("utf-8-sig", utf8_error.start)]
    candidates: list[tuple[str, str]] = []
    for common, wider in zip(_FALLBACKS, _JIS2004):
        # NOTE: a family's JIS X 0213 encoding is tried only where its common one fails (～ as EUC 0xA2B2)
        for encoding in (common, wider):
            try:
                candidates.append((data.decode(encoding, "yomiage-eucjp-ms" if encoding == "euc_jp" else "strict"),
                                   encoding))
                break
            except UnicodeDecodeError as error:
                failures.append((encoding, error.start))
    if candidates:
        text, encoding = _choose(candidates)
        return _newlines(text), _NAMES[encoding]
    # NOTE: the closest is the encoding whose readable part looks most like Japanese, not the longest
    encoding, at = max(failures, key=lambda f: _japanese_score(data[:f[1]].decode(f[0], "ignore")))
    raise DecodeError(
        f"{name}: 文字コードを判別できません。UTF-8・Shift_JIS（CP932）・EUC-JP・JIS X 0213 の"
        f"いずれでもありません（いちばん近いのは {_NAMES[encoding]} で、バイト位置 {at}"
        f"（0x{data[at]:02X}）から読めません）。"
    ) from None


def _iso2022(data: bytes, name: str) -> tuple[str, str]:
    first_error = None
    for encoding in _ISO2022:
        try:
            return _newlines(data.decode(encoding)), _NAMES[encoding]
        except UnicodeDecodeError as error:
            first_error = first_error or error
    raise DecodeError(f"{name}: ISO-2022-JP として読めません（バイト位置 {first_error.start}）。") from None


def _newlines(text: str) -> str:
    return xml_safe(text.replace("\r\n", "\n").replace("\r", "\n"))


# Printed ruby travels inside a source's text as Unicode's interlinear annotation characters, base then reading
# (U+FFF9 base U+FFFA reading U+FFFB), until a sentence, title or note takes it out into its ``ruby`` field: no
# reading is ever shown as text, and joining lines or splitting sentences cannot separate a reading from its base.
ANCHOR, SEPARATOR, TERMINATOR = "\ufff9", "\ufffa", "\ufffb"
_ANNOTATION = re.compile("\ufff9([^\ufff9\ufffa\ufffb]*)\ufffa([^\ufff9\ufffa\ufffb]*)\ufffb")


def annotate(base: str, reading: str) -> str:
    """``base`` carrying its printed ``reading`` (see ``split_annotations``)."""
    return f"{ANCHOR}{base}{SEPARATOR}{reading}{TERMINATOR}"


def split_annotations(text: str) -> tuple[str, tuple[tuple[int, int, str], ...]]:
    """The text without its annotations, and each annotated base's (start, end, reading) in that text.

    >>> split_annotations("切り\ufff9拓\ufffaひら\ufffbく")
    ('切り拓く', ((2, 3, 'ひら'),))
    """
    if ANCHOR not in text and SEPARATOR not in text and TERMINATOR not in text:
        return text, ()
    out, spans, pos = [], [], 0
    for m in _ANNOTATION.finditer(text):
        out.append(text[pos:m.start()])
        start = sum(len(p) for p in out)
        out.append(m[1])
        if m[1] and m[2]:
            spans.append((start, start + len(m[1]), m[2]))
        pos = m.end()
    out.append(text[pos:])
    clean = "".join(out)
    for stray in (ANCHOR, SEPARATOR, TERMINATOR):  # NOTE: a broken annotation shows its base, never a reading
        clean = clean.replace(stray, "")
    return clean, tuple(spans)


def without_annotations(text: str) -> str:
    return split_annotations(text)[0]
