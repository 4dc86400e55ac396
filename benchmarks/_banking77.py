"""Shared BANKING77 loading and the seeded validation split used by every benchmark.

Tuning happens on `split_train()`'s validation part only; test.csv is read
for reporting, never for choosing a constant or a threshold.
"""

from __future__ import annotations

import csv
import math
import random
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DIR = REPO / ".." / "shared" / "benchmarks" / "banking77"
SEED = 20261126
VALIDATION_FRACTION = 0.2

sys.path.insert(0, str(REPO / "src"))  # run from a checkout without installing

from admissionsbot.core.meaning import WordVectors, load_vectors  # noqa: E402

Row = tuple[str, str]  # (text, intent)

# Word-vector tables for the matcher's meaning features (tools/distill_meaning.py wrote them):
# one distilled from the tuning knowledge base only (train.csv minus the validation split of SEED:
# validation questions stay unseen), one from the whole of train.csv (the knowledge base that test
# figures use). test.csv is never part of either.
VECTORS_DIR = REPO / "benchmarks" / "vectors"


def kb_vectors_path(per_intent: int | None = None, sample_seed: int = 0, split_seed: int = SEED) -> Path:
    """The table distilled from the knowledge base of the validation split `split_seed`, or from its
    seeded subsample of `per_intent` phrasings per intent (the sparse knowledge bases the calibration
    is fitted at): a table is always distilled from the knowledge base it serves, as an FAQ's is.
    Only SEED's tables are committed; `tools/distill_benchmark_tables.sh PYTHON S...` writes others."""
    sample = "" if per_intent is None else f"-{per_intent}x{sample_seed}"
    return VECTORS_DIR / f"banking77-kb-{split_seed}{sample}.vectors"


def split_tables(split_seed: int = SEED) -> Callable[[int | None, int], WordVectors] | None:
    """(phrasings per intent or None, subsample seed) -> that knowledge base's table, for the split
    `split_seed`; None when its tables have not been written."""
    if not kb_vectors_path(split_seed=split_seed).exists():
        return None
    return lambda per_intent, sample_seed: load_vectors(kb_vectors_path(per_intent, sample_seed, split_seed))
TRAIN_VECTORS = VECTORS_DIR / "banking77-train.vectors"


def data_dir(argv: list[str]) -> Path:
    """The dataset directory: first command-line argument, else the shared default."""
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT_DIR
    if not (path / "train.csv").exists():
        raise SystemExit(f"BANKING77 not found in {path} (pass its directory as the first argument)")
    return path.resolve()


def option(name: str, args: list[str]) -> str | None:
    """The value after `name` on the command line (removed from `args`, the positional ones), or None."""
    if name not in sys.argv:
        return None
    value = sys.argv[sys.argv.index(name) + 1]
    args.remove(value)
    return value


def load(path: Path, name: str) -> list[Row]:
    with open(path / name, newline="", encoding="utf-8") as fh:
        return [(r["text"], r["category"]) for r in csv.DictReader(fh)]


def oos_intents(path: Path) -> set[str]:
    return set((path / "oos_heldout_intents.txt").read_text(encoding="utf-8").split())


def split_train(train: list[Row], seed: int = SEED) -> tuple[list[Row], list[Row]]:
    """Stratified split of train.csv into (knowledge base, validation questions)."""
    by_intent: dict[str, list[Row]] = defaultdict(list)
    for row in train:
        by_intent[row[1]].append(row)
    rng = random.Random(seed)
    kb: list[Row] = []
    val: list[Row] = []
    for intent in sorted(by_intent):
        rows = by_intent[intent][:]
        rng.shuffle(rows)
        k = round(len(rows) * VALIDATION_FRACTION)
        val.extend(rows[:k])
        kb.extend(rows[k:])
    return kb, val


def as_phrasings(rows: list[Row], exclude: set[str] = frozenset()) -> list[tuple[str, str]]:
    """(entry_id, text) pairs for the Matcher, one entry per intent."""
    return [(intent, text) for text, intent in rows if intent not in exclude]


KEEP = 0.95  # the threshold may cost at most 5% of the validation answers that were right


def pick_threshold(ins: list[tuple[float, bool]], oos: list[float], keep: float = KEEP) -> float:
    """The highest top-score threshold that keeps validation in-scope accuracy at
    `keep` x top-1 or better, i.e. escalate as much as possible while giving up at
    most 5% of the right answers.

    ins: (top score, top entry is right) per in-scope question; oos: top score per
    out-of-scope question (0 when nothing matched). Rule fixed before looking at test.
    """
    right = sorted((s for s, ok in ins if ok), reverse=True)
    if not right:
        return 0.0
    need = math.ceil(keep * len(right))  # right answers that must stay above the threshold
    return right[need - 1]


def in_scope_accuracy(ins: list[tuple[float, bool]], threshold: float) -> float:
    return sum(1 for s, ok in ins if ok and s >= threshold) / len(ins)


def oos_recall(oos: list[float], threshold: float) -> float:
    return sum(1 for s in oos if s < threshold) / len(oos)


def accuracy_at_oos_recall(ins: list[tuple[float, bool]], oos: list[float], recall: float) -> float:
    """In-scope accuracy at the threshold that escalates the lowest-scoring `recall` share of the
    out-of-scope questions: one point of the trade-off curve, read off the scores given (the
    published way of quoting "in-scope accuracy when half of the out-of-scope are escalated").
    A figure to compare models by, not a threshold chosen in advance: that is `pick_threshold`.
    """
    return in_scope_accuracy(ins, threshold_at_oos_recall(oos, recall))


def threshold_at_oos_recall(oos: list[float], recall: float) -> float:
    """The lowest threshold that escalates (puts below it) at least `recall` of these out-of-scope scores."""
    if not oos:
        return 0.0
    k = math.ceil(recall * len(oos))  # out-of-scope questions that must fall below the threshold
    return math.nextafter(sorted(oos)[k - 1], math.inf) if k else 0.0
