"""Pages in real headless Chromium (Debian's, driven by Playwright): keyboard use, the ruby switch, glossary
disclosures, playback with the sentence highlight, what a screen reader gets, and axe-core audits."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
DOC = "hakusho-r6-2-2-6"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-sync",
        "--disable-component-update", "--autoplay-policy=no-user-gesture-required", "--mute-audio"]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: make test installs it (apt-get install chromium)"
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(bypass_csp=True, locale="ja-JP")  # NOTE: lets the test inject axe-core
    tab = context.new_page()
    yield tab
    context.close()


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice", "experimental"]


def axe_violations(page, record=None) -> list:
    """axe-core with the WCAG A/AA rules, best practices and the experimental rules; ``record`` (pytest's
    record_property) keeps the numbers for the accessibility statement."""
    import axe_playwright_python

    script = Path(axe_playwright_python.__file__).parent / "axe.min.js"
    page.add_script_tag(path=str(script))
    result = page.evaluate("async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, "
                           "resultTypes: ['violations']})", AXE_TAGS)
    violations = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
    if record:
        record("a11y", {"method": "axe-core", "violations": len(violations), "rules": len(result["passes"]) +
                        len(result["violations"]) + len(result["incomplete"]) + len(result["inapplicable"]),
                        "axe_version": result["testEngine"]["version"], "axe_tags": AXE_TAGS,
                        "browser": page.context.browser.version})
    return violations


AUDITED = [
    "/", f"/d/{DOC}/", f"/d/{DOC}/s/s6-4-2", f"/d/{DOC}/s/s6-4-2?ruby=kana", f"/d/{DOC}/s/s6-5-3?ruby=grade:3",
    f"/d/{DOC}/s/s6", f"/d/{DOC}/glossary", f"/d/{DOC}/downloads", "/d/sample/downloads", "/d/sample/s/s1-1-1",
    "/d/nothing/",
]


@pytest.mark.parametrize("path", AUDITED + ["/about"])
def test_axe_finds_no_violations(server, page, path, record_property):
    page.goto(server + path)
    assert axe_violations(page, record_property) == []


@pytest.mark.parametrize("media", [{"color_scheme": "dark"}, {"forced_colors": "active"}])
def test_axe_with_a_disclosure_open_dark_and_high_contrast(server, browser, media, record_property):
    context = browser.new_context(bypass_csp=True, **media)
    page = context.new_page()
    page.goto(f"{server}/d/{DOC}/s/s6-4-2")
    page.locator("button.term").first.click()
    assert page.locator(".term-def:not([hidden])").count() == 1
    assert axe_violations(page, record_property) == []
    context.close()


def focused(page) -> dict:
    return page.evaluate("""() => {
        const el = document.activeElement;
        const style = getComputedStyle(el);
        return {tag: el.tagName.toLowerCase(), cls: el.className, id: el.id, text: (el.textContent || '').trim().slice(0, 40),
                rel: el.getAttribute('rel'), outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0};
    }""")


def test_keyboard_only_through_a_section(server, page):
    page.goto(f"{server}/d/{DOC}/s/s6-4-2")
    page.keyboard.press("Tab")
    first = focused(page)
    assert first["cls"] == "skip" and first["outline"]
    seen = []
    for _ in range(150):
        page.keyboard.press("Tab")
        info = focused(page)
        seen.append(info)
        if info["tag"] in ("a", "button", "select", "summary"):
            assert info["outline"], info  # focus is always visible
        if info["rel"] == "next":
            break
    kinds = {(i["tag"], i["id"] or i["cls"]) for i in seen}
    assert ("select", "ruby") in kinds and ("select", "voice") in kinds
    assert any(i["tag"] == "button" and i["cls"] == "term" for i in seen)
    assert any(i["tag"] == "button" and "倍" in i["text"] for i in seen)
    assert any(i["tag"] == "a" and i["text"].startswith("＊14") for i in seen)
    assert seen[-1]["rel"] == "next"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/d/{DOC}/s/s6-4-3")
    assert page.locator("h1").inner_text().startswith("3")


def test_the_skip_link_lands_on_the_text(server, page):
    """From the skip link, the next Tab is inside the section's text (it landed 22 stops before it)."""
    page.goto(f"{server}/d/{DOC}/s/s6-4-2")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "text"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.body') !== null")


def test_names_match_what_is_shown(server, page):
    """WCAG 2.5.3: a footnote link shown as 「＊14」 is named starting 「＊14」; a glossary button is named by its
    term, the same open or closed; the player has a name."""
    page.goto(f"{server}/d/{DOC}/s/s6-4-2")
    note = page.locator(".body .noteref a").first
    assert page.evaluate("el => el.textContent", note.element_handle()).startswith("＊")
    snapshot = page.locator(".body").aria_snapshot()
    assert re.search(r'link "＊\d+ ?（注\d+へ）"', snapshot), snapshot[:500]
    button = page.locator("button.term").filter(has_text="PHR").first
    closed = page.locator(".body").aria_snapshot()
    button.click()
    opened = page.locator(".body").aria_snapshot()
    names = lambda tree: re.findall(r'button "([^"]+)"', tree)  # noqa: E731
    assert "PHR" in names(closed) and names(closed) == names(opened)
    assert not any(c in "".join(names(closed)) for c in "ⓘ▲")
    assert page.locator("audio").get_attribute("aria-label").startswith("この節の音声")


def test_footnote_addresses_are_the_links(server, page):
    page.goto(f"{server}/d/{DOC}/s/s6-2-1-a-u")
    links = page.locator(".notes a.url")
    assert links.count() > 0
    for i in range(links.count()):
        link = links.nth(i)
        assert link.inner_text().startswith("http") and link.get_attribute("href") == link.inner_text()
    assert page.locator(".notes a", has_text="リンク").count() == 0


def test_dark_mode_tells_the_browser_its_colour_scheme(server, browser):
    context = browser.new_context(color_scheme="dark")
    page = context.new_page()
    page.goto(f"{server}/d/sample/s/s1-1-1")
    assert page.evaluate("getComputedStyle(document.documentElement).colorScheme") == "light dark"
    assert page.locator('meta[name="color-scheme"]').get_attribute("content") == "light dark"
    context.close()


def test_ruby_switch_is_applied_and_remembered(server, page):
    page.goto(f"{server}/d/{DOC}/s/s6-4-2")
    assert page.locator(".body ruby").count() > 50
    page.select_option("#ruby", "none")
    page.click(".settings button[type=submit]")
    page.wait_for_url("**ruby=none**")
    assert page.locator(".body ruby").count() == 0
    page.goto(f"{server}/d/{DOC}/s/s6-4-3")
    assert page.locator(".body ruby").count() == 0
    page.select_option("#ruby", "grade:6")
    page.click(".settings button[type=submit]")
    page.wait_for_url("**ruby=grade**")
    some = page.locator(".body ruby").count()
    page.goto(f"{server}/d/{DOC}/s/s6-4-3?ruby=all")
    assert 0 < some < page.locator(".body ruby").count()


def test_glossary_disclosure_by_keyboard(server, page):
    page.goto(f"{server}/d/{DOC}/s/s6-4-2")
    button = page.locator("button.term").filter(has_text="PHR").first
    definition = page.locator("#" + button.get_attribute("aria-controls"))
    assert button.get_attribute("aria-expanded") == "false" and not definition.is_visible()
    button.focus()
    page.keyboard.press("Enter")
    assert button.get_attribute("aria-expanded") == "true" and definition.is_visible()
    assert "健康" in definition.inner_text()
    page.keyboard.press("Space")
    assert button.get_attribute("aria-expanded") == "false" and not definition.is_visible()


def test_screen_readers_get_each_word_once(server, page):
    page.goto(f"{server}/d/{DOC}/s/s6-4-2?ruby=all")
    tree = page.locator(".body").aria_snapshot()
    assert "医療" in tree
    assert "いりょう" not in tree and "ちょうかく" not in tree  # the ruby is not read again
    assert page.locator(".body rt").count() > 50  # … but it is on the page


def test_audio_plays_and_the_spoken_sentence_is_highlighted(server, page):
    page.goto(f"{server}/d/sample/s/s1-1-1")
    page.wait_for_function("document.querySelector('audio').readyState >= 1", timeout=60000)
    # the track opens with the headings it announces (第1節, 1 概要), then its own: play from its first sentence
    start = page.evaluate("""async () => {
        const timing = await (await fetch(document.querySelector('.player').dataset.timing)).json();
        return timing.cues.find(c => c.id === 's1').start; }""")
    page.evaluate(f"document.querySelector('audio').currentTime = {start + 0.3}")
    page.evaluate("document.querySelector('audio').play()")
    page.wait_for_selector(".s.speaking", timeout=10000)
    assert page.locator(".s.speaking").count() == 1
    assert page.locator(".s.speaking").get_attribute("id") in ("c-s1", "c-s2")
    # the highlight is a background and an underline, not an outline that crosses the next line's ruby
    assert page.evaluate("getComputedStyle(document.querySelector('.s.speaking')).outlineStyle") == "none"
    page.click("button[data-speed='1.5']")
    assert page.evaluate("document.querySelector('audio').playbackRate") == 1.5
    assert page.locator("button[data-speed='1.5']").get_attribute("aria-pressed") == "true"


def test_a_listener_switches_to_the_natural_voice_and_it_plays_with_its_own_timing(server, page):
    """The voice menu: 自然な声 is chosen, the player loads that voice's track (made on demand: the document was
    built only in mei), the highlight follows its own cues, and the choice is remembered on the next page."""
    page.goto(f"{server}/d/sample/s/s1-1-1")
    page.select_option("#voice", "natural-f")
    page.click(".settings button[type=submit]")
    page.wait_for_url("**voice=natural-f**")
    assert "voice=natural-f" in page.locator("audio").get_attribute("src")
    page.wait_for_function("document.querySelector('audio').readyState >= 1", timeout=180000)
    start = page.evaluate("""async () => {
        const timing = await (await fetch(document.querySelector('.player').dataset.timing)).json();
        return timing.sample_rate + ' ' + timing.cues.find(c => c.id === 's1').start; }""")
    rate, start = start.split()
    assert rate == "24000"  # the natural voice's track, not mei's (48 kHz)
    page.evaluate(f"document.querySelector('audio').currentTime = {float(start) + 0.3}")
    page.evaluate("document.querySelector('audio').play()")
    page.wait_for_selector(".s.speaking", timeout=10000)
    assert page.locator(".s.speaking").get_attribute("id") in ("c-s1", "c-s2")
    page.goto(f"{server}/d/sample/s/s1-2-a")
    assert page.locator("#voice").input_value() == "natural-f"
    assert "voice=natural-f" in page.locator("audio").get_attribute("src")


def test_the_heading_is_highlighted_while_spoken_and_the_sentence_kept_in_view(server, browser):
    context = browser.new_context(viewport={"width": 800, "height": 400}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{server}/d/sample/s/s1-1-2")
    page.wait_for_function("document.querySelector('audio').readyState >= 1", timeout=60000)
    page.evaluate("document.querySelector('audio').play()")
    page.wait_for_function("document.querySelector('audio').currentTime > 0.5", timeout=30000)
    page.wait_for_selector("h1.speaking", timeout=5000)
    # far into the section the spoken sentence is below the first screen: the page follows it
    cue = page.evaluate("""async () => {
        const timing = await (await fetch(document.querySelector('.player').dataset.timing)).json();
        const last = timing.cues.filter(c => c.kind === 'sentence').pop();
        document.querySelector('audio').currentTime = last.start + 0.2;
        return last.id; }""")
    page.wait_for_function(f"""() => {{ const s = document.getElementById('c-{cue}');
        if (!s || !s.classList.contains('speaking')) return false;
        const b = s.getBoundingClientRect(); return b.top >= 0 && b.bottom <= innerHeight; }}""", timeout=10000)
    assert page.evaluate("scrollY") > 0
    context.close()


def test_a_heading_only_section_highlights_its_heading_in_the_track_that_announces_it(server, page):
    page.goto(f"{server}/d/sample/s/s1")
    assert page.locator("h1").get_attribute("id") == "c-h-s1"
    page.wait_for_function("document.querySelector('audio').readyState >= 1", timeout=60000)
    page.evaluate("document.querySelector('audio').play()")
    page.wait_for_selector("h1.speaking", timeout=10000)


def test_speed_buttons_follow_a_rate_set_elsewhere(server, page):
    page.goto(f"{server}/d/sample/s/s1-1-1")
    page.wait_for_function("document.querySelector('audio').readyState >= 1", timeout=60000)
    page.evaluate("document.querySelector('audio').playbackRate = 1.25")  # as the browser's own menu does
    page.wait_for_function("document.querySelector(\"button[data-speed='1.25']\").getAttribute('aria-pressed') === 'true'")
    assert page.locator("button[data-speed='1.0']").get_attribute("aria-pressed") == "false"
    page.evaluate("document.querySelector('audio').playbackRate = 2")
    page.locator(".speeds button").first.focus()
    page.keyboard.press("]")
    assert page.evaluate("document.querySelector('audio').playbackRate") == 2  # never slower for "faster"
    page.keyboard.press("[")
    assert page.evaluate("document.querySelector('audio').playbackRate") == 1.5


def _listen_to_the_end_with_continuous_play(server, page) -> str:
    page.goto(f"{server}/d/sample/s/s1-1-1")
    next_href = page.locator("a[rel=next]").get_attribute("href")
    page.check("#continuous")
    page.wait_for_function("document.querySelector('audio').readyState >= 1", timeout=60000)
    page.evaluate("(() => { const a = document.querySelector('audio'); a.currentTime = a.duration - 0.5; })()")
    page.locator(".speeds button").first.focus()
    page.keyboard.press("k")  # a real key press: the user started playing
    page.wait_for_url(f"**{next_href}", timeout=30000)
    assert page.locator("#continuous").is_checked()  # the choice is remembered
    return next_href


def test_continuous_listening_goes_on_to_the_next_section(server, page):
    _listen_to_the_end_with_continuous_play(server, page)
    page.wait_for_function("document.querySelector('audio').currentTime > 0.5", timeout=30000)
    assert page.locator(".player-status").inner_text() == ""


def test_continuous_listening_where_the_browser_refuses_to_start_sound(server, browser):
    """Browsers may block sound that starts without a gesture: the page must say so and hand over the player."""
    strict = browser.browser_type.launch(executable_path=CHROMIUM, args=[
        *(a for a in ARGS if not a.startswith("--autoplay-policy")), "--autoplay-policy=user-gesture-required"])
    try:
        page = strict.new_page(locale="ja-JP", bypass_csp=True)  # NOTE: lets wait_for_function evaluate
        _listen_to_the_end_with_continuous_play(server, page)
        page.wait_for_function("document.querySelector('.player-status').textContent !== ''", timeout=30000)
        assert "再生ボタン" in page.locator(".player-status").inner_text()
        assert page.evaluate("document.querySelector('audio').paused")
        assert page.evaluate("document.activeElement.tagName") == "AUDIO"
    finally:
        strict.close()


def test_player_shortcuts_act_only_inside_the_player(server, page):
    page.goto(f"{server}/d/sample/s/s1-1-1")
    page.wait_for_function("document.querySelector('audio').readyState >= 1", timeout=60000)
    page.locator("body").press("k")
    assert page.evaluate("document.querySelector('audio').paused")  # outside the player: nothing happens
    page.locator(".speeds button").first.focus()
    page.keyboard.press("]")
    assert page.evaluate("document.querySelector('audio').playbackRate") == 1.25
    page.keyboard.press("[")
    page.keyboard.press("[")
    assert page.evaluate("document.querySelector('audio').playbackRate") == 0.75
    page.keyboard.press("l")
    assert page.evaluate("document.querySelector('audio').currentTime") >= 4.9
    page.keyboard.press("k")
    page.wait_for_function("!document.querySelector('audio').paused", timeout=10000)


@pytest.mark.parametrize("path", [f"/d/{DOC}/s/s6-4-2", f"/d/{DOC}/", f"/d/{DOC}/downloads", "/d/sample/downloads",
                                  f"/d/{DOC}/glossary"])
def test_zoom_200_percent_keeps_everything_reachable(server, browser, path):
    context = browser.new_context(viewport={"width": 640, "height": 900}, device_scale_factor=2)
    page = context.new_page()
    page.goto(server + path)
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1  # no horizontal scrolling: content reflows
    if "/s/" in path:
        assert page.locator("a[rel=next]").is_visible() or page.locator("a[rel=next]").count() == 1
    context.close()


def test_pages_work_without_javascript(server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server}/d/{DOC}/s/s6-4-2")
    assert page.locator("a.term").count() > 0 and page.locator("button.term").count() == 0
    page.select_option("#ruby", "none")
    page.click(".settings button[type=submit]")
    page.wait_for_url("**ruby=none**")
    assert page.locator(".body ruby").count() == 0
    page.locator("a.term").first.click()
    page.wait_for_url("**/glossary#term-*")
    assert page.locator(":target").count() == 1
    assert page.locator("audio[controls]").count() == 0  # the glossary page has links to audio, not players
    context.close()


def test_the_factory_is_exposed_by_service():
    import service

    app = service.create_app({"OUTPUT_DIR": "/nonexistent-yomiage-test"})
    assert app.name == "service.web" and {"pages", "api", "audio"} <= set(app.blueprints)


RUBY_SPREAD = """() => {
    const out = [];
    for (const ruby of document.querySelectorAll('.body ruby')) {
        const base = ruby.firstChild;
        if (!base || base.nodeType !== 3 || base.length < 2) continue;
        const size = parseFloat(getComputedStyle(ruby).fontSize);
        const widths = [];
        for (let i = 0; i < base.length; i++) {
            const range = document.createRange(); range.setStart(base, i); range.setEnd(base, i + 1);
            widths.push(range.getBoundingClientRect().width);
        }
        const rt = parseFloat(getComputedStyle(ruby.querySelector('rt')).fontSize);
        out.push({text: base.textContent, inner: widths.slice(1, -1).map(w => w - size), size, rt});
    }
    return out; }"""


@pytest.mark.parametrize("zoom", [1, 2])
def test_ruby_never_spreads_a_word_and_is_at_least_half_the_base(server, browser, zoom, tmp_path):
    """Screenshots at 100 % and 200 % (a Japanese font is installed by make test): inside a multi-kanji base
    (柔軟, 感染症, 出勤) no character is wider than the type, so the word is never spread by its reading; and the
    reading is at least half the size of its base."""
    context = browser.new_context(viewport={"width": 900, "height": 1200}, device_scale_factor=zoom, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{server}/d/{DOC}/s/s6-4-2?ruby=all")
    page.evaluate(f"document.documentElement.style.fontSize = '{100 * zoom}%'")
    page.screenshot(path=str(tmp_path / f"ruby-{zoom}00.png"))
    measured = page.evaluate(RUBY_SPREAD)
    assert len(measured) > 20
    for ruby in measured:
        assert all(abs(extra) < 0.75 for extra in ruby["inner"]), ruby
        assert ruby["rt"] >= 0.5 * ruby["size"], ruby
    spread = [r["text"] for r in measured if any(abs(e) >= 0.75 for e in r["inner"])]
    assert spread == []
    context.close()
