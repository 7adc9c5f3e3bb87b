"""The synthesis-engine seam: another engine plugs in by name, and its sound never passes for OpenJTalk's."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

DATA = Path(__file__).parent / "data"
TONE = "tests.fake_engine:ToneEngine"


def _build(output: Path):
    from service.products.build import BuildOptions, build_document
    from service.speech.voices import get_voice
    from simplify.documents import path_to_document

    return build_document(path_to_document(DATA / "notice.txt"), get_voice("mei"), BuildOptions(output=output),
                          progress=False)


def test_the_engine_named_in_the_settings_is_the_one_that_speaks(tmp_path, monkeypatch):
    from service.speech.engines import Script, engine_for, load_engine
    from service.speech.utterances import sample_rate, script_to_wave
    from service.speech.voices import get_voice

    monkeypatch.setenv("YOMIAGE_ENGINE", TONE)
    engine = engine_for(get_voice("mei"))
    assert engine.name == "tone" and engine is load_engine(TONE) is engine_for(get_voice("natural-f"))
    before = engine.calls
    report = _build(tmp_path)
    assert engine.calls - before == report.synthesised > 0
    assert sample_rate(get_voice("mei")) == 48000
    assert script_to_wave(Script((), ("xx^xx-sil+k=o", "xx^sil-k+o=x", "sil^k-o+N=x")), get_voice("mei")).shape[0] > 0


def test_another_engines_sound_is_never_reused_as_openjtalks(tmp_path, monkeypatch):
    """The same document in the same output folder: tone first, then OpenJTalk synthesises everything anew (its
    utterances and tracks have other keys), and the tone build's files are not what OpenJTalk's manifest names."""
    monkeypatch.setenv("YOMIAGE_ENGINE", TONE)
    tone = _build(tmp_path)
    tone_keys = {t.key for t in tone.tracks}
    monkeypatch.delenv("YOMIAGE_ENGINE")
    real = _build(tmp_path)
    assert real.synthesised == _build(tmp_path / "fresh").synthesised > 0 and tone.synthesised > 0
    assert tone_keys.isdisjoint(t.key for t in real.tracks)
    assert all(t.built for t in real.tracks)
    manifest = json.loads(real.manifest.read_text(encoding="utf-8"))
    assert manifest["key"] == real.key != tone.key


def test_openjtalk_keys_are_those_from_before_the_seam():
    """Caches and built tracks made before the seam stay valid: the default engine adds nothing to a key."""
    import hashlib

    from service.speech.utterances import SYNTH_VERSION, reading_to_pieces
    from service.speech.voices import get_voice
    from simplify.reading import text_to_reading

    voice = get_voice("mei")
    piece = reading_to_pieces(text_to_reading("防災訓練のお知らせです。"), voice)[0]
    expected = hashlib.sha256(json.dumps([SYNTH_VERSION, voice.synthesis_key, piece.labels]).encode()).hexdigest()[:32]
    assert piece.key == expected


@pytest.mark.parametrize("spec", ["nonsense", "tests.fake_engine:", ":ToneEngine"])
def test_a_malformed_engine_setting_is_a_clear_error(spec):
    from service.speech.engines import load_engine
    from simplify.errors import InputError

    with pytest.raises(InputError, match="YOMIAGE_ENGINE"):
        load_engine(spec)


def test_the_tone_engine_is_deterministic_and_text_dependent():
    from service.speech.engines import Script
    from service.speech.voices import get_voice
    from tests.fake_engine import ToneEngine

    engine, voice = ToneEngine(), get_voice("mei")
    a = engine.synthesize(Script((), ("x-k+a", "x-a+x")), voice)
    assert np.array_equal(a, engine.synthesize(Script((), ("x-k+a", "x-a+x")), voice))
    assert not np.array_equal(a, engine.synthesize(Script((), ("x-s+a", "x-a+x")), voice))
