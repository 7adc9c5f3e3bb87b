"""The reviewed pronunciation lexicon, compiled once into an OpenJTalk user dictionary and cached."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import tempfile
import threading
import tomllib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

# NOTE: pyopenjtalk (≈ 0.3 s and its dictionary) is imported where a dictionary is compiled or applied.

_SMALL_KANA = set("ャュョァィゥェォヮ")
# naist-jdic part-of-speech columns; MeCab derives the connection ids from these, so they must be exact.
_POS_COLUMNS = {"一般": "名詞,一般,*,*", "固有名詞": "名詞,固有名詞,一般,*", "組織": "名詞,固有名詞,組織,*"}


@dataclass(frozen=True)
class Entry:
    surface: str
    reading: str
    accent: int
    pos: str
    note: str
    cost: int = 1

    @property
    def morae(self) -> int:
        return sum(1 for c in self.reading if c not in _SMALL_KANA)


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern
    spoken: str
    note: str
    examples: tuple[str, ...] = ()  # texts the rule must change (a test checks the voice says ``spoken`` there)
    counter: tuple[str, ...] = ()  # texts it must leave alone (the other reading of the same characters)


@dataclass(frozen=True)
class Lexicon:
    entries: tuple[Entry, ...]
    rules: tuple[Rule, ...]

    @cached_property
    def mecab_surfaces(self) -> frozenset[str]:
        return frozenset(to_mecab_surface(e.surface) for e in self.entries)

    def to_csv(self) -> str:
        """naist-jdic compatible CSV rows, surfaces in the full-width form OpenJTalk's MeCab sees."""
        rows = []
        for e in self.entries:
            surface = to_mecab_surface(e.surface)
            pos = _POS_COLUMNS.get(e.pos, _POS_COLUMNS["一般"])
            rows.append(f"{surface},,,{e.cost},{pos},*,*,{surface},{e.reading},{e.reading},{e.accent}/{e.morae},*")
        return "\n".join(rows) + "\n"


def to_mecab_surface(text: str) -> str:
    """ASCII to full width, as OpenJTalk converts its input before MeCab sees it (``-`` becomes ``−``)."""
    out = []
    for c in text:
        if c == "-":
            out.append("\u2212")
        elif "!" <= c <= "~":
            out.append(chr(ord(c) + 0xFEE0))
        else:
            out.append(c)
    return "".join(out)


def load_lexicon(path: Path | None = None) -> Lexicon:
    text = path.read_text(encoding="utf-8") if path else (resources.files("simplify") / "lexicon.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    entries = tuple(
        Entry(e["surface"], e["reading"], int(e.get("accent", 0)), e.get("pos", "一般"), e.get("note", ""), int(e.get("cost", 1)))
        for e in data.get("entry", [])
    )
    rules = tuple(Rule(re.compile(r["pattern"]), r["spoken"], r.get("note", ""), tuple(r.get("examples", ())),
                       tuple(r.get("counter", ()))) for r in data.get("rule", []))
    return Lexicon(entries, rules)


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    return load_lexicon()


def cache_dir() -> Path:
    """``YOMIAGE_CACHE_DIR``, else ``~/.cache/yomiage``."""
    return Path(os.environ.get("YOMIAGE_CACHE_DIR") or Path.home() / ".cache" / "yomiage")


_COMPILE = "import sys, pyopenjtalk; pyopenjtalk.mecab_dict_index(sys.argv[1], sys.argv[2])"


def compile_dictionary(lexicon: Lexicon, folder: Path | None = None) -> Path:
    """The compiled user dictionary for this lexicon: built once, keyed by content, written atomically."""
    import pyopenjtalk

    csv = lexicon.to_csv()
    version = getattr(pyopenjtalk, "__version__", "") or pyopenjtalk.version.__version__
    key = hashlib.sha256((csv + version).encode()).hexdigest()[:16]
    folder = folder or cache_dir()
    target = folder / f"lexicon-{key}.dic"
    if target.exists():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        csv_path, dic_path = Path(tmp) / "lexicon.csv", Path(tmp) / "lexicon.dic"
        csv_path.write_text(csv, encoding="utf-8")
        # NOTE: MeCab's compiler prints progress from C; run it in a child and keep what it says, so no
        # other thread of this process ever loses its output (redirecting our fds 1 and 2 would)
        done = subprocess.run([sys.executable, "-c", _COMPILE, str(csv_path), str(dic_path)],
                              capture_output=True, text=True, timeout=300)
        if done.returncode or not dic_path.exists() or dic_path.stat().st_size == 0:
            raise RuntimeError(f"OpenJTalk user dictionary compilation failed: {done.stderr.strip()[-500:]}")
        os.replace(dic_path, target)
    return target


_applied: tuple[Lexicon, Path] | None = None
_lock = threading.Lock()


def ensure_applied(lexicon: Lexicon | None = None) -> Path:
    """Load the lexicon into pyopenjtalk's global engine (once per process, on first use)."""
    global _applied
    lexicon = lexicon or default_lexicon()
    applied = _applied
    if applied is not None and applied[0] is lexicon:
        return applied[1]
    import pyopenjtalk

    with _lock:
        if _applied is None or _applied[0] is not lexicon:
            path = compile_dictionary(lexicon)
            if _applied is None or _applied[1] != path:
                pyopenjtalk.update_global_jtalk_with_user_dict(str(path))
            _applied = (lexicon, path)
        return _applied[1]
