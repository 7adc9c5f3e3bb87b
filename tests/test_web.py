"""Every route and every error through the Flask test client."""

from __future__ import annotations

import io
import re
import struct
import xml.etree.ElementTree as ET
import zipfile
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
import soundfile

from service.config import SETTINGS
from simplify.textio import xml_safe
from tests.web_fixtures import make_app

DOC = "hakusho-r6-2-2-6"


class Outline(HTMLParser):
    """Headings, ids and a few attributes of a page, to check its structure."""

    def __init__(self):
        super().__init__()
        self.headings, self.ids, self.lang, self.landmarks = [], [], None, []
        self._in = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag in ("main", "nav", "header", "footer"):
            self.landmarks.append(tag)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    return parser


PAGES = ["/", f"/d/{DOC}/", f"/d/{DOC}/s/s6-4-2", f"/d/{DOC}/s/s6", f"/d/{DOC}/glossary", f"/d/{DOC}/downloads",
         "/d/sample/s/s1-1-1", "/d/sample/downloads", "/d/hostile/s/s9-1"]


@pytest.mark.parametrize("url", PAGES)
def test_pages_are_structured(client, url):
    response = client.get(url)
    assert response.status_code == 200
    page = outline(response.get_data(as_text=True))
    assert page.lang == "ja"
    assert page.headings.count(1) == 1 and page.headings[0] == 1
    assert all(b - a <= 1 for a, b in zip(page.headings, page.headings[1:])), page.headings
    assert len(page.ids) == len(set(page.ids))
    assert {"main", "header", "footer"} <= set(page.landmarks)
    body = response.get_data(as_text=True)
    target = re.search(r'class="skip" href="#([\w-]+)"', body)[1]
    assert target in page.ids  # a section's skip link lands on its text, other pages' on main
    assert target == ("text" if "/s/" in url else "main")


def test_downloads_give_sizes_say_what_the_ruby_choice_changes_and_show_the_hierarchy(client):
    html = client.get("/d/sample/downloads").get_data(as_text=True)
    for name in ("ZIP", "DAISY", "EPUB 3"):
        line = html[html.index(name):]
        assert re.match(r"[^\n]*?（約 \d+ MB）", line[:line.index("</li>")] + "</li>"), name
    assert "ふりがなの設定が変わるのは EPUB だけです" in html and 'aria-describedby="ruby-hint"' in html
    depths = re.findall(r'<td class="depth-(\d)">', html)
    assert depths[0] == "0" and "1" in depths and "2" in depths


def test_toc_is_the_heading_tree(client, annotated_doc):
    html = client.get(f"/d/{DOC}/").get_data(as_text=True)
    for section in annotated_doc.walk():
        assert f'href="/d/{DOC}/s/{section.id}"' in html
    assert html.count("<ul>") >= 6  # nested lists follow the tree


def test_pages_name_an_icon_that_exists(client):
    html = client.get("/d/sample/").get_data(as_text=True)
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html).group(1)
    response = client.get(icon)
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    ET.fromstring(response.data)  # well-formed


@pytest.mark.parametrize("seconds, spoken", [
    (4.4, "4秒"), (59.6, "1分"), (74.0, "1分14秒"), (119.5, "2分"), (3438.2, "57分18秒"), (3601, "1時間"),
    (3725, "1時間2分"),
])
def test_durations_read_as_people_say_them(seconds, spoken):
    from service.web.render import duration_text

    assert duration_text(seconds) == spoken


def test_contents_and_downloads_say_how_long_each_part_is(client):
    timing = client.get("/api/documents/sample/sections/s1-1-1.json").get_json()
    from service.web.render import duration_text

    toc = client.get("/d/sample/").get_data(as_text=True)
    assert f"（{duration_text(timing['duration'])}）" in toc
    downloads = client.get("/d/sample/downloads").get_data(as_text=True)
    assert duration_text(timing["duration"]) in downloads
    assert re.search(r"全体の MP3（章つき）</a>（\d+(分|秒)[^、]*、[\d.]+ MB）", downloads)  # the whole file's length and size
    assert "60秒" not in downloads and "60 秒" not in downloads


def test_section_page_links_footnotes_both_ways(client):
    html = client.get(f"/d/{DOC}/s/s6-4-2").get_data(as_text=True)
    assert 'id="ref-14" href="#fn-14"' in html
    assert '<li id="fn-14">' in html and 'href="#ref-14"' in html
    assert 'rel="prev"' in html and 'rel="next"' in html
    assert "jReadability" in html
    assert re.search(r'<a class="term" href="/d/[^"]+/glossary#term-phr" data-term="phr">', html)
    assert re.search(r'<span class="term-def" id="def-s\d+-phr" hidden>', html)


def test_ruby_level_switch_is_remembered(client):
    html = client.get(f"/d/{DOC}/s/s6-4-2?ruby=none").get_data(as_text=True)
    assert "<ruby>" not in html
    assert "ruby=none" in client.get_cookie("ruby").value or client.get_cookie("ruby").value == "none"
    html = client.get(f"/d/{DOC}/s/s6-4-2").get_data(as_text=True)
    assert "<ruby>" not in html  # remembered
    html = client.get(f"/d/{DOC}/s/s6-4-2?ruby=kana").get_data(as_text=True)
    assert "いりょう" in html and "<ruby>" not in html
    html = client.get(f"/d/{DOC}/s/s6-4-2?ruby=all").get_data(as_text=True)
    assert '<ruby>医療<rp aria-hidden="true">(</rp><rt aria-hidden="true">いりょう</rt>' in html
    assert client.get(f"/d/{DOC}/s/s6-4-2?ruby=grade:99").status_code == 200  # a bad choice falls back


def test_everything_is_escaped(client):
    html = client.get("/d/hostile/s/s9-1").get_data(as_text=True)
    assert "<script>alert" not in html and "<b>太字" not in html
    assert "&lt;script&gt;" in html
    toc = client.get("/d/hostile/").get_data(as_text=True)
    assert "<script>alert" not in toc


# -- the JSON API -----------------------------------------------------------------------------------

def test_documents_list(client):
    data = client.get("/api/documents").get_json()
    assert [d["id"] for d in data] == [DOC, "sample", "hostile"]


def test_document_is_the_export(client):
    data = client.get(f"/api/documents/{DOC}").get_json()
    assert data["id"] == DOC and data["glossary"] and data["sections"][0]["id"] == "s6"
    assert data["sections"][0]["children"][0]["children"][0]["blocks"][0]["sentences"][0]["tokens"]


def test_section_json(client):
    data = client.get(f"/api/documents/{DOC}/sections/s6-4-2").get_json()
    assert data["id"] == "s6-4-2" and data["previous"] == "s6-4-1-o" and data["next"] == "s6-4-3"
    assert data["audio"]["mp3"].endswith("/sections/s6-4-2.mp3")
    assert "phr" in data["terms"]


def test_glossary_page_points_to_where_the_document_defines_a_term(client):
    html = client.get(f"/d/{DOC}/glossary").get_data(as_text=True)
    entry = html[html.index('id="term-phr"'):]
    entry = entry[:entry.index("</article>")]
    assert f'href="/d/{DOC}/s/s6-4-2#fn-14"' in entry and "注＊14" in entry  # the defining footnote
    relay = html[html.index('id="term-telephone-relay-service"'):]
    assert f'href="/d/{DOC}/s/s6-5-6"' in relay[:relay.index("</article>")]  # a 「〜とは」 sentence
    assert "footnote:" not in html  # no internal ids on the page


def test_glossary_page_is_in_gojuon_order_with_an_index_and_a_heading_per_term(client, annotated_doc):
    from simplify.reading import to_hiragana

    html = client.get(f"/d/{DOC}/glossary").get_data(as_text=True)
    page = outline(html)
    ids = re.findall(r'<article class="entry" id="term-([\w-]+)"', html)
    readings = {t.id: to_hiragana(t.reading) for t in annotated_doc.glossary}
    assert len(ids) == len(annotated_doc.glossary)
    order = [readings[i] for i in ids]
    kana = [r for r in order if "ぁ" <= r[:1] <= "ゖ"]
    assert kana == sorted(kana)  # 五十音 (hiragana code order is gojūon order)
    assert page.headings.count(3) == len(ids)  # one heading per term
    rows = re.findall(r'<a href="#(row-\d+)">(.)行', html)
    assert [r for _, r in rows][:3] == ["あ", "か", "さ"] and all(target in page.ids for target, _ in rows)


def test_glossary_filter_works_without_script(client):
    html = client.get(f"/d/{DOC}/glossary?q=ｱﾗｰﾄ").get_data(as_text=True)  # half-width, as some keyboards type
    ids = re.findall(r'<article class="entry" id="term-([\w-]+)"', html)
    assert "l-alert" in ids and 0 < len(ids) < 10 and "件（全" in html
    assert "見つかりませんでした" in client.get(f"/d/{DOC}/glossary?q=存在しない語").get_data(as_text=True)


def test_glossary_json(client):
    data = client.get("/api/glossary").get_json()
    assert len(data) >= 60 and {"id", "surfaces", "reading", "plain", "english", "category", "source"} <= set(data[0])


def test_furigana_api(client):
    response = client.post("/api/furigana", json={"text": "PHRを読み上げる", "level": "grade:1"})
    data = response.get_json()
    assert data["spoken"] == "ピーエイチアールヲヨミアゲル"
    assert "<rt" in data["html"] and data["tokens"][0]["surface"] == "PHR"


def test_speech_api_returns_audio(client):
    response = client.post("/api/speech", json={"text": "読み上げのテストです。", "voice": "mei-slow"})
    assert response.status_code == 200 and response.mimetype == "audio/mpeg"
    x, sr = soundfile.read(io.BytesIO(response.data))
    assert len(x) / sr > 1.0


ERRORS = [
    ("post", "/api/furigana", {"data": "text=abc", "content_type": "application/x-www-form-urlencoded"}, 415, "unsupported_media_type"),
    ("post", "/api/furigana", {"json": ["not", "an", "object"]}, 400, "bad_json"),
    ("post", "/api/furigana", {"json": {"text": "   "}}, 400, "empty_text"),
    ("post", "/api/furigana", {"json": {"text": 5}}, 400, "empty_text"),
    ("post", "/api/furigana", {"json": {"text": "あ" * 2001}}, 413, "too_large"),
    ("post", "/api/furigana", {"json": {"text": "読む", "level": "grade:0"}}, 400, "bad_level"),
    ("post", "/api/furigana", {"data": "x" * 70000, "content_type": "application/json"}, 413, "too_large"),
    ("post", "/api/speech", {"json": {"text": "読む", "voice": "nobody"}}, 404, "unknown_voice"),
    ("get", "/api/furigana", {}, 405, "method_not_allowed"),
    ("get", "/api/documents/nope", {}, 404, "not_found"),
    ("get", f"/api/documents/{DOC}/sections/nope", {}, 404, "not_found"),
    ("get", f"/api/documents/{DOC}/sections/s6-4-2.mp3?voice=nobody", {}, 404, "unknown_voice"),
    ("get", f"/api/documents/{DOC}/glossary/nope.mp3", {}, 404, "not_found"),
    ("get", "/api/nothing-here", {}, 404, "not_found"),
]


@pytest.mark.parametrize("method, url, kwargs, status, code", ERRORS)
def test_errors_have_one_shape(client, method, url, kwargs, status, code):
    response = getattr(client, method)(url, **kwargs)
    assert response.status_code == status
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", body["error"]["message"])


HOSTILE = [
    "/api/documents/..%2F..%2Fetc%2Fpasswd", "/api/documents/%2e%2e/sections/x.mp3",
    f"/api/documents/{DOC}/sections/..%2F..%2FREADME.mp3", f"/api/documents/{DOC}/sections/%2Fetc%2Fpasswd.vtt",
    f"/api/documents/{DOC}/sections/s6%00.mp3", "/d/..%2F..%2F/s/x", "/d/%00/", f"/api/documents/{DOC}.mp3?voice=../../x",
    f"/api/documents/{DOC}/glossary/..%2F..%2Fpyproject.mp3", "/static/..%2F..%2Fpyproject.toml", "//etc/passwd",
]


@pytest.mark.parametrize("url", HOSTILE)
def test_hostile_paths_never_reach_the_filesystem(client, url):
    response = client.get(url)
    assert response.status_code in (404, 400)
    text = response.get_data(as_text=True)
    assert "root:" not in text and "[project]" not in text


# -- audio ----------------------------------------------------------------------------------------

def test_section_mp3_range_etag_and_utf8_file_name(client):
    response = client.get("/api/documents/sample/sections/s1-1-2.mp3")
    assert response.status_code == 200 and response.mimetype == "audio/mpeg"
    disposition = response.headers["Content-Disposition"]
    assert "filename*=UTF-8''" + quote("02-2_電話リレーサービス.mp3") in disposition
    # a heading-only section is heard at the start of the track it is folded into: that track, by its name
    folded = client.get("/api/documents/sample/sections/s1-1.mp3")
    assert folded.data == client.get("/api/documents/sample/sections/s1-1-1.mp3").data
    assert quote("01-1_はじめに.mp3") in folded.headers["Content-Disposition"]
    etag = response.headers["ETag"]
    assert client.get("/api/documents/sample/sections/s1-1-2.mp3", headers={"If-None-Match": etag}).status_code == 304
    partial = client.get("/api/documents/sample/sections/s1-1-2.mp3", headers={"Range": "bytes=100-199"})
    assert partial.status_code == 206 and len(partial.data) == 100
    assert partial.headers["Content-Range"].startswith("bytes 100-199/")
    assert client.get("/api/documents/sample/sections/s1-1-2.mp3?download=1").headers["Content-Disposition"].startswith("attachment")


def test_section_vtt_and_timing(client):
    vtt = client.get("/api/documents/sample/sections/s1-1-1.vtt")
    assert vtt.mimetype == "text/vtt" and vtt.get_data(as_text=True).startswith("WEBVTT")
    timing = client.get("/api/documents/sample/sections/s1-1-1.json").get_json()
    assert [c["id"] for c in timing["cues"]] == ["h-s1", "h-s1-1", "h", "s1", "s2", "s3", "n1"]


def test_section_stream(client):
    response = client.get("/api/documents/sample/sections/s1-2-a/stream")
    data = response.get_data()
    assert response.mimetype == "audio/mpeg"
    x, sr = soundfile.read(io.BytesIO(data))
    assert len(x) / sr > 2


def test_whole_document_products(client, annotated_doc):
    sections = 3  # tracks: 第1節 and 1 概要 are only headings, announced at the start of the first
    full = client.get("/api/documents/sample.mp3")
    assert full.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(client.get("/api/documents/sample.zip").data))
    names = archive.namelist()
    assert len(names) == sections and names[1] == "02-2_電話リレーサービス.mp3"
    m3u = client.get("/api/documents/sample.m3u8").get_data(as_text=True).splitlines()
    assert m3u[0] == "#EXTM3U" and sum(1 for line in m3u if line.startswith("#EXTINF")) == sections
    old = client.get("/api/documents/sample.m3u?voice=mei")
    assert old.status_code == 308 and old.headers["Location"].endswith("/api/documents/sample.m3u8?voice=mei")


def test_podcast_feed(client):
    response = client.get("/api/documents/sample/feed.xml")
    assert response.mimetype == "application/rss+xml"
    root = ET.fromstring(response.data)
    ns = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd"}
    channel = root.find("channel")
    assert root.get("version") == "2.0" and channel.findtext("language") == "ja"
    items = channel.findall("item")
    assert len(items) == 3  # one episode per track: no 2-7 s episodes of a heading alone
    for item in items:
        enclosure = item.find("enclosure")
        assert enclosure.get("type") == "audio/mpeg" and int(enclosure.get("length")) > 1000
        assert re.fullmatch(r"\d\d:\d\d:\d\d", item.findtext("itunes:duration", namespaces=ns))
        path = enclosure.get("url").split("localhost", 1)[1]
        assert len(client.get(path).data) == int(enclosure.get("length"))


def test_podcast_feed_carries_transcripts_order_and_a_summary(client):
    """What podcast apps need beyond the minimum: captions for deaf listeners, a stable order, a self link."""
    root = ET.fromstring(client.get("/api/documents/sample/feed.xml?voice=mei").data)
    ns = {"podcast": "https://podcastindex.org/namespace/1.0", "atom": "http://www.w3.org/2005/Atom"}
    channel = root.find("channel")
    self_link = channel.find("atom:link", ns)
    assert self_link.get("rel") == "self" and self_link.get("href").endswith("/api/documents/sample/feed.xml?voice=mei")
    artwork = channel.find("{http://www.itunes.com/dtds/podcast-1.0.dtd}image").get("href")
    assert channel.findtext("image/url") == artwork
    png = client.get(artwork.split("localhost", 1)[1]).data
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width == height and 1400 <= width <= 3000  # what podcast directories ask for
    items = channel.findall("item")
    dates = [parsedate_to_datetime(item.findtext("pubDate")) for item in items]
    assert dates == sorted(dates) and len(set(dates)) == len(dates)  # apps that sort by date keep reading order
    for item in items:
        transcript = item.find("podcast:transcript", ns)
        assert transcript.get("type") == "text/vtt" and transcript.get("language") == "ja"
        response = client.get(transcript.get("url").split("localhost", 1)[1])
        assert response.status_code == 200 and response.data.startswith(b"WEBVTT")
        assert response.headers["Access-Control-Allow-Origin"] == "*"  # web players fetch it from elsewhere
        assert "voice=mei" in transcript.get("url")
    # the description opens with the section's own words, not only its title
    assert "PHRデータの活用を推進している" in items[0].findtext("description")


def test_feed_links_never_follow_the_host_header(client):
    """Host: evil.example must not move enclosures to evil.example (the links use the public base URL)."""
    for url in ("/api/documents/sample/feed.xml", "/api/documents/sample.m3u8"):
        body = client.get(url, headers={"Host": "evil.example"}).get_data(as_text=True)
        assert "evil.example" not in body and "http://localhost/api/documents/sample/sections/" in body


def test_feed_links_use_the_public_url_and_trusted_proxy_headers_only_when_configured(web_output):
    public = make_app(web_output, PUBLIC_URL="https://yomiage.example.jp/radio/").test_client()
    root = ET.fromstring(public.get("/api/documents/sample/feed.xml").data)
    urls = [e.get("url") for e in root.iter("enclosure")]
    assert urls and all(u.startswith("https://yomiage.example.jp/radio/api/documents/sample/sections/") for u in urls)
    proxied = make_app(web_output, TRUST_PROXY=1).test_client()
    body = proxied.get("/api/documents/sample.m3u8", headers={"X-Forwarded-Host": "listen.example.org",
                                                               "X-Forwarded-Proto": "https"}).get_data(as_text=True)
    assert "https://listen.example.org/api/documents/sample/sections/" in body
    direct = make_app(web_output).test_client()
    body = direct.get("/api/documents/sample.m3u8", headers={"X-Forwarded-Host": "listen.example.org"}).get_data(as_text=True)
    assert "listen.example.org" not in body


def test_feed_names_its_owner_and_is_stable_across_builds(web_output):
    """itunes:owner from the settings; a second build that changes nothing gives the same feed, byte for byte,
    with the same ETag, so podcast apps see no new episodes."""
    from service.products.build import build_document

    app = make_app(web_output, OPERATOR="〇〇市 広報課", CONTACT_EMAIL="koho@city.example.lg.jp")
    client = app.test_client()
    ns = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd"}
    first = client.get("/api/documents/sample/feed.xml")
    owner = ET.fromstring(first.data).find("channel/itunes:owner", ns)
    assert owner.findtext("itunes:name", namespaces=ns) == "〇〇市 広報課"
    assert owner.findtext("itunes:email", namespaces=ns) == "koho@city.example.lg.jp"
    library = app.extensions["yomiage"]
    document = library.document("sample")
    build_document(document, library.voice(None), library.options, progress=False)
    second = client.get("/api/documents/sample/feed.xml")
    assert second.data == first.data and second.headers["ETag"] == first.headers["ETag"]
    assert client.get("/api/documents/sample/feed.xml", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


def test_whole_document_not_built_yet_is_prepared_in_the_background(tmp_path):
    app = make_app(tmp_path, MAX_SYNTH=1)
    response = app.test_client().get("/api/documents/hostile.mp3")
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert response.get_json()["error"]["code"] == "preparing"


def test_glossary_audio(client):
    response = client.get(f"/api/documents/{DOC}/glossary/phr.mp3")
    assert response.status_code == 200
    x, sr = soundfile.read(io.BytesIO(response.data))
    assert len(x) / sr > 3


def test_every_setting_is_documented():
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for setting in SETTINGS.values():
        assert f"`{setting.name}`" in readme, setting.name
        if not setting.default.startswith("/"):
            assert setting.default in readme, setting.name


def test_talking_book_downloads(client):
    epub = client.get("/api/documents/sample.epub?ruby=grade:1")
    assert epub.status_code == 200 and epub.mimetype == "application/epub+zip"
    with zipfile.ZipFile(io.BytesIO(epub.data)) as book:
        assert book.namelist()[0] == "mimetype" and "EPUB/nav.xhtml" in book.namelist()
    daisy = client.get("/api/documents/sample.daisy.zip")
    assert daisy.status_code == 200
    with zipfile.ZipFile(io.BytesIO(daisy.data)) as book:
        names = book.namelist()
        assert "ncc.html" in names and "content.html" in names
        assert sum(n.endswith(".smil") for n in names) == 3 + 1  # one per track, and the title has its own
    assert client.get("/api/documents/sample.epub?ruby=grade:0").status_code == 400


NAUGHTY = [
    "😀👩‍👩‍👧‍👦🇯🇵", "\u202eRTL上書き\u202c", "ゼロ\u200b幅\u200d結合", "か\u3099が\u309a", "\x00NUL\x01", "ｶﾀｶﾅ半角",
    "'; DROP TABLE documents; --", "<img src=x onerror=alert(1)>", "{{7*7}}{% raw %}", "../../etc/passwd",
    "\U0010ffff\ue000私用", "𠮷野家の𩸽", "「閉じない（括弧", "ｱｲｳｴｵ\t\n\r改行", "٠١٢٣ العربية", "ㅎㅏㄴ글",
]


@pytest.mark.parametrize("text", NAUGHTY)
def test_naughty_strings_through_the_api(client, text):
    response = client.post("/api/furigana", json={"text": text, "level": "all"})
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    # NOTE: the answer is markup: characters XML forbids (C0 controls, U+FFFE) are dropped, nothing else
    assert "".join(t["surface"] for t in data["tokens"]) == xml_safe(text)
    assert "<img" not in data["html"] and "<script" not in data["html"]


def test_lone_surrogates_are_refused_clearly(client):
    response = client.post("/api/furigana", data='{"text": "a\\ud800b"}', content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_text"


def test_an_internal_fault_is_a_500_that_says_nothing_internal(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the output folder should be", encoding="utf-8")
    client = make_app(blocker).test_client()
    response = client.get("/api/documents/sample/sections/s1-1.mp3")
    assert response.status_code == 500
    body = response.get_json()
    assert body["error"]["code"] == "internal"
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and "not-a-folder" not in text and "Error" not in body["error"]["message"]
    page = client.get("/d/sample/s/s1-1")
    assert page.status_code == 200  # pages that need no audio still work


@pytest.mark.parametrize("header", ["bytes=abc", "items=0-1", "bytes=0-1,5-9", "bytes=5-2"])
def test_an_unusable_range_is_ignored(client, header):
    url = "/api/documents/sample/sections/s1.mp3"
    whole = client.get(url).data
    response = client.get(url, headers={"Range": header})
    assert response.status_code == 200 and response.data == whole


def test_a_range_outside_the_file_is_416_with_its_size(client):
    url = "/api/documents/sample/sections/s1.mp3"
    size = len(client.get(url).data)
    response = client.get(url, headers={"Range": f"bytes={size + 10}-"})
    assert response.status_code == 416 and response.headers["Content-Range"] == f"bytes */{size}"
    part = client.get(url, headers={"Range": "bytes=-5"})
    assert part.status_code == 206 and part.headers["Content-Range"] == f"bytes {size - 5}-{size - 1}/{size}"


def test_about_page_names_the_operator_and_states_accessibility_from_the_test_run(web_output, tmp_path):
    import json

    app = make_app(tmp_path, OPERATOR="〇〇市 広報課", CONTACT_EMAIL="koho@city.example.lg.jp")
    client = app.test_client()
    body = client.get("/about").get_data(as_text=True)
    assert "〇〇市 広報課" in body and 'href="mailto:koho@city.example.lg.jp"' in body
    assert "JIS X 8341-3:2016" in body and "まだ試験をしていません" in body
    # every voice is named with what speaks and whom it is owed to (Mei's CC BY 3.0 asks for the credit)
    voices = body[body.index('id="voices"'):body.index('id="accessibility"')]
    assert "メイ（標準）：" in voices and "CC BY 3.0" in voices
    assert "自然な声（女性）：" in voices and "Kokoro-82M（hexgrad、Apache-2.0）" in voices
    (tmp_path / "accessibility.json").write_text(json.dumps({
        "date": "2026-11-26", "browser": "Chromium 140", "axe_version": "4.10", "axe_tags": ["wcag2aa", "best-practice"],
        "failed": 0, "checks": [{"method": "axe-core", "page": "/", "passed": True, "detail": "違反 0"}]}),
        encoding="utf-8")
    body = client.get("/about").get_data(as_text=True)
    assert "一部準拠" in body and "axe-core 4.10" in body and "合格" in body


def test_the_sites_own_words_follow_the_ruby_level(client):
    """Navigation, breadcrumbs, the document title, the glossary introduction and previous/next carry ruby at
    the reader's level; none at ruby=none; hiragana in kana mode."""
    page = client.get(f"/d/{DOC}/s/s6-4-2?ruby=all").get_data(as_text=True)
    nav = page[page.index('class="doc-nav"'):page.index("</nav>", page.index('class="doc-nav"'))]
    assert re.search("<ruby[^>]*>目次", nav) and re.search("<ruby[^>]*>用語", nav)
    crumbs = page[page.index('class="breadcrumb"'):page.index("</nav>", page.index('class="breadcrumb"'))]
    assert crumbs.count("<ruby") >= 3  # the document title and the headings above
    prevnext = page[page.index('class="prevnext"'):]
    assert re.search("<ruby[^>]*>前", prevnext) and re.search("<ruby[^>]*>次", prevnext)
    glossary = client.get(f"/d/{DOC}/glossary?ruby=all").get_data(as_text=True)
    assert re.search("<ruby[^>]*>文書", glossary[glossary.index("<h1>"):glossary.index("</form>")])
    plain = client.get(f"/d/{DOC}/s/s6-4-2?ruby=none").get_data(as_text=True)
    assert "<ruby" not in plain
    kana = client.get(f"/d/{DOC}/?ruby=kana").get_data(as_text=True)
    assert "もくじ" in kana[kana.index('class="doc-nav"'):]
