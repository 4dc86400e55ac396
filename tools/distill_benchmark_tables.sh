#!/usr/bin/env bash
# Rewrites the word-vector tables of benchmarks/vectors/ with tools/distill_meaning.py.
#   tools/distill_benchmark_tables.sh PYTHON             the committed ones (split 20261126, train, FAQ)
#   tools/distill_benchmark_tables.sh PYTHON 1 2 ...     those of other validation splits, for
#                                                        ablation.py --splits (git ignores them)
# PYTHON: a Python with tools/requirements-distill.txt installed. The output is deterministic:
# the same teacher and texts give the same bytes.
set -euo pipefail
cd "$(dirname "$0")/.."
py="${1:?usage: $0 PYTHON [SPLIT_SEED ...] (a venv with tools/requirements-distill.txt)}"
shift
train=../shared/benchmarks/banking77/train.csv
out=benchmarks/vectors

split_tables() {  # the split's knowledge base and its subsamples (benchmarks/_calibrate.py DENSITIES)
  local seed=$1
  "$py" tools/distill_meaning.py --csv "$train" --split-seed "$seed" "$out/banking77-kb-$seed.vectors"
  for sample in 10:1 10:2 10:3 30:1 30:2; do
    "$py" tools/distill_meaning.py --csv "$train" --split-seed "$seed" --per-intent "${sample%:*}" \
      --sample-seed "${sample#*:}" "$out/banking77-kb-$seed-${sample%:*}x${sample#*:}.vectors"
  done
}

if [ $# -gt 0 ]; then
  for seed in "$@"; do split_tables "$seed"; done
  exit 0
fi
split_tables 20261126  # benchmarks/_banking77.py SEED
"$py" tools/distill_meaning.py --csv "$train" "$out/banking77-train.vectors"
"$py" tools/distill_meaning.py --faq faq "$out/faq.vectors"
