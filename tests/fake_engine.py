"""A fast stand-in for OpenJTalk's HTS engine, for tests of the code around synthesis (builds, queues, the web):
a tone per phoneme, about 80 ms each, its pitch from the phoneme, so different texts give different sound and the
same text the same sound. Select it with ``YOMIAGE_ENGINE=tests.fake_engine:ToneEngine``. Anything judged by ear
or by measurement (loudness, peaks, timing of real speech) keeps the real engine."""

from __future__ import annotations

import zlib

import numpy as np

RATE = 48000


class ToneEngine:
    name = "tone"

    def __init__(self) -> None:
        self.calls = 0

    def sample_rate(self, voice) -> int:
        return RATE

    def synthesize(self, script, voice) -> np.ndarray:
        self.calls += 1
        parts = []
        for label in script.labels:
            phoneme = label.split("-", 1)[1].split("+", 1)[0] if "-" in label and "+" in label else "sil"
            seconds = (0.12 if phoneme in ("sil", "pau") else 0.08) / voice.speed
            t = np.arange(int(seconds * RATE)) / RATE
            if phoneme in ("sil", "pau"):
                parts.append(np.zeros(len(t)))
                continue
            pitch = 140.0 + (zlib.crc32(phoneme.encode()) % 40) * 8.0
            envelope = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.01)
            parts.append(6000.0 * envelope * np.sin(2 * np.pi * pitch * t))
        return np.concatenate(parts) if parts else np.zeros(0)
