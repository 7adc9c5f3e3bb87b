"""Audio products, checked by their properties (never by bytes): decodability, duration, rate, loudness,
true peak, tags and chapters, cues; the cache, concurrency and a build killed midway."""

from __future__ import annotations

import io
import json
import re
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
import soundfile
from mutagen.id3 import ID3
from scipy.signal import resample_poly

from service.speech import audio
from service.products.build import BuildOptions, build_document, build_section, plan_for
from service.speech.utterances import Synthesizer, sample_rate, section_to_utterances
from service.products.streaming import stream_section_mp3
from service.speech.voices import get_voice, list_voices
from simplify.documents import path_to_document
from simplify.errors import InputError
from simplify.reading import document_with_readings

DATA = Path(__file__).parent / "data"
# NOTE: every audio product is checked in both engines' voices: OpenJTalk's mei and the natural voice (Kokoro-82M)
VOICES = ["mei", "natural-f"]


@pytest.fixture(scope="module")
def sample_doc():
    return document_with_readings(path_to_document(DATA / "sample.txt"))


@pytest.fixture(scope="module", params=VOICES)
def built(sample_doc, tmp_path_factory, request):
    options = BuildOptions(output=tmp_path_factory.mktemp("out"), jobs=2)
    voice = get_voice(request.param)
    report = build_document(sample_doc, voice, options, progress=False)
    folder = report.manifest.parent
    return sample_doc, voice, options, report, folder, json.loads(report.manifest.read_text(encoding="utf-8"))


def decode(path: Path):
    return soundfile.read(path)


def true_peak(x: np.ndarray) -> float:
    return 20 * np.log10(np.abs(resample_poly(x, 4, 1)).max())


def test_manifest_lists_every_section(built):
    doc, voice, options, report, folder, manifest = built
    assert manifest["document"] == doc.id and manifest["voice"] == voice.id
    # every section is in one track, in reading order: its own, or the one it is announced in
    assert [s for t in manifest["tracks"] for s in t["sections"]] == [s.id for s in doc.walk()]
    for track in manifest["tracks"]:
        assert (folder / track["mp3"]).exists() and (folder / track["vtt"]).exists()
    assert (folder / manifest["full"]["mp3"]).exists()


def test_every_track_decodes_with_the_right_duration_rate_loudness_and_peak(built):
    doc, voice, options, report, folder, manifest = built
    for track in manifest["tracks"]:
        x, sr = decode(folder / track["mp3"])
        assert sr == sample_rate(voice) and x.ndim == 1
        timing = json.loads((folder / track["json"]).read_text(encoding="utf-8"))
        cues = timing["cues"]
        expected = voice.lead_in + sum(c["end"] - c["start"] for c in cues) + voice.tail
        plan = plan_for(doc, track["section"])
        expected += sum(u.pause_after for u in section_to_utterances(plan.section, voice, announce=plan.announced))
        assert abs(len(x) / sr - expected) <= 0.02 * expected, track
        if len(x) / sr > 3:  # BS.1770 gating needs a few blocks to mean anything
            assert abs(pyloudnorm.Meter(sr).integrated_loudness(x) - options.target_lufs) <= 1.0, track
        assert true_peak(x) <= -1.0, track
        assert np.abs(x).max() > 0.05  # not silence


def test_track_tags(built):
    doc, voice, options, report, folder, manifest = built
    total = len(manifest["tracks"])
    for n, track in enumerate(manifest["tracks"], 1):
        tag = ID3(folder / track["mp3"])
        assert tag["TIT2"].text == [doc.section(track["section"]).heading]
        assert tag["TALB"].text == [doc.title]
        assert tag["TRCK"].text == [f"{n}/{total}"]
        assert tag["TPE1"].text == [voice.name]
        assert tag["TLAN"].text == ["jpn"]
        assert tag.getall("COMM")


def test_full_mp3_has_one_chapter_per_section(built):
    doc, voice, options, report, folder, manifest = built
    tag = ID3(folder / "full.mp3")
    chapters = sorted(tag.getall("CHAP"), key=lambda c: c.start_time)
    sections = list(doc.walk())
    assert len(chapters) == len(sections)
    assert [c.sub_frames["TIT2"].text[0] for c in chapters] == [s.heading for s in sections]
    toc = tag.getall("CTOC")[0]
    assert toc.child_element_ids == [c.element_id for c in chapters]
    x, sr = decode(folder / "full.mp3")
    starts = [c.start_time for c in chapters]
    assert starts == sorted(starts) and starts[0] == 0
    assert all(a.end_time == b.start_time for a, b in zip(chapters, chapters[1:]))
    assert abs(chapters[-1].end_time / 1000 - len(x) / sr) < 0.05
    per_track = sum(len(decode(folder / t["mp3"])[0]) for t in manifest["tracks"])
    assert abs(len(x) - per_track) <= len(sections) * 1152  # joined frame by frame, not re-encoded


def test_cues_match_utterances_and_stay_inside_the_track(built):
    doc, voice, options, report, folder, manifest = built
    for track in manifest["tracks"]:
        section = doc.section(track["section"])
        vtt = (folder / track["vtt"]).read_text(encoding="utf-8")
        assert vtt.startswith("WEBVTT")
        timing = json.loads((folder / track["json"]).read_text(encoding="utf-8"))
        cues = timing["cues"]
        plan = plan_for(doc, section.id)
        assert len(cues) == len(section_to_utterances(section, voice, announce=plan.announced)) <= vtt.count(" --> ")
        sentences = [c for c in cues if c["kind"] in ("sentence", "figure")]
        assert len(sentences) == sum(1 for _ in section.sentences())
        assert [c["text"] for c in sentences] == [s.text for s in section.sentences()]
        times = [t for c in cues for t in (c["start"], c["end"])]
        assert times == sorted(times) and times[0] >= 0 and times[-1] <= timing["duration"]
        assert all(c["end"] > c["start"] for c in cues)


def test_footnotes_are_read_after_the_body(built):
    doc, voice, options, report, folder, manifest = built
    timing = json.loads((folder / "03-s1-1-1.json").read_text(encoding="utf-8"))
    assert timing["cues"][-1]["id"] == "n1"
    assert timing["cues"][-1]["text"].startswith("注1。Personal Health Record")


def test_second_build_synthesises_nothing(built):
    doc, voice, options, report, folder, manifest = built
    assert report.synthesised > 0
    again = build_document(doc, voice, options, progress=False)
    assert again.synthesised == 0 and again.built_tracks == 0


def test_changing_one_sentence_resynthesises_only_that_sentence(built, tmp_path):
    doc, voice, options, report, folder, manifest = built
    text = (DATA / "sample.txt").read_text(encoding="utf-8").replace("次の段落です。", "次の段落は変わりました。")
    (tmp_path / "sample.txt").write_text(text, encoding="utf-8")
    changed = document_with_readings(path_to_document(tmp_path / "sample.txt"))
    result = build_document(changed, voice, options, progress=False)
    assert result.synthesised == 1
    assert result.built_tracks == 1


@pytest.mark.parametrize("voice_id", VOICES)
def test_other_formats_decode(sample_doc, tmp_path, voice_id):
    options = BuildOptions(output=tmp_path, formats=("mp3", "wav", "opus"))
    voice = get_voice(voice_id)
    section = sample_doc.section("s1-2-a")
    track = build_section(sample_doc, section, voice, options, Synthesizer(voice, tmp_path / "cache" / "utt"))
    folder = tmp_path / sample_doc.id / voice_id
    for ext in ("wav", "opus"):
        x, sr = decode(folder / f"{track.json[:-5]}.{ext}")
        assert abs(len(x) / sr - track.duration) < 0.1


def test_concurrent_requests_synthesise_once(sample_doc, tmp_path):
    options = BuildOptions(output=tmp_path)
    voice = get_voice("mei")
    synth = Synthesizer(voice, tmp_path / "cache" / "utt")
    section = sample_doc.section("s1-1-2")
    results = []
    threads = [threading.Thread(target=lambda: results.append(build_section(sample_doc, section, voice, options, synth)))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4
    assert sum(1 for r in results if r.built) == 1
    pieces = sum(1 for u in section_to_utterances(section, voice) for r in u.readings for c in r.chunks)
    assert synth.synthesised == pieces


# -- voices ---------------------------------------------------------------------------------------

def test_shipped_voices():
    ids = [v.id for v in list_voices()]
    assert {"mei", "mei-slow", "mei-low"} <= set(ids)
    slow, low = get_voice("mei-slow"), get_voice("mei-low")
    assert 0.75 <= slow.speed <= 0.85 and slow.sentence_pause > get_voice("mei").sentence_pause
    natural_slow = get_voice("natural-f-slow")  # for elder-support sessions, as mei-slow
    assert natural_slow.speed < get_voice("natural-f").speed and natural_slow.sentence_pause == slow.sentence_pause
    assert low.half_tone < 0
    for v in list_voices():
        if v.engine == "openjtalk":
            assert v.htsvoice.exists()
            assert Path(str(v.htsvoice) + ".LICENSE").exists()
        else:
            assert v.engine == "kokoro" and v.htsvoice is None and v.speaker


def test_unknown_voice_is_an_error_not_a_fallback():
    with pytest.raises(InputError) as info:
        get_voice("nonexistent")
    assert info.value.code == "unknown_voice" and info.value.status == 404


def test_a_dropped_in_voice_appears_and_a_broken_one_is_reported(tmp_path):
    source = get_voice("mei").htsvoice
    (tmp_path / "mine.htsvoice").write_bytes(source.read_bytes())
    (tmp_path / "mine.toml").write_text('id = "mine"\nname = "わたしの声"\nhtsvoice = "mine.htsvoice"\nspeed = 1.1\n', encoding="utf-8")
    assert [v.id for v in list_voices(tmp_path)] == ["mine"]
    (tmp_path / "broken.toml").write_text('id = "broken"\nname = "x"\nhtsvoice = "missing.htsvoice"\n', encoding="utf-8")
    with pytest.raises(InputError):
        list_voices(tmp_path)


def test_slow_voice_is_slower(sample_doc, tmp_path):
    section = sample_doc.section("s1-1-2")
    durations = {}
    for voice_id in ("mei", "mei-slow"):
        voice = get_voice(voice_id)
        options = BuildOptions(output=tmp_path)
        durations[voice_id] = build_section(sample_doc, section, voice, options,
                                            Synthesizer(voice, tmp_path / "cache" / "utt")).duration
    assert durations["mei-slow"] > durations["mei"] * 1.15


# -- streaming ------------------------------------------------------------------------------------

@pytest.mark.parametrize("voice_id", VOICES)
def test_stream_starts_before_the_section_is_synthesised(sample_doc, tmp_path, voice_id):
    voice = get_voice(voice_id)
    options = BuildOptions(output=tmp_path)
    synth = Synthesizer(voice, tmp_path / "cache" / "utt")
    section = sample_doc.section("s1-1-1")
    from service.products.streaming import streaming_gain_db

    streaming_gain_db(voice, options.target_lufs, synth)  # calibrated once per voice, not per request
    start = time.perf_counter()
    stamps, chunks = [], []
    for chunk in stream_section_mp3(sample_doc, section, voice, options, synth):
        stamps.append((time.perf_counter() - start, sum(len(c) for c in chunks) + len(chunk)))
        chunks.append(chunk)
    total = time.perf_counter() - start
    # the first chunk that carries speech (beyond the lead-in silence) comes well before the end
    speech_at = next(t for t, size in stamps if size > voice.lead_in * 8000 + 2000)
    assert speech_at < total * 0.6
    x, sr = soundfile.read(io.BytesIO(b"".join(chunks)))
    assert sr == sample_rate(voice) and len(x) / sr > 5 and np.abs(x).max() > 0.05
    assert true_peak(x) <= -1.0


def test_a_restarted_service_measures_the_stream_gain_without_synthesising(tmp_path):
    """The reference passage's pieces are kept in the utterance cache: a new process (here: a cleared table and a
    new synthesiser over the same cache) gets the same gain without synthesising (the natural voice takes seconds)."""
    from service.products import streaming

    voice = get_voice("mei-slow")
    first = Synthesizer(voice, tmp_path / "utt")
    streaming._gains.clear()
    gain = streaming.streaming_gain_db(voice, -19.0, first)
    assert first.synthesised > 0
    streaming._gains.clear()
    again = Synthesizer(voice, tmp_path / "utt")
    assert streaming.streaming_gain_db(voice, -19.0, again) == pytest.approx(gain, abs=0.01)
    assert again.synthesised == 0


# -- killed midway ------------------------------------------------------------------------------

@pytest.mark.slow
def test_a_build_killed_midway_leaves_nothing_truncated_and_the_next_completes(tmp_path):
    text = "第1節 長い文書\n" + "".join(
        f" {i} 節{i}\n総務省では、地域社会のデジタル化を推進している。第{i}の取組について説明する。\n" for i in range(1, 13)
    )
    source = tmp_path / "long.txt"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "service.cli", "build", str(source), "--output", str(out), "--jobs", "2", "--quiet"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    folder = out / "long" / "mei"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(folder.glob("*.json"))) < 3:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert not (folder / "manifest.json").exists()
    for mp3 in folder.glob("*.mp3"):
        audio.mp3_frames(audio.strip_id3(mp3.read_bytes()))  # raises on a truncated stream
        decode(mp3)
    for js in folder.glob("*.json"):
        json.loads(js.read_text(encoding="utf-8"))
    for npy in (out / "cache").rglob("*.npy"):
        np.load(npy, allow_pickle=False)
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["tracks"]) == 12  # the 節 is only a heading: announced at the start of the first
    for track in manifest["tracks"]:
        decode(folder / track["mp3"])
    assert not list(out.rglob("*.tmp"))


def test_fast_loudness_agrees_with_pyloudnorm(built):
    doc, voice, options, report, folder, manifest = built
    x, sr = decode(folder / "full.mp3")
    assert abs(audio.integrated_loudness(x, sr) - pyloudnorm.Meter(sr).integrated_loudness(x)) < 0.15


@pytest.mark.parametrize("peak", [0.2, 0.99], ids=["under the ceiling", "over it"])
def test_normalise_reports_the_loudness_an_outside_meter_measures(peak):
    """The loudness a track reports is what pyloudnorm measures on the samples it returns, whether the gain
    alone got there (the measurement is then scaled, not taken again) or limiting had to take peaks off."""
    sr = 48000
    rng = np.random.default_rng(3)
    t = np.arange(sr * 8) / sr
    speechy = np.sin(2 * np.pi * 180 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 2.5 * t)) ** 2
    x = (speechy + 0.02 * rng.standard_normal(len(t))).astype(np.float32)
    x[sr // 2::sr] = 1.0  # brief clicks: the peaks limiting has to deal with
    x *= np.float32(peak / np.abs(x).max())
    out = audio.normalise(x, sr, -16.0)
    assert abs(out.loudness - pyloudnorm.Meter(sr).integrated_loudness(out.samples.astype(np.float64))) < 0.05
    assert abs(out.loudness - audio.integrated_loudness(out.samples, sr)) < 0.01
    assert abs(out.loudness + 16.0) <= 0.3


def _clicky_speech(sr: int, seconds: float, peak: float) -> np.ndarray:
    rng = np.random.default_rng(5)
    t = np.arange(int(sr * seconds)) / sr
    x = 0.3 * np.sin(2 * np.pi * 180 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 2.5 * t)) ** 2
    x += 0.01 * rng.standard_normal(len(t))
    x[sr // 3::sr // 2] = 1.0  # clicks every half second: many separate stretches to limit
    return (x * (peak / np.abs(x).max())).astype(np.float32)


@pytest.mark.parametrize("sr", [48000, 24000])
def test_loudness_after_limiting_is_measured_again_only_where_the_limiter_reached(sr):
    """Limiting changes a few short stretches: the K-weighted energy of the 100 ms hops they reach is measured
    again, and the result equals measuring the whole limited signal anew (the filter forgets within 0.2 s)."""
    x = _clicky_speech(sr, 30, 0.99)
    gain = np.float32(2.0)
    y = x * gain
    hops = audio._hop_energies(x, sr) * float(gain) ** 2
    stretches = audio._limit_into(y, sr, -3.0)
    assert len(stretches) > 20 and sum(b - a for a, b in stretches) < len(y) / 5
    assert np.abs(y).max() <= 10 ** (-3.0 / 20) + 1e-6
    refreshed = audio._refreshed(hops, y, sr, stretches)
    anew = audio._hop_energies(y, sr)
    assert len(refreshed) == len(anew)
    assert np.allclose(refreshed, anew, rtol=1e-6, atol=1e-9)
    assert not np.allclose(hops, anew, rtol=1e-3)  # NOTE: the limiter did change them: the test can fail


def test_true_peak_is_what_oversampling_the_whole_signal_finds():
    for peak in (0.3, 0.99):
        x = _clicky_speech(48000, 5, peak)
        assert abs(audio.true_peak_db(x, 48000) - true_peak(x.astype(np.float64))) < 0.01


def test_numpy_in_yomiage_processes_keeps_to_one_core():
    """yomiage runs its work in processes, one a core. OpenBLAS's own threads would spin a second core for ~0.1 s
    after every matrix product (the true peak's), taking it from the other worker: one thread a process."""
    probe = ("import service.cli\nimport time, numpy as np\n"  # NOTE: as `yomiage worker` starts
             "a, b = np.ones((4000, 97)), np.ones((97, 17))\n"
             "start = time.process_time()\n"
             "for _ in range(5):\n    a @ b; time.sleep(0.2)\n"
             "print(time.process_time() - start)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                          env={k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")},
                          cwd=Path(__file__).parent.parent)
    assert float(done.stdout) < 0.1, done.stdout


@pytest.mark.parametrize("voice_id", VOICES)
def test_broadcast_target(sample_doc, tmp_path, voice_id):
    voice = get_voice(voice_id)
    options = BuildOptions(output=tmp_path, target_lufs=-24.0)
    section = sample_doc.section("s1-1-1")
    track = build_section(sample_doc, section, voice, options, Synthesizer(voice, tmp_path / "cache" / "utt"))
    x, sr = decode(tmp_path / sample_doc.id / voice_id / track.mp3)
    assert abs(pyloudnorm.Meter(sr).integrated_loudness(x) + 24) <= 1.0 and true_peak(x) <= -1.0


def test_manifest_durations_are_what_a_player_measures(built):
    """Each duration is the written MP3's length as mutagen measures it (not the PCM's), to the millisecond,
    and the full book's chapters start where those lengths add up to."""
    from mutagen.mp3 import MP3

    doc, voice, options, report, folder, manifest = built
    manifest = json.loads(build_document(doc, voice, options, progress=False).manifest.read_text(encoding="utf-8"))
    total = 0.0
    starts = {c["section"]: c["start"] for c in manifest["full"]["chapters"]}
    for track in manifest["tracks"]:
        length = MP3(folder / track["mp3"]).info.length
        assert abs(track["duration"] - length) < 0.001, track
        first = next(iter(track["sections"]))
        assert abs(starts[first] - total) < 0.002  # each track's first chapter starts where the tracks add up to
        total += length
    assert abs(manifest["full"]["duration"] - total) < 0.002
    assert abs(MP3(folder / manifest["full"]["mp3"]).info.length - total) < 0.002


def test_a_build_that_changes_nothing_rewrites_nothing(built):
    """Same input, same products: the manifest keeps its bytes and its time (feeds, ETags and derived books
    depend on it), and its publication date is the first build's."""
    doc, voice, options, report, folder, manifest = built
    path = build_document(doc, voice, options, progress=False).manifest  # other tests build other content here
    manifest = json.loads(path.read_text(encoding="utf-8"))
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    time.sleep(0.05)
    again = build_document(doc, voice, options, progress=False)
    assert (again.manifest.read_bytes(), again.manifest.stat().st_mtime_ns) == before
    assert manifest["published"] and json.loads(before[0])["published"] == manifest["published"]


@pytest.mark.slow
def test_a_stream_keeps_the_true_peak_promise(tmp_path):
    """The heading that streamed at -0.4 dBTP with mei-low (the build gave -2.2): decoded by libsndfile and
    oversampled 4x here, the stream stays under -1 dBTP, as the built file does."""
    source = tmp_path / "peak.txt"
    source.write_text("第6節　ICT利活用の推進\n\n1　概要\n\n本文です。\n\n2　今後の課題と方向性\n\n本文です。\n", encoding="utf-8")
    document = document_with_readings(path_to_document(source))
    voice = get_voice("mei-low")
    sections = list(document.walk())
    number, section = next((n, s) for n, s in enumerate(sections, 1) if "今後の課題" in s.heading)
    options = BuildOptions(output=tmp_path / "out")
    data = b"".join(stream_section_mp3(document, section, voice, options,
                                       Synthesizer(voice, tmp_path / "cache")))
    x, sr = soundfile.read(io.BytesIO(data))
    assert len(x) / sr > 1.0
    assert true_peak(x) <= -1.0


def test_the_stream_limiter_gives_what_one_pass_gives():
    """Chunks of any size, peaks right at their edges: the same samples as limiting the whole signal at once."""
    sr = 48000
    rng = np.random.default_rng(7)
    x = (rng.standard_normal(sr) * 0.05).astype(np.float32)
    for at in (4095, 4096, 9000, 20000, 20001):
        x[at] = 0.99 * (1 if at % 2 else -1)
    whole = audio.StreamLimiter(sr, -3.0)
    expected = np.concatenate((whole.process(x), whole.flush()))
    for size in (97, 4096, 5000):
        limiter = audio.StreamLimiter(sr, -3.0)
        pieces = [limiter.process(x[i:i + size]) for i in range(0, len(x), size)] + [limiter.flush()]
        got = np.concatenate(pieces)
        assert len(got) == len(x) and np.allclose(got, expected, atol=1e-5), size
    assert true_peak(expected) <= -3.0 + 0.1


def test_captions_are_short_and_group_into_the_sentences(built, tmp_path):
    """Parsed by webvtt-py: every caption at most 7 s and 2 lines of 13 full-width characters; read in order,
    a sentence's captions give its text, from its start to its end (ids <sentence>.<n> group them)."""
    import webvtt

    from simplify.linebreak import display_width as width

    def seconds(stamp: str) -> float:  # NOTE: webvtt-py's *_in_seconds are whole seconds
        h, m, s = stamp.split(":")
        return int(h) * 3600 + int(m) * 60 + float(s)

    doc, voice, options, report, folder, manifest = built
    manifest = json.loads(build_document(doc, voice, options, progress=False).manifest.read_text(encoding="utf-8"))
    longest = 0.0
    for track in manifest["tracks"]:
        timing = json.loads((folder / track["json"]).read_text(encoding="utf-8"))
        captions = webvtt.read(str(folder / track["vtt"]))
        for caption in captions:
            assert seconds(caption.end) - seconds(caption.start) <= 7.0 + 1e-3, caption.text
            assert len(caption.lines) <= 2 and all(width(line) <= 13 for line in caption.lines), caption.lines
            longest = max(longest, seconds(caption.end) - seconds(caption.start))
        for cue in timing["cues"]:
            group = [c for c in captions if c.identifier.rsplit(".", 1)[0] == cue["id"]]
            assert "".join("".join(c.lines) for c in group) == cue["text"]
            assert abs(seconds(group[0].start) - cue["start"]) < 0.002 and abs(seconds(group[-1].end) - cue["end"]) < 0.002
    assert longest > 2.0  # real captions, not one per character


def test_a_long_sentence_is_cut_at_its_clauses():
    from service.speech.captions import Cue, caption_cues
    from simplify.reading import text_to_reading

    text = ("総務省では、地域の課題を解決するため、自治体や企業と連携して、デジタル技術を活用した取組を進めており、"
            "その成果を全国に広げることを目指している。")
    cues = caption_cues([Cue("s1", "sentence", text, 1.0, 21.0)], {"s1": (text_to_reading(text),)})
    assert [c.id for c in cues][:2] == ["s1.1", "s1.2"] and len(cues) >= 4
    assert cues[0].text.replace("\n", "") == "総務省では、地域の課題を解決するため、"
    assert all(c.end - c.start <= 7.0 for c in cues)
    assert "".join(c.text.replace("\n", "") for c in cues) == text


@pytest.mark.parametrize("voice_id", VOICES)
def test_a_numbered_heading_is_said_label_pause_title(sample_doc, tmp_path, voice_id):
    """「1」, a pause, 「はじめに」 — not 「イチハジメニ」 run together."""
    from service.speech.utterances import LABEL_PAUSE, reading_to_pieces

    voice = get_voice(voice_id)
    section = next(s for s in sample_doc.walk() if s.label and s.title)
    heading = section_to_utterances(section, voice)[0]
    assert [r.text for r in heading.readings] == [section.label, section.title]
    synth = Synthesizer(voice, tmp_path / "utt")
    sr = sample_rate(voice)
    wave = synth.utterance_wave(heading, sr)
    label = sum(len(synth.piece_wave(p)) for p in reading_to_pieces(heading.readings[0], voice))
    gap = wave[label: label + int(LABEL_PAUSE * sr)]
    assert len(gap) == int(LABEL_PAUSE * sr) and not np.any(gap)
    assert np.any(wave[label + int(LABEL_PAUSE * sr):])


@pytest.mark.slow
@pytest.mark.parametrize("voice_id", VOICES)
def test_the_broadcast_preset_gives_r128_wav_and_id3v23_mp3(tmp_path, voice_id):
    """`yomiage build --preset broadcast`: 48 kHz 16-bit WAV (the natural voice's 24 kHz resampled) beside each MP3
    at -24 LUFS (pyloudnorm) with true peak under -1 dBTP, and MP3s tagged ID3v2.3 with year (令和7年度 -> 2025),
    cover and chapters."""
    from mutagen.id3 import ID3 as ReadID3

    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "service.cli", "build", str(DATA / "notice.txt"), "--preset",
                             "broadcast", "--voice", voice_id, "--output", str(out), "--quiet"], capture_output=True,
                            text=True,
                            timeout=300, env={**os.environ, "YOMIAGE_OUTPUT_DIR": str(out)})
    assert result.returncode == 0, result.stderr
    folder = next(out.rglob("manifest.json")).parent
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    loudness = []
    for track in manifest["tracks"]:
        info = soundfile.info(folder / track["wav"])
        assert (info.samplerate, info.subtype, info.channels) == (48000, "PCM_16", 1)  # what playout takes
        x, sr = soundfile.read(folder / track["wav"])
        assert true_peak(x) <= -1.0
        if len(x) / sr > 5:
            loudness.append(pyloudnorm.Meter(sr).integrated_loudness(x))
        mp3 = (folder / track["mp3"]).read_bytes()
        assert mp3[:4] == b"ID3\x03"
        tag = ReadID3(folder / track["mp3"], translate=False)  # NOTE: as written, not upgraded to v2.4
        assert tag.version == (2, 3, 0) and tag["TYER"].text == ["2025"]
        assert tag.getall("APIC")[0].data[:8] == b"\x89PNG\r\n\x1a\n"
    assert loudness and all(abs(value + 24) <= 1.0 for value in loudness), loudness
    full = ReadID3(folder / manifest["full"]["mp3"])
    assert full.version == (2, 3, 0) and len(full.getall("CHAP")) == sum(len(t["sections"]) for t in manifest["tracks"])


def test_default_tags_are_v24_with_year_and_cover(built):
    doc, voice, options, report, folder, manifest = built
    tag = ID3(folder / manifest["tracks"][0]["mp3"])
    assert tag.version == (2, 4, 0)
    assert tag.getall("APIC") and tag.getall("APIC")[0].mime == "image/png"


def test_the_progress_line_moves_with_every_utterance(sample_doc, tmp_path):
    """Not only when a section ends: with one thread, the first line comes before the first (longest) section
    is done, percentages rise to 100, and audio minutes and time left are shown from the start."""
    import io as _io

    class Recorder(_io.StringIO):
        def isatty(self):
            return False

    stream = Recorder()
    options = BuildOptions(output=tmp_path, jobs=1)
    from service.products import build as build_module

    shown = []
    real = build_module.Progress._show

    def spy(self, force=False):
        shown.append((self.done, self.fraction))
        real(self, force=True)  # every call printed: the test sees each step

    build_module.Progress._show = spy
    try:
        build_document(sample_doc, get_voice("mei"), options, progress=True, progress_stream=stream)
    finally:
        build_module.Progress._show = real
    lines = stream.getvalue().splitlines()
    sections = len(list(sample_doc.walk()))
    assert len(lines) > 2 * sections
    assert any(done == 0 and 0 < fraction < 1 for done, fraction in shown)  # moved inside the first section
    assert re.search(r"音声 +\d+\.\d 分 .*残り約 +\d+ 秒", lines[0])
    percents = [int(re.search(r"(\d+)%", line)[1]) for line in lines]
    assert percents == sorted(percents) and percents[-1] == 100


def test_a_heading_only_section_is_announced_in_the_first_track_of_its_children(built):
    """第1節 and 1 概要 have nothing but their children: no 2-7 s tracks of their own; the first child's track
    says them first, each with its pause, and the full MP3 still has a chapter for each."""
    doc, voice, options, report, folder, manifest = built
    manifest = json.loads(build_document(doc, voice, options, progress=False).manifest.read_text(encoding="utf-8"))
    first = manifest["tracks"][0]
    assert first["section"] == "s1-1-1" and list(first["sections"]) == ["s1", "s1-1", "s1-1-1"]
    timing = json.loads((folder / first["json"]).read_text(encoding="utf-8"))
    headings = [c for c in timing["cues"] if c["kind"] == "heading"]
    assert [c["text"] for c in headings] == [doc.section(i).heading for i in ("s1", "s1-1", "s1-1-1")]
    assert headings[1]["start"] - headings[0]["end"] >= voice.heading_pause - 0.01
    assert all(t["duration"] > 8 for t in manifest["tracks"])
    chapters = [c["section"] for c in manifest["full"]["chapters"]]
    assert chapters == [s.id for s in doc.walk()]
    tag = ID3(folder / first["mp3"])
    assert tag["TRCK"].text == [f"1/{len(manifest['tracks'])}"]
