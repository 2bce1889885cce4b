"""The reference side of the AnimateDiff parity: plain AnimateDiff v1/v2/v3 motion modules in the original code.

    python3 animatediff_ref.py <code> <workDir>

<code> picks the code base (one per process: they need different diffusers versions):
  animatediff  guoyww/AnimateDiff (animatediff/models, utils/convert_from_ckpt.py, configs/inference/inference-v*.yaml)
               with diffusers 0.11.1, the version its requirements.txt pins. The U-Net is built as scripts/animate.py
               builds it (UNet3DConditionModel.from_config(config, **inference-vN.yaml unet_additional_kwargs)), with
               the motion module and the image checkpoint loaded as utils/util.py's load_weights loads them. Each
               release runs twice: with its own config's `use_inflated_groupnorm` (false for v1, true for v2/v3) and
               with the other value, so both GroupNorm arrangements of the original code are measured.
  pia          open-mmlab/PIA's animatediff/models (the same code base, adapted to diffusers 0.24.0; no
               `use_inflated_groupnorm`: resnets normalise across frames), 4-channel conv_in, the motion file loaded
               whole (strict=False) as PIA loads its own, the image checkpoint through PIA's conversion.

Inputs and outputs under <workDir>/animatediff (see node/animatediff.mjs).
"""
import json
import os
import sys
import time
import types

HERE = os.path.dirname(os.path.abspath(__file__))
CODE = sys.argv[1] if len(sys.argv) > 1 else ""
if CODE not in ("animatediff", "pia"):
    raise SystemExit("usage: animatediff_ref.py <animatediff | pia> <workDir>")

if CODE == "pia":
    sys.path.insert(0, HERE)
    import refenv  # noqa: E402,F401  (PIA + diffusers 0.24.0 on sys.path)

    SRC_NOTE = "open-mmlab/PIA animatediff/models + diffusers 0.24.0"
else:
    PARITY_SRC = os.environ.get("PARITY_SRC")
    AD_SRC = os.environ.get("ANIMATEDIFF_SRC") or PARITY_SRC
    if not PARITY_SRC or not AD_SRC:
        raise SystemExit("set PARITY_SRC (and ANIMATEDIFF_SRC when AnimateDiff/ and diffusers-0.11.1/ are elsewhere)")
    for p in [os.path.join(PARITY_SRC, "transformers-4.27.1", "src"), os.path.join(HERE, "shims"), os.path.join(PARITY_SRC, "einops"),
              os.path.join(AD_SRC, "diffusers-0.11.1", "src"), os.path.join(AD_SRC, "AnimateDiff")]:
        if not os.path.isdir(p):
            raise SystemExit(f"missing reference source folder {p} (see prepare-src.sh)")
        sys.path.insert(0, p)
    # motion_module.py imports torchvision and never uses it.
    sys.modules.setdefault("torchvision", types.ModuleType("torchvision"))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    SRC_NOTE = "guoyww/AnimateDiff + diffusers 0.11.1"
    # diffusers 0.11.1 imports every transformers-based pipeline at import time when it finds transformers installed,
    # and the trimmed transformers 4.27.1 here lacks those models. Hide transformers' version from it while it
    # imports (it then registers placeholders for those pipelines); AnimateDiff's convert_from_ckpt imports
    # transformers' CLIP itself, which still works.
    import importlib.metadata as _metadata

    _version = _metadata.version

    def _no_transformers(name):
        if name == "transformers":
            raise _metadata.PackageNotFoundError(name)
        return _version(name)

    _metadata.version = _no_transformers
    try:
        import diffusers  # noqa: E402,F401
    finally:
        _metadata.version = _version

import numpy as np  # noqa: E402
import torch  # noqa: E402

# The same torch 1.13 baddbmm(beta=0) NaN workaround as reference.py (diffusers 0.11.1's CrossAttention calls
# baddbmm(torch.empty(...), q, kᵀ, beta=0) too); the maths are unchanged.
_torch_baddbmm = torch.baddbmm


def _baddbmm_beta0(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    if beta == 0:
        input, beta = torch.zeros_like(input), 1
    if out is None:
        return _torch_baddbmm(input, batch1, batch2, beta=beta, alpha=alpha)
    return _torch_baddbmm(input, batch1, batch2, beta=beta, alpha=alpha, out=out)


torch.baddbmm = _baddbmm_beta0
torch.set_num_threads(int(os.environ.get("PARITY_THREADS", "2")))
torch.set_grad_enabled(False)


def read_tensor(d, name):
    meta = json.load(open(os.path.join(d, name + ".json")))
    return np.fromfile(os.path.join(d, name + ".bin"), dtype=np.float32).reshape(meta["shape"])


def write_tensor(d, name, arr):
    arr = np.ascontiguousarray(arr.detach().cpu().numpy(), dtype=np.float32)
    arr.tofile(os.path.join(d, name + ".bin"))
    json.dump({"shape": list(arr.shape), "dtype": "float32"}, open(os.path.join(d, name + ".json"), "w"))


def load_ldm(path):
    from safetensors import safe_open

    sd = {}
    with safe_open(path, framework="pt", device="cpu") as f:
        for key in f.keys():
            sd[key] = f.get_tensor(key)
    return sd


def unet_config(cfg):
    """The diffusers unet/config.json of an SD 1.5-shaped U-Net of the project's config, with the 3-D block types
    from_pretrained_2d writes (as many as the config has blocks)."""
    u = cfg["unet"]
    nb = len(u["blockOutChannels"])
    return {
        "_class_name": "UNet3DConditionModel",
        "sample_size": 64,
        "in_channels": u["latentChannels"],
        "out_channels": u["latentChannels"],
        "center_input_sample": False,
        "flip_sin_to_cos": True,
        "freq_shift": 0,
        "down_block_types": ["CrossAttnDownBlock3D"] * (nb - 1) + ["DownBlock3D"],
        "up_block_types": ["UpBlock3D"] + ["CrossAttnUpBlock3D"] * (nb - 1),
        "block_out_channels": list(u["blockOutChannels"]),
        "layers_per_block": u["layersPerBlock"],
        "downsample_padding": 1,
        "mid_block_scale_factor": 1,
        "act_fn": "silu",
        "norm_num_groups": u["normGroups"],
        "norm_eps": 1e-5,
        "cross_attention_dim": u["crossAttentionDim"],
        "attention_head_dim": u["attentionHeads"],
    }


def motion_groups(unet):
    return sorted({m.norm.num_groups for n, m in unet.named_modules() if n.endswith("temporal_transformer")})


def build_animatediff(cfg, version, ldm, motion_path, inflated=None, report=None):
    """scripts/animate.py + utils/util.py load_weights, for one release: the inference-<version>.yaml kwargs (motion
    heads set to the tiny config's), the motion module (keys with `motion_modules.`, `pos_encoder.pe` skipped,
    strict=False, no unexpected key), then the image checkpoint through convert_ldm_unet_checkpoint."""
    from animatediff.models.unet import UNet3DConditionModel
    from animatediff.utils.convert_from_ckpt import convert_ldm_unet_checkpoint
    from omegaconf import OmegaConf

    inference = OmegaConf.load(os.path.join(AD_SRC, "AnimateDiff", "configs", "inference", f"inference-{version}.yaml"))
    kwargs = OmegaConf.to_container(inference.unet_additional_kwargs)
    kwargs["motion_module_kwargs"]["num_attention_heads"] = cfg["unet"]["motionHeads"]
    if inflated is not None:
        kwargs["use_inflated_groupnorm"] = inflated
    unet = UNet3DConditionModel.from_config(unet_config(cfg), **kwargs)

    state = torch.load(motion_path, map_location="cpu")
    state = state["state_dict"] if "state_dict" in state else state
    motion = {k: v for k, v in state.items() if "motion_modules." in k and "pos_encoder.pe" not in k}
    m1, u1 = unet.load_state_dict(motion, strict=False)
    assert len(u1) == 0, u1
    converted = convert_ldm_unet_checkpoint(dict(ldm), unet.config)  # it pops the keys it reads
    m2, u2 = unet.load_state_dict(converted, strict=False)
    never = sorted(set(m1) & set(m2))
    if never:
        raise RuntimeError(f"U-Net parameters loaded from neither file: {never[:10]} ... ({len(never)})")
    if report is not None:
        report.update({"use_inflated_groupnorm": kwargs["use_inflated_groupnorm"], "motion_module_mid_block": kwargs["motion_module_mid_block"],
                       "motion_keys_loaded": len(motion), "unexpected_in_ldm": sorted(u2)[:10], "motion_groupnorm_groups": motion_groups(unet),
                       "pe_rows": sorted({int(m.pe.shape[1]) for n, m in unet.named_modules() if n.endswith("pos_encoder")})})
    return unet.eval()


def build_pia_code(cfg, layout, ldm, motion_path, report=None):
    """PIA's UNet3DConditionModel (base.yaml unet_additional_kwargs; heads, position rows and mid block per file) with
    the 4-channel conv_in of a plain AnimateDiff U-Net; the motion file loaded whole with strict=False, as PIA loads
    pia.ckpt, then the image checkpoint through PIA's convert_ldm_unet_checkpoint."""
    from animatediff.models.unet import UNet3DConditionModel
    from animatediff.utils.convert_from_ckpt import convert_ldm_unet_checkpoint
    from omegaconf import OmegaConf

    base = OmegaConf.load(os.path.join(refenv.SRC, "PIA", "example", "config", "base.yaml"))
    kwargs = OmegaConf.to_container(base.unet_additional_kwargs)
    kwargs["motion_module_kwargs"]["num_attention_heads"] = cfg["unet"]["motionHeads"]
    kwargs["motion_module_kwargs"]["temporal_position_encoding_max_len"] = layout["maxFrames"]
    kwargs["motion_module_mid_block"] = layout["midBlock"]
    unet = UNet3DConditionModel.from_config(unet_config(cfg), **kwargs)
    state = torch.load(motion_path, map_location="cpu")
    m1, u1 = unet.load_state_dict(state, strict=False)
    assert len(u1) == 0, u1
    converted = convert_ldm_unet_checkpoint(dict(ldm), unet.config)
    m2, u2 = unet.load_state_dict(converted, strict=False)
    never = sorted(set(m1) & set(m2))
    if never:
        raise RuntimeError(f"U-Net parameters loaded from neither file: {never[:10]} ... ({len(never)})")
    if report is not None:
        report.update({"motion_keys_loaded": len(state), "motion_groupnorm_groups": motion_groups(unet)})
    return unet.eval()


def forward(unet, sample, t, text):
    s = torch.from_numpy(sample)
    ts = torch.tensor(t)
    txt = torch.from_numpy(text)
    if CODE == "pia":
        # PIA's forward concatenates latent | mask | condition; a plain AnimateDiff U-Net has only the latent.
        empty = s[:, :0]
        return unet(s, empty, empty, ts, encoder_hidden_states=txt).sample
    return unet(s, ts, encoder_hidden_states=txt).sample


def main(work):
    ad = os.path.join(work, "animatediff")
    inp, out = os.path.join(ad, "inputs"), os.path.join(ad, "reference")
    os.makedirs(out, exist_ok=True)
    paths = json.load(open(os.path.join(inp, "paths.json")))
    spec = json.load(open(os.path.join(inp, "cases.json")))
    cfg = paths["config"]
    ldm = load_ldm(paths["checkpoint"])
    reports = {}
    for version, m in paths["motion"].items():
        if CODE == "animatediff":
            builds = {"animatediff_own": None, "animatediff_flipped": "flip"}
        else:
            builds = {"pia_code": None}
        for tag, mode in builds.items():
            report = {}
            if CODE == "animatediff":
                own = version != "v1"  # inference-v1.yaml: false; inference-v2/v3.yaml: true
                unet = build_animatediff(cfg, version, ldm, m["file"], inflated=(not own) if mode == "flip" else None, report=report)
            else:
                unet = build_pia_code(cfg, m, ldm, m["file"], report=report)
            reports[f"{version}|{tag}"] = report
            rows = min(int(mod.pe.shape[1]) for n, mod in unet.named_modules() if n.endswith("pos_encoder"))
            for c in spec["cases"]:
                if c["frames"] > rows:
                    continue  # the original's position table is shorter than this case
                y = forward(unet, read_tensor(inp, c["name"] + "_sample"), c["t"], read_tensor(inp, c["name"] + "_text"))
                write_tensor(out, f"{c['name']}__{version}__{tag}", y)
            del unet
    json.dump({"code": SRC_NOTE, "builds": reports}, open(os.path.join(out, f"load_report_{CODE}.json"), "w"), indent=1)


if __name__ == "__main__":
    t0 = time.time()
    main(os.path.abspath(sys.argv[2]))
    print(f"[reference/animatediff] {CODE} done in {time.time() - t0:.1f} s")
