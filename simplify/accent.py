"""NJD features -> accent phrases and their nuclei, chosen by a model learned from hand-annotated prosody.

OpenJTalk groups words into accent phrases and places each phrase's nucleus (the mora after which the pitch falls)
by its NJD rules, which are known to be weak for auxiliary chains, compounds and sentence ends. Here two linear
models take those decisions again, each seeing what OpenJTalk decided as one of its features:
- at each junction of two words with no pause between, whether a new accent phrase begins;
- for each phrase, which of its candidates (flat, or a fall after any one of its morae) is the nucleus.
They see the words, their parts of speech, the accents two dictionaries give them (OpenJTalk's and UniDic's, with
UniDic's combination types and word origins) and what follows. The weights are learned by ``bench/train_accent.py``
from JSUT BASIC5000 1–2000 (hand-annotated prosody, CC-BY-SA 4.0, ``tests/data/readings``) and shipped in
``simplify/data/accent-*.tsv``; sentences 2001–2500 are kept aside to measure them.

>>> import pyopenjtalk
>>> [f["acc"] for f in place_accents(pyopenjtalk.run_frontend("予定です。"))][:1]
[0]
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from itertools import repeat

from .unidic import unidic_words

_PAUSES = {"、", "？", "！"}
_SMALL = set("ァィゥェォャュョヮ")


@dataclass(frozen=True)
class AccentModel:
    phrases: dict  # junction feature -> weight (> 0 in sum: a new phrase begins)
    nuclei: dict  # candidate feature -> weight (the highest-scoring candidate is the nucleus)
    _tables: tuple = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        # NOTE: the nuclei's weights by the names a candidate is scored with (``candidate_features``): a shared name
        # paired with the candidate's relation (r=REL|NAME), a candidate's own name alone and with the relation
        # (NAME|ojt=REL); looked up in parts, so that scoring spells out no names twice
        shared: dict[str, dict] = defaultdict(dict)
        own: dict[str, dict] = defaultdict(dict)
        plain = {}
        for name, weight in self.nuclei.items():
            if name.startswith("r="):
                relation, _, rest = name[2:].partition("|")
                shared[relation][rest] = weight
            elif "|ojt=" in name:
                base, _, relation = name.rpartition("|ojt=")
                own[relation][base] = weight
            else:
                plain[name] = weight
        object.__setattr__(self, "_tables", (plain, dict(shared), dict(own)))


def place_accents(features: list[dict], keep: frozenset = frozenset(), model: AccentModel | None = None
                  ) -> list[dict]:
    """``features`` (OpenJTalk's NJD features of one piece of text) with the model's phrasing (``chain_flag``) and
    each phrase's nucleus (the first word's ``acc``). Words of ``keep`` (yomiage's lexicon, whose accents are
    reviewed data) keep OpenJTalk's phrasing and accent."""
    model = model or default_model()
    out = [dict(f) for f in features]
    words = described(out)

    def split(left: int, right: int, names: list[str]) -> bool:
        if out[left]["string"] in keep or out[right]["string"] in keep:
            return words[right]["chain_flag"] != 1
        return _score(model.phrases, names) > 0

    for right, begins in decide_junctions(words, split).items():
        out[right]["chain_flag"] = 0 if begins else 1
    described_out = described(out, words)
    groups = phrases(described_out)
    for n, group in enumerate(groups):
        if not any(out[i]["string"] in keep for i in group):
            out[group[0]]["acc"] = _best_nucleus(_spoken(described_out, group), _context(described_out, groups, n),
                                                 model)
    return out


def _best_nucleus(words: list[dict], context: tuple, model: AccentModel) -> int:
    """The candidate ``candidate_features`` would score highest, scored by parts (``AccentModel._tables``)."""
    plain, shared_weights, own_weights = model._tables
    shared, openjtalk = _shared_names(words, context)
    by_relation: dict[str, float] = {}
    best, best_score = 0, float("-inf")
    for k, names in _own_names(words):
        relation = _relation(k, openjtalk)
        if relation not in by_relation:
            table = shared_weights.get(relation, {})
            by_relation[relation] = table.get("", 0.0) + _score(table, shared)
        score = by_relation[relation] + _score(plain, names) + _score(own_weights.get(relation, {}), names)
        if score > best_score:
            best, best_score = k, score
    return best


def _score(weights: dict, names: list[str]) -> float:
    return sum(map(weights.get, names, repeat(0.0)))


def phrases(features: list[dict]) -> list[list[int]]:
    """Indices of the words of each accent phrase, as OpenJTalk's label maker groups them: a phrase begins at a word
    not chained to the one before (``chain_flag`` ≠ 1) and after a pause; the first word carries the phrase's accent.

    >>> import pyopenjtalk
    >>> [[f["string"] for f in (pyopenjtalk.run_frontend("水を買う。")[i] for i in p)]
    ...  for p in phrases(pyopenjtalk.run_frontend("水を買う。"))]
    [['水', 'を'], ['買う']]
    """
    out: list[list[int]] = []
    pause = True
    for i, f in enumerate(features):
        if _is_pause(f):
            pause = True
        elif f["mora_size"] == 0:
            if out and not pause:
                out[-1].append(i)
        elif pause or f["chain_flag"] != 1 or not out:
            out.append([i])
            pause = False
        else:
            out[-1].append(i)
    return out


def _is_pause(f: dict) -> bool:
    return f["pron"] in _PAUSES or (f["pos"] == "記号" and f["mora_size"] == 0)


def described(features: list[dict], like: list[dict] | None = None) -> list[dict]:
    """Copies of ``features`` with what both dictionaries say of each word (``dacc``: OpenJTalk's dictionary accent,
    which NJD overwrites on a phrase's first word; ``unidic``: UniDic's accent type, combination type, origin);
    ``like``: earlier descriptions of the same words, to reuse."""
    if like is not None:
        return [dict(f, dacc=w["dacc"], unidic=w["unidic"]) for f, w in zip(features, like)]
    dictionary, unidic = dictionary_accents(features), unidic_accents(features)
    return [dict(f, dacc=d, unidic=u) for f, d, u in zip(features, dictionary, unidic)]


def junctions(words: list[dict]) -> list[tuple[int, int, list[str]]]:
    """(left word, right word, feature names) for each two spoken words with no pause between them."""
    out = []
    previous = before = None
    for i, w in enumerate(words):
        if _is_pause(w):
            previous = before = None
            continue
        if w["mora_size"] == 0:
            continue
        if previous is not None:
            out.append((previous, i, _junction_features(words, before, previous, i)))
        before, previous = previous, i
    return out


def decide_junctions(words: list[dict], split) -> dict[int, bool]:
    """Whether a phrase begins at each junction's right word, as ``split(left, right, names)`` decides."""
    return {right: split(left, right, names) for left, right, names in junctions(words)}


def _junction_features(words: list[dict], before: int | None, i: int, j: int) -> list[str]:
    left, right = words[i], words[j]
    after = words[j + 1] if j + 1 < len(words) else None
    was = "C" if right["chain_flag"] == 1 else "S"
    lp, rp = f"{left['pos']}/{left['pos_group1']}", f"{right['pos']}/{right['pos_group1']}"
    names = ["", f"L={left['string']}", f"R={right['string']}", f"Lp={lp}|Rp={rp}",
             f"L={left['string']}|R={right['string']}", f"Rrule={right['chain_rule']}",
             f"Lct={left['ctype']}/{left['cform']}|Rp={right['pos']}",
             f"Lm={min(left['mora_size'], 5)}|Rm={min(right['mora_size'], 5)}|Rp={right['pos']}",
             f"Rda={right['dacc']}|Rp={rp}", f"Lp={left['pos']}|R={right['string']}", f"L={left['string']}|Rp={rp}",
             f"Nx={after['pos'] if after else '-'}|R={right['string']}",
             f"L2={words[before]['pos'] if before is not None else '-'}|Lp={left['pos']}|Rp={right['pos']}",
             f"Rg={right['pos_group2']}|Lg={left['pos_group2']}",
             f"Ru={right['unidic'][0]}/{right['unidic'][1]}|Rp={right['pos']}",
             f"Lo={left['unidic'][2]}|Ro={right['unidic'][2]}"]
    return [f"o={was}|{name}" for name in names]


def phrase_candidates(words: list[dict]) -> list[tuple[list[int], list[list[str]]]]:
    """Each accent phrase of ``words`` (from ``described``): its word indices and its candidates' feature names."""
    groups = phrases(words)
    return [(group, candidate_features(_spoken(words, group), _context(words, groups, n)))
            for n, group in enumerate(groups)]


def _spoken(words: list[dict], group: list[int]) -> list[dict]:
    return [words[i] for i in group if words[i]["mora_size"] > 0]


def dictionary_accents(features: list[dict]) -> list[int | None]:
    """Each word's accent as OpenJTalk's dictionary gives it, where MeCab's words and NJD's coincide."""
    import pyopenjtalk

    by_offset, offset = {}, 0
    for line in pyopenjtalk.run_mecab("".join(f["string"] for f in features)):
        fields = line.split(",")  # NOTE: MeCab is given full-width text: no word is a bare comma
        accent = fields[10].split("/")[0] if len(fields) > 10 else ""
        by_offset[offset] = (fields[0], int(accent) if accent.isdigit() else None)
        offset += len(fields[0])
    out, offset = [], 0
    for f in features:
        found = by_offset.get(offset)
        out.append(found[1] if found and found[0] == f["string"] else None)
        offset += len(f["string"])
    return out


def unidic_accents(features: list[dict]) -> list[tuple[str, str, str]]:
    """Each word's (accent type, accent combination type, word origin) as UniDic gives them (a second dictionary,
    with the combination rules for compounds and conjugations), from the UniDic word starting where it starts."""
    by_offset = {at: (f.aType or "*", (f.aConType or "*").split(",")[0], f.goshu or "*")
                 for at, _, f in unidic_words("".join(f["string"] for f in features))}
    out, offset = [], 0
    for f in features:
        out.append(by_offset.get(offset, ("?", "?", "?")))
        offset += len(f["string"])
    return out


def _context(words: list[dict], groups: list[list[int]], n: int) -> tuple:
    """(previous phrase's last word, next phrase's first word, what follows the phrase, whether it is the last)."""
    group = groups[n]
    previous = words[groups[n - 1][-1]]["string"] if n > 0 else "-"
    following = words[groups[n + 1][0]]["string"] if n + 1 < len(groups) else "-"
    after = group[-1] + 1
    if after >= len(words):
        follows = "<end>"
    elif words[after]["mora_size"] > 0:
        follows = "<word>"
    else:
        follows = words[after]["string"]
    return previous, following, follows, n + 1 == len(groups)


def candidate_features(words: list[dict], context: tuple) -> list[list[str]]:
    """For each candidate nucleus k = 0 (flat), 1 … the phrase's morae: the names of the features that describe it."""
    shared, openjtalk = _shared_names(words, context)
    out = []
    for k, names in _own_names(words):
        relation = _relation(k, openjtalk)
        out.append(["r=" + relation] + [f"r={relation}|{name}" for name in shared] + _expanded(names, relation))
    return out


def _shared_names(words: list[dict], context: tuple) -> tuple[list[str], int]:
    """What describes the phrase whichever candidate is chosen (each is paired with the candidate's relation to
    OpenJTalk's choice), and OpenJTalk's choice."""
    previous, following, follows, last_phrase = context
    morae = sum(w["mora_size"] for w in words)
    openjtalk = min(words[0]["acc"], morae)
    head, last = words[0], words[-1]
    end = "F" if last_phrase else "N"
    dacc = head["dacc"]
    tail = "".join(w["string"] for w in words[1:])
    shared = [f"end={end}", f"fol={follows}", f"last={last['string']}",
              f"lastpos={last['pos']}/{last['pos_group1']}", f"head={head['string']}",
              f"headpos={head['pos']}/{head['pos_group1']}/{head['pos_group2']}", f"n={len(words)}",
              f"last={last['string']}|end={end}", f"M={min(morae, 9)}", f"ojtacc={min(openjtalk, 5)}|M={min(morae, 9)}",
              f"chain={words[1]['chain_rule'] if len(words) > 1 else '-'}", f"next={following}", f"prev={previous}",
              f"dacc={dacc}|M={min(morae, 9)}|hn={head['mora_size']}",
              f"dacc={dacc}|headpos={head['pos']}|n={min(len(words), 3)}", f"dacc={dacc}|last={last['string']}",
              f"u={head['unidic'][0]}|M={min(morae, 9)}|hn={head['mora_size']}", f"u={head['unidic'][0]}|d={dacc}",
              f"goshu={head['unidic'][2]}|{last['unidic'][2]}|n={min(len(words), 3)}",
              f"con={words[1]['unidic'][1] if len(words) > 1 else '-'}|u={head['unidic'][0]}",
              f"tail={tail}", f"tail={tail}|end={end}"]
    return shared, openjtalk


def _expanded(names: list[str], relation: str) -> list[str]:
    """Each of a candidate's own names alone and with its relation to OpenJTalk's choice."""
    out = []
    for name in names:
        out += [name, f"{name}|ojt={relation}"]
    return out


def _relation(k: int, openjtalk: int) -> str:
    if k == openjtalk:
        return "ojt"
    if openjtalk == 0:
        return "add"
    if k == 0:
        return "drop"
    return "early" if k < openjtalk else "late"


def _own_names(words: list[dict]) -> list[tuple[int, list[str]]]:
    """(k, the names of candidate k itself) for the flat choice and each mora of the phrase; what depends only on the
    word and where in it the mora is (first, inside, last) is spelled once per word."""
    head = words[0]
    dacc, hu = head["dacc"], head["unidic"][0]
    out = [(0, ["flat", f"flat|hdacc={dacc if dacc is not None and dacc < 4 else 'x'}|{head['pos']}",
                f"flat|u={hu}|{head['pos']}"])]
    size = min(sum(w["mora_size"] for w in words), 9)
    for index, word in enumerate(words):
        place = "head" if index == 0 else ("last" if index == len(words) - 1 else "mid")
        own, uacc, pos = word["dacc"], word["unidic"][0], word["pos"]
        morae = _morae(word["pron"])
        by_edge = {}
        for edge in "1IE":
            by_edge[edge] = [f"nuc|{place}|{edge}", f"nuc|pos={pos}|{edge}",
                             f"nuc|ct={word['ctype']}|cf={word['cform']}|{edge}",
                             f"nuc|goshu={word['unidic'][2]}|{place}|{edge}"]
            if index + 1 < len(words):
                following = words[index + 1]
                by_edge[edge] += [f"nuc|nextcon={following['unidic'][1]}|{edge}",
                                  f"nuc|nextw={following['string']}|{edge}", f"nuc|nextpos={following['pos']}|{edge}"]
        for mora in range(1, word["mora_size"] + 1):
            k = len(out)
            edge = "E" if mora == word["mora_size"] else ("1" if mora == 1 else "I")
            here = morae[mora - 1] if mora <= len(morae) else "?"
            after = morae[mora] if mora < len(morae) else "|"
            out.append((k, ["nuc", f"nuc|mora={_kind(here)}|{_kind(after)}",
                            f"nuc|pos={pos}/{word['pos_group1']}|o={mora}|n={word['mora_size']}",
                            f"nuc|s={word['string']}|o={mora}",
                            f"nuc|wacc={'=' if index > 0 and word['acc'] == mora else '!'}|{place}",
                            f"nuc|k={min(k, 6)}|M={size}",
                            f"nuc|wdacc={_compared(own, mora)}|{place}|{pos}",
                            f"nuc|hdacc={'=' if dacc == k else ('0' if dacc == 0 else '!')}|{place}",
                            f"nuc|wu={'=' if uacc == str(mora) else ('0' if uacc == '0' else '!')}|{place}|{pos}",
                            f"nuc|hu={'=' if hu == str(k) else '!'}|{place}"] + by_edge[edge]))
    return out


def _compared(accent: int | None, mora: int) -> str:
    return "=" if accent == mora else ("<" if accent is not None and accent < mora else ">")


def _morae(pron: str) -> list[str]:
    """A katakana pronunciation's morae (a small kana joins the one before)."""
    out: list[str] = []
    for c in pron.replace("’", ""):
        if c in _SMALL and out:
            out[-1] += c
        else:
            out.append(c)
    return out


def _kind(mora: str) -> str:
    """ン, ッ, ー (morae a fall rarely follows) by name; any other mora as ``v``."""
    return mora if mora in ("ン", "ッ", "ー", "|", "?") else "v"


@lru_cache(maxsize=1)
def default_model() -> AccentModel:
    """The shipped weights (``simplify/data/accent-phrases.tsv``, ``accent-nuclei.tsv``)."""
    return AccentModel(_read_weights("accent-phrases.tsv"), _read_weights("accent-nuclei.tsv"))


def _read_weights(name: str) -> dict[str, float]:
    text = resources.files("simplify").joinpath("data", name).read_text(encoding="utf-8")
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            feature, value = line.rsplit("\t", 1)
            out[feature] = float(value)
    return out
