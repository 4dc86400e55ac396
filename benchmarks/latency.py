"""Per-question latency of the whole decision (Answerer.ask: clean, match, decide) against plain rapidfuzz and thefuzz.

    .venv/bin/python benchmarks/latency.py [BANKING77_DIR] [--questions N] [--no-caps] [--sizes N,N...] [--meaning]

Knowledge bases: the shipped FAQ (faq/*.yaml read directly with yaml), then
1,000, 10,000 and 50,000 phrasings sampled from BANKING77 train (50,000 adds
seeded recombinations/perturbations of train sentences). Questions: a seeded
sample of BANKING77 test. For each size it prints index build time (wall and CPU), peak
memory while building (tracemalloc), p50/p99 of Answerer.ask, and on the same
phrasings and questions:

- rapidfuzz: process.extractOne(q, phrasings, scorer=fuzz.token_sort_ratio,
  processor=utils.default_process)  (the processor runs on every choice, every call)
- thefuzz:   process.extractOne(q, phrasings)  (its defaults: WRatio + full_process),
  capped at THEFUZZ_QUESTIONS questions because it is slow.

Timings use time.perf_counter_ns after a warm-up; the garbage collector stays on.
`--no-caps` lifts every cap of the matcher (postings per term, phrasings scored,
entries shortlisted, vocabulary searches, the entry scorer's training steps and
stored weights): the figure that shows what the caps are for. `--sizes` picks
the BANKING77 sizes (default 1000,10000,50000). `--meaning`: the BANKING77 knowledge bases get
the word-vector table distilled from train.csv (benchmarks/vectors/banking77-train.vectors), so
build and answer times include the meaning features (its loading, once per process, is not
part of the build: the bot reads it with the FAQ).
"""

from __future__ import annotations

import gc
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import yaml
from _banking77 import REPO, TRAIN_VECTORS, data_dir, load
from rapidfuzz import fuzz, process, utils

from admissionsbot.core.answering import Answerer
from admissionsbot.core.entryscores import ScorerParams
from admissionsbot.core.knowledge import KnowledgeBase
from admissionsbot.core.matcher import Matcher, ScoreParams
from admissionsbot.core.meaning import WordVectors, load_vectors
from admissionsbot.core.models import Entry
from admissionsbot.core.textindex import IndexParams

SEED = 20261126
QUESTIONS = 500
THEFUZZ_QUESTIONS = 50
WARMUP = 20


def faq_phrasings(root: Path) -> list[tuple[str, str]]:
    """(entry id, text) for every question/alternate in faq/*.yaml, without the project loader."""
    out = []
    for path in sorted(root.glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            if isinstance(item, dict) and "id" in item:
                for text in [item.get("question", ""), *(item.get("alternates") or [])]:
                    if isinstance(text, str) and text.strip():
                        out.append((str(item["id"]), text))
    return out


def perturb(text: str, rng: random.Random) -> str:
    """A plausible variant: drop, duplicate or swap a word, or swap two letters."""
    words = text.split()
    if not words:
        return text
    i = rng.randrange(len(words))
    op = rng.randrange(4)
    if op == 0 and len(words) > 2:
        del words[i]
    elif op == 1:
        words.insert(i, words[i])
    elif op == 2 and len(words) > 1:
        j = rng.randrange(len(words))
        words[i], words[j] = words[j], words[i]
    else:
        w = words[i]
        if len(w) > 3:
            k = rng.randrange(len(w) - 1)
            words[i] = w[:k] + w[k + 1] + w[k] + w[k + 2 :]
    return " ".join(words)


def banking_phrasings(train, n: int, rng: random.Random) -> list[tuple[str, str]]:
    """n (intent, text) pairs: a sample of train, topped up with recombined/perturbed sentences."""
    rows = [(intent, text) for text, intent in train]
    if n <= len(rows):
        return rng.sample(rows, n)
    by_intent: dict[str, list[str]] = {}
    for intent, text in rows:
        by_intent.setdefault(intent, []).append(text)
    intents = sorted(by_intent)
    out = list(rows)
    while len(out) < n:
        intent = rng.choice(intents)
        a, b = rng.sample(by_intent[intent], 2)
        wa, wb = a.split(), b.split()
        mixed = " ".join(wa[: max(1, len(wa) // 2)] + wb[len(wb) // 2 :])
        out.append((intent, perturb(mixed, rng)))
    return out


def timings(fn: Callable[[str], object], questions: list[str]) -> list[int]:
    for q in questions[:WARMUP]:
        fn(q)
    gc.collect()
    out = []
    for q in questions:
        t0 = time.perf_counter_ns()
        fn(q)
        out.append(time.perf_counter_ns() - t0)
    return out


def pct(ns: list[int], p: float) -> float:
    """p-th percentile in milliseconds (nearest rank)."""
    s = sorted(ns)
    return s[min(len(s) - 1, max(0, round(p / 100 * len(s)) - 1))] / 1e6


def _answerer(phrasings: list[tuple[str, str]], vectors: WordVectors | None) -> Answerer:
    """The bot's answering side over these phrasings (one entry per id); it needs no database."""
    grouped: dict[str, list[str]] = {}
    for entry_id, text in phrasings:
        grouped.setdefault(entry_id, []).append(text)
    entries = tuple(Entry(eid, texts[0], tuple(texts[1:]), "answer", "benchmark") for eid, texts in grouped.items())
    return Answerer(KnowledgeBase(entries, vectors=vectors))


def bench(
    name: str, phrasings: list[tuple[str, str]], questions: list[str], vectors: WordVectors | None = None
) -> None:
    gc.collect()
    t0, c0 = time.perf_counter_ns(), time.process_time_ns()
    m = Matcher(phrasings, vectors=vectors)
    build_ms = (time.perf_counter_ns() - t0) / 1e6
    build_cpu_ms = (time.process_time_ns() - c0) / 1e6  # what other processes on the machine cannot inflate
    del m
    gc.collect()
    tracemalloc.start()
    m = Matcher(phrasings, vectors=vectors)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    answerer = _answerer(phrasings, vectors)
    ours = timings(answerer.ask, questions)  # the whole decision: clean, match, decide

    texts = [t for _, t in phrasings]
    rf = timings(
        lambda q: process.extractOne(q, texts, scorer=fuzz.token_sort_ratio, processor=utils.default_process),
        questions,
    )
    try:
        from thefuzz import process as tf_process
    except ImportError:  # the `bench` extra is not installed
        tf = None
    else:
        tf = timings(lambda q: tf_process.extractOne(q, texts), questions[:THEFUZZ_QUESTIONS])

    print(f"\n{name}: {m.size} phrasings, {len({e for e, _ in phrasings})} entries"
          + (f", meaning from {Path(vectors.source).name}" if vectors else ""))
    print(f"  build {build_ms:8.1f} ms (CPU {build_cpu_ms:.1f} ms)   peak memory while building "
          f"{peak / 2**20:6.1f} MiB")
    print(f"  {'':22s} {'p50 ms':>8s} {'p99 ms':>8s} {'mean ms':>8s}  ours/baseline p50")
    rows = [("ours: Answerer.ask", ours), ("rapidfuzz extractOne", rf)]
    if tf is not None:
        rows.append(("thefuzz extractOne*", tf))
    for label, ns in rows:
        ratio = "" if ns is ours else f"{pct(ours, 50) / pct(ns, 50):8.3f}"
        print(f"  {label:22s} {pct(ns, 50):8.3f} {pct(ns, 99):8.3f} {statistics.fmean(ns) / 1e6:8.3f}  {ratio}")
    if tf is not None:
        print(f"  * thefuzz timed on the first {min(THEFUZZ_QUESTIONS, len(questions))} questions only")


def lift_caps() -> None:
    """Every Matcher built from now on (the Answerer's too) runs without caps."""
    Matcher.index_params = replace(IndexParams(), max_searches=None,
                                   scorer=replace(ScorerParams(), max_visits=None, lane_budget=None))
    Matcher.score_params = replace(ScoreParams(), candidates=None, posting_cap=None, shortlist=None)


def main() -> None:
    args = [a for a in sys.argv if not a.startswith("--")]
    n_questions = QUESTIONS
    sizes = (1_000, 10_000, 50_000)
    for flag in ("--questions", "--sizes"):
        if flag in sys.argv:
            value = sys.argv[sys.argv.index(flag) + 1]
            args = [a for a in args if a != value]
            if flag == "--questions":
                n_questions = int(value)
            else:
                sizes = tuple(int(v) for v in value.split(","))
    if "--no-caps" in sys.argv:
        lift_caps()
        print("caps lifted")
    path = data_dir(args)
    train, test = load(path, "train.csv"), load(path, "test.csv")
    rng = random.Random(SEED)
    questions = [t for t, _ in rng.sample(test, min(n_questions, len(test)))]
    print(f"{len(questions)} questions from BANKING77 test; Python {sys.version.split()[0]}")
    faq = faq_phrasings(REPO / "faq")
    if faq:
        bench("shipped FAQ", faq, questions)
    vectors = load_vectors(TRAIN_VECTORS) if "--meaning" in sys.argv else None
    for n in sizes:
        bench(f"BANKING77 {n:,}", banking_phrasings(train, n, random.Random(SEED + n)), questions, vectors)


if __name__ == "__main__":
    main()
