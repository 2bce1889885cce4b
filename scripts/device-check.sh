#!/usr/bin/env bash
# piagraph's device check: is the GPU usable through onnxruntime-node, how far are its fp16 results from the fp32 CPU
# (U-Net, VAE, a short whole animation), which nodes stay on the CPU, and how fast are a U-Net call and a whole
# animation. One call on a lent GPU machine, which has no Node.js, no registry and no internet:
#
#   here:   scripts/device-check.sh --pack                 # builds dist/ and writes the bundle .device-check/ (< 64 MiB)
#   there:  scripts/device-check.sh --out "$OUT"           # (the device tool: carry [".device-check"]) unpacks, runs, reports
#   here:   scripts/device-check.sh --cpu --out DIR        # the same checks on the CPU provider at reduced size
#
# Options (run mode):
#   --out DIR            where report.md, report.json and log.txt go (required)
#   --cpu                CPU provider, fp16 graphs against fp32, tiny demo models, small sizes (no GPU needed)
#   --device D           cpu | webgpu | cuda (default webgpu; --cpu implies cpu)
#   --precision P        fp16 | fp32 (default fp16)
#   --model M            tiny | sd15 (default sd15: full-size SD 1.5 + PIA layout, random weights, ~6 GB written
#                        to --work on first use; --cpu: tiny)
#   --check FxHxW:S      correctness size and steps, also run on the CPU reference (default 4x16x16:3; --cpu 8x8x12:5)
#   --bench FxHxW:S:R    timing size, steps, repeats (default 16x32x32:25:3, 16 frames at 256², the largest that runs on WebGPU yet; --cpu 16x8x12:5:3); --no-bench skips
#   --no-host-sample     time the device-resident loop only (the host loop copies every step)
#   --work DIR           models and built graphs (default $TMPDIR/piagraph-device-check-work)
#   --bundle DIR         bundle folder (default <repo>/.device-check); used when present and this machine lacks
#                        node or a built dist/; --from-bundle forces it (to test a bundle here)
#   --smoke              only check that the library and onnxruntime load and run (fast)
#   --torch              also time PIA's original U-Net in PyTorch at the --bench size (python3 with torch; the
#                        parity harness's py/ and src/ from the bundle or ../shared/parity) and add the ratios
# Pack mode: --pack [--bundle DIR] [--xz-level N (default 6)] [--parity DIR (default ../shared/parity)]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUNDLE="$ROOT/.device-check"
MODE=run
CPU=0
FROM_BUNDLE=0
XZ_LEVEL=6
PASS=()
OUT=""
TORCH=0
PARITY="$ROOT/../shared/parity"
have_device=0; have_precision=0; have_model=0; have_check=0; have_bench=0

while [ $# -gt 0 ]; do
  case "$1" in
    --pack) MODE=pack; shift ;;
    --cpu) CPU=1; shift ;;
    --out) OUT="$2"; shift 2 ;;
    --bundle) BUNDLE="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"; shift 2 ;;
    --from-bundle) FROM_BUNDLE=1; shift ;;
    --torch) TORCH=1; shift ;;
    --parity) PARITY="$2"; shift 2 ;;
    --xz-level) XZ_LEVEL="$2"; shift 2 ;;
    --device) have_device=1; PASS+=("$1" "$2"); shift 2 ;;
    --precision) have_precision=1; PASS+=("$1" "$2"); shift 2 ;;
    --model) have_model=1; PASS+=("$1" "$2"); shift 2 ;;
    --check) have_check=1; PASS+=("$1" "$2"); shift 2 ;;
    --bench) have_bench=1; PASS+=("$1" "$2"); shift 2 ;;
    --work|--threads) PASS+=("$1" "$2"); shift 2 ;;
    --no-bench|--no-host-sample|--smoke) PASS+=("$1"); shift ;;
    -h|--help) sed -n '2,31p' "$0"; exit 0 ;;
    *) echo "device-check.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

ORT_DIR_REL="node_modules/onnxruntime-node"
VULKAN_DEBS="libvulkan1 libglvnd0 libglx0 libegl1 libgl1 libopengl0 libgles2"
BINDING_REL="bin/napi-v6/linux/x64"

# --- pack: node binary, libonnxruntime, the built library and its runtime modules, Vulkan's loader -------------------
pack() {
  command -v xz >/dev/null || { echo "device-check.sh: xz is needed to pack" >&2; exit 1; }
  echo "building dist/ (tsc -b)"
  (cd "$ROOT" && node_modules/.bin/tsc -b packages/graph-core packages/nodes-pia)
  local ort; ort="$(cd "$ROOT/packages/nodes-pia" && node -p "require('path').dirname(require.resolve('onnxruntime-node/package.json'))")"
  # onnxruntime-common exports no package.json; pnpm keeps it beside onnxruntime-node.
  local common; common="$(readlink -f "$ort/../onnxruntime-common")"
  local tok; tok="$(cd "$ROOT/packages/nodes-pia" && node -p "require('path').resolve(require.resolve('@huggingface/tokenizers'), '../..')")"
  local stage; stage="$(mktemp -d)"
  trap 'rm -rf "$stage"' RETURN
  mkdir -p "$stage/tree/packages/nodes-pia" "$stage/tree/scripts" "$stage/tree/node_modules/@huggingface"
  cp "$ROOT/packages/nodes-pia/package.json" "$stage/tree/packages/nodes-pia/"
  # The compiled JavaScript only: declarations and source maps are of no use there.
  (cd "$ROOT/packages/nodes-pia" && find dist -name '*.js' -print0 | xargs -0 -I{} install -D {} "$stage/tree/packages/nodes-pia/{}")
  cp "$ROOT/scripts/device-check.mjs" "$ROOT/scripts/device-check-torch.py" "$stage/tree/scripts/"
  # The parity harness (PIA's original code and the diffusers it pins), for --torch; optional.
  if [ -d "$PARITY/py" ] && [ -d "$PARITY/src" ]; then
    mkdir -p "$stage/tree/parity"
    cp -r "$PARITY/py" "$PARITY/src" "$stage/tree/parity/"
  else
    echo "note: no parity harness at $PARITY: the bundle cannot run --torch"
  fi
  mkdir -p "$stage/tree/$ORT_DIR_REL/$BINDING_REL" "$stage/tree/node_modules/onnxruntime-common"
  cp -r "$ort/package.json" "$ort/dist" "$stage/tree/$ORT_DIR_REL/"
  cp "$ort/$BINDING_REL/onnxruntime_binding.node" "$stage/tree/$ORT_DIR_REL/$BINDING_REL/"
  cp -r "$common/package.json" "$common/dist" "$stage/tree/node_modules/onnxruntime-common/"
  cp -r "$tok" "$stage/tree/node_modules/@huggingface/tokenizers"
  # The two big files are compressed again only when they changed (a minute or more each on a small machine).
  local stamp; stamp="node $(node --version) $(sha256sum "$(command -v node)" | cut -c1-16), libonnxruntime $(sha256sum "$ort/$BINDING_REL/libonnxruntime.so.1" | cut -c1-16), xz -$XZ_LEVEL"
  local keep="$stage/keep"; mkdir -p "$keep"
  if [ -f "$BUNDLE/STAMP" ] && [ "$(cat "$BUNDLE/STAMP")" = "$stamp" ]; then mv "$BUNDLE/node.xz" "$BUNDLE/libonnxruntime.so.1.xz" "$keep/"; fi
  rm -rf "$BUNDLE"; mkdir -p "$BUNDLE"
  echo "compressing (xz -$XZ_LEVEL)"
  tar -C "$stage/tree" -cf - . | xz -T0 "-$XZ_LEVEL" > "$BUNDLE/tree.tar.xz"
  if [ -f "$keep/node.xz" ]; then
    mv "$keep/node.xz" "$keep/libonnxruntime.so.1.xz" "$BUNDLE/"
  else
    xz -T0 "-$XZ_LEVEL" -c "$ort/$BINDING_REL/libonnxruntime.so.1" > "$BUNDLE/libonnxruntime.so.1.xz"
    xz -T0 "-$XZ_LEVEL" -c "$(command -v node)" > "$BUNDLE/node.xz"
  fi
  echo "$stamp" > "$BUNDLE/STAMP"
  # Vulkan's loader, for a machine without it (WebGPU runs through Dawn over Vulkan), and GLVND's dispatch libraries:
  # NVIDIA's Vulkan driver is libGLX_nvidia.so.0, which does not load without libGLdispatch (seen on an H200 container:
  # "Could not get 'vkCreateInstance' via 'vk_icdGetInstanceProcAddr' for ICD libGLX_nvidia.so.0").
  if command -v apt-get >/dev/null; then
    (cd "$BUNDLE" && apt-get download $VULKAN_DEBS >/dev/null 2>&1) || echo "note: could not download $VULKAN_DEBS (the machine must have them)"
  fi
  node --version > "$BUNDLE/NODE_VERSION"
  du -cb "$BUNDLE"/* | tail -1 | awk '{ printf "bundle %s: %.1f MiB\n", "'"$BUNDLE"'", $1 / 1048576 }'
  local total; total="$(du -cb "$BUNDLE"/* | tail -1 | cut -f1)"
  if [ "$total" -gt $((60 * 1048576)) ]; then echo "device-check.sh: the bundle is over 60 MiB; the device tool carries 64 MiB with the repo" >&2; exit 1; fi
}

# --- unpack: into a temporary tree, with node and libonnxruntime in place --------------------------------------------
unpack() {
  local dest="${TMPDIR:-/tmp}/piagraph-device-check-bundle"
  rm -rf "$dest"; mkdir -p "$dest"
  tar -C "$dest" -xJf "$BUNDLE/tree.tar.xz"
  xz -dc "$BUNDLE/libonnxruntime.so.1.xz" > "$dest/$ORT_DIR_REL/$BINDING_REL/libonnxruntime.so.1"
  mkdir -p "$dest/bin"
  xz -dc "$BUNDLE/node.xz" > "$dest/bin/node"; chmod +x "$dest/bin/node"
  echo "$dest"
}

# --- Vulkan: the loader from the bundle when the system has none; NVIDIA's driver manifest where containers mount it --
prepare_vulkan() {
  # grep reads all of ldconfig's output (-q would stop early and, under pipefail, fail the pipeline).
  if ! ldconfig -p 2>/dev/null | grep 'libvulkan.so.1' >/dev/null; then
    local deb; deb="$(ls "$BUNDLE"/libvulkan1_*.deb 2>/dev/null | head -1 || true)"
    if [ -n "$deb" ] && command -v dpkg >/dev/null && [ "$(id -u)" = 0 ]; then
      echo "installing Vulkan's loader from $(basename "$deb")"
      dpkg -x "$deb" / && ldconfig
    else
      echo "note: no libvulkan.so.1 on this machine and none to install: WebGPU will be refused"
    fi
  fi
  if ! ldconfig -p 2>/dev/null | grep 'libGLdispatch.so.0' >/dev/null && [ "$(id -u)" = 0 ] && command -v dpkg >/dev/null; then
    local glvnd
    for glvnd in "$BUNDLE"/libglvnd0_*.deb "$BUNDLE"/libglx0_*.deb "$BUNDLE"/libegl1_*.deb "$BUNDLE"/libgl1_*.deb "$BUNDLE"/libopengl0_*.deb "$BUNDLE"/libgles2_*.deb; do
      [ -f "$glvnd" ] && echo "installing $(basename "$glvnd") (GLVND, which NVIDIA's Vulkan driver needs)" && dpkg -x "$glvnd" /
    done
    ldconfig
  fi
  if [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ] && ! ls /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json >/dev/null 2>&1; then
    for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/nvidia/vulkan/icd.d/nvidia_icd.json; do
      if [ -f "$icd" ]; then export VK_DRIVER_FILES="$icd"; echo "VK_DRIVER_FILES=$icd"; break; fi
    done
  fi
}

if [ "$MODE" = pack ]; then pack; exit 0; fi

if [ "$CPU" = 1 ]; then
  [ "$have_device" = 1 ] || PASS+=(--device cpu)
  [ "$have_model" = 1 ] || PASS+=(--model tiny)
  [ "$have_check" = 1 ] || PASS+=(--check 8x8x12:5)
  [ "$have_bench" = 1 ] || PASS+=(--bench 16x8x12:5:3)
fi
[ "$have_precision" = 1 ] || PASS+=(--precision fp16)
case " ${PASS[*]} " in *" --smoke "*) ;; *) [ -n "$OUT" ] || { echo "device-check.sh: --out DIR is required" >&2; exit 2; }; PASS+=(--out "$OUT") ;; esac

# Where to run from: the checkout (the sources under tsx, so never a stale build; else a built dist/), else the bundle.
NODE=node
TREE="$ROOT"
ENVS=()
NODE_OPTS=()
if [ "$FROM_BUNDLE" = 0 ] && command -v node >/dev/null && [ -f "$ROOT/node_modules/tsx/dist/loader.mjs" ]; then
  ENVS=(PIAGRAPH_FROM_SOURCE=1)
  NODE_OPTS=(--import "$ROOT/node_modules/tsx/dist/loader.mjs")
elif [ "$FROM_BUNDLE" = 0 ] && command -v node >/dev/null && [ -f "$ROOT/packages/nodes-pia/dist/device-check/index.js" ]; then
  :
elif [ -f "$BUNDLE/tree.tar.xz" ]; then
  TREE="$(unpack)"
  NODE="$TREE/bin/node"
  PARITY="$TREE/parity"
else
  echo "device-check.sh: no node with a built dist/ here and no bundle at $BUNDLE (make one with --pack on a machine with the checkout)" >&2
  exit 1
fi
[ "$CPU" = 1 ] || prepare_vulkan
echo "running $("$NODE" --version) from $TREE"
status=0
env "${ENVS[@]}" "$NODE" "${NODE_OPTS[@]}" "$TREE/scripts/device-check.mjs" "${PASS[@]}" || status=$?

# --- the PyTorch side by side, at the timing size, on the GPU when torch sees one ---------------------------------
if [ "$TORCH" = 1 ] && [ -f "$OUT/report.json" ]; then
  PY="${PYTHON:-python3}"
  if ! "$PY" -c 'import torch' 2>/dev/null; then
    echo "note: --torch: $PY has no torch; no side by side" >&2
  elif [ ! -d "$PARITY/py" ]; then
    echo "note: --torch: no parity harness at $PARITY; no side by side" >&2
  else
    env "${ENVS[@]}" "$NODE" -e '
      const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      require("fs").writeFileSync(process.argv[2], JSON.stringify(r.models));
      const b = r.plan.bench || r.plan.check;
      const dtype = r.plan.precision === "float16" ? "fp16" : "fp32";
      process.stdout.write([b.frames, b.height, b.width, b.steps, b.repeats || 1, dtype].join(" ") + "\n");' "$OUT/report.json" "$OUT/models.json" > "$OUT/torch-size.txt"
    read -r F H W S R DT < "$OUT/torch-size.txt"
    TORCH_DEVICE="$("$PY" -c 'import torch; print("cuda" if torch.cuda.is_available() else "cpu")')"
    [ "$TORCH_DEVICE" = cuda ] || DT=fp32   # fp16 convolutions are not what PyTorch runs on a CPU
    echo "PyTorch side by side on $TORCH_DEVICE ($DT) at ${F}x${H}x${W}, $S steps"
    if "$PY" "$TREE/scripts/device-check-torch.py" --parity "$PARITY" --models "$OUT/models.json" --out "$OUT/torch.json" \
        --device "$TORCH_DEVICE" --dtype "$DT" --frames "$F" --height "$H" --width "$W" --steps "$S" --repeats "$R" > "$OUT/torch-log.txt" 2>&1; then
      env "${ENVS[@]}" "$NODE" "${NODE_OPTS[@]}" "$TREE/scripts/device-check.mjs" --merge-torch "$OUT"
    else
      echo "note: --torch failed; see $OUT/torch-log.txt" >&2
      tail -5 "$OUT/torch-log.txt" >&2
      status=1
    fi
  fi
fi
exit "$status"
