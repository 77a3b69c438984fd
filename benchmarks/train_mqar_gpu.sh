#!/usr/bin/env bash
# The trained-MQAR sweep (`amlab train mqar --full`) on one GPU, in one command, from the repository root:
#   bash benchmarks/train_mqar_gpu.sh "$OUT"
# Trains in /tmp/amlab-train-mqar-full and copies to $OUT/mqar_full/ the six files worth keeping:
# mqar.json (accuracy per mixer, width, pairs and seed; steps/s and compile time per program; JAX version
# and device; the ideal memories; the learned-key geometry), mqar_table.md, mqar_accuracy.csv,
# run_log.txt and the two figures' PNGs. Programs expected to end past 480 s are skipped and recorded as
# not run. To finish them in a second call, put the first call's mqar.json at
# figures/data/train/mqar_full/mqar.json and run the same command: finished programs are kept.
set -euo pipefail
out="${1:?usage: benchmarks/train_mqar_gpu.sh OUT_DIR}"
work=/tmp/amlab-train-mqar-full
mkdir -p "$out/mqar_full" "$work"
if [ -f figures/data/train/mqar_full/mqar.json ]; then cp figures/data/train/mqar_full/mqar.json "$work/"; fi
status=0
PYTHONPATH="$PWD" PYTHONUNBUFFERED=1 python3 -m amlab train mqar --full --budget-s 480 --out "$work" 2>&1 \
    | tee "$out/mqar_full/run_log.txt" || status=$?
for f in mqar.json mqar_table.md mqar_accuracy.csv train-mqar-width.png train-mqar-state-size.png; do
    if [ -f "$work/$f" ]; then cp "$work/$f" "$out/mqar_full/"; fi
done
exit "$status"
