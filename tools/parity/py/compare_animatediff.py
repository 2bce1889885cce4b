"""Rows of the AnimateDiff parity (node/animatediff.mjs vs py/animatediff_ref.py) for compare.py's report.

Pairs, per release (v1, v2, v3) and input case:
  project `per-frame` GroupNorms             vs AnimateDiff with use_inflated_groupnorm=true (inference-v2/v3.yaml's own;
                                                flipped for v1) — the arrangement ADE uses for v2 (apply_v2_properly) and v3
  project `resnets-across-frames` GroupNorms vs AnimateDiff with use_inflated_groupnorm=false (inference-v1.yaml's own;
                                                flipped for v2/v3)
  project `resnets-across-frames`            vs PIA's code base (the same code adapted to diffusers 0.24; no inflated norms)
  sensitivity (first case only): the project's other arrangement vs the release's own config — expected to differ, so
  the matches above do tell the two arrangements apart; and for v1/v2 ADE's GroupNorm hack (`all-across-frames`) vs
  the release's own config, which differs by design.
"""
import json
import os


def rows(work, metrics, rd, have):
    ad = os.path.join(work, "animatediff")
    P, R, I = os.path.join(ad, "project"), os.path.join(ad, "reference"), os.path.join(ad, "inputs")
    if not os.path.exists(os.path.join(I, "cases.json")):
        return [], {}
    spec = json.load(open(os.path.join(I, "cases.json")))
    out = []
    for version in spec["versions"]:
        own_inflated = version != "v1"
        inflated_tag = "animatediff_own" if own_inflated else "animatediff_flipped"
        plain_tag = "animatediff_flipped" if own_inflated else "animatediff_own"
        pairs = [
            ("per-frame", inflated_tag, f"AnimateDiff use_inflated_groupnorm=true ({'inference-' + version + '.yaml' if own_inflated else 'flipped from inference-v1.yaml'})", ""),
            ("resnets-across-frames", plain_tag, f"AnimateDiff use_inflated_groupnorm=false ({'flipped from inference-' + version + '.yaml' if own_inflated else 'inference-v1.yaml'})", ""),
            ("resnets-across-frames", "pia_code", "PIA's code base (diffusers 0.24; resnets across frames)", ""),
        ]
        own_norms = "per-frame" if own_inflated else "resnets-across-frames"
        for i, c in enumerate(spec["cases"]):
            shape = list(rd(I, c["name"] + "_sample").shape)
            label = f"AnimateDiff {version} tiny {c['name']} t={c['t']} {shape}"
            extra = []
            if i == 0:
                extra.append((own_norms == "per-frame" and "resnets-across-frames" or "per-frame", "animatediff_own",
                              f"sensitivity: the other arrangement vs inference-{version}.yaml's own", "expected to differ"))
                if version in ("v1", "v2"):
                    extra.append(("all-across-frames", "animatediff_own", f"ADE's GroupNorm hack (v1, PIA; v2 without apply_v2_properly) vs inference-{version}.yaml",
                                  "differs by design: no original code normalises transformers and motion modules across frames"))
            case_pairs = pairs + extra
            for norms, tag, ref, note in case_pairs:
                pn, rn = f"{c['name']}__{version}__{norms}", f"{c['name']}__{version}__{tag}"
                if have(P, pn) and have(R, rn):
                    out.append((f"{label}, project {norms}", ref, metrics(rd(P, pn), rd(R, rn)), note))
    reports = {}
    for code in ("animatediff", "pia"):
        f = os.path.join(R, f"load_report_{code}.json")
        if os.path.exists(f):
            reports[code] = json.load(open(f))
    return out, reports
