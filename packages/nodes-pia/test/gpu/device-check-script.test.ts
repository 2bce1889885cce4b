/**
 * scripts/device-check.sh --cpu end to end at a small size: the same script and checks a GPU machine runs, on the
 * CPU provider (fp16 graphs against fp32), writing its report where --out says.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceCheckReport } from '../../src/device-check/index.js';

const SCRIPT = resolve(fileURLToPath(new URL('../../../../scripts/device-check.sh', import.meta.url)));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'piagraph-device-check-script-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function run(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    execFile('bash', [SCRIPT, ...args], { timeout: 240_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: `${stdout}\n${stderr}` });
    });
  });
}

describe('scripts/device-check.sh', () => {
  it('--cpu runs the checks on the CPU provider and writes report.md, report.json and log.txt', async () => {
    const out = join(dir, 'out');
    const r = await run(['--cpu', '--out', out, '--work', join(dir, 'work'), '--check', '4x6x8:2', '--bench', '4x6x8:2:1']);
    expect(r.code, r.output).toBe(0);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as DeviceCheckReport;
    expect(report.plan).toMatchObject({ device: 'cpu', precision: 'float16', model: 'tiny', check: { frames: 4, height: 6, width: 8, steps: 2 } });
    expect(report.errors).toEqual([]);
    // fp16 against fp32: close, never equal, nothing lost to overflow; the device loop matches the host loop exactly.
    expect(report.correctness.unet.maxRel).toBeGreaterThan(0);
    expect(report.correctness.unet.maxRel).toBeLessThan(1e-2);
    expect(report.correctness.sample.nonFinite).toBe(0);
    expect(report.correctness.loops.maxAbs).toBe(0);
    expect(report.timing!.unetDeviceMs).toBeGreaterThan(0);
    expect(report.timing!.sampleDeviceMs).toBeGreaterThan(0);
    const markdown = await readFile(join(out, 'report.md'), 'utf8');
    expect(markdown).toContain('# piagraph device check: cpu, float16, tiny models');
    expect(markdown).toContain('| whole sample (final latent) |');
    expect(await readFile(join(out, 'log.txt'), 'utf8')).toContain('report in');
  }, 240_000);

  it('asks for --out, and names an unknown option', async () => {
    const noOut = await run(['--cpu']);
    expect(noOut.code).toBe(2);
    expect(noOut.output).toContain('--out DIR is required');
    const unknown = await run(['--gpu']);
    expect(unknown.code).toBe(2);
    expect(unknown.output).toContain('unknown option --gpu');
  });

  it('names a malformed size', async () => {
    const r = await run(['--cpu', '--out', join(dir, 'bad'), '--check', '4x6:2']);
    expect(r.code).toBe(2);
    expect(r.output).toContain('--check must look like 4x16x16:3, got "4x6:2"');
  }, 60_000);
});
