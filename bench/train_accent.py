"""Learn the accent weights (``simplify/data/accent-phrases.tsv``, ``accent-nuclei.tsv``) from hand-annotated prosody.

Data: JSUT BASIC5000 1–2000 with hand-annotated accent (``tests/data/readings``, CC-BY-SA 4.0; see its README);
2001–2500 are never read here (the held-out part ``bench/readings_accuracy.py`` measures on). Examples come from
sentences whose phonemes yomiage reads as annotated:
- phrasing: at each junction of two words with no pause between, whether the annotation begins a phrase there;
- nuclei: each annotated phrase (OpenJTalk's words grouped as the annotation groups them) and its annotated nucleus.
Both are a choice among candidates (a junction: a new phrase or not; a phrase: flat or a fall after one of its
morae), learned as a conditional logit with an L2 penalty by L-BFGS (scipy): the same data gives the same weights.

Run: ``.venv/bin/python bench/train_accent.py`` (writes the weights); ``--validate`` learns on 1–1500 and prints
accuracy on 1501–2000 beside OpenJTalk's rules, writing nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from simplify.accent import decide_junctions, described, phrase_candidates  # noqa: E402
from tests.readings_eval import Item, _positions, join_chunks, load, prosody  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "simplify" / "data"
DEVELOPMENT = range(1, 2001)
PENALTY = 3.0  # NOTE: the L2 weight; 1, 2, 3, 5 and 10 were tried with --validate, 3 was best
SMALLEST = 0.03  # NOTE: smaller weights are dropped: a fifth of them, same accuracy (0, 0.01, 0.03, 0.06 tried)
_MORA_END = set("aiueo") | {"N", "cl"}  # NOTE: phonemes as _positions gives them (devoiced vowels lowered)
Example = tuple[list[list[str]], int, int]  # candidates' feature names, the annotated one, OpenJTalk's


def examples(items: list[Item]) -> tuple[list[Example], list[Example]]:
    """(junction examples, phrase examples) from the sentences whose phonemes yomiage reads as annotated."""
    import pyopenjtalk

    from simplify.reading import text_to_reading

    joins: list[Example] = []
    nuclei: list[Example] = []
    for item in items:
        reading = text_to_reading(item.text, accents=False)
        ours = prosody(join_chunks([pyopenjtalk.make_label([dict(f) for f in c]) for c in reading.chunks]))
        phonemes, _ = _positions(ours, set())
        if phonemes != _positions(item.prosody, set())[0]:
            continue
        starts = [0] + [i + 1 for i, p in enumerate(phonemes) if p in _MORA_END]  # phoneme index of each mora
        if sum(f["mora_size"] for c in reading.chunks for f in c) != len(starts) - 1:
            continue
        bounds = _positions(item.prosody, {"#", "_"})[1] | {0, len(phonemes)}
        falls = _positions(item.prosody, {"]"})[1]
        mora = 0
        for chunk in reading.chunks:
            begins = []
            for f in chunk:
                begins.append(mora)
                mora += f["mora_size"]
            words = described(list(chunk))
            _add(joins, nuclei, words, begins, starts, bounds, falls)
    return joins, nuclei


def _add(joins, nuclei, words, begins, starts, bounds, falls) -> None:
    """One chunk's examples; its phrases as annotated, where the annotation's boundaries fall between words."""
    at = [starts[b] for b in begins]
    inside = {b for b in bounds if any(at[i] < b < at[i] + _phonemes_of(words[i], starts, begins[i]) for i in
                                        range(len(words)) if words[i]["mora_size"] > 0)}
    grouped = [dict(w) for w in words]

    def annotated(left: int, right: int, names: list[str]) -> bool:
        joins.append(([[], names], int(at[right] in bounds), int(words[right]["chain_flag"] != 1)))
        return at[right] in bounds

    for right, new in decide_junctions(words, annotated).items():
        grouped[right]["chain_flag"] = 0 if new else 1
    if inside:
        return
    for group, choices in phrase_candidates(grouped):
        spoken = [i for i in group if words[i]["mora_size"] > 0]
        first, last = begins[spoken[0]], begins[spoken[-1]] + words[spoken[-1]]["mora_size"]
        fall = next((m - first for m in range(first + 1, last + 1) if starts[m] in falls), 0)
        nuclei.append((choices, fall, min(grouped[group[0]]["acc"], len(choices) - 1)))


def _phonemes_of(word: dict, starts: list[int], begin: int) -> int:
    return starts[begin + word["mora_size"]] - starts[begin]


def fit(data: list[Example], penalty: float = PENALTY) -> dict[str, float]:
    """Weights maximising the annotated choices' likelihood (softmax over each example's candidates) less
    ``penalty`` × the squared weights."""
    import numpy as np
    import scipy.optimize
    import scipy.sparse

    index: dict[str, int] = {}
    rows, cols, bounds, answers, row = [], [], [0], [], 0  # a row per candidate; bounds: each example's first row
    for choices, gold, _ in data:
        answers.append(row + gold)
        for names in choices:
            for name in names:
                rows.append(row)
                cols.append(index.setdefault(name, len(index)))
            row += 1
        bounds.append(row)
    x = scipy.sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(row, len(index)))
    starts, answers = np.array(bounds[:-1]), np.array(answers)
    owner = np.repeat(np.arange(len(starts)), np.diff(bounds))

    def loss(w):
        s = x @ w
        top = np.maximum.reduceat(s, starts)
        e = np.exp(s - top[owner])
        z = np.add.reduceat(e, starts)
        grad = e / z[owner]
        grad[answers] -= 1
        return -(s[answers] - top - np.log(z)).sum() + penalty * w @ w, x.T @ grad + 2 * penalty * w

    w = scipy.optimize.minimize(loss, np.zeros(len(index)), jac=True, method="L-BFGS-B",
                                options={"maxiter": 1000}).x
    return {name: round(float(w[i]), 3) for name, i in index.items() if abs(w[i]) >= SMALLEST}


def accuracy(weights: dict[str, float], data: list[Example]) -> tuple[float, float]:
    """(the model's, OpenJTalk's) share of examples where the choice is the annotated one."""
    def best(choices):
        scores = [sum(weights.get(n, 0.0) for n in names) for names in choices]
        return max(range(len(scores)), key=scores.__getitem__)

    return (sum(best(c) == g for c, g, _ in data) / len(data), sum(o == g for _, g, o in data) / len(data))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--validate", action="store_true", help="learn on 1–1500, measure on 1501–2000")
    args = parser.parse_args()
    items = [i for i in load() if int(i.id.rsplit("_", 1)[1]) in DEVELOPMENT]
    if args.validate:
        learn = examples([i for i in items if int(i.id.rsplit("_", 1)[1]) <= 1500])
        check = examples([i for i in items if int(i.id.rsplit("_", 1)[1]) > 1500])
        for name, a, b in zip(("junctions", "phrases"), learn, check):
            ours, openjtalk = accuracy(fit(a), b)
            print(f"{name}: learned on {len(a)}, checked on {len(b)}: model {ours:.1%}, OpenJTalk {openjtalk:.1%}")
        return
    joins, nuclei = examples(items)
    source = ["# Learned by bench/train_accent.py from JSUT BASIC5000 1-2000 hand-annotated prosody (jsut-label,",
              "# sarulab-speech; Sonobe, Takamichi, Saruwatari, arXiv:1711.00354). Licence: CC-BY-SA 4.0."]
    for name, data in (("accent-phrases.tsv", joins), ("accent-nuclei.tsv", nuclei)):
        weights = fit(data)
        lines = source + [f"{feature}\t{value}" for feature, value in sorted(weights.items())]
        (DATA / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{name}: {len(data)} examples, {len(weights)} weights, {accuracy(weights, data)[0]:.1%} of them right")


if __name__ == "__main__":
    main()
