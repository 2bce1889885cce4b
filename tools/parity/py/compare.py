"""Compares <work>/project against <work>/reference and writes <work>/report.md + report.json.

Metrics per tensor pair (project p, reference r, both float32):
  max_abs  = max |p - r|
  max_rel  = max |p - r| / max |r|            (relative to the reference's range)
  elem_rel = max over elements with |r| > 1e-3·max|r| of |p - r| / |r|
Verdict "match" when max_abs <= 1e-4 · max(1, max|r|) (fp32 parity at ~1e-4), else "MISMATCH".
"""
import json
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

TOL = 1e-4


def rd(d, n):
    m = json.load(open(os.path.join(d, n + ".json")))
    dt = np.int64 if m.get("dtype") == "int64" else np.float32
    return np.fromfile(os.path.join(d, n + ".bin"), dtype=dt).reshape(m["shape"])


def have(d, n):
    return os.path.exists(os.path.join(d, n + ".bin"))


def metrics(p, r):
    p = np.asarray(p, dtype=np.float64)
    r = np.asarray(r, dtype=np.float64)
    if p.shape != r.shape:
        return {"shape_p": list(p.shape), "shape_r": list(r.shape), "verdict": "MISMATCH (shape)"}
    d = np.abs(p - r)
    rng = float(np.abs(r).max()) if r.size else 0.0
    big = np.abs(r) > 1e-3 * rng
    m = {
        "shape": list(r.shape),
        "max_abs": float(d.max()) if d.size else 0.0,
        "max_rel": float(d.max() / rng) if rng > 0 else 0.0,
        "elem_rel": float((d[big] / np.abs(r[big])).max()) if big.any() else 0.0,
        "ref_max": rng,
    }
    m["verdict"] = "match" if m["max_abs"] <= TOL * max(1.0, rng) else "MISMATCH"
    return m


def psnr(p, r, peak=1.0):
    mse = float(np.mean((np.asarray(p, np.float64) - np.asarray(r, np.float64)) ** 2))
    return math.inf if mse == 0 else 10 * math.log10(peak * peak / mse)


def fmt(x):
    if isinstance(x, float):
        return f"{x:.3g}"
    return str(x)


def main(work):
    P = os.path.join(work, "project")
    R = os.path.join(work, "reference")
    I = os.path.join(work, "inputs")
    rows = []  # (component, reference, metrics dict, note)
    notes = {}

    def add(component, ref, m, note=""):
        rows.append({"component": component, "reference": ref, **m, "note": note})

    # 1. DDIM
    if os.path.exists(os.path.join(P, "ddim.json")) and os.path.exists(os.path.join(R, "ddim.json")):
        pj, rj = json.load(open(os.path.join(P, "ddim.json"))), json.load(open(os.path.join(R, "ddim.json")))
        for n in (25, 50):
            same = pj[f"timesteps_{n}"] == rj[f"timesteps_{n}"]
            add(f"DDIM timesteps ({n} steps)", "diffusers 0.24 DDIMScheduler(base.yaml)",
                {"shape": [n], "max_abs": 0.0 if same else float("nan"), "max_rel": 0.0 if same else float("nan"), "elem_rel": 0.0,
                 "verdict": "match (identical)" if same else "MISMATCH"},
                f"first {rj[f'timesteps_{n}'][:3]} … last {rj[f'timesteps_{n}'][-2:]}")
        add("DDIM betas [1000]", "diffusers DDIMScheduler.betas (torch.linspace fp32)", metrics(rd(P, "ddim_betas"), rd(R, "ddim_betas")))
        add("DDIM alphas_cumprod [1000]", "diffusers DDIMScheduler.alphas_cumprod (torch.cumprod fp32)",
            metrics(rd(P, "ddim_alphas_cumprod"), rd(R, "ddim_alphas_cumprod")))
        for n, t in [(25, 961), (25, 481), (25, 1), (50, 981), (50, 21)]:
            add(f"DDIM step() n={n} t={t}", "diffusers DDIMScheduler.step(eta=0).prev_sample",
                metrics(rd(P, f"ddim_step_{n}_{t}"), rd(R, f"ddim_step_{n}_{t}")))

    # 2. Affinity
    if os.path.exists(os.path.join(P, "affinity.json")) and os.path.exists(os.path.join(R, "affinity.json")):
        pa, ra = json.load(open(os.path.join(P, "affinity.json"))), json.load(open(os.path.join(R, "affinity.json")))
        bad = []
        n_ok = 0
        for key, val in ra["byPiaIndex"].items():
            got = pa["byPiaIndex"][key]["values"]
            d = max(abs(a - b) for a, b in zip(got, val)) if len(got) == len(val) else float("nan")
            if d == 0 and len(got) == len(val):
                n_ok += 1
            else:
                bad.append((key, pa["byPiaIndex"][key]["name"], got, val))
        add("Affinity presets by PIA index (0..5, -1..-3) × {16, 8} frames × cond {0, 3}", "PIA util.prepare_mask_coef_by_statistics",
            {"shape": [len(ra["byPiaIndex"])], "max_abs": 0.0 if not bad else float("nan"), "max_rel": 0.0, "elem_rel": 0.0,
             "verdict": "match (identical)" if not bad else f"MISMATCH ({len(bad)})"}, f"{n_ok} vectors identical")
        notes["affinity_bad"] = bad
        if ra.get("diffusers"):
            bad2 = []
            for p in pa["presets"]:
                for frames in (16, 8):
                    for cond in (0, 3):
                        got = pa["byName"][f"{p['name']}|{frames}|{cond}"]
                        want = ra["diffusers"][f"{p['motionScale']}|{frames}|{cond}"]
                        if got != want:
                            bad2.append((p["name"], frames, cond, got, want))
            add("Affinity presets by name = diffusers motion_scale 0..8", "diffusers PIAPipeline prepare_mask_coef_by_statistics (HEAD)",
                {"shape": [9 * 4], "max_abs": 0.0 if not bad2 else float("nan"), "max_rel": 0.0, "elem_rel": 0.0,
                 "verdict": "match (identical)" if not bad2 else f"MISMATCH ({len(bad2)})"})
            notes["affinity_diffusers_bad"] = bad2
        rdiff = max(max(abs(a - b) for a, b in zip(pa["ramp"][k], v)) for k, v in ra["ramp"].items())
        add("Affinity linear ramp (prepare_mask_coef, [0.2, 1.0])", "PIA util.prepare_mask_coef",
            {"shape": [len(ra["ramp"])], "max_abs": rdiff, "max_rel": rdiff, "elem_rel": rdiff, "verdict": "match" if rdiff < 1e-12 else "MISMATCH"})

    # 3. U-Net
    if os.path.exists(os.path.join(I, "unet_cases.json")):
        for c in json.load(open(os.path.join(I, "unet_cases.json"))):
            if not (have(P, c["name"]) and have(R, c["name"] + "__original")):
                continue
            shape = rd(I, c["name"] + "_sample").shape
            add(f"U-Net tiny {c['name']} t={c['t']} {list(shape)}", "PIA UNet3DConditionModel (as is: motion GroupNorm 32 groups)",
                metrics(rd(P, c["name"]), rd(R, c["name"] + "__original")))
            if have(R, c["name"] + "__motion_gn8"):
                add(f"U-Net tiny {c['name']} t={c['t']} {list(shape)}", "diagnostic: motion GroupNorm patched to the U-Net's 8 groups (piagraph's tiny config before motionNormGroups)",
                    metrics(rd(P, c["name"]), rd(R, c["name"] + "__motion_gn8")), "expected to differ")
            if have(R, c["name"] + "__resnet_gn_per_frame"):
                add(f"U-Net tiny {c['name']} t={c['t']} {list(shape)}",
                    "sensitivity check: resnet/out GroupNorm per frame (diffusers UNetMotionModel behaviour)",
                    metrics(rd(P, c["name"]), rd(R, c["name"] + "__resnet_gn_per_frame")),
                    "expected to differ: the project normalises resnets across frames like PIA")
    if have(P, "full") and have(R, "full__original"):
        add(f"U-Net sd15 full size {list(rd(I, 'full_sample').shape)} t=961", "PIA UNet3DConditionModel (sd15 widths, as is)",
            metrics(rd(P, "full"), rd(R, "full__original")))

    # bisection tables
    bisect = {}
    for case in ("unet_f8", "full"):
        tj = os.path.join(P, f"taps_{case}.json")
        if not os.path.exists(tj):
            continue
        taps = json.load(open(tj))["taps"]
        for tag in ("original",):
            lines = []
            for t in taps:
                rn = f"taps_{case}__{t['name']}__{tag}"
                if not have(R, rn):
                    continue
                p, r = rd(P, f"taps_{case}__{t['name']}"), rd(R, rn)
                if t["name"] == "time_embedding":
                    r = r[:1]  # reference broadcasts the timestep to the batch; identical rows
                lines.append((t["name"], metrics(p, r)))
            if lines:
                bisect[f"{case}/{tag}"] = lines

    # 4. VAE, CLIP, tokenizer
    for name, ref, label in [("vae_mean", "diffusers AutoencoderKL.encode().latent_dist.mean", "VAE encode mean [2,3,64,48]→[2,4,8,6]"),
                             ("vae_logvar", "diffusers latent_dist.logvar (clamped −30..20)", "VAE encode logvar"),
                             ("vae_decoded", "AutoencoderKL.decode(z/0.18215), frame by frame (PIA decode_latents)", "VAE decode [3,4,8,8]→[3,3,64,64], chunk 1"),
                             ("vae_decoded_batch", "AutoencoderKL.decode(z/0.18215), batch of 3", "VAE decode, chunk 3"),
                             ("clip_hidden", "transformers CLIPTextModel last_hidden_state", "CLIP text encoder [6,77] ids → [6,77,32]"),
                             ("clip_hidden_s20", "CLIPTextModel on the first 20 ids", "CLIP text encoder, 20 tokens")]:
        if have(P, name) and have(R, name):
            add(label, ref, metrics(rd(P, name), rd(R, name)))
    tok = {}
    if os.path.exists(os.path.join(P, "token_ids.json")) and os.path.exists(os.path.join(R, "token_ids.json")):
        pids = json.load(open(os.path.join(P, "token_ids.json")))
        rids = json.load(open(os.path.join(R, "token_ids.json")))
        prompts = json.load(open(os.path.join(I, "prompts.json")))
        for tag in ("ftfy", "no_ftfy"):
            if tag not in rids:
                continue
            diff = [i for i, (a, b) in enumerate(zip(pids, rids[tag]["ids"])) if a != b]
            tok[tag] = {"fix_text": rids[tag]["fix_text"], "n": len(prompts), "differ": [(i, prompts[i], pids[i], rids[tag]["ids"][i]) for i in diff]}
            add(f"Tokenizer ids, {len(prompts)} prompts ({'ftfy path' if tag == 'ftfy' else 'no ftfy: BasicTokenizer fallback'})",
                "transformers CLIPTokenizer(padding=max_length 77, truncation)",
                {"shape": [len(prompts), 77], "max_abs": 0.0 if not diff else float("nan"), "max_rel": 0.0, "elem_rel": 0.0,
                 "verdict": "match (identical)" if not diff else f"MISMATCH ({len(diff)} prompts)"},
                "" if rids[tag]["fix_text"] == (tag == "ftfy") else "ftfy not importable: both runs used the BasicTokenizer path")

    # 5. whole sample
    sample_rows = {}
    for tag in ("original",):
        if have(P, "sample_latents") and have(R, f"sample_latents__{tag}"):
            ml = metrics(rd(P, "sample_latents"), rd(R, f"sample_latents__{tag}"))
            pf, rf = rd(P, "sample_frames"), rd(R, f"sample_frames__{tag}")
            mf = metrics(pf, rf)
            mf["psnr_db"] = psnr(pf, rf)
            add(f"Whole sample: final latents [1,4,8,8,8] (8 frames, 5 DDIM steps, CFG 7.5, moderate-motion)",
                f"PIA I2VPipeline.__call__ ({'as is' if tag == 'original' else 'motion GN 8 groups'})", ml)
            add(f"Whole sample: decoded frames [8,3,64,64] in [0,1]", f"PIA I2VPipeline decode ({tag})", mf, f"PSNR {mf['psnr_db']:.1f} dB")

    # 6. AnimateDiff v1/v2/v3 motion modules in the original code (compare_animatediff.py)
    import compare_animatediff

    ad_rows, ad_reports = compare_animatediff.rows(work, metrics, rd, have)
    for component, ref, m, note in ad_rows:
        add(component, ref, m, note)

    # perf
    perf = []
    for which in ("tiny", "sd15"):
        pp, rp = os.path.join(P, f"perf_{which}.json"), os.path.join(R, f"perf_{which}.json")
        if os.path.exists(pp) and os.path.exists(rp):
            a, b = json.load(open(pp)), json.load(open(rp))
            pm, rm = float(np.median(a["times_ms"])), float(np.median(b["times_ms"]))
            perf.append({"config": which, "shape": a["shape"], "threads": [a["threads"], b["threads"]], "project_ms": pm, "torch_ms": rm,
                         "ratio_project_over_torch": pm / rm, "project_all": a["times_ms"], "torch_all": b["times_ms"], "blas": b.get("blas"),
                         "spinning": a.get("spinning")})

    # write
    out = {"rows": rows, "bisect": {k: [(n, m) for n, m in v] for k, v in bisect.items()}, "tokenizer": tok, "notes": notes, "perf": perf}
    json.dump(out, open(os.path.join(work, "report.json"), "w"), indent=1, default=str)
    L = ["# PIA parity report", "", f"Tolerance: match when max_abs ≤ {TOL}·max(1, max|ref|).", "",
         "| component | reference | shape | max abs diff | max rel diff (÷max|ref|) | max elem rel | verdict | note |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        L.append(f"| {r['component']} | {r['reference']} | {r.get('shape', '')} | {fmt(r.get('max_abs', ''))} | {fmt(r.get('max_rel', ''))} | "
                 f"{fmt(r.get('elem_rel', ''))} | {r['verdict']} | {r.get('note', '')} |")
    for k, lines in bisect.items():
        L += ["", f"## U-Net bisection {k} (ONNX taps vs PyTorch forward hooks, frames folded into batch)", "",
              "| module (execution order) | shape | max abs | max rel | verdict |", "|---|---|---|---|---|"]
        first = None
        for n, m in lines:
            L.append(f"| {n} | {m.get('shape')} | {fmt(m.get('max_abs'))} | {fmt(m.get('max_rel'))} | {m['verdict']} |")
            if first is None and not m["verdict"].startswith("match"):
                first = n
        L += ["", f"First differing module: **{first or 'none'}**"]
    if tok:
        L += ["", "## Tokenizer differences"]
        for tag, t in tok.items():
            L.append(f"- {tag} (reference fix_text={'ftfy' if t['fix_text'] else 'None → BasicTokenizer'}): {len(t['differ'])} of {t['n']} prompts differ")
            for i, text, a, b in t["differ"][:12]:
                a2 = [x for x in a if x != 49407]
                b2 = [x for x in b if x != 49407]
                L.append(f"  - #{i} {json.dumps(text)[:80]}: project {a2[:24]} vs reference {b2[:24]}")
    for rep in ("unet_load_report", "clip_load_report"):
        f = os.path.join(R, rep + ".json")
        if os.path.exists(f):
            L += ["", f"## {rep} (reference side)", "", "```", json.dumps(json.load(open(f)), indent=1)[:2000], "```"]
    for code, rep in ad_reports.items():
        L += ["", f"## AnimateDiff load report: {rep.get('code', code)} (reference side)", "", "```", json.dumps(rep.get("builds", rep), indent=1)[:3000], "```"]
    if notes.get("affinity_bad"):
        L += ["", "## Affinity differences", *[f"- {b}" for b in notes["affinity_bad"]]]
    if perf:
        L += ["", "## Performance (median ms per U-Net forward, same machine, same threads)", "",
              "| config | input | threads (ORT, torch) | project ORT ms | PyTorch ms | ratio ORT/torch | torch BLAS |", "|---|---|---|---|---|---|---|"]
        for p in perf:
            L.append(f"| {p['config']} | {p['shape']} | {p['threads']} | {p['project_ms']:.1f} | {p['torch_ms']:.1f} | {p['ratio_project_over_torch']:.2f} | {p['blas']} |")
    open(os.path.join(work, "report.md"), "w").write("\n".join(L) + "\n")
    print("\n".join(L))


if __name__ == "__main__":
    main(os.path.abspath(sys.argv[1]))
