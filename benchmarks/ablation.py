"""Each matcher component on and off, with the calibration refitted per variant.

    .venv/bin/python benchmarks/ablation.py [BANKING77_DIR] [--only 'NAME|NAME...'] [--splits N]

For every variant (a change of IndexParams / ScoreParams):

1. the calibration is refitted on the BANKING77 validation split (as
   tune_banking77.py does: three densities, held-out intents removed);
   figures on the validation questions are cross-fitted: the calibration
   used for a question was fitted on the other half of the questions;
2. BANKING77 validation: top-1 with all 77 intents (knowledge base = train
   minus validation), and the OOS variant's in-scope accuracy and OOS recall
   at the threshold the fixed rule (_banking77.pick_threshold) picks;
3. tests/golden/tune.yaml with the shipped FAQ, through the bot's own ask path,
   at the thresholds `eval --suggest` picks for the variant (a component can
   only be judged fairly once thresholds may follow its new score scale): the
   best objective of the grid (right outcomes - 3 x wrong answers + half the
   helpful clarifications), the picked thresholds, and accuracy / wrong-answer
   rate / escalation recall there;
4. build time and mean match time on the validation knowledge base.

The variant "+ meaning" adds the word-vector tables (benchmarks/vectors/): for BANKING77 the
ones distilled from the tuning knowledge base and its subsamples, for tune.yaml the one
distilled from the shipped FAQ's phrasings (faq.vectors; the FAQ itself ships without one,
and this row says why). With `--splits`, another split needs tables distilled from its own
knowledge base (one distilled from another split's would have seen this split's validation
questions): `tools/distill_benchmark_tables.sh PYTHON 1 2` writes them (not committed); a
split without them is skipped, and says so.

`--splits N` repeats the BANKING77 part on N seeded validation splits (the
shipped seed, then 1, 2, ...) and prints their mean: one split's figures move
by about 0.003 with the seed, more than some components are worth.
test.csv is never read, and neither is tests/golden/report.yaml.
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

from _banking77 import (
    REPO,
    SEED,
    VECTORS_DIR,
    as_phrasings,
    data_dir,
    in_scope_accuracy,
    load,
    oos_intents,
    oos_recall,
    option,
    pick_threshold,
    split_tables,
    split_train,
)
from _calibrate import SEED_STRIDE, Variant, anchors, best_per_question, collect, density_rows

from admissionsbot.core.answering import Answerer
from admissionsbot.core.decide import DecisionSettings
from admissionsbot.core.entryscores import ScorerParams
from admissionsbot.core.evaluation import load_cases, rank_all, suggest_settings, threshold_grid
from admissionsbot.core.knowledge import load_knowledge
from admissionsbot.core.matcher import Anchor, Matcher, ScoreParams, interpolate
from admissionsbot.core.meaning import load_vectors
from admissionsbot.core.textindex import IndexParams

IDX, SCORE, SCORER = IndexParams(), ScoreParams(), ScorerParams()
VARIANTS = [
    Variant("all components"),
    Variant("no bigrams", index=replace(IDX, bigram_weight=0.0)),
    Variant("no lift", score=replace(SCORE, w_lift=0.0)),
    Variant("no char n-grams (entry scorer on words)",
            index=replace(IDX, scorer=replace(SCORER, char_max=0, words=True))),
    Variant("entry scorer untrained (centroids)", index=replace(IDX, scorer=replace(SCORER, epochs=0))),
    Variant("no entry scorer", index=replace(IDX, scorer=replace(SCORER, enabled=False))),
    Variant("no caps", index=replace(IDX, max_searches=None, scorer=replace(SCORER, max_visits=None, lane_budget=None)),
            score=replace(SCORE, candidates=None, posting_cap=None, shortlist=None)),
    Variant("+ meaning", vectors=split_tables()),
]
FAQ_VECTORS = VECTORS_DIR / "faq.vectors"  # distilled from the shipped FAQ's phrasings (tools/distill_meaning.py)


def banking(v: Variant, kb, val, oos) -> tuple[tuple[Anchor, ...], dict[str, float]]:
    """Refit the calibration; cross-fitted validation figures; build and match times."""
    per_density = density_rows(v, kb, val, oos)
    folds = [anchors(per_density, keep=lambda qi, k=k: (qi % SEED_STRIDE) % 2 == k) for k in (0, 1)]

    def other_half(density: float):
        cals = [interpolate(f, density) for f in folds]
        return lambda qi: cals[1 - (qi % SEED_STRIDE) % 2]

    table = v.vectors(None, 0) if v.vectors else None  # loading the table is not part of the build
    t0 = time.perf_counter()
    m = v.matcher(as_phrasings(kb), vectors=table)
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    rows = collect(m, val, set())
    per_question = (time.perf_counter() - t0) / len(val)
    best = best_per_question(other_half(m.size / m.index.n_entries), rows, len(val))
    top1 = sum(ok for _, ok in best) / len(best)
    density, oos_rows = per_density[-1]
    best = best_per_question(other_half(density), oos_rows, len(val))
    ins = [b for b, (_, intent) in zip(best, val, strict=True) if intent not in oos]
    out = [s for (s, _), (_, intent) in zip(best, val, strict=True) if intent in oos]
    t = pick_threshold(ins, out)
    figures = {"top1": top1, "ins_top1": sum(ok for _, ok in ins) / len(ins), "threshold": t,
               "ins_acc": in_scope_accuracy(ins, t), "oos_rec": oos_recall(out, t),
               "build_s": build, "match_ms": per_question * 1e3}
    return anchors(per_density), figures


def golden(v: Variant, calibration: tuple[Anchor, ...], knowledge, cases) -> dict[str, float | str]:
    """tune.yaml: the best objective of the suggest grid, and the figures at the thresholds suggest picks."""
    saved = Matcher.index_params, Matcher.score_params
    Matcher.index_params = v.index
    if v.vectors:  # refitted with meaning; questions without meaning evidence keep the strings-only one
        Matcher.score_params = replace(v.score, meaning_calibration=calibration)
        knowledge = replace(knowledge, vectors=load_vectors(FAQ_VECTORS))
    else:
        Matcher.score_params = replace(v.score, calibration=calibration)
    try:
        answerer = Answerer(knowledge, DecisionSettings())
    finally:
        Matcher.index_params, Matcher.score_params = saved
    ranked = rank_all(cases, answerer)
    pick, r = suggest_settings(cases, ranked, answerer, DecisionSettings())
    grid_best = max(o for o, _, _ in threshold_grid(cases, ranked, answerer, DecisionSettings()))
    return {"acc": r.accuracy, "wrong": r.wrong_answer_rate, "esc": r.escalation_recall, "objective": grid_best,
            "picked": f"{pick.answer_threshold:.0f}/{pick.clarify_threshold:.0f}/{pick.margin:.0f}"}


def main() -> None:
    args = [a for a in sys.argv if not a.startswith("--")]
    names = option("--only", args)
    only = set(names.split("|")) if names else None
    splits = int(option("--splits", args) or 1)
    path = data_dir(args)
    train = load(path, "train.csv")
    seeds = [SEED, *range(1, splits)]
    oos = oos_intents(path)
    knowledge = load_knowledge(REPO / "faq")
    cases = load_cases(Path(REPO / "tests" / "golden" / "tune.yaml"), knowledge)
    kb, val = split_train(train)
    print(f"BANKING77 validation: {len(val)} questions, knowledge base {len(kb)} phrasings, "
          f"{splits} split(s) (seeds {', '.join(map(str, seeds))}); tune.yaml: {len(cases)} cases")
    print(f"{'variant':42s} | {'top-1':>5s} {'in-top1':>7s} {'in-acc':>6s} {'OOS-rec':>7s} | "
          f"{'tune: best obj.':>15s} {'picked':>8s} {'acc/wrong/esc there':>19s} | {'build':>6s} {'match':>7s}")
    for v in VARIANTS:
        if only and v.name not in only:
            continue
        t0 = time.perf_counter()
        calibration, b = banking(v, kb, val, oos)  # the shipped split: its calibration serves tune.yaml
        more = []
        for seed in seeds[1:]:
            tables = split_tables(seed)
            if v.vectors and tables is None:
                print(f"  ({v.name}: no tables for split {seed}, skipped; "
                      f"tools/distill_benchmark_tables.sh PYTHON {seed} writes them)")
                continue
            more.append(banking(replace(v, vectors=tables) if v.vectors else v, *split_train(train, seed), oos)[1])
        b = {k: statistics.fmean(f[k] for f in [b, *more]) for k in b}
        g = golden(v, calibration, knowledge, cases)
        print(f"{v.name:42s} | {b['top1']:.3f} {b['ins_top1']:7.3f} {b['ins_acc']:6.3f} {b['oos_rec']:7.3f} | "
              f"{g['objective']:15.1f} {g['picked']:>8s} {g['acc']:.3f}/{g['wrong']:.3f}/{g['esc']:.3f} | "
              f"{b['build_s']:5.2f}s {b['match_ms']:5.2f}ms   [{time.perf_counter() - t0:.0f}s]", flush=True)


if __name__ == "__main__":
    main()
