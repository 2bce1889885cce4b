#!/usr/bin/env bash
# Fills PARITY_SRC with the reference sources, extracted from git snapshots of the public repositories
# (e.g. the ones the search tool's `fetch` brings: <mirror>/<owner>+<name>/repo). Nothing is built or installed.
#
#   PARITY_SRC=<dest> PIA_GIT=<open-mmlab/PIA git dir> DIFFUSERS_GIT=<huggingface/diffusers git dir> \
#   EINOPS_GIT=<arogozhnikov/einops git dir> TRANSFORMERS_GIT=<xiaojunjun65/transformers-mlu_4.27.1 git dir> \
#   [FTFY_GIT=<rspeer/python-ftfy git dir>] [ANIMATEDIFF_GIT=<guoyww/AnimateDiff git dir>] ./prepare-src.sh
#
# What lands where (refenv.py puts these on sys.path):
#   PIA/                    open-mmlab/PIA HEAD (73f06d7): animatediff/, example/config/, inference.py
#   diffusers-0.24.0/src/   huggingface/diffusers tag v0.24.0 (PIA's environment.yaml pins diffusers==0.24.0)
#   diffusers-head-pia/     diffusers HEAD src/diffusers/pipelines/deprecated/pia/pipeline_pia.py (motion_scale table)
#   einops/einops           arogozhnikov/einops HEAD
#   transformers-4.27.1/src the only transformers snapshot small enough to fetch here: xiaojunjun65/transformers-mlu_4.27.1
#                           (transformers 4.27.1 ported to Cambricon MLU: `import torch_mlu` added, cuda→mlu renames; the
#                           CPU CLIP code is upstream's; shims/torch_mlu is an empty module). PIA pins 4.25.1.
#   ftfy/ftfy               rspeer/python-ftfy tag v6.3.1 (optional: CLIPTokenizer's ftfy path)
#   AnimateDiff/            guoyww/AnimateDiff HEAD (e92bd56): animatediff/models, animatediff/utils/convert_from_ckpt.py,
#                           configs/inference, LICENSE.txt (optional, with ANIMATEDIFF_GIT: the AnimateDiff v1/v2/v3 rows)
#   diffusers-0.11.1/src/   huggingface/diffusers tag v0.11.1 (AnimateDiff's requirements.txt pins diffusers==0.11.1)
set -euo pipefail
: "${PARITY_SRC:?}" "${PIA_GIT:?}" "${DIFFUSERS_GIT:?}" "${EINOPS_GIT:?}" "${TRANSFORMERS_GIT:?}"
mkdir -p "$PARITY_SRC"
x() { # x <git dir> <rev> <dest> <paths...>
  local g="$1" rev="$2" dest="$3"; shift 3
  rm -rf "$PARITY_SRC/$dest"; mkdir -p "$PARITY_SRC/$dest"
  git --git-dir="$g" archive "$rev" "$@" | tar -x -C "$PARITY_SRC/$dest"
}
x "$PIA_GIT" HEAD PIA animatediff example/config inference.py
x "$DIFFUSERS_GIT" v0.24.0 diffusers-0.24.0 src/diffusers
mkdir -p "$PARITY_SRC/diffusers-head-pia"
git --git-dir="$DIFFUSERS_GIT" show HEAD:src/diffusers/pipelines/deprecated/pia/pipeline_pia.py > "$PARITY_SRC/diffusers-head-pia/pipeline_pia.py"
x "$EINOPS_GIT" HEAD einops einops
x "$TRANSFORMERS_GIT" HEAD transformers-4.27.1 src/transformers
if [ -n "${FTFY_GIT:-}" ]; then x "$FTFY_GIT" v6.3.1 ftfy ftfy; fi
if [ -n "${ANIMATEDIFF_GIT:-}" ]; then
  x "$ANIMATEDIFF_GIT" HEAD AnimateDiff animatediff/models animatediff/utils/convert_from_ckpt.py configs/inference LICENSE.txt
  x "$DIFFUSERS_GIT" v0.11.1 diffusers-0.11.1 src/diffusers LICENSE
fi
{
  echo "PIA $(git --git-dir="$PIA_GIT" rev-parse HEAD)"
  echo "diffusers v0.24.0 $(git --git-dir="$DIFFUSERS_GIT" rev-parse v0.24.0^{commit}) head $(git --git-dir="$DIFFUSERS_GIT" rev-parse HEAD)"
  echo "einops $(git --git-dir="$EINOPS_GIT" rev-parse HEAD)"
  echo "transformers-mlu_4.27.1 $(git --git-dir="$TRANSFORMERS_GIT" rev-parse HEAD)"
  if [ -n "${FTFY_GIT:-}" ]; then echo "ftfy v6.3.1 $(git --git-dir="$FTFY_GIT" rev-parse v6.3.1^{commit})"; fi
  if [ -n "${ANIMATEDIFF_GIT:-}" ]; then
    echo "AnimateDiff $(git --git-dir="$ANIMATEDIFF_GIT" rev-parse HEAD) diffusers v0.11.1 $(git --git-dir="$DIFFUSERS_GIT" rev-parse v0.11.1^{commit})"
  fi
} > "$PARITY_SRC/VERSIONS"
cat "$PARITY_SRC/VERSIONS"
