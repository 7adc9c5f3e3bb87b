"""Fixtures shared by the web tests: an app over a temporary output folder with the sample documents built."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


def make_app(output: Path, **extra):
    from service.web import create_app

    config = {"OUTPUT_DIR": str(output), "EXTRA_DOCUMENTS": [str(DATA / "sample.txt"), str(DATA / "hostile.txt")],
              "JOBS": 2}
    config.update(extra)
    return create_app(config)


@pytest.fixture(scope="session")
def web_output(tmp_path_factory):
    return tmp_path_factory.mktemp("web")


@pytest.fixture(scope="session")
def app(web_output):
    from service.build import build_document
    from service.web import library

    application = make_app(web_output)
    lib = library(application)
    for voice_id in ("mei",):
        build_document(lib.document("sample"), lib.voice(voice_id), lib.options, progress=False)
    return application


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def server(app):
    """The app behind a real waitress server on 127.0.0.1 (an ephemeral port)."""
    import threading

    import waitress

    wsgi = waitress.create_server(app, host="127.0.0.1", port=0, threads=8)
    thread = threading.Thread(target=wsgi.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{wsgi.effective_port}"
    wsgi.close()
