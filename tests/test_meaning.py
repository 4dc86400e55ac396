"""The meaning features: word-vector tables (format, errors), packed scoring, and how the matcher uses them."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import pytest

from admissionsbot.core.matcher import Matcher
from admissionsbot.core.meaning import (
    K_NEAREST,
    UNIT,
    MeaningIndex,
    VectorsError,
    WordVectors,
    dump_vectors,
    load_vectors,
)

REPO = Path(__file__).resolve().parent.parent
BANKING_TABLE = REPO / "benchmarks" / "vectors" / "banking77-train.vectors"  # distilled from BANKING77 train


def table(tmp_path: Path, rows: dict[str, list[int]], idf: dict[str, float] | None = None) -> WordVectors:
    path = tmp_path / "t.vectors"
    words = sorted(rows)
    dump_vectors(path, words, [(idf or {}).get(w, 1.0) for w in words], [rows[w] for w in words], corpus="test")
    return load_vectors(path)


def naive_embed(rows: dict[str, list[int]], idf: dict[str, float], text: str) -> list[float]:
    """The definition, in floats: the IDF-weighted sum of the known words' vectors, unit length."""
    dims = len(next(iter(rows.values())))
    acc = [0.0] * dims
    for w in text.lower().split():
        if w in rows:
            acc = [a + idf[w] * v for a, v in zip(acc, rows[w], strict=True)]
    norm = math.sqrt(sum(a * a for a in acc))
    return [a / norm for a in acc]


def test_a_table_round_trips_and_embeds_as_the_weighted_sum_it_defines(tmp_path):
    rng = random.Random(7)
    rows = {w: [rng.randint(-127, 127) for _ in range(16)] for w in ("card", "arrived", "lost", "my", "?")}
    idf = {"card": 1.5, "arrived": 3.25, "lost": 2.75, "my": 1.0, "?": 1.125}
    vectors = table(tmp_path, rows, idf)
    assert vectors.dims == 16 and set(vectors.packed) == set(rows)
    got = vectors.embed("My card ARRIVED ?")
    want = naive_embed(rows, idf, "my card arrived ?")
    assert got is not None
    assert max(abs(g / UNIT - w) for g, w in zip(got, want, strict=True)) < 1.0 / UNIT  # rounding only
    assert vectors.embed("nothing known here") is None  # no evidence, not a zero vector
    assert vectors.embed("") is None


def test_packed_scores_equal_plain_integer_arithmetic(tmp_path):
    """The lanes never borrow: every cosine equals the plain dot products of the stored integer vectors."""
    rng = random.Random(11)
    words = [f"w{i}" for i in range(40)]
    vectors = table(tmp_path, {w: [rng.randint(-127, 127) for _ in range(32)] for w in words})
    texts = [" ".join(rng.sample(words, rng.randint(1, 6))) for _ in range(60)]
    entries = [i % 5 for i in range(60)]
    index = MeaningIndex(vectors, texts, entries, 6)  # entry 5 has no phrasing
    phrasing_vectors = [vectors.embed(t) for t in texts]
    for _ in range(25):
        q = vectors.embed(" ".join(rng.sample(words, rng.randint(1, 8))))
        assert q is not None
        for e in range(5):
            dots = sorted((sum(a * b for a, b in zip(q, v, strict=True))
                           for v, pe in zip(phrasing_vectors, entries, strict=True) if pe == e and v is not None),
                          reverse=True)[:K_NEAREST]
            assert index.scores(q, [e]) == [sum(dots) / (len(dots) * UNIT * UNIT)]
        assert index.scores(q, [5]) == [None]  # no phrasing: no evidence, not "unrelated"


def test_an_identical_phrasing_scores_near_one(tmp_path):
    rng = random.Random(3)
    vectors = table(tmp_path, {w: [rng.randint(-127, 127) for _ in range(24)] for w in "abcdefgh"})
    index = MeaningIndex(vectors, ["a b c"], [0], 1)
    q = vectors.embed("a b c")
    assert q is not None
    assert index.scores(q, [0]) == [pytest.approx(1.0, abs=0.01)]


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda b: b"", "not a word-vector file"),
        (lambda b: b"a: b\n", "not a word-vector file"),
        (lambda b: b[:-3], "cut short or damaged"),
        (lambda b: b.replace(b'"version": 1', b'"version": 9', 1), "version 9, this bot reads version 1"),
        (lambda b: b.replace(b'"dims": 4', b'"dims": 0', 1), "header is damaged"),
        (lambda b: b.replace(b'"idf": [1.0, 1.0]', b'"idf": [1.0]', 1), "header is damaged"),
        (lambda b: b.replace(b'"idf": [1.0, 1.0]', b'"idf": [1.0, -1.0]', 1), "IDF is out of range"),
    ],
)
def test_a_damaged_table_is_named_with_what_is_wrong(tmp_path, damage, reason):
    good = tmp_path / "good.vectors"
    dump_vectors(good, ["a", "b"], [1.0, 1.0], [[1, 2, 3, 4], [-1, -2, -3, -4]])
    bad = tmp_path / "bad.vectors"
    bad.write_bytes(damage(good.read_bytes()))
    with pytest.raises(VectorsError, match=reason) as caught:
        load_vectors(bad)
    assert str(caught.value).startswith(f"{bad}: ")
    with pytest.raises(VectorsError, match="cannot be read"):
        load_vectors(tmp_path / "missing.vectors")


def test_dump_refuses_rows_that_do_not_match_the_words(tmp_path):
    with pytest.raises(ValueError):
        dump_vectors(tmp_path / "x", ["a", "b"], [1.0, 1.0], [[1, 2], [3]])
    header = json.loads((lambda p: (dump_vectors(p, ["a"], [2.0], [[5, 6]], corpus="c"), p.read_bytes())[1])(
        tmp_path / "y").split(b"\n")[0])
    assert header["corpus"] == "c" and header["dims"] == 2 and header["words"] == ["a"]


PHRASINGS = [
    ("card-arrival", "my card still hasn't arrived"),
    ("card-arrival", "when will my new card be delivered"),
    ("card-arrival", "how long does card delivery take"),
    ("lost-card", "i lost my card"),
    ("lost-card", "my card was stolen"),
    ("lost-card", "someone took my wallet with the card"),
    ("exchange-rate", "what exchange rate do you use"),
    ("exchange-rate", "is the currency conversion rate fair"),
]


@pytest.fixture(scope="module")
def banking() -> WordVectors:
    return load_vectors(BANKING_TABLE)


def test_a_distilled_table_carries_meaning_that_strings_do_not(banking):
    """Paraphrases with no content word in common score closest to the entry they mean."""
    index = MeaningIndex(banking, [t for _, t in PHRASINGS], [["card-arrival", "lost-card", "exchange-rate"].index(e)
                                                            for e, _ in PHRASINGS], 3)
    for question, want in (("the plastic has not shown up in the post yet", 0),
                           ("a thief pinched it", 1),
                           ("how much is a euro in dollars", 2)):
        q = banking.embed(question)
        assert q is not None
        scores = index.scores(q, range(3))
        assert scores.index(max(scores)) == want, (question, scores)


def test_the_matcher_uses_meaning_only_where_it_has_evidence(banking):
    with_meaning = Matcher(PHRASINGS, vectors=banking)
    strings_only = Matcher(PHRASINGS)
    assert with_meaning.meaning is not None and strings_only.meaning is None
    found = with_meaning.candidates("when does my card arrive", 3)
    assert all(f.meaning != 0.0 for _, f in found)
    assert max(f.behind_meaning for _, f in found) == 0.0  # the best ranked entry is 0 behind itself
    assert with_meaning.match("when does my card arrive")[0].entry_id == "card-arrival"
    # no word of the question is in the table (typos the index corrects): scored exactly as
    # without a table, by the strings-only calibration, rather than as "means nothing alike"
    assert banking.embed("deliverd cardd") is None
    assert with_meaning.match("deliverd cardd") == strings_only.match("deliverd cardd") != []
    assert all(f.meaning == 0.0 and f.behind_meaning == 0.0 for _, f in strings_only.candidates("my card", 3))


def test_meaning_separates_what_strings_confuse(banking):
    """A question in the words of one entry but the meaning of another: meaning moves the ranking."""
    strings_only = Matcher(PHRASINGS)
    with_meaning = Matcher(PHRASINGS, vectors=banking)
    question = "i can not find my card anywhere"  # nearest in words to "...will my new card be delivered"
    assert strings_only.match(question)[0].entry_id == "card-arrival"
    assert with_meaning.match(question)[0].entry_id == "lost-card"


def test_an_entry_the_table_cannot_read_keeps_the_strings_only_calibration(banking):
    """Its phrasings have no word in the table: no evidence either way, not "unrelated"."""
    slang = [("slang", text) for text in ("zzqx blorp", "blorp zzqx zzqx", "zzqx wubwub", "wubwub blorp", "blorp")]
    with_meaning = Matcher(PHRASINGS + slang, vectors=banking)
    strings_only = Matcher(PHRASINGS + slang)
    question = "zzqx blorp card"
    assert banking.embed(question) is not None  # "card" is known: the question has a meaning
    found = dict(with_meaning.candidates(question, 5))
    slang_number = with_meaning.index.entry_ids.index("slang")
    assert (found[slang_number].meaning, found[slang_number].behind_meaning) == (0.0, 0.0)
    assert any(f.meaning for f in found.values())  # the readable entries do have meaning evidence
    plain = {c.entry_id: c.score for c in strings_only.match(question)}
    assert {c.entry_id: c.score for c in with_meaning.match(question)}["slang"] == plain["slang"]
