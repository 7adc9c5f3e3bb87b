"""Shared fixtures: the default document, parsed once per test session."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import settings

from simplify.documents import DEFAULT_ID, default_document

# NOTE: a gate must give the same answer twice on the same commit, so by default the property tests replay a fixed
# set of examples (derived from each test's name). HYPOTHESIS_PROFILE=explore searches fresh ones and keeps what it
# finds in .hypothesis/; run it when touching the parser or the decoder, and pin what it finds with @example.
settings.register_profile("replay", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "replay"))


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


# -- the accessibility statement's results, from this run -------------------------------------------------
# Every browser test's outcome is recorded; when the whole browser suite ran, output/accessibility.json is
# written, and the about page's statement (JIS X 8341-3:2016) shows it. Nothing there is typed by hand.

_METHODS = [("axe", "axe-core（自動試験）"), ("keyboard", "キーボードだけの操作"), ("skip", "キーボードだけの操作"),
            ("screen_readers", "スクリーンリーダーに渡る情報"), ("names", "スクリーンリーダーに渡る情報"),
            ("zoom", "200 % の拡大"), ("dark", "ダークモード"), ("without_javascript", "JavaScript なしでの利用")]
_A11Y: dict[str, dict] = {}


def pytest_runtest_logreport(report):
    if "test_browser.py" not in report.nodeid or report.when not in ("setup", "call"):
        return
    if report.when == "setup" and report.passed:
        return
    name = report.nodeid.split("::", 1)[1]
    method = next((label for key, label in _METHODS if key in name), "ブラウザーでの動作")
    page = name.split("[", 1)[1].rstrip("]") if "[" in name else name.split("test_", 1)[1].replace("_", " ")
    facts: dict = {}
    for key, value in report.user_properties:
        if key == "a11y":
            facts = value
    detail = f"違反 {facts['violations']}、規則 {facts['rules']}" if "violations" in facts else ""
    _A11Y[report.nodeid] = {"method": method, "page": page, "passed": report.passed, "detail": detail, **{
        k: facts[k] for k in ("axe_version", "axe_tags", "browser") if k in facts}}


def pytest_sessionfinish(session, exitstatus):
    import datetime
    import json

    browser_tests = [item for item in session.items if "test_browser.py" in item.nodeid]
    if not browser_tests or len({n for n in _A11Y}) < len(browser_tests):
        return  # NOTE: only a complete run of the browser suite speaks for the service
    from service.store import write_atomic

    checks = list(_A11Y.values())
    axe = next((c for c in checks if "axe_version" in c), {})
    report = {"date": datetime.date.today().isoformat(), "browser": f"Chromium {axe.get('browser', '')}".strip(),
              "axe_version": axe.get("axe_version", ""), "axe_tags": axe.get("axe_tags", []),
              "failed": sum(1 for c in checks if not c["passed"]),
              "checks": [{k: c[k] for k in ("method", "page", "passed", "detail")} for c in checks]}
    write_atomic(Path(__file__).parent.parent / "output" / "accessibility.json",
                 json.dumps(report, ensure_ascii=False, indent=1))
