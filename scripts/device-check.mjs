#!/usr/bin/env node
/**
 * The node side of scripts/device-check.sh: runs piagraph's device check (correctness against the fp32 CPU, node
 * placement, timings) and writes report.md and report.json into --out. It imports the built library
 * (packages/nodes-pia/dist) next to it, or the sources when PIAGRAPH_FROM_SOURCE=1 (run under tsx).
 *
 *   node scripts/device-check.mjs --out DIR [--device cpu|cuda|webgpu] [--precision fp16|fp32] [--model tiny|sd15]
 *        [--check FxHxW:STEPS] [--bench FxHxW:STEPS:REPEATS | --no-bench] [--no-host-sample] [--threads N]
 *        [--work DIR]
 *   node scripts/device-check.mjs --smoke       (loads the library and onnxruntime, runs one graph on the CPU)
 *   node scripts/device-check.mjs --merge-torch DIR   (adds DIR/torch.json, the PyTorch side by side, to DIR's report)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const fromSource = process.env.PIAGRAPH_FROM_SOURCE === '1';
// Only the modules the check needs (the package's index would load sharp and the node packs too).
const libDir = join(here, '..', 'packages', 'nodes-pia', fromSource ? 'src' : 'dist');
const ext = fromSource ? 'ts' : 'js';
const lib = { ...(await import(join(libDir, 'onnx', `index.${ext}`))), ...(await import(join(libDir, 'device-check', `index.${ext}`))) };

const USAGE = 'usage: device-check.mjs --out DIR [--device cpu|cuda|webgpu] [--precision fp16|fp32] [--model tiny|sd15] [--check FxHxW:STEPS] [--bench FxHxW:STEPS:REPEATS | --no-bench] [--no-host-sample] [--threads N] [--work DIR] | --smoke';

function fail(message) {
  process.stderr.write(`device-check: ${message}\n${USAGE}\n`);
  process.exit(2);
}

/** `FxHxW:STEPS[:REPEATS]` → sizes. */
function parseSize(text, flag, withRepeats) {
  const m = /^(\d+)x(\d+)x(\d+):(\d+)(?::(\d+))?$/.exec(text ?? '');
  if (!m || (withRepeats && m[5] === undefined)) fail(`${flag} must look like ${withRepeats ? '16x64x64:25:3' : '4x16x16:3'}, got "${text}"`);
  const [frames, height, width, steps, repeats] = m.slice(1).map((v) => (v === undefined ? undefined : Number(v)));
  return { frames, height, width, steps, ...(withRepeats ? { repeats } : {}) };
}

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    device: { type: 'string', default: 'webgpu' },
    precision: { type: 'string', default: 'fp16' },
    model: { type: 'string', default: 'sd15' },
    check: { type: 'string', default: '4x16x16:3' },
    bench: { type: 'string', default: '16x32x32:25:3' },
    'no-bench': { type: 'boolean' },
    'no-host-sample': { type: 'boolean' },
    threads: { type: 'string' },
    work: { type: 'string' },
    smoke: { type: 'boolean' },
    'merge-torch': { type: 'string' },
  },
});

if (values['merge-torch']) {
  // Adds the PyTorch side-by-side figures (torch.json, from device-check-torch.py) to the report in that folder.
  const dir = resolve(values['merge-torch']);
  const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
  const torch = JSON.parse(readFileSync(join(dir, 'torch.json'), 'utf8'));
  report.torch = torch;
  writeFileSync(join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  const t = report.timing;
  const ratio = (ours, theirs) => (ours && theirs ? `${(ours / theirs).toPrecision(3)}×` : '–');
  const lines = [
    '',
    `## Side by side: PIA's original U-Net in PyTorch ${torch.torch} (${torch.dtype}, ${torch.device})`,
    '',
    `Same generated weights, U-Net input [${torch.shape.join(', ')}]; piagraph's time divided by the original's (below 1: piagraph is faster).`,
    '',
    '| what | original | piagraph | ratio |',
    '| --- | --- | --- | --- |',
    `| U-Net call | ${torch.unet_ms.toFixed(1)} ms | ${t ? t.unetDeviceMs.toFixed(1) : '–'} ms | ${ratio(t?.unetDeviceMs, torch.unet_ms)} |`,
    `| ${torch.steps} steps (U-Net, CFG, DDIM; no VAE) | ${(torch.sample_ms / 1000).toFixed(2)} s | ${t ? (t.sampleDeviceMs / 1000).toFixed(2) : '–'} s | ${ratio(t?.sampleDeviceMs, torch.sample_ms)} |`,
    '',
  ];
  writeFileSync(join(dir, 'report.md'), readFileSync(join(dir, 'report.md'), 'utf8') + lines.join('\n'));
  process.stdout.write(lines.join('\n'));
  process.exit(0);
}

if (values.smoke) {
  // The bundle works: the library loads, onnxruntime's binding and libonnxruntime load, a graph runs on the CPU.
  const check = await lib.checkFusedAttention('cpu');
  const webgpu = await lib.probeWebGpu({ timeoutMs: 60_000 });
  process.stdout.write(`device-check smoke: node ${process.version}, onnxruntime-node ${lib.ortVersion()}, fused attention on the CPU max error ${check.maxError}, WebGPU ${webgpu.ok ? 'available' : `not available (${webgpu.error})`}\n`);
  process.exit(check.ok ? 0 : 1);
}

if (!values.out) fail('--out DIR is required');
if (!lib.isDevice(values.device)) fail(`--device must be cpu, cuda or webgpu, got "${values.device}"`);
const precision = { fp16: 'float16', fp32: 'float32' }[values.precision];
if (!precision) fail(`--precision must be fp16 or fp32, got "${values.precision}"`);
if (values.model !== 'tiny' && values.model !== 'sd15') fail(`--model must be tiny or sd15, got "${values.model}"`);
const out = resolve(values.out);
mkdirSync(out, { recursive: true });
const started = performance.now();
const logLines = [];
const log = (line) => {
  const stamped = `[${((performance.now() - started) / 1000).toFixed(1)} s] ${line}`;
  logLines.push(stamped);
  process.stdout.write(`${stamped}\n`);
  writeFileSync(join(out, 'log.txt'), `${logLines.join('\n')}\n`);
};

const plan = {
  model: values.model,
  workDir: resolve(values.work ?? join(tmpdir(), 'piagraph-device-check-work')),
  device: values.device,
  precision,
  check: parseSize(values.check, '--check', false),
  ...(values['no-bench'] ? {} : { bench: { ...parseSize(values.bench, '--bench', true), hostSample: !values['no-host-sample'] } }),
  ...(values.threads ? { threads: Number(values.threads) } : {}),
  log,
};
try {
  const report = await lib.runDeviceCheck(plan);
  const markdown = lib.formatDeviceCheckReport(report);
  writeFileSync(join(out, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(out, 'report.md'), markdown);
  log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s; report in ${out}`);
  process.stdout.write(`\n${markdown}`);
  process.exit(report.errors.length > 0 ? 1 : 0);
} catch (err) {
  log(`FAILED: ${err?.stack ?? err}`);
  writeFileSync(join(out, 'report.md'), `# piagraph device check failed\n\n${err?.message ?? err}\n`);
  process.exit(1);
}
