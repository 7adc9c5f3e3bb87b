"""The synthesis-engine seam: yomiage decides what is said (its readings, pauses and accents); an engine turns that
script into sound.

An engine is anything with a ``name`` (part of the cache keys of what it makes, so two engines' audio never mix),
``sample_rate(voice)`` and ``synthesize(script, voice)`` returning float samples on the int16 scale. A ``Script``
carries the analysed words (NJD features, with the pronunciations yomiage chose) and the full-context labels made
from them, so an engine may read phonemes with accent (OpenJTalk's HTS engine) or words (the natural voice,
``service.speech.kokoro``). Each voice preset names its engine; ``YOMIAGE_ENGINE=module:Class`` puts another engine
behind every voice (the tests use a fast tone engine for code around synthesis, and keep the real engines for
everything judged by ear or by measurement).
"""

from __future__ import annotations

import importlib
import threading
from functools import lru_cache
from typing import Protocol

import numpy as np

from simplify.errors import InputError

from service.config import setting
from service.speech.kokoro import Kokoro
from service.speech.script import Script
from service.speech.voices import Voice

__all__ = ["DEFAULT", "ENGINES", "Engine", "OpenJTalk", "Script", "engine_for", "load_engine"]

DEFAULT = "openjtalk"


class Engine(Protocol):
    name: str

    def sample_rate(self, voice: Voice) -> int: ...

    def synthesize(self, script: Script, voice: Voice) -> np.ndarray: ...


class OpenJTalk:
    """HTS synthesis of OpenJTalk labels with the voice's .htsvoice, speed and pitch. One engine per thread and
    voice file: engines are not shared, so threads synthesise in parallel."""

    name = DEFAULT

    def __init__(self) -> None:
        self._local = threading.local()

    def _engine(self, voice: Voice):
        from pyopenjtalk.htsengine import HTSEngine  # NOTE: ≈ 0.3 s, only where a voice is first loaded

        if voice.htsvoice is None:
            raise InputError(f"音声 {voice.id} には OpenJTalk の声のファイル（htsvoice）がありません。", code="bad_voice")
        engines = getattr(self._local, "engines", None)
        if engines is None:
            engines = self._local.engines = {}
        key = str(voice.htsvoice)
        if key not in engines:
            engines[key] = HTSEngine(key.encode())
        return engines[key]

    def sample_rate(self, voice: Voice) -> int:
        return int(self._engine(voice).get_sampling_frequency())

    def synthesize(self, script: Script, voice: Voice) -> np.ndarray:
        engine = self._engine(voice)
        engine.set_speed(voice.speed)
        engine.add_half_tone(voice.half_tone)
        return np.asarray(engine.synthesize(list(script.labels)), dtype=np.float64)


_BUILT_IN = {DEFAULT: OpenJTalk, "kokoro": Kokoro}  # NOTE: Kokoro loads its weights at its first sentence
ENGINES = tuple(_BUILT_IN)


@lru_cache(maxsize=8)
def load_engine(spec: str = "") -> Engine:
    """``openjtalk`` (or empty), ``kokoro``, or ``module:Class`` naming another engine; one instance per spec."""
    if not spec:
        spec = DEFAULT
    if spec in _BUILT_IN:
        return _BUILT_IN[spec]()
    module, _, attribute = spec.partition(":")
    if not module or not attribute:
        raise InputError(f"YOMIAGE_ENGINE は {' か '.join(ENGINES)} か module:Class で指定してください（{spec}）。",
                         code="bad_engine")
    return getattr(importlib.import_module(module), attribute)()


def engine_for(voice: Voice) -> Engine:
    """The engine that speaks a voice: ``YOMIAGE_ENGINE`` when set, else the one its preset names."""
    return load_engine(setting("YOMIAGE_ENGINE") or voice.engine)
