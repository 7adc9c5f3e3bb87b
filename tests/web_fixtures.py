"""Fixtures shared by the web tests: an app over a temporary output folder with the sample documents built."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


def make_app(output: Path, **extra):
    from service.web import create_app

    config = {"OUTPUT_DIR": str(output), "EXTRA_DOCUMENTS": [str(DATA / "sample.txt"), str(DATA / "hostile.txt")],
              "JOBS": 2, "AUTO_BUILD": False}
    config.update(extra)
    return create_app(config)


@pytest.fixture(scope="session")
def web_output(tmp_path_factory):
    return tmp_path_factory.mktemp("web")


@pytest.fixture(scope="session")
def app(web_output):
    from service.products.build import build_document
    from service.web.context import reading_room

    application = make_app(web_output)
    lib = reading_room(application)
    for voice_id in ("mei",):
        build_document(lib.document("sample"), lib.voice(voice_id), lib.options, progress=False)
    return application


@pytest.fixture()
def client(app):
    return app.test_client()


@contextlib.contextmanager
def serving(app, threads: int = 8):
    """The app behind a real waitress server on 127.0.0.1 (an ephemeral port), stopped cleanly.

    waitress's close() from another thread races with its loop (a worker can write to the closed wake-up pipe:
    EBADF), so the loop runs here one turn at a time and the server is shut down from the loop's own thread."""
    import waitress
    from waitress import wasyncore

    wsgi = waitress.create_server(app, host="127.0.0.1", port=0, threads=threads)
    stop = threading.Event()

    def run():
        while not stop.is_set():
            wasyncore.loop(timeout=0.05, map=wsgi._map, count=1)
        wsgi.task_dispatcher.shutdown()
        wasyncore.close_all(wsgi._map)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{wsgi.effective_port}"
    finally:
        stop.set()
        thread.join(30)


@pytest.fixture(scope="session")
def server(app):
    with serving(app) as base:
        yield base
