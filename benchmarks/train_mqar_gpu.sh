#!/usr/bin/env bash
# The trained-MQAR sweep (`amlab train mqar --full`) on one GPU, in one command, from the repository root:
#   bash benchmarks/train_mqar_gpu.sh "$OUT"
# writes $OUT/mqar_full/ (mqar.json with accuracy, timing and steps/s per program, mqar_accuracy.csv,
# mqar_table.md, the two figures, run_log.txt). Programs that would end past 480 s are skipped and
# recorded as not run; running the same command again on the same $OUT resumes them (finished programs
# are kept). Copy $OUT/mqar_full/ (without checkpoints/) to figures/data/train/mqar_full/.
set -euo pipefail
out="${1:?usage: benchmarks/train_mqar_gpu.sh OUT_DIR}"
mkdir -p "$out/mqar_full"
PYTHONPATH="$PWD" PYTHONUNBUFFERED=1 python3 -m amlab train mqar --full --budget-s 480 --out "$out/mqar_full" 2>&1 \
    | tee "$out/mqar_full/run_log.txt"
