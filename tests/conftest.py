"""Shared fixtures: the default document, parsed once per test session."""

from __future__ import annotations

import os
from importlib import resources

import pytest

from simplify.documents import DEFAULT_ID, default_document


@pytest.fixture(scope="session", autouse=True)
def _cache_dir(tmp_path_factory):
    """Compiled lexicons go to a per-run folder, not the user's ~/.cache."""
    os.environ["YOMIAGE_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def default_doc():
    return default_document()


@pytest.fixture(scope="session")
def default_text() -> str:
    return (resources.files("simplify") / "data" / f"{DEFAULT_ID}.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def annotated_doc():
    from simplify.documents import default_document_annotated

    return default_document_annotated()


pytest_plugins = ["tests.web_fixtures"]
