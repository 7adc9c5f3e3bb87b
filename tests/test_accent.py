"""Accent phrases and nuclei chosen by the learned model (simplify/accent.py): the mechanics on any text; how well it
places them is measured against hand annotation in test_readings_eval.py."""

from __future__ import annotations

import pyopenjtalk
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simplify.accent import default_model, phrases, place_accents, unidic_accents
from simplify.lexicon import default_lexicon
from simplify.reading import text_to_reading
from tests.readings_eval import load, prosody

_MORA_END = set("aiueoAIUEO") | {"N", "cl"}


def _label_phrases(features: list[dict]) -> list[int]:
    """The morae of each accent phrase in the labels OpenJTalk makes of ``features``."""
    out, count = [], 0
    for symbol in prosody(pyopenjtalk.make_label([dict(f) for f in features])):
        if symbol in ("#", "_", "$", "?") and count:
            out.append(count)
            count = 0
        elif symbol in _MORA_END:
            count += 1
    return out


@pytest.mark.parametrize("item", load()[:120], ids=lambda i: i.id)
def test_phrases_are_the_phrases_openjtalks_labels_are_made_of(item):
    """The model decides per phrase as the labels group words: same phrases, same morae, before and after it."""
    for chunk in text_to_reading(item.text, accents=False).chunks:
        for features in (list(chunk), place_accents(list(chunk))):
            groups = [sum(features[i]["mora_size"] for i in g) for g in phrases(features)]
            assert [g for g in groups if g] == _label_phrases(features)


def test_the_model_moves_nuclei_where_openjtalks_rules_are_weak():
    """Sentence-final です after a noun is said flat in the annotation's speech (OpenJTalk falls after デ), and
    the learned choice differs from OpenJTalk's on a real share of phrases — yet keeps most of them."""
    def nuclei(text, accents):
        return [f["acc"] for c in text_to_reading(text, accents=accents).chunks for f in c
                if f["chain_flag"] != 1 and f["mora_size"]]

    assert nuclei("予定です。", False) != [0] and nuclei("予定です。", True) == [0]
    changed = kept = 0
    for item in load()[:200]:
        ours, theirs = nuclei(item.text, True), nuclei(item.text, False)
        if len(ours) == len(theirs):
            kept += sum(a == b for a, b in zip(ours, theirs))
            changed += sum(a != b for a, b in zip(ours, theirs))
    assert 0.05 < changed / (changed + kept) < 0.4


def test_lexicon_words_keep_their_reviewed_accent_and_phrasing():
    lexicon = default_lexicon()
    entry = next(e for e in lexicon.entries if e.accent > 0 and len(e.surface) > 2)
    text = f"{entry.surface}の予定です。"
    ours = text_to_reading(text, lexicon).chunks[0]
    theirs = text_to_reading(text, lexicon, accents=False).chunks[0]
    word = next(i for i, f in enumerate(theirs) if f["string"] == entry.surface)
    assert ours[word]["acc"] == theirs[word]["acc"] == entry.accent
    assert ours[word + 1]["chain_flag"] == theirs[word + 1]["chain_flag"]


def test_the_nucleus_chosen_is_the_best_scored_of_the_names_the_model_learned_on():
    """Scoring by parts (the hot path) and the full names (what training sees) choose alike."""
    from simplify.accent import described, phrase_candidates

    model, compared = default_model(), 0
    for item in load()[:100]:
        for chunk in text_to_reading(item.text, accents=False).chunks:
            chosen = place_accents(list(chunk))
            grouped = [dict(f, chain_flag=c["chain_flag"]) for f, c in zip(chunk, chosen)]
            for group, choices in phrase_candidates(described(grouped)):
                scores = [sum(model.nuclei.get(n, 0.0) for n in names) for names in choices]
                assert chosen[group[0]]["acc"] == max(range(len(scores)), key=scores.__getitem__)
                compared += 1
    assert compared > 500


def test_the_shipped_weights_are_loaded_once_and_name_both_decisions():
    model = default_model()
    assert default_model() is model
    assert len(model.phrases) > 1000 and len(model.nuclei) > 5000
    assert any(name.startswith("o=") for name in model.phrases) and "r=ojt" in model.nuclei


def test_the_second_dictionary_answers_the_same_from_many_threads_at_once():
    """Pages, streams and builds read sentences in threads; UniDic's tagger (MeCab) is not re-entrant."""
    from concurrent.futures import ThreadPoolExecutor

    pieces = [pyopenjtalk.run_frontend(item.text) for item in load()[:300]]
    alone = [unidic_accents(p) for p in pieces]
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(unidic_accents, pieces * 4))
    assert together == alone * 4


_ALPHABET = list("水を買う予定ですかアイウ一二三、。？ー々ッん東京都の市町村 ABC１２３")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(_ALPHABET), min_size=1, max_size=40))
def test_any_text_gets_one_nucleus_within_each_phrase_and_nothing_else_changes(text):
    ours, theirs = text_to_reading(text), text_to_reading(text, accents=False)
    assert ours.spoken == theirs.spoken and len(ours.chunks) == len(theirs.chunks)
    for features, before in zip(ours.chunks, theirs.chunks):
        assert [{k: v for k, v in f.items() if k not in ("acc", "chain_flag")} for f in features] == \
               [{k: v for k, v in f.items() if k not in ("acc", "chain_flag")} for f in before]
        for group in phrases(list(features)):
            assert 0 <= features[group[0]]["acc"] <= sum(features[i]["mora_size"] for i in group)
        labels, original = pyopenjtalk.make_label(list(features)), pyopenjtalk.make_label(list(before))
        assert [label.split("/A:")[0] for label in labels] == [label.split("/A:")[0] for label in original]
