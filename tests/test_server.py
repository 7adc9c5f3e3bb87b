"""The service behind a real WSGI server on 127.0.0.1: Range, streaming, and a flood of requests."""

from __future__ import annotations

import io
import json
import threading
import time
import urllib.error
import urllib.request

import soundfile

from tests.web_fixtures import make_app, serving


def fetch(url: str, data: bytes | None = None, headers: dict | None = None, timeout: float = 120):
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_range_requests(server):
    status, headers, whole = fetch(f"{server}/api/documents/sample/sections/s1-1-1.mp3")
    assert status == 200 and headers["Accept-Ranges"] == "bytes"
    status, headers, part = fetch(f"{server}/api/documents/sample/sections/s1-1-1.mp3", headers={"Range": "bytes=1000-1999"})
    assert status == 206 and part == whole[1000:2000]
    assert headers["Content-Range"] == f"bytes 1000-1999/{len(whole)}"
    status, headers, tail = fetch(f"{server}/api/documents/sample/sections/s1-1-1.mp3", headers={"Range": "bytes=-500"})
    assert status == 206 and tail == whole[-500:]
    status, _, _ = fetch(f"{server}/api/documents/sample/sections/s1-1-1.mp3", headers={"Range": f"bytes={len(whole) + 10}-"})
    assert status == 416


def test_stream_sends_audio_before_the_section_is_synthesised(server):
    # the hostile document's section is not built by the fixture: this is a cold stream
    url = f"{server}/api/documents/hostile/sections/s9-1/stream?voice=mei-low"
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as response:
        assert response.headers["Content-Type"].startswith("audio/mpeg")
        assert "Content-Length" not in response.headers  # sent as it is made
        chunks, first = [], None
        while chunk := response.read1(4096):
            if first is None and sum(len(c) for c in chunks) + len(chunk) > 4000:
                first = time.perf_counter() - start
            chunks.append(chunk)
    total = time.perf_counter() - start
    assert first is not None and first < 0.8 * total  # audio flowed long before the stream ended
    x, sr = soundfile.read(io.BytesIO(b"".join(chunks)))
    assert len(x) / sr > 3


def test_a_flood_gets_503s_and_the_server_stays_up(tmp_path):
    app = make_app(tmp_path, MAX_SYNTH=1, SYNTH_WAIT=0.2)
    with serving(app, threads=12) as base:
        results = []
        body = json.dumps({"text": "たくさんの人が同時に音声を頼んだときのテストです。" * 4}).encode()

        def ask():
            results.append(fetch(f"{base}/api/speech", body, {"Content-Type": "application/json"}))

        threads = [threading.Thread(target=ask) for _ in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        statuses = sorted(r[0] for r in results)
        assert len(statuses) == 10 and 200 in statuses and 503 in statuses and set(statuses) <= {200, 503}
        for status, headers, data in results:
            if status == 503:
                assert json.loads(data)["error"]["code"] == "busy" and headers["Retry-After"]
        assert fetch(f"{base}/")[0] == 200


def test_a_listener_picks_the_natural_voice_and_hears_it(server):
    """On a document built only in mei: the page offers 自然な声, keeps the choice, and points its player at that
    voice; the stream and the section's MP3 (made on demand) are the natural voice's, at its loudness."""
    import re

    import numpy as np
    import pyloudnorm

    request = urllib.request.Request(f"{server}/d/sample/s/s1-1-1?voice=natural-f")
    with urllib.request.urlopen(request, timeout=60) as response:
        page = response.read().decode()
        assert "voice=natural-f" in response.headers["Set-Cookie"]
    assert re.search(r'<option value="natural-f" selected>自然な声（女性）</option>', page)
    assert re.search(r'<audio[^>]*src="[^"]*s1-1-1\.mp3\?voice=natural-f"', page)
    status, headers, streamed = fetch(f"{server}/api/documents/sample/sections/s1-2-a/stream?voice=natural-f")
    assert status == 200 and headers["Content-Type"].startswith("audio/mpeg")
    x, sr = soundfile.read(io.BytesIO(streamed))
    assert sr == 24000 and len(x) / sr > 3 and np.abs(x).max() > 0.05
    status, headers, built = fetch(f"{server}/api/documents/sample/sections/s1-1-1.mp3?voice=natural-f")
    assert status == 200
    x, sr = soundfile.read(io.BytesIO(built))
    assert sr == 24000 and abs(pyloudnorm.Meter(sr).integrated_loudness(x) + 19) <= 1.0


def test_a_started_service_measures_every_voices_stream_gain_before_anyone_listens(tmp_path):
    """A natural voice's first stream would wait seconds for its reference passage: the service measures every
    voice in the background when it starts (the default first)."""
    from service.products import streaming
    from service.speech.voices import list_voices

    streaming._gains.clear()
    app = make_app(tmp_path)
    keys = {(v.synthesis_key, float(app.config["LOUDNESS"]) + v.volume_db) for v in list_voices()}
    deadline = time.monotonic() + 120
    while not keys <= set(streaming._gains) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert keys <= set(streaming._gains)
