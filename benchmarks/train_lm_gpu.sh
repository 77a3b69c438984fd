#!/usr/bin/env bash
# The language-model experiment's full run on one GPU (H100 or H200), in one device call of under ten minutes.
#
#   bash benchmarks/train_lm_gpu.sh OUT        # repository root; .corpus/kjv.txt carried with the tree
#
# Prepare the corpus first, on the CPU machine: `python benchmarks/prepare_lm_corpus.py` (needs Debian's
# bible-kjv), and carry the ignored folder .corpus/ to the GPU machine. The run: `amlab train lm --full`
# (baseline and values stream, 3 seeds each, 6 runs of 6.57M parameters in one program; 2500 steps of 16
# windows of 512 bytes, 20.5M tokens a run) under --max-seconds 480, resumable from its checkpoint by the
# same command. Estimate: about 68 MFLOP a token (forward 17, backward twice that, the recomputed forward
# again), 3.3 TFLOP a step for the six runs; at a conservative 25 TFLOP/s (float32 matrices of width 256,
# TF32 on Hopper, softmax traffic of 16 heads x 512^2 per window) 0.13 s a step, 2500 steps in about 330 s
# plus compilation; if it is slower, --max-seconds ends it at an evaluation and the record says so.
# The checkpoint (about 0.5 GB) stays in a work folder; OUT receives lm.json, lm_table.md, the log and the
# two figures' PNGs (redraw them from lm.json with `amlab figures train-lm-loss train-lm-icl`).
set -euo pipefail
OUT=${1:?usage: bash benchmarks/train_lm_gpu.sh OUT}
export PYTHONPATH=$PWD MPLBACKEND=Agg
PY=${PYTHON:-python3}
if [ ! -s .corpus/kjv.txt ]; then
    echo "train_lm_gpu: .corpus/kjv.txt is missing: run python benchmarks/prepare_lm_corpus.py and carry .corpus" >&2
    exit 2
fi
WORK=${WORK:-/tmp/amlab-lm-full}
mkdir -p "$OUT" "$WORK"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader > "$OUT/gpu_train.log" 2>&1 || true
$PY -c "import jax, optax; print('jax', jax.__version__, jax.devices())" >> "$OUT/gpu_train.log" 2>&1
$PY -m amlab train lm --full --max-seconds 480 --out "$WORK" >> "$OUT/gpu_train.log" 2>&1 || status=$?
cp "$WORK"/lm.json "$WORK"/lm_table.md "$WORK"/train-lm-loss.png "$WORK"/train-lm-icl.png "$OUT"/ 2>/dev/null || true
tail -n 12 "$OUT/gpu_train.log"
exit ${status:-0}
