"""Bytes -> text: the encodings Japanese public documents arrive in, with clear errors."""

from __future__ import annotations

from .errors import DecodeError, TooLargeError

# NOTE: 20 MB is some 40 white-paper chapters; larger input is refused before any work is done.
MAX_INPUT_BYTES = 20 * 1024 * 1024

_FALLBACKS = ("cp932", "euc_jp")


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


def _choose(candidates: list[str]) -> str:
    """Pick between the CP932 and EUC-JP readings of the same bytes.

    When both decode, the bytes cannot be CP932 text with hiragana, katakana or full-width punctuation: those are
    lead bytes 0x81–0x83, which EUC-JP never allows. So an EUC-JP reading that has any of them is the right one;
    only text without them (bare kanji and half-width kana) is left to the score."""
    if len(candidates) == 2:
        euc = candidates[_FALLBACKS.index("euc_jp")]
        if any("\u3001" <= c <= "\u30ff" for c in euc):
            return euc
    return max(candidates, key=_japanese_score)


def check_size(size: int, name: str) -> None:
    if size > MAX_INPUT_BYTES:
        raise TooLargeError(
            f"{name}: ファイルが大きすぎます（{size:,} バイト）。"
            f"{MAX_INPUT_BYTES // (1024 * 1024)} MB 以下に分けてください。"
        )


def bytes_to_text(data: bytes, name: str = "<input>") -> str:
    """Decode UTF-8 (with or without BOM), CP932/Shift_JIS or EUC-JP; line ends become ``\\n``.

    >>> bytes_to_text("総務省\\r\\n".encode("cp932"))
    '総務省\\n'
    """
    check_size(len(data), name)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # NOTE: Windows Notepad's "Unicode" is UTF-16 with a BOM; accept it rather than misread it.
        try:
            return _newlines(data.decode("utf-16"))
        except UnicodeDecodeError as error:
            raise DecodeError(f"{name}: UTF-16 として読めません（バイト位置 {error.start}）。") from None
    nul = data.find(b"\x00")
    if nul >= 0:
        raise DecodeError(
            f"{name}: テキストファイルではありません（バイト位置 {nul} に NUL 文字があります）。"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        candidates = []
        for encoding in _FALLBACKS:
            try:
                candidates.append(data.decode(encoding))
            except UnicodeDecodeError:
                continue
        if not candidates:
            raise DecodeError(
                f"{name}: 文字コードを判別できません。UTF-8・Shift_JIS（CP932）・EUC-JP の"
                f"いずれでもありません（バイト位置 {utf8_error.start} で UTF-8 として読めません）。"
            ) from None
        text = _choose(candidates)
    return _newlines(text)


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
