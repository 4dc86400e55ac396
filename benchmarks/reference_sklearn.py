"""Reference figures from scikit-learn's linear models on the BANKING77 validation split (issue 15).

scikit-learn is not a dependency of admissionsbot (the issue rules it out: 274 MiB, a refit at
every reload); this script runs in a throwaway venv to say what a well-fitted linear model
reaches, and can dump LinearSVC's decision values for benchmarks/second_scorer.py to fuse:

    python3 -m venv /tmp/skv && /tmp/skv/bin/pip install scikit-learn
    /tmp/skv/bin/python benchmarks/reference_sklearn.py [BANKING77_DIR] [--splits N] [--dump FILE]  # ~2 min a split

Prints validation top-1 (all 77 intents; knowledge base = train minus validation) of
LogisticRegression (C=10) and LinearSVC (C=1) over TF-IDF features. `--dump FILE` writes, per
split and per knowledge base (all intents; held-out intents removed), LinearSVC's decision
values over word 1-2 + char_wb 2-5 grams for every validation question, as JSON. test.csv is
never read.
"""

from __future__ import annotations

import json
import sys

from _banking77 import SEED, data_dir, load, oos_intents, option, split_train
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, make_union
from sklearn.svm import LinearSVC


def words_and_chars(lo: int, hi: int) -> FeatureUnion:
    return make_union(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
                      TfidfVectorizer(analyzer="char_wb", ngram_range=(lo, hi), sublinear_tf=True))


FEATURES = {
    "words 1-2 + char_wb 2-5": lambda: words_and_chars(2, 5),
    "words 1-2 + char_wb 3-4": lambda: words_and_chars(3, 4),
    "char_wb 3-4": lambda: TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4), sublinear_tf=True),
    "words 1-2": lambda: TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
}


def main() -> None:
    args = [a for a in sys.argv if not a.startswith("--")]
    splits = int(option("--splits", args) or 1)
    dump = option("--dump", args)
    path = data_dir(args)
    train, oos = load(path, "train.csv"), oos_intents(path)
    table: dict[str, dict[str, dict[str, float]]] = {}
    for seed in [SEED, *range(1, splits)]:
        kb, val = split_train(train, seed)
        texts, labels = [t for t, _ in kb], [i for _, i in kb]
        questions, truth = [t for t, _ in val], [i for _, i in val]
        for name, make in FEATURES.items():
            vec = make()
            x, xv = vec.fit_transform(texts), vec.transform(questions)
            for model_name, model in (("LogisticRegression C=10", LogisticRegression(C=10, max_iter=2000)),
                                      ("LinearSVC C=1", LinearSVC(C=1))):
                hits = model.fit(x, labels).predict(xv)
                top1 = sum(h == t for h, t in zip(hits, truth, strict=True)) / len(truth)
                print(f"split {seed}: {name:24s} {model_name:24s} top-1 {top1:.4f}", flush=True)
        if dump:
            for kind, exclude in (("full", set()), ("oos", oos)):
                rows = [(t, i) for t, i in kb if i not in exclude]
                vec = FEATURES["words 1-2 + char_wb 2-5"]()
                svc = LinearSVC(C=1).fit(vec.fit_transform([t for t, _ in rows]), [i for _, i in rows])
                values = svc.decision_function(vec.transform(questions))
                table[f"{seed}:{kind}"] = {q: dict(zip(svc.classes_, map(float, row), strict=True))
                                           for q, row in zip(questions, values, strict=True)}
    if dump:
        with open(dump, "w", encoding="utf-8") as fh:
            json.dump(table, fh)
        print(f"decision values written to {dump}")


if __name__ == "__main__":
    main()
