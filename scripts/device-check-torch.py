"""The PyTorch side of scripts/device-check.sh: PIA's original U-Net (open-mmlab/PIA on diffusers 0.24, as the parity
harness in ../shared/parity builds it) loaded from the same generated checkpoint files the node side uses, timed at
the same size on the same device, so the report can give piagraph's time as a ratio of the original code's.

    python3 device-check-torch.py --parity DIR --models models.json --out torch.json
        [--device cuda|cpu] [--dtype fp16|fp32] [--frames 16 --height 64 --width 64 --steps 25 --repeats 3]

--parity holds the harness's py/ and src/ (PIA, diffusers-0.24.0, einops). models.json is what the node side wrote:
{"checkpoint", "pia", "config"} with the project's model config. Prints and writes one JSON object.
"""
import argparse
import json
import os
import sys
import time
import types


def omegaconf_shim():
    """A stand-in for omegaconf when it is not installed (the GPU image has none): the harness only loads PIA's
    base.yaml and reads plain values from it."""
    import yaml

    class Node(dict):
        def __getattr__(self, name):
            try:
                value = self[name]
            except KeyError as err:
                raise AttributeError(name) from err
            return Node(value) if isinstance(value, dict) else value

    def plain(node):
        return json.loads(json.dumps(node))

    class OmegaConf:
        @staticmethod
        def load(path):
            with open(path) as f:
                return Node(yaml.safe_load(f))

        to_container = staticmethod(plain)

    import importlib.machinery

    module = types.ModuleType("omegaconf")
    module.OmegaConf = OmegaConf
    # diffusers asks importlib whether omegaconf exists; a module without a spec makes that call fail.
    module.__spec__ = importlib.machinery.ModuleSpec("omegaconf", None)
    sys.modules["omegaconf"] = module


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--parity", required=True)
    ap.add_argument("--models", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--dtype", default="fp16", choices=["fp16", "fp32"])
    ap.add_argument("--frames", type=int, default=16)
    ap.add_argument("--height", type=int, default=64)
    ap.add_argument("--width", type=int, default=64)
    ap.add_argument("--steps", type=int, default=25)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    os.environ["PARITY_SRC"] = os.path.join(args.parity, "src")
    # transformers (imported by diffusers) would migrate a cache under ~/.cache otherwise.
    os.environ.setdefault("HF_HOME", os.path.join(os.environ.get("TMPDIR", "/tmp"), "piagraph-device-check-hf-home"))
    os.environ.setdefault("PARITY_THREADS", str(os.cpu_count() or 1))
    sys.path.insert(0, os.path.join(args.parity, "py"))
    try:
        import omegaconf  # noqa: F401
        if os.environ.get("PIAGRAPH_OMEGACONF_SHIM") == "1":
            raise ImportError
    except ImportError:
        omegaconf_shim()
    # The harness's transformers 4.27 refuses a newer `tokenizers` at import (the GPU image has 0.23); only the
    # U-Net is timed here, which never tokenizes, so its import-time version check is skipped.
    skipped_check = types.ModuleType("transformers.dependency_versions_check")
    skipped_check.dep_version_check = lambda *args, **kwargs: None
    sys.modules.setdefault("transformers.dependency_versions_check", skipped_check)
    # An installed `accelerate` newer than that transformers breaks its import (torch.mlu probes); a None entry
    # makes find_spec report it absent, which transformers handles.
    if os.environ.get("PIAGRAPH_KEEP_ACCELERATE") != "1":
        sys.modules.setdefault("accelerate", None)
    import torch
    import reference as R

    # The harness swaps torch.baddbmm for a NaN-safe copy (old torch on the CPU); time PIA's code as it is.
    torch.baddbmm = R._torch_baddbmm
    models = json.load(open(args.models))
    cfg = models["config"]
    dtype = torch.float16 if args.dtype == "fp16" else torch.float32
    device = torch.device(args.device)
    started = time.perf_counter()
    unet = R.build_unet(cfg, R.load_ldm(models["checkpoint"]), R.load_pia_ckpt(models["pia"]))
    unet = unet.to(device=device, dtype=dtype)
    load_s = time.perf_counter() - started

    g = torch.Generator().manual_seed(0)
    F, H, W = args.frames, args.height, args.width
    dim = cfg["unet"]["crossAttentionDim"]
    sample = torch.randn((2, 9, F, H, W), generator=g).to(device=device, dtype=dtype)
    text = torch.randn((2, 77, dim), generator=g).to(device=device, dtype=dtype)

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize()

    def forward(s, t):
        return unet(s[:, :4], s[:, 4:5], s[:, 5:], torch.tensor(t, device=device), encoder_hidden_states=text).sample

    with torch.no_grad():
        forward(sample, 961)  # warm-up: kernels, allocator
        sync()
        times = []
        for r in range(args.repeats):
            t0 = time.perf_counter()
            forward(sample, 961 - r)
            sync()
            times.append((time.perf_counter() - t0) * 1000)
        # A whole animation as PIA's pipeline runs it: one CFG-pair U-Net call, guidance and a DDIM step per step.
        betas = torch.linspace(0.00085, 0.012, 1000, dtype=torch.float64)  # PIA's linear schedule
        alphas = torch.cumprod(1 - betas, 0)
        ratio = 1000 // args.steps
        timesteps = [(args.steps - 1 - i) * ratio + 1 for i in range(args.steps)]
        latents = torch.randn((1, 4, F, H, W), generator=g).to(device=device, dtype=dtype)
        cond = sample[:1, 4:]
        sync()
        t0 = time.perf_counter()
        for t in timesteps:
            x = torch.cat([latents, latents])
            eps = forward(torch.cat([x, torch.cat([cond, cond])], 1), t)
            u, c = eps.chunk(2)
            e = u + 7.5 * (c - u)
            a, ap_ = alphas[t].item(), (alphas[t - ratio].item() if t - ratio >= 0 else 1.0)
            x0 = (latents - (1 - a) ** 0.5 * e) / a ** 0.5
            latents = ap_ ** 0.5 * x0 + (1 - ap_) ** 0.5 * e
        sync()
        sample_ms = (time.perf_counter() - t0) * 1000
    times.sort()
    result = {
        "torch": torch.__version__,
        "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
        "dtype": args.dtype,
        "shape": [2, 9, F, H, W],
        "load_s": load_s,
        "unet_ms": times[len(times) // 2],
        "unet_ms_all": times,
        "steps": args.steps,
        "sample_ms": sample_ms,
        "finite": bool(torch.isfinite(latents).all().item()),
    }
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
