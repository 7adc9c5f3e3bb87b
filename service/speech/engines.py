"""The synthesis-engine seam: yomiage makes full-context labels (OpenJTalk's front end, with its own readings,
pauses and accents); an engine turns labels into sound.

An engine is anything with a ``name`` (part of the cache keys of what it makes, so two engines' audio never mix),
``sample_rate(voice)`` and ``synthesize(labels, voice)`` returning float samples on the int16 scale. OpenJTalk's HTS
engine is the one yomiage ships; ``YOMIAGE_ENGINE=module:Class`` loads another (the tests use a fast tone engine
for code around synthesis, and keep OpenJTalk for everything that is judged by ear or by measurement).
"""

from __future__ import annotations

import importlib
import threading
from functools import lru_cache
from typing import Protocol, Sequence

import numpy as np

from service.speech.voices import Voice

DEFAULT = "openjtalk"


class Engine(Protocol):
    name: str

    def sample_rate(self, voice: Voice) -> int: ...

    def synthesize(self, labels: Sequence[str], voice: Voice) -> np.ndarray: ...


class OpenJTalk:
    """HTS synthesis of OpenJTalk labels with the voice's .htsvoice, speed and pitch. One engine per thread and
    voice file: engines are not shared, so threads synthesise in parallel."""

    name = DEFAULT

    def __init__(self) -> None:
        self._local = threading.local()

    def _engine(self, voice: Voice):
        from pyopenjtalk.htsengine import HTSEngine

        engines = getattr(self._local, "engines", None)
        if engines is None:
            engines = self._local.engines = {}
        key = str(voice.htsvoice)
        if key not in engines:
            engines[key] = HTSEngine(key.encode())
        return engines[key]

    def sample_rate(self, voice: Voice) -> int:
        return int(self._engine(voice).get_sampling_frequency())

    def synthesize(self, labels: Sequence[str], voice: Voice) -> np.ndarray:
        engine = self._engine(voice)
        engine.set_speed(voice.speed)
        engine.add_half_tone(voice.half_tone)
        return np.asarray(engine.synthesize(list(labels)), dtype=np.float64)


@lru_cache(maxsize=8)
def load_engine(spec: str = "") -> Engine:
    """``openjtalk`` (or empty), or ``module:Class`` naming another engine; one instance per spec."""
    if not spec or spec == DEFAULT:
        return OpenJTalk()
    module, _, attribute = spec.partition(":")
    if not module or not attribute:
        from simplify.errors import InputError

        raise InputError(f"YOMIAGE_ENGINE は openjtalk か module:Class で指定してください（{spec}）。", code="bad_engine")
    return getattr(importlib.import_module(module), attribute)()


def default_engine() -> Engine:
    """The engine this process synthesises with (``YOMIAGE_ENGINE``)."""
    from service.config import setting

    return load_engine(setting("YOMIAGE_ENGINE"))
