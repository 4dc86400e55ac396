#!/usr/bin/env bash
# Rewrites every committed word-vector table (benchmarks/vectors/) with tools/distill_meaning.py.
# Usage: tools/distill_benchmark_tables.sh PYTHON   (a Python with tools/requirements-distill.txt installed)
# The output is deterministic: the same teacher and texts give the same bytes.
set -euo pipefail
cd "$(dirname "$0")/.."
py="${1:?usage: $0 PYTHON (a venv with tools/requirements-distill.txt)}"
train=../shared/benchmarks/banking77/train.csv
seed=20261126  # benchmarks/_banking77.py SEED
out=benchmarks/vectors
"$py" tools/distill_meaning.py --csv "$train" "$out/banking77-train.vectors"
"$py" tools/distill_meaning.py --csv "$train" --split-seed "$seed" "$out/banking77-kb-$seed.vectors"
for sample in 10:1 10:2 10:3 30:1 30:2; do  # benchmarks/_calibrate.py DENSITIES
  "$py" tools/distill_meaning.py --csv "$train" --split-seed "$seed" --per-intent "${sample%:*}" \
    --sample-seed "${sample#*:}" "$out/banking77-kb-$seed-${sample%:*}x${sample#*:}.vectors"
done
"$py" tools/distill_meaning.py --faq faq "$out/faq.vectors"
