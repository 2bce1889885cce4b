#!/usr/bin/env bash
# PIA parity harness: the project's TypeScript/onnxruntime code vs PIA's original PyTorch code on the same files.
#
#   PROJECT_DIR=<built project checkout> PARITY_SRC=<reference sources, see prepare-src.sh> ./run.sh
#
# Optional: ANIMATEDIFF_SRC (folder holding AnimateDiff/ and diffusers-0.11.1/, default PARITY_SRC; without them the
# AnimateDiff rows are skipped), WORK (output folder; default ${TMPDIR:-/tmp}/pia-parity-work), CLIP_VOCAB (CLIP bpe .txt.gz; default the
# project's test fixture), CLIP_HOLDOUT (extra prompts, JSON list of {text}), PARITY_THREADS (default 2),
# PYTHON (default: the first python3 on PATH, then /usr/bin/python3, that imports torch), REPS (timed forwards, default 10),
# FULL=1 (also the full-size sd15 U-Net: ~6 GB of generated files, ~15 GB RAM, several minutes), FULL_FRAMES/FULL_SIDE
# (full-size input [2, 9, FULL_FRAMES, FULL_SIDE, FULL_SIDE], default 8 and 16), FULL_REPS (default 2), FULL_TAPS=1
# (bisect the full-size U-Net block by block as well).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${PROJECT_DIR:?set PROJECT_DIR to a built checkout of the project (npx pnpm install && npx pnpm run build)}"
: "${PARITY_SRC:?set PARITY_SRC to the folder prepare-src.sh filled}"
export PROJECT_DIR PARITY_SRC
export WORK="${WORK:-${TMPDIR:-/tmp}/pia-parity-work}"
export PARITY_THREADS="${PARITY_THREADS:-2}"
export CLIP_VOCAB="${CLIP_VOCAB:-$PROJECT_DIR/packages/nodes-pia/test/fixtures/clip-tokenizer/bpe_simple_vocab_16e6.txt.gz}"
export HF_HOME="$WORK/hf-home"            # keeps transformers' cache migration out of ~/.cache
export OMP_NUM_THREADS="$PARITY_THREADS"
REPS="${REPS:-10}"
if [ -z "${PYTHON:-}" ]; then
  for p in python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null && "$p" -c 'import torch, numpy, omegaconf' 2>/dev/null; then PYTHON="$p"; break; fi
  done
fi
: "${PYTHON:?no python3 with torch, numpy and omegaconf (Debian: apt-get install python3-torch python3-numpy python3-omegaconf)}"
mkdir -p "$WORK"
node_() { node "$HERE/node/project.mjs" "$@"; }
py_() { "$PYTHON" "$HERE/py/reference.py" "$@"; }

node_ gen "$WORK"
"$PYTHON" "$HERE/py/prompts.py" "$WORK"
for c in ddim affinity unet unet-taps vae; do node_ "$c" "$WORK"; py_ "$c" "$WORK"; done
node_ tokenize "$WORK" "$CLIP_VOCAB"; py_ tokenize "$WORK"
node_ clip "$WORK"; py_ clip "$WORK"
node_ sample "$WORK" "$CLIP_VOCAB"; py_ sample "$WORK"
node_ perf "$WORK" "$REPS" tiny; py_ perf "$WORK" "$REPS" tiny
# Plain AnimateDiff v1/v2/v3 motion modules: guoyww/AnimateDiff's code (+ diffusers 0.11.1) and PIA's code base.
AD_SRC="${ANIMATEDIFF_SRC:-$PARITY_SRC}"
if [ -d "$AD_SRC/AnimateDiff" ] && [ -d "$AD_SRC/diffusers-0.11.1" ]; then
  node "$HERE/node/animatediff.mjs" gen "$WORK"; node "$HERE/node/animatediff.mjs" unet "$WORK"
  ANIMATEDIFF_SRC="$AD_SRC" "$PYTHON" "$HERE/py/animatediff_ref.py" animatediff "$WORK"
  "$PYTHON" "$HERE/py/animatediff_ref.py" pia "$WORK"
else
  echo "skipping the AnimateDiff rows: no AnimateDiff/ and diffusers-0.11.1/ under ${AD_SRC} (see prepare-src.sh)"
fi
if [ "${FULL:-0}" = "1" ]; then
  node_ gen-full "$WORK" "$WORK/full" "${FULL_FRAMES:-8}" "${FULL_SIDE:-16}"
  node_ perf "$WORK" "${FULL_REPS:-2}" sd15
  py_ perf "$WORK" "${FULL_REPS:-2}" sd15
  if [ "${FULL_TAPS:-0}" = "1" ]; then node_ unet-taps "$WORK" sd15; py_ unet-taps "$WORK" sd15; fi
fi
"$PYTHON" "$HERE/py/compare.py" "$WORK" > /dev/null
echo "report: $WORK/report.md"
