"""A section as MP3 bytes while it is being synthesised: the listener hears the first clause at once."""

from __future__ import annotations

import threading
from typing import Iterator

import numpy as np

from simplify.model import Document, Section
from simplify.reading import document_places, text_to_reading

from service.speech import audio
from service.products.build import BuildOptions, find_section, plan_for
from service.speech.utterances import Synthesizer, reading_to_pieces, sample_rate, stream_utterance_waves
from service.speech.voices import Voice

_CALIBRATION = (
    "総務省では、誰もがデジタル化の恩恵を受けられる環境の整備を進めています。"
    "高齢者や障害者を含む全ての人が、情報を利用しやすくなるよう取り組んでいます。"
)
_gains: dict[tuple[str, float], float] = {}
_gains_lock = threading.Lock()


def streaming_gain_db(voice: Voice, target_lufs: float, synth: Synthesizer) -> float:
    """Gain that brings this voice's speech to the target, measured once a process on a reference passage (whose
    pieces ``synth`` keeps in the utterance cache, so a restarted service measures without synthesising: the
    natural voice takes seconds for it).

    A stream cannot measure the integrated loudness of audio it has not made yet; the voice's typical
    loudness is close (the built file, measured whole, replaces the stream once it exists).
    """
    key = (voice.synthesis_key, target_lufs)
    with _gains_lock:
        if key not in _gains:
            pieces = reading_to_pieces(text_to_reading(_CALIBRATION), voice)
            wave = np.concatenate([synth.piece_wave(p) for p in pieces])
            _gains[key] = target_lufs - audio.integrated_loudness(wave, sample_rate(voice))
        return _gains[key]


def stream_section_mp3(document: Document, section: Section, voice: Voice, options: BuildOptions,
                       synth: Synthesizer, *, block_bytes: int = 16384) -> Iterator[bytes]:
    """MP3 frames of the track that carries (or announces) ``section``, in speaking order. A track already built
    is sent from its file."""
    plan = plan_for(document, section.id)
    built = find_section(document, section, voice, options)
    if built is not None and built.mp3:
        with open(options.layout.products(document, voice) / built.mp3, "rb") as f:
            while chunk := f.read(block_bytes):
                yield chunk
        return
    sr = sample_rate(voice)
    gain = 10 ** ((streaming_gain_db(voice, options.target_lufs + voice.volume_db, synth)) / 20)
    # NOTE: the same true-peak ceiling as a build, with look-ahead across chunk edges (a little lower: the stream's
    # gain is the voice's typical one, not this section's measured one)
    limiter = audio.StreamLimiter(sr, audio.TRUE_PEAK_CEILING - 0.5)
    encoder = audio.Mp3Encoder(sr, options.bitrate)
    skip = audio.ENCODER_DELAY
    for wave in stream_utterance_waves(plan.section, voice, synth, footnotes=options.footnotes,
                                       announce=plan.announced, places=document_places(document)):
        if skip:
            cut = min(skip, len(wave))
            wave, skip = wave[cut:], skip - cut
        if not len(wave):
            continue
        data = encoder.encode(audio.to_int16(limiter.process(wave * gain)))
        if data:
            yield data
    yield encoder.encode(audio.to_int16(limiter.flush())) + encoder.flush()

