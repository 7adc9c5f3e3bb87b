"""Settings: every one has a name, a default and a one-line help (README lists them; a test checks that)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str

    def get(self) -> str:
        return os.environ.get(self.name) or self.default


SETTINGS = {
    s.name: s
    for s in (
        Setting("YOMIAGE_OUTPUT_DIR", str(ROOT / "output"), "where built audio, cues and manifests are written"),
        Setting("YOMIAGE_VOICES_DIR", str(ROOT / "voices"), "folder of voice presets (*.toml) and .htsvoice files"),
        Setting("YOMIAGE_DEFAULT_VOICE", "mei", "voice used when a request names none"),
        Setting("YOMIAGE_LOUDNESS", "-19", "loudness target in LUFS for every product (-19 mono podcast, -24 broadcast)"),
        Setting("YOMIAGE_MP3_BITRATE", "64", "MP3 constant bitrate in kbit/s"),
        Setting("YOMIAGE_JOBS", "0", "synthesis threads for builds and on-demand audio (0 = one per core)"),
        Setting("YOMIAGE_CACHE_DIR", str(Path.home() / ".cache" / "yomiage"), "where the compiled lexicon is cached"),
        Setting("YOMIAGE_DEFAULT_RUBY", "all", "furigana level of pages when the reader has not chosen one"),
        Setting("YOMIAGE_MAX_TEXT_CHARS", "2000", "longest text accepted by POST /api/furigana and /api/speech"),
        Setting("YOMIAGE_MAX_BODY_BYTES", "65536", "largest request body the API accepts"),
        Setting("YOMIAGE_MAX_SYNTH", "4", "concurrent on-demand syntheses before requests get 503"),
        Setting("YOMIAGE_PUBLIC_URL", "", "public base URL for absolute links in feeds and playlists "
                "(`yomiage serve` uses its own address when empty)"),
        Setting("YOMIAGE_TRUST_PROXY", "0", "number of reverse proxies in front whose X-Forwarded-* headers are "
                "trusted (0: none; the Host header is then never used for links)"),
        Setting("YOMIAGE_ENGINE", "", "empty: each voice speaks with the engine its preset names (openjtalk or kokoro); "
                "an engine's name or module:Class puts that engine behind every voice (service/speech/engines.py)"),
        Setting("YOMIAGE_QUEUE_URL", "", "redis://… to build through workers on a Redis queue (`yomiage worker`); empty: "
                "builds run in this process"),
        Setting("YOMIAGE_AUTO_BUILD", "1", "1: `yomiage serve` builds a library document's new version as soon as it "
                "is added and switches listeners to it when complete (without a queue; with one, `yomiage add` queues "
                "it); 0: only when asked"),
        Setting("YOMIAGE_ADMIN_TOKEN", "", "operator token for adding and removing documents on the web (empty: the "
                "service is read-only, the write routes do not exist)"),
        Setting("YOMIAGE_LISTEN_FIRST_CHARS", "40000", "a new document at least this long (characters) is listed and "
                "playable while its readings and glossary are still being made (pages and audio read each sentence as "
                "it is asked for until then); 0: always"),
        Setting("YOMIAGE_MAX_UPLOAD_BYTES", "20971520", "largest document an operator may upload (20 MiB)"),
        Setting("YOMIAGE_OPERATOR", "yomiage", "who runs this service: feeds' owner, the about page"),
        Setting("YOMIAGE_CONTACT_EMAIL", "", "contact address for the feeds' itunes:email and the about page"),
    )
}


def setting(name: str) -> str:
    return SETTINGS[name].get()


def output_dir() -> Path:
    return Path(setting("YOMIAGE_OUTPUT_DIR"))


def voices_dir() -> Path:
    return Path(setting("YOMIAGE_VOICES_DIR"))


def jobs() -> int:
    value = int(setting("YOMIAGE_JOBS"))
    return value if value > 0 else (os.cpu_count() or 1)
