"""The reference side: builds PIA's original models (open-mmlab/PIA animatediff/models + diffusers 0.24.0 +
transformers' CLIP) with the project's tiny / sd15 config, loads the SAME checkpoint files the project generated
through PIA's own conversion code, and runs them on the shared inputs.

    python3 reference.py <command> <workDir> [options]

Commands mirror node/project.mjs: ddim | affinity | unet | unet-taps | vae | clip | tokenize | sample | perf
Outputs go to <workDir>/reference (tensors as .bin float32 + .json {shape, dtype}).
"""
import copy
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import refenv  # noqa: E402,F401  (sys.path + stubs)

import numpy as np  # noqa: E402
import torch  # noqa: E402

# torch 1.13 (this Debian build) does not honour baddbmm's `beta=0` contract ("input is ignored, nan and inf in it are
# not propagated"): with beta == 0 it skips copying `input` into its freshly allocated (uninitialised) result but
# still adds beta·result, so whatever NaN bit patterns that memory holds reach the output. PIA's
# CrossAttention._attention and diffusers' Attention.get_attention_scores call baddbmm(torch.empty(...), q, kᵀ, beta=0),
# which intermittently turned one CFG half of the 7×9-latent U-Net case into NaN. Calling it with a zero input and
# beta=1 computes the same alpha·(q kᵀ) + 0 with initialised memory; the model maths are untouched.
_torch_baddbmm = torch.baddbmm


def _baddbmm_beta0(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    if beta == 0:
        input, beta = torch.zeros_like(input), 1
    if out is None:
        return _torch_baddbmm(input, batch1, batch2, beta=beta, alpha=alpha)
    return _torch_baddbmm(input, batch1, batch2, beta=beta, alpha=alpha, out=out)


torch.baddbmm = _baddbmm_beta0

THREADS = int(os.environ.get("PARITY_THREADS", "2"))
torch.set_num_threads(THREADS)
torch.set_grad_enabled(False)

PIA_DIR = os.path.join(refenv.SRC, "PIA")


# ---------------------------------------------------------------- tensor files
def read_tensor(d, name):
    meta = json.load(open(os.path.join(d, name + ".json")))
    dt = np.int64 if meta["dtype"] == "int64" else np.float32
    return np.fromfile(os.path.join(d, name + ".bin"), dtype=dt).reshape(meta["shape"])


def write_tensor(d, name, arr):
    arr = np.ascontiguousarray(arr.detach().cpu().numpy() if torch.is_tensor(arr) else arr, dtype=np.float32)
    arr.tofile(os.path.join(d, name + ".bin"))
    json.dump({"shape": list(arr.shape), "dtype": "float32"}, open(os.path.join(d, name + ".json"), "w"))


def write_json(d, name, obj):
    json.dump(obj, open(os.path.join(d, name + ".json"), "w"), indent=1)


# ---------------------------------------------------------------- checkpoints
def load_ldm(path):
    """The LDM single-file checkpoint as PIA reads a DreamBooth file (safetensors.safe_open → dict of tensors)."""
    from safetensors import safe_open

    sd = {}
    with safe_open(path, framework="pt", device="cpu") as f:
        for key in f.keys():
            sd[key] = f.get_tensor(key)
    return sd


def load_pia_ckpt(path):
    """pia.ckpt exactly as PIA loads it: torch.load(path, map_location='cpu') (a plain dict of tensors)."""
    return torch.load(path, map_location="cpu")


def base_cfg():
    from omegaconf import OmegaConf

    return OmegaConf.load(os.path.join(PIA_DIR, "example", "config", "base.yaml"))


def sd_unet_config(cfg):
    """The diffusers unet/config.json an SD 1.5-shaped model of the project's config would have."""
    u = cfg["unet"]
    nb = len(u["blockOutChannels"])
    return {
        "_class_name": "UNet2DConditionModel",
        "sample_size": 64,
        "in_channels": u["latentChannels"],
        "out_channels": u["latentChannels"],
        "center_input_sample": False,
        "flip_sin_to_cos": True,
        "freq_shift": 0,
        "down_block_types": ["CrossAttnDownBlock2D"] * (nb - 1) + ["DownBlock2D"],
        "up_block_types": ["UpBlock2D"] + ["CrossAttnUpBlock2D"] * (nb - 1),
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


def build_unet(cfg, ldm, pia, motion_norm_groups=None, report=None):
    """PIA's I2VPipeline.build_pipeline, U-Net part, with the project's config:
    UNet3DConditionModel.from_pretrained_2d's construction (config.json + base.yaml unet_additional_kwargs), the
    9-channel conv_in swap, `unet.load_state_dict(torch.load(pia.ckpt), strict=False)`, then the DreamBooth path:
    convert_ldm_unet_checkpoint + conv_in = cat(SD conv_in, pia conv_in[:, 4:]) + load_state_dict(strict=False).
    from_pretrained_2d itself hard-codes 4 down/up block types and reads a diffusers folder, and build_pipeline
    hard-codes 320 channels in the zero conv_in pad, so those three lines are reproduced with the config's values.
    `motion_norm_groups` (diagnostic only) replaces the GroupNorm of every motion module (PIA's own is always 32 groups)."""
    from animatediff.models.resnet import InflatedConv3d
    from animatediff.models.unet import UNet3DConditionModel
    from animatediff.utils.convert_from_ckpt import convert_ldm_unet_checkpoint
    from omegaconf import OmegaConf

    u = cfg["unet"]
    nb = len(u["blockOutChannels"])
    config = sd_unet_config(cfg)
    # from_pretrained_2d: same edits, but with as many 3-D blocks as the config has.
    config["_class_name"] = UNet3DConditionModel.__name__
    config["down_block_types"] = ["CrossAttnDownBlock3D"] * (nb - 1) + ["DownBlock3D"]
    config["up_block_types"] = ["UpBlock3D"] + ["CrossAttnUpBlock3D"] * (nb - 1)
    kwargs = OmegaConf.to_container(base_cfg().unet_additional_kwargs)
    kwargs["motion_module_kwargs"]["num_attention_heads"] = u["motionHeads"]
    kwargs["motion_module_kwargs"]["temporal_position_encoding_max_len"] = u["motionMaxFrames"]
    unet = UNet3DConditionModel.from_config(config, **kwargs)

    # build_pipeline: 9-channel conv_in, zero-padded, then the PIA file (strict=False).
    old_weights = unet.conv_in.weight
    old_bias = unet.conv_in.bias
    new_conv1 = InflatedConv3d(9, old_weights.shape[0], kernel_size=unet.conv_in.kernel_size, stride=unet.conv_in.stride,
                               padding=unet.conv_in.padding, bias=True if old_bias is not None else False)
    param = torch.zeros((old_weights.shape[0], 5, 3, 3), requires_grad=True)
    new_conv1.weight = torch.nn.Parameter(torch.cat((old_weights, param), dim=1))
    if old_bias is not None:
        new_conv1.bias = old_bias
    unet.conv_in = new_conv1
    unet.config["in_channels"] = 9
    unet_ckpt = pia
    m1, u1 = unet.load_state_dict(unet_ckpt, strict=False)

    # DreamBooth (the LDM single file): PIA's own conversion.
    converted = convert_ldm_unet_checkpoint(dict(ldm), unet.config)
    old_value = converted["conv_in.weight"]
    new_param = unet_ckpt["conv_in.weight"][:, 4:, :, :].clone().cpu()
    converted["conv_in.weight"] = torch.nn.Parameter(torch.cat((old_value, new_param), dim=1))
    m2, u2 = unet.load_state_dict(converted, strict=False)
    # Every parameter must have come from one of the two files (strict=False would hide a miss).
    never = sorted(set(m1) & set(m2))
    if report is not None:
        report.update({"missing_after_both_files": never, "unexpected_in_pia_ckpt": sorted(u1), "unexpected_in_ldm": sorted(u2),
                       "pia_keys": len(unet_ckpt), "ldm_unet_keys_converted": len(converted)})
    if never:
        raise RuntimeError(f"U-Net parameters loaded from neither file: {never[:10]} ... ({len(never)})")
    if motion_norm_groups is not None:
        for name, mod in unet.named_modules():
            if name.endswith("temporal_transformer"):
                gn = mod.norm
                new = torch.nn.GroupNorm(motion_norm_groups, gn.num_channels, eps=gn.eps, affine=True)
                new.weight.data.copy_(gn.weight.data)
                new.bias.data.copy_(gn.bias.data)
                mod.norm = new
    return unet.eval()


class PerFrameGroupNorm(torch.nn.Module):
    """Diagnostic: a 5-D GroupNorm applied frame by frame ((b f) c h w), as diffusers' UNetMotionModel (PIAPipeline) does,
    instead of PIA's torch.nn.GroupNorm on [b, c, f, h, w] whose statistics span all frames."""

    def __init__(self, gn):
        super().__init__()
        self.gn = gn

    def forward(self, x):
        from einops import rearrange

        f = x.shape[2]
        y = self.gn(rearrange(x, "b c f h w -> (b f) c h w").contiguous())
        return rearrange(y, "(b f) c h w -> b c f h w", f=f).contiguous()


def per_frame_resnet_norms(unet):
    from animatediff.models.resnet import ResnetBlock3D

    for mod in unet.modules():
        if isinstance(mod, ResnetBlock3D):
            mod.norm1, mod.norm2 = PerFrameGroupNorm(mod.norm1), PerFrameGroupNorm(mod.norm2)
    unet.conv_norm_out = PerFrameGroupNorm(unet.conv_norm_out)
    return unet


def vae_config(cfg):
    v = cfg["vae"]
    n = len(v["blockOutChannels"])
    return dict(in_channels=v["imageChannels"], out_channels=v["imageChannels"], down_block_types=["DownEncoderBlock2D"] * n,
                up_block_types=["UpDecoderBlock2D"] * n, block_out_channels=list(v["blockOutChannels"]), layers_per_block=v["layersPerBlock"],
                act_fn="silu", latent_channels=v["latentChannels"], norm_num_groups=v["normGroups"], sample_size=512,
                scaling_factor=v["scalingFactor"])


def build_vae(cfg, ldm):
    """diffusers AutoencoderKL (0.24.0) + PIA's convert_ldm_vae_checkpoint + load_state_dict(strict=True) as build_pipeline does."""
    from animatediff.utils.convert_from_ckpt import convert_ldm_vae_checkpoint
    from diffusers.models import AutoencoderKL

    vae = AutoencoderKL(**vae_config(cfg))
    converted = convert_ldm_vae_checkpoint(ldm, vae.config)
    vae.load_state_dict(converted, strict=True)
    return vae.eval()


def build_clip(cfg, ldm, report=None):
    """transformers CLIPTextModel + PIA's convert_ldm_clip_checkpoint (PIA loads it with strict=False; checked here)."""
    from animatediff.utils.convert_from_ckpt import convert_ldm_clip_checkpoint
    from transformers import CLIPTextConfig, CLIPTextModel

    c = cfg["clip"]
    conf = CLIPTextConfig(vocab_size=c["vocabSize"], hidden_size=c["width"], intermediate_size=c["intermediateSize"],
                          num_hidden_layers=c["layers"], num_attention_heads=c["heads"], max_position_embeddings=c["maxPositions"],
                          hidden_act="quick_gelu", layer_norm_eps=1e-5, projection_dim=c["width"])
    model = CLIPTextModel(conf)
    sd = convert_ldm_clip_checkpoint(ldm)
    missing, unexpected = model.load_state_dict(sd, strict=False)
    missing = [k for k in missing if not k.endswith("position_ids")]
    if report is not None:
        report.update({"clip_missing": missing, "clip_unexpected": unexpected})
    if missing:
        raise RuntimeError(f"CLIP parameters missing from the checkpoint: {missing}")
    return model.eval()


def ddim_scheduler():
    from diffusers.schedulers import DDIMScheduler
    from omegaconf import OmegaConf

    return DDIMScheduler(**OmegaConf.to_container(base_cfg().noise_scheduler_kwargs))


# ---------------------------------------------------------------- commands
class Ctx:
    def __init__(self, work):
        self.work = work
        self.inp = os.path.join(work, "inputs")
        self.out = os.path.join(work, "reference")
        os.makedirs(self.out, exist_ok=True)
        paths = json.load(open(os.path.join(self.inp, "paths.json")))
        self.paths = paths
        self.cfg = paths["config"]


def cmd_ddim(c, args):
    res = {}
    for n in (25, 50):
        s = ddim_scheduler()
        s.set_timesteps(n)
        res[f"timesteps_{n}"] = [int(t) for t in s.timesteps]
    s = ddim_scheduler()
    res["config"] = dict(s.config)
    write_json(c.out, "ddim", res)
    write_tensor(c.out, "ddim_alphas_cumprod", s.alphas_cumprod)
    write_tensor(c.out, "ddim_betas", s.betas)
    sample = torch.from_numpy(read_tensor(c.inp, "ddim_sample"))
    eps = torch.from_numpy(read_tensor(c.inp, "ddim_eps"))
    for n, t in [(25, 961), (25, 481), (25, 1), (50, 981), (50, 21)]:
        s = ddim_scheduler()
        s.set_timesteps(n)
        out = s.step(eps, torch.tensor(t), sample, eta=0.0).prev_sample
        write_tensor(c.out, f"ddim_step_{n}_{t}", out)


def diffusers_pia_mask_fn():
    """diffusers' PIAPipeline prepare_mask_coef_by_statistics + RANGE_list (src/diffusers/pipelines/.../pia/pipeline_pia.py
    at the diffusers snapshot HEAD), executed from its source text: only the module-level list and the function."""
    import ast

    path = os.path.join(refenv.SRC, "diffusers-head-pia", "pipeline_pia.py")
    if not os.path.exists(path):
        return None
    tree = ast.parse(open(path).read())
    keep = [n for n in tree.body if (isinstance(n, ast.Assign) and any(getattr(t, "id", "") in ("RANGE_LIST", "RANGE_list") for t in n.targets))
            or (isinstance(n, ast.FunctionDef) and n.name == "prepare_mask_coef_by_statistics")]
    ns = {}
    exec(compile(ast.Module(body=keep, type_ignores=[]), path, "exec"), ns)
    return ns["prepare_mask_coef_by_statistics"]


def cmd_affinity(c, args):
    from animatediff.utils.util import RANGE_LIST, prepare_mask_coef, prepare_mask_coef_by_statistics

    res = {"byPiaIndex": {}, "ramp": {}, "RANGE_LIST": RANGE_LIST, "diffusers": {}}
    dif = diffusers_pia_mask_fn()
    for frames in (16, 8):
        for cond in (0, 3):
            for idx in (0, 1, 2, 3, 4, 5, -1, -2, -3):
                res["byPiaIndex"][f"{idx}|{frames}|{cond}"] = prepare_mask_coef_by_statistics(frames, cond, idx)
            res["ramp"][f"{frames}|{cond}"] = prepare_mask_coef(frames, cond, [0.2, 1.0])
            if dif is not None:
                for ms in range(9):
                    res["diffusers"][f"{ms}|{frames}|{cond}"] = dif(frames, cond, ms)
    write_json(c.out, "affinity", res)


def unet_forward(unet, sample, t, text):
    s = torch.from_numpy(sample)
    return unet(s[:, :4], s[:, 4:5], s[:, 5:], torch.tensor(t), encoder_hidden_states=torch.from_numpy(text)).sample


def cmd_unet(c, args):
    ldm = load_ldm(c.paths["checkpoint"])
    pia = load_pia_ckpt(c.paths["pia"])
    report = {}
    # Diagnostics beside the original: the 8-group motion GroupNorm piagraph's tiny config used before it had a motion
    # group count of its own, and resnets/conv_norm_out per frame (diffusers' UNetMotionModel); both should differ.
    variants = {"original": None, "motion_gn8": c.cfg["unet"]["normGroups"], "resnet_gn_per_frame": None}
    cases = json.load(open(os.path.join(c.inp, "unet_cases.json")))
    for tag, groups in variants.items():
        unet = build_unet(c.cfg, ldm, pia, motion_norm_groups=groups, report=report if tag == "original" else None)
        if tag.endswith("resnet_gn_per_frame"):
            per_frame_resnet_norms(unet)
        for case in cases:
            out = unet_forward(unet, read_tensor(c.inp, case["name"] + "_sample"), case["t"], read_tensor(c.inp, case["name"] + "_text"))
            write_tensor(c.out, f"{case['name']}__{tag}", out)
    # The project recomputes the sinusoidal PE instead of reading pia.ckpt's `pe` buffers; its generator wrote its own
    # values into the file. Compare them with PIA's PositionalEncoding computed by torch (what a real pia.ckpt holds).
    from animatediff.models.motion_module import PositionalEncoding

    pe_diff = 0.0
    for k, v in pia.items():
        if k.endswith("pos_encoder.pe"):
            ref = PositionalEncoding(v.shape[2], max_len=v.shape[1]).pe
            pe_diff = max(pe_diff, float((v - ref).abs().max()))
    report["pe_file_vs_torch_max_abs"] = pe_diff
    write_json(c.out, "unet_load_report", report)


TAP_MODULES = None


def tap_unet(unet, sample, t, text):
    """Runs the U-Net with forward hooks on every module the ONNX side taps; outputs folded to [(b f), c, h, w]."""
    from einops import rearrange

    taps = {}
    hooks = []
    for name, mod in unet.named_modules():
        parts = name.split(".")
        ok = name in ("conv_in", "time_embedding", "conv_norm_out") or (
            len(parts) == 4 and parts[0] in ("down_blocks", "up_blocks") and parts[2] in ("resnets", "attentions", "motion_modules", "downsamplers", "upsamplers")
        ) or (len(parts) == 3 and parts[0] == "mid_block" and parts[1] in ("resnets", "attentions"))
        if not ok:
            continue

        def hook(m, i, o, name=name):
            o = o.sample if hasattr(o, "sample") else o
            taps[name] = rearrange(o, "b c f h w -> (b f) c h w") if o.dim() == 5 else o

        hooks.append(mod.register_forward_hook(hook))
    out = unet_forward(unet, sample, t, text)
    for h in hooks:
        h.remove()
    return taps, out


def cmd_unet_taps(c, args):
    which = args[0] if args else "tiny"
    if which == "tiny":
        ldm = load_ldm(c.paths["checkpoint"])
        pia = load_pia_ckpt(c.paths["pia"])
        cfg = c.cfg
        cases = [json.load(open(os.path.join(c.inp, "unet_cases.json")))[0]]
    else:
        fp = json.load(open(os.path.join(c.inp, "full_paths.json")))
        ldm = load_ldm(fp["checkpoint"])
        pia = load_pia_ckpt(fp["pia"])
        cfg = sd15_config(c)
        cases = [{"name": "full", "t": 961}]
    variants = {"original": None}
    for tag, groups in variants.items():
        unet = build_unet(cfg, ldm, pia, motion_norm_groups=groups)
        for case in cases:
            taps, out = tap_unet(unet, read_tensor(c.inp, case["name"] + "_sample"), case["t"], read_tensor(c.inp, case["name"] + "_text"))
            for k, v in taps.items():
                write_tensor(c.out, f"taps_{case['name']}__{k}__{tag}", v)
            write_tensor(c.out, f"taps_{case['name']}__out__{tag}", out)
        del unet


def sd15_config(c):
    return json.load(open(os.path.join(c.inp, "sd15_config.json")))


def cmd_vae(c, args):
    ldm = load_ldm(c.paths["checkpoint"])
    vae = build_vae(c.cfg, ldm)
    image = torch.from_numpy(read_tensor(c.inp, "vae_image"))
    dist = vae.encode(image).latent_dist
    write_tensor(c.out, "vae_mean", dist.mean)
    write_tensor(c.out, "vae_logvar", dist.logvar)
    lat = torch.from_numpy(read_tensor(c.inp, "vae_latent"))
    # PIA decode_latents: latents = 1 / 0.18215 * latents, then one frame at a time.
    z = 1 / 0.18215 * lat
    frames = [vae.decode(z[i:i + 1]).sample for i in range(z.shape[0])]
    write_tensor(c.out, "vae_decoded", torch.cat(frames))
    write_tensor(c.out, "vae_decoded_batch", vae.decode(z).sample)


def clip_tokenizer(c, use_ftfy):
    """transformers' CLIPTokenizer with vocab.json/merges.txt derived from CLIP's bpe_simple_vocab_16e6.txt.gz the way
    CLIP's SimpleTokenizer builds its encoder (bytes, bytes+</w>, merges, specials); model_max_length 77, pad <|endoftext|>
    as in SD 1.5's tokenizer_config.json. `use_ftfy` False hides ftfy so transformers falls back to BasicTokenizer."""
    import gzip

    from transformers import tokenization_utils_base as tub
    from transformers.models.clip import tokenization_clip as tc

    # Without the `tokenizers` package transformers falls back to a dataclass AddedToken with no __str__, so special
    # tokens would be looked up by their repr. tokenizers' AddedToken prints as its content; give the fallback that.
    if not hasattr(tub, "EncodingFast") or "__str__" not in vars(tub.AddedToken):
        tub.AddedToken.__str__ = lambda self: self.content

    vocab_path = os.environ["CLIP_VOCAB"]
    d = os.path.join(c.work, "clip-tokenizer-hf")
    os.makedirs(d, exist_ok=True)
    merges = gzip.open(vocab_path).read().decode("utf-8").split("\n")
    merges = merges[1:49152 - 256 - 2 + 1]
    merges = [tuple(m.split()) for m in merges]
    vocab = list(tc.bytes_to_unicode().values())
    vocab = vocab + [v + "</w>" for v in vocab]
    for m in merges:
        vocab.append("".join(m))
    vocab.extend(["<|startoftext|>", "<|endoftext|>"])
    json.dump({t: i for i, t in enumerate(vocab)}, open(os.path.join(d, "vocab.json"), "w"))
    with open(os.path.join(d, "merges.txt"), "w") as f:
        f.write("#version: 0.2\n" + "\n".join(" ".join(m) for m in merges) + "\n")
    saved = sys.modules.get("ftfy", "absent")
    if not use_ftfy:
        sys.modules["ftfy"] = None  # makes `import ftfy` raise ImportError
    try:
        tok = tc.CLIPTokenizer(os.path.join(d, "vocab.json"), os.path.join(d, "merges.txt"), model_max_length=77, pad_token="<|endoftext|>")
    finally:
        if saved == "absent":
            sys.modules.pop("ftfy", None)
        else:
            sys.modules["ftfy"] = saved
    return tok


def cmd_tokenize(c, args):
    prompts = json.load(open(os.path.join(c.inp, "prompts.json")))
    res = {}
    for tag, use in (("ftfy", True), ("no_ftfy", False)):
        tok = clip_tokenizer(c, use)
        res[tag] = {"fix_text": tok.fix_text is not None,
                    "ids": [tok(p, padding="max_length", max_length=tok.model_max_length, truncation=True).input_ids for p in prompts]}
    write_json(c.out, "token_ids", res)


def cmd_clip(c, args):
    ldm = load_ldm(c.paths["checkpoint"])
    report = {}
    model = build_clip(c.cfg, ldm, report)
    ids = torch.from_numpy(read_tensor(c.inp, "clip_ids"))
    write_tensor(c.out, "clip_hidden", model(ids)[0])
    write_tensor(c.out, "clip_hidden_s20", model(ids[:, :20])[0])
    write_json(c.out, "clip_load_report", report)


def cmd_sample(c, args):
    """PIA's I2VPipeline.__call__ itself, on CPU in fp32, with the tiny models, the project's initial noise as `latents`,
    the same uint8 image, prompts, steps, CFG and mask preset. The one substitution: the VAE posterior is read at its mean
    (DiagonalGaussianDistribution.sample → mean) because the project's run used mode 'mean' (PIA samples with a torch RNG)."""
    from animatediff.pipelines.i2v_pipeline import I2VPipeline
    from diffusers.models.vae import DiagonalGaussianDistribution

    spec = json.load(open(os.path.join(c.inp, "sample_spec.json")))
    ldm = load_ldm(c.paths["checkpoint"])
    pia = load_pia_ckpt(c.paths["pia"])
    results = {}
    for tag, groups in (("original", None),):
        unet = build_unet(c.cfg, ldm, pia, motion_norm_groups=groups)
        vae = build_vae(c.cfg, ldm)
        text_encoder = build_clip(c.cfg, ldm)
        tokenizer = clip_tokenizer(c, True)
        pipe = I2VPipeline(vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet, scheduler=ddim_scheduler())
        pipe.set_progress_bar_config(disable=True)
        image = read_tensor(c.inp, "sample_image_u8").astype(np.uint8)
        noise = torch.from_numpy(read_tensor(c.inp, "sample_noise"))
        orig_sample = DiagonalGaussianDistribution.sample
        DiagonalGaussianDistribution.sample = lambda self, generator=None: self.mean
        captured = {}
        orig_decode = I2VPipeline.decode_latents

        def decode(self, latents):
            captured["latents"] = latents.clone()
            return orig_decode(self, latents)

        I2VPipeline.decode_latents = decode
        try:
            out = pipe(image=image, prompt=spec["prompt"], negative_prompt=spec["negative"], video_length=spec["frames"],
                       height=spec["height"], width=spec["width"], num_inference_steps=spec["steps"], guidance_scale=spec["cfg"],
                       latents=noise.clone(), generator=torch.Generator().manual_seed(0), mask_sim_template_idx=spec["piaIndex"],
                       cond_frame=0, output_type="tensor")
        finally:
            DiagonalGaussianDistribution.sample = orig_sample
            I2VPipeline.decode_latents = orig_decode
        video = out.videos if hasattr(out, "videos") else out[0]
        video = torch.as_tensor(np.asarray(video)) if not torch.is_tensor(video) else video
        write_tensor(c.out, f"sample_latents__{tag}", captured["latents"])
        # [B, 3, F, H, W] → [F, 3, H, W]
        write_tensor(c.out, f"sample_frames__{tag}", video[0].permute(1, 0, 2, 3))
        results[tag] = list(video.shape)
    write_json(c.out, "sample_shapes", results)


def cmd_perf(c, args):
    # Timed with torch's own baddbmm (the NaN workaround above allocates a zero tensor per attention call).
    torch.baddbmm = _torch_baddbmm
    reps = int(args[0]) if args else 5
    which = args[1] if len(args) > 1 else "tiny"
    if which == "tiny":
        ldm, pia, cfg, name = load_ldm(c.paths["checkpoint"]), load_pia_ckpt(c.paths["pia"]), c.cfg, "unet_f8"
    else:
        fp = json.load(open(os.path.join(c.inp, "full_paths.json")))
        ldm, pia, cfg, name = load_ldm(fp["checkpoint"]), load_pia_ckpt(fp["pia"]), sd15_config(c), "full"
    unet = build_unet(cfg, ldm, pia)
    del ldm, pia
    sample, text = read_tensor(c.inp, name + "_sample"), read_tensor(c.inp, name + "_text")
    out = unet_forward(unet, sample, 961, text)  # warm-up
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        unet_forward(unet, sample, 961, text)
        times.append((time.perf_counter() - t0) * 1000)
    blas = "unknown"
    try:
        blas = os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
    except OSError:
        pass
    write_json(c.out, f"perf_{which}", {"shape": list(sample.shape), "threads": torch.get_num_threads(), "times_ms": times,
                                          "torch": torch.__version__, "blas": blas})
    if which != "tiny":
        write_tensor(c.out, "full__original", out)


COMMANDS = {"ddim": cmd_ddim, "affinity": cmd_affinity, "unet": cmd_unet, "unet-taps": cmd_unet_taps, "vae": cmd_vae,
            "clip": cmd_clip, "tokenize": cmd_tokenize, "sample": cmd_sample, "perf": cmd_perf}

if __name__ == "__main__":
    command, work, *rest = sys.argv[1:]
    t0 = time.time()
    COMMANDS[command](Ctx(os.path.abspath(work)), rest)
    print(f"[reference] {command} done in {time.time() - t0:.1f} s")
