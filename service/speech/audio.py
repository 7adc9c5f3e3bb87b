"""Waveforms -> finished audio: loudness (ITU-R BS.1770-4), true-peak limiting, MP3/WAV/Opus, ID3 tags, WebVTT."""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache

import lameenc
import numpy as np
import soundfile
from mutagen.id3 import APIC, CHAP, COMM, CTOC, ID3, TALB, TDRC, TIT2, TLAN, TPE1, TRCK, WOAS, CTOCFlags, PictureType

from service.speech.captions import Cue

# NOTE: scipy.signal and scipy.ndimage (≈ 1 s together) are imported where a waveform is first filtered or
# resampled: a process that only serves built files never pays for them.

# BS.1770-4 K-weighting at 48 kHz (the recommendation's own coefficients): a high shelf, then a high pass.
_SHELF = (np.array([1.53512485958697, -2.69169618940638, 1.19839281085285]), np.array([1.0, -1.69065929318241, 0.73248077421585]))
_HIGHPASS = (np.array([1.0, -2.0, 1.0]), np.array([1.0, -1.99004745483398, 0.99007225036621]))
_ABSOLUTE_GATE = -70.0
_SILENCE = -200.0

TRUE_PEAK_CEILING = -1.5  # dBTP we limit to, leaving room for MP3's overshoot under the -1 dBTP promise
_STEP = 1 << 20  # samples worked on at a time where a whole track's copy is not needed (a long track: 10 M samples)


def _parts(n: int) -> range:
    return range(0, n, _STEP)


def _above(x: np.ndarray, threshold: float) -> np.ndarray:
    """Indices of the samples whose magnitude is above ``threshold``, without a magnitude copy of the whole."""
    found = [s + np.flatnonzero(np.abs(x[s:s + _STEP]) > threshold) for s in _parts(len(x))]
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def _rates(sr: int) -> tuple[int, int]:
    g = np.gcd(sr, 48000)
    return 48000 // g, sr // g


def _to_48k(x: np.ndarray, sr: int) -> np.ndarray:
    if sr == 48000:
        return x
    from scipy.signal import resample_poly

    return resample_poly(x, *_rates(sr))


_K_WEIGHTING = np.array([np.concatenate(_SHELF), np.concatenate(_HIGHPASS)])
_HOP = 4800  # 100 ms at 48 kHz; a gating block is four hops
# NOTE: the K-weighting's slowest pole (the high pass) has radius 0.99502: a change is forgotten (to 1e-10) one hop
# later, and a filter started from rest one hop early has reached the true state; the resamplers reach a few dozen
# samples (48 kHz) either side of a changed source sample
_FORGETS = _HOP
_RESAMPLER_REACH = 64


def integrated_loudness(x: np.ndarray, sr: int) -> float:
    """Integrated loudness (LUFS) of a mono signal in -1..1: K-weighting, 400 ms blocks every 100 ms, two gates.

    Vectorised (second-order sections, energies summed per 100 ms hop) and run over 10 s at a time with the filter's
    state carried across, so a long track needs a few MB, not several copies of itself; tests check it against
    pyloudnorm.
    """
    return _gated_loudness(_blocks(_hop_energies(x, sr)))


def _hop_energies(x: np.ndarray, sr: int) -> np.ndarray:
    """The sum of squares of the K-weighted signal (at 48 kHz) in each whole 100 ms hop. The filter is linear: a
    signal scaled by g has these energies times g² (``normalise`` uses this)."""
    from scipy.signal import sosfilt

    x = _to_48k(np.asarray(x), sr)
    state = np.zeros((len(_K_WEIGHTING), 2))
    energies = []
    for start in range(0, len(x), 100 * _HOP):
        y, state = sosfilt(_K_WEIGHTING, np.asarray(x[start:start + 100 * _HOP], dtype=np.float64), zi=state)
        whole = len(y) // _HOP
        energies.append(np.square(y[: whole * _HOP]).reshape(whole, _HOP).sum(axis=1))
    return np.concatenate(energies) if energies else np.zeros(0)


def _blocks(hops: np.ndarray) -> np.ndarray:
    """The mean square in each 400 ms gating block (every 100 ms), from the hops' energies."""
    if len(hops) < 4:
        return np.zeros(0)
    return (hops[:-3] + hops[1:-2] + hops[2:-1] + hops[3:]) / (4 * _HOP)


def _refreshed(hops: np.ndarray, x: np.ndarray, sr: int, stretches: list[tuple[int, int]]) -> np.ndarray:
    """``hops`` (of ``x`` before the samples in ``stretches`` changed) with the hops those changes reach measured
    again: after limiting, a track is filtered again over a few seconds around its peaks, not over its whole
    length. Equal to ``_hop_energies(x, sr)`` (the filter starts from rest a hop early: see _FORGETS)."""
    from scipy.signal import resample_poly, sosfilt

    if not stretches:
        return hops
    up, down = _rates(sr)
    ranges: list[list[int]] = []
    for a, b in sorted(stretches):  # NOTE: the hops each stretch reaches, merged where they meet
        first = max(0, (a * up // down - _RESAMPLER_REACH) // _HOP)
        end = min(len(hops), (-(-b * up // down) + _RESAMPLER_REACH + _FORGETS) // _HOP + 1)
        if ranges and first <= ranges[-1][1]:
            ranges[-1][1] = max(ranges[-1][1], end)
        elif first < end:
            ranges.append([first, end])
    out = hops.copy()
    for first, end in ranges:
        start = max(0, first * _HOP - _FORGETS)  # at 48 kHz
        if sr == 48000:
            part = x[start:end * _HOP]
        else:  # NOTE: resampled from a source sample whose output lands on a whole 48 kHz sample, a hop early
            source = max(0, (start * down // up - _HOP) // down * down)
            stop = min(len(x), -(-end * _HOP * down // up) + _HOP)
            part = resample_poly(np.asarray(x[source:stop], dtype=np.float64), up, down)
            part = part[start - source * up // down: end * _HOP - source * up // down]
        y = sosfilt(_K_WEIGHTING, np.asarray(part, dtype=np.float64))[first * _HOP - start:]
        out[first:end] = np.square(y[: (end - first) * _HOP]).reshape(end - first, _HOP).sum(axis=1)
    return out


def _gated_loudness(z: np.ndarray) -> float:
    if len(z) == 0:
        return _SILENCE
    with np.errstate(divide="ignore"):
        levels = -0.691 + 10 * np.log10(z)
    z = z[levels > _ABSOLUTE_GATE]
    if len(z) == 0:
        return _SILENCE
    relative = -0.691 + 10 * np.log10(z.mean()) - 10
    z = z[-0.691 + 10 * np.log10(z) > relative]
    return float(-0.691 + 10 * np.log10(z.mean()))


_PEAK_REACH = 48  # samples each side of a candidate peak that the 4x interpolation looks at


@lru_cache(maxsize=1)
def _oversampler() -> np.ndarray:
    """The 4x interpolation around a window's centre sample as one matrix: resample_poly is linear, so its output
    for a window is the window times what it makes of the identity (the same numbers, in one BLAS product)."""
    from scipy.signal import resample_poly

    width = 2 * _PEAK_REACH + 1
    return resample_poly(np.eye(width), 4, 1, axis=1)[:, 4 * _PEAK_REACH - 8: 4 * _PEAK_REACH + 9]


def true_peak_db(x: np.ndarray, sr: int) -> float:
    """True peak (dBTP) by 4x oversampling around the loudest samples (inter-sample peaks sit next to them)."""
    x = np.asarray(x)
    if len(x) == 0:
        return _SILENCE
    top = max(float(np.abs(x[s:s + _STEP]).max()) for s in _parts(len(x)))
    if top == 0:
        return _SILENCE
    candidates = _above(x, top * 0.7)  # within 3 dB of the sample peak
    if len(candidates) > 4000:
        candidates = candidates[np.argpartition(np.abs(x[candidates]), -4000)[-4000:]]
    index = np.clip(candidates[:, None] + np.arange(-_PEAK_REACH, _PEAK_REACH + 1)[None, :], 0, len(x) - 1)
    up = x[index].astype(np.float64) @ _oversampler()
    return 20 * np.log10(max(float(np.abs(up).max()), top))


def _limiter_gain(magnitude: np.ndarray, ceiling: float, width: int) -> np.ndarray:
    """The smooth gain that keeps ``magnitude`` under ``ceiling``: the peak over ``width`` samples, the gain it
    needs, then the minimum over 2 widths and an average over one (which never exceeds the gain a sample needs)."""
    from scipy.ndimage import maximum_filter1d, minimum_filter1d, uniform_filter1d

    envelope = maximum_filter1d(magnitude, size=width)
    gain = np.minimum(1.0, ceiling / np.maximum(envelope, 1e-12))
    return uniform_filter1d(minimum_filter1d(gain, size=2 * width), size=width)


def _limit_into(x: np.ndarray, sr: int, ceiling_db: float) -> list[tuple[int, int]]:
    """Look-ahead peak limiter, in place: smooth gain reduction around the samples above the ceiling, nowhere
    else. Returns the stretches it changed (start, end), so their loudness can be measured again alone."""
    ceiling = 10 ** (ceiling_db / 20)
    over = _above(x, ceiling)
    if not len(over):
        return []
    width = max(3, int(sr * 0.004))  # 4 ms of look-ahead and release
    reach = 3 * width
    # NOTE: peaks are sparse in speech; work only on the stretches around them (apart: each reads only itself)
    breaks = np.flatnonzero(np.diff(over) > 2 * reach)
    starts = np.concatenate(([over[0]], over[breaks + 1])) - reach
    ends = np.concatenate((over[breaks], [over[-1]])) + reach + 1
    stretches = [(int(a), int(b)) for a, b in zip(np.maximum(starts, 0), np.minimum(ends, len(x)))]
    for a, b in stretches:
        part = x[a:b]
        x[a:b] = part * _limiter_gain(np.abs(part), ceiling, width)
    return stretches


def _true_envelope(x: np.ndarray) -> np.ndarray:
    """Per sample, the larger of its own magnitude and the inter-sample peaks just after it (4x oversampled)."""
    from scipy.signal import resample_poly

    if len(x) == 0:
        return np.abs(x)
    up = np.abs(resample_poly(x.astype(np.float64), 4, 1))[: 4 * len(x)]
    return np.maximum(np.abs(x), up.reshape(-1, 4).max(axis=1))


class StreamLimiter:
    """The build's true-peak limit for audio that arrives in chunks: gain follows the 4x-oversampled envelope,
    and the last ``look`` samples of each chunk are held back until the next one arrives, so a peak just after a
    chunk edge is turned down before it, exactly as in one pass over the whole signal."""

    def __init__(self, sr: int, ceiling_db: float):
        self.ceiling = 10 ** (ceiling_db / 20)
        self.width = max(3, int(sr * 0.004))
        self.look = 8 * self.width  # more than the reach of the filters below, and of the resampler's taps
        self.pending = np.zeros(0, dtype=np.float32)
        self.history = np.zeros(0, dtype=np.float32)


    def process(self, chunk: np.ndarray, final: bool = False) -> np.ndarray:
        buffer = np.concatenate((self.pending, np.asarray(chunk, dtype=np.float32)))
        ready = len(buffer) if final else len(buffer) - self.look
        if ready <= 0:
            self.pending = buffer
            return np.zeros(0, dtype=np.float32)
        context = np.concatenate((self.history, buffer))
        if final:
            context = np.concatenate((context, np.zeros(self.look, dtype=np.float32)))
        gain = _limiter_gain(_true_envelope(context), self.ceiling, self.width)
        gain = gain[len(self.history): len(self.history) + ready]
        out = (buffer[:ready] * gain).astype(np.float32)
        self.history = np.concatenate((self.history, buffer[:ready]))[-self.look:]
        self.pending = buffer[ready:]
        return out

    def flush(self) -> np.ndarray:
        return self.process(np.zeros(0, dtype=np.float32), final=True)


@dataclass(frozen=True)
class Normalised:
    samples: np.ndarray  # float in -1..1
    loudness: float  # LUFS after processing
    true_peak: float  # dBTP after processing
    gain_db: float


def normalise(x: np.ndarray, sr: int, target_lufs: float) -> Normalised:
    """Bring a track to the loudness target with true peak under TRUE_PEAK_CEILING.

    Measure, apply the gain, limit the few peaks above the ceiling, measure again; a second small gain
    corrects what limiting took away (rarely needed: speech peaks are brief). Measuring again costs little: a gain
    scales the hops' energies, and only the hops the limiter reached are filtered again.
    """
    hops = _hop_energies(x, sr)
    measured = _gated_loudness(_blocks(hops))
    if measured <= _ABSOLUTE_GATE:
        return Normalised(x, measured, true_peak_db(x, sr), 0.0)
    gain_db = target_lufs - measured
    sample_ceiling = TRUE_PEAK_CEILING - 0.5
    # NOTE: one copy of the signal, changed in place from here on (a long track is tens of MB a copy)
    gain = np.float32(10 ** (gain_db / 20))
    y = x * gain
    hops = _refreshed(hops * float(gain) ** 2, y, sr, _limit_into(y, sr, sample_ceiling))
    now = _gated_loudness(_blocks(hops))
    for _ in range(3):
        peak = true_peak_db(y, sr)
        if peak > TRUE_PEAK_CEILING:
            sample_ceiling -= peak - TRUE_PEAK_CEILING + 0.1
            hops = _refreshed(hops, y, sr, _limit_into(y, sr, sample_ceiling))
            now = _gated_loudness(_blocks(hops))
            continue
        if abs(now - target_lufs) <= 0.3:
            return Normalised(y, now, peak, gain_db)
        extra = target_lufs - now
        gain_db += extra
        gain = np.float32(10 ** (extra / 20))
        y *= gain
        hops = _refreshed(hops * float(gain) ** 2, y, sr, _limit_into(y, sr, sample_ceiling))
        now = _gated_loudness(_blocks(hops))
    return Normalised(y, now, true_peak_db(y, sr), gain_db)


def to_int16(x: np.ndarray) -> np.ndarray:
    """Float -1..1 to 16-bit PCM (clipped), a million samples at a time (no float copies of a whole track)."""
    out = np.empty(len(x), dtype=np.int16)
    for s in _parts(len(x)):
        out[s:s + _STEP] = np.clip(x[s:s + _STEP], -1.0, 32767 / 32768) * 32768
    return out


# ---------------------------------------------------------------------------------------------
# Encoders


class Mp3Encoder:
    """Constant-bitrate mono MP3 (LAME), fed chunk by chunk: each call returns the frames ready so far."""

    def __init__(self, sr: int, bitrate: int = 64, quality: int = 7):
        self._encoder = lameenc.Encoder()
        self._encoder.set_bit_rate(bitrate)
        self._encoder.set_in_sample_rate(sr)
        self._encoder.set_channels(1)
        self._encoder.set_quality(quality)  # NOTE: 7 is LAME's fast mode: ~350x real time, ample for speech

    def encode(self, pcm: np.ndarray) -> bytes:
        return bytes(self._encoder.encode(np.ascontiguousarray(pcm, dtype=np.int16).tobytes()))

    def flush(self) -> bytes:
        return bytes(self._encoder.flush())


# NOTE: LAME's output decodes 1105 samples late (576 encoder delay + 529 decoder delay, measured with an impulse).
# Tracks start with silence, so dropping that much of it keeps the decoded timeline equal to the cue times.
ENCODER_DELAY = 1105


def wave_to_mp3(pcm: np.ndarray, sr: int, bitrate: int = 64) -> bytes:
    encoder = Mp3Encoder(sr, bitrate)
    pcm = pcm[ENCODER_DELAY:] if len(pcm) > 2 * ENCODER_DELAY else pcm
    # NOTE: fed in parts: LAME's frames are the same, without a byte copy of the whole track
    return b"".join([encoder.encode(pcm[s:s + _STEP]) for s in _parts(len(pcm))]) + encoder.flush()


WAV_RATE = 48000  # NOTE: playout systems take 48 kHz (broadcast practice); a 24 kHz voice's WAV is resampled


def wave_to_wav(pcm: np.ndarray, sr: int) -> bytes:
    """16-bit PCM WAV at 48 kHz, whatever the voice's own rate."""
    if sr != WAV_RATE:
        pcm = to_int16(_to_48k(pcm.astype(np.float32) / 32768, sr))
    buffer = io.BytesIO()
    soundfile.write(buffer, pcm, WAV_RATE, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def wave_to_opus(pcm: np.ndarray, sr: int) -> bytes:
    """Ogg Opus through libsndfile, written in blocks (one long write can crash its Ogg writer)."""
    buffer = io.BytesIO()
    with soundfile.SoundFile(buffer, "w", samplerate=sr, channels=1, format="OGG", subtype="OPUS") as f:
        for start in range(0, len(pcm), sr * 10):
            f.write(pcm[start : start + sr * 10])
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# MP3 frames, for joining section files into one without re-encoding

_BITRATES = {  # kbit/s for Layer III, by MPEG version
    3: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
    2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
}
_RATES = {3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000]}


def strip_id3(data: bytes) -> bytes:
    if data[:3] == b"ID3" and len(data) >= 10:
        size = (data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9]
        return data[10 + size :]
    return data


def mp3_frames(data: bytes) -> tuple[int, int, int]:
    """(frames, samples, sample rate) of an MP3 without its ID3 tag; raises ValueError on a broken stream."""
    pos, frames, samples, rate = 0, 0, 0, 0
    while pos + 4 <= len(data):
        h = int.from_bytes(data[pos : pos + 4], "big")
        if (h >> 21) & 0x7FF != 0x7FF:
            raise ValueError(f"not an MP3 frame at byte {pos}")
        version, layer = (h >> 19) & 3, (h >> 17) & 3
        bitrate_index, rate_index = (h >> 12) & 0xF, (h >> 10) & 3
        # NOTE: version 1, bitrate index 15 and sample-rate index 3 are reserved values: a broken stream
        if layer != 1 or version == 1 or bitrate_index in (0, 15) or rate_index == 3:
            raise ValueError(f"unsupported or reserved MP3 frame header at byte {pos}")
        bitrate = _BITRATES[3 if version == 3 else 2][bitrate_index] * 1000
        rate = _RATES[version][rate_index]
        padding = (h >> 9) & 1
        per_frame = 1152 if version == 3 else 576
        length = per_frame // 8 * bitrate // rate + padding
        pos += length
        frames += 1
        samples += per_frame
    if pos != len(data):
        raise ValueError("MP3 stream ends in the middle of a frame")
    return frames, samples, rate


# ---------------------------------------------------------------------------------------------
# Tags and cues


@dataclass(frozen=True)
class Chapter:
    id: str
    title: str
    start: float
    end: float


def id3_tag(*, title: str, album: str, artist: str, track: tuple[int, int] | None, comment: str, url: str | None,
            chapters: list[Chapter] | None = None, toc_title: str | None = None, year: int | None = None,
            cover: bytes | None = None, version: int = 4) -> bytes:
    """An ID3v2.4 tag, or v2.3 for players that read only that (title, album, track n/N, artist, language jpn,
    comment, year, front cover; CHAP/CTOC chapters, which both versions carry)."""
    tag = ID3()
    tag.add(TIT2(encoding=3, text=title))
    tag.add(TALB(encoding=3, text=album))
    tag.add(TPE1(encoding=3, text=artist))
    tag.add(TLAN(encoding=3, text="jpn"))
    tag.add(COMM(encoding=3, lang="jpn", desc="", text=comment))
    if track:
        tag.add(TRCK(encoding=3, text=f"{track[0]}/{track[1]}"))
    if url:
        tag.add(WOAS(url=url))
    if year:
        tag.add(TDRC(encoding=3, text=str(year)))
    if cover:
        tag.add(APIC(encoding=3, mime="image/png", type=PictureType.COVER_FRONT, desc="", data=cover))
    if chapters:
        tag.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                     child_element_ids=[c.id for c in chapters], sub_frames=[TIT2(encoding=3, text=toc_title or album)]))
        for c in chapters:
            tag.add(CHAP(element_id=c.id, start_time=int(round(c.start * 1000)), end_time=int(round(c.end * 1000)),
                         sub_frames=[TIT2(encoding=3, text=c.title)]))
    if version == 3:
        tag.update_to_v23()  # NOTE: TDRC becomes TYER; mutagen writes v2.3 text as UTF-16
    buffer = io.BytesIO()
    tag.save(buffer, v2_version=version, padding=lambda info: 0)
    return buffer.getvalue()


def _vtt_time(seconds: float) -> str:
    ms = int(round(seconds * 1000))
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def cues_to_vtt(cues: list[Cue]) -> str:
    """WebVTT: each cue's id, times and text lines (escaped as the format asks; a cue never holds a blank line)."""
    out = ["WEBVTT", ""]
    for cue in cues:
        text = cue.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("-->", "--&gt;")
        text = "\n".join(line for line in text.split("\n") if line.strip())
        out += [cue.id, f"{_vtt_time(cue.start)} --> {_vtt_time(cue.end)}", text, ""]
    return "\n".join(out)
