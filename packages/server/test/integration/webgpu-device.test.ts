/**
 * `--device webgpu` and `--precision` on `serve` and `run`: bad values are usage errors, a machine without a Vulkan
 * driver is refused at start-up with what to install, and a machine with a WebGPU adapter reports it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebGpuProviderError, probeWebGpu } from '@piagraph/nodes-pia';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { startTestServer } from '../helpers/test-server.js';

let dir: string;
let adapter = false;
const saved = { VK_DRIVER_FILES: process.env.VK_DRIVER_FILES, VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'piagraph-webgpu-device-'));
  adapter = (await probeWebGpu()).ok;
}, 120_000);

afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

/** Points the Vulkan loader of child processes (the WebGPU probe) at a driver manifest that does not exist. */
function hideVulkanDrivers(): void {
  process.env.VK_DRIVER_FILES = join(dir, 'no-such-driver.json');
  process.env.VK_ICD_FILENAMES = join(dir, 'no-such-driver.json');
}

async function cli(argv: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const code = await runCli(argv, { cwd: dir, io: { stdout: { write: () => true }, stderr: { write: (s: string) => (stderr += s) } } });
  return { code, stderr };
}

describe('--device and --precision flags', () => {
  it('name the devices when --device is not one of them (serve and run)', async () => {
    for (const argv of [['serve', '--device', 'tpu'], ['run', 'graph.json', '--device', 'tpu']]) {
      const r = await cli(argv);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--device must be cpu, cuda, webgpu, got "tpu"');
    }
  });

  it('name the precisions when --precision is not one of them (serve and run)', async () => {
    for (const argv of [['serve', '--precision', 'fp8'], ['run', 'graph.json', '--precision', 'fp8']]) {
      const r = await cli(argv);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--precision must be fp16 or fp32, got "fp8"');
    }
  });

  it('list both flags in the help of serve and run', async () => {
    for (const command of ['serve', 'run']) {
      let stdout = '';
      await runCli([command, '--help'], { cwd: dir, io: { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: () => true } } });
      expect(stdout).toContain('--device cpu|cuda|webgpu');
      expect(stdout).toContain('--precision fp16|fp32');
    }
  });

  it('run refuses webgpu without a Vulkan driver before running the graph, exit 1 with what to install', async () => {
    hideVulkanDrivers();
    writeFileSync(join(dir, 'graph.json'), JSON.stringify({ '1': { class_type: 'NoSuchNode', inputs: {} } }));
    const r = await cli(['run', 'graph.json', '--device', 'webgpu', '--data-dir', join(dir, 'run-data')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('device "webgpu" was requested');
    expect(r.stderr).toContain('mesa-vulkan-drivers');
    // The graph (an unknown node) was never looked at.
    expect(r.stderr).not.toContain('NoSuchNode');
  }, 120_000);
});

describe('serve --device webgpu', () => {
  it('refuses to start without a Vulkan driver', async () => {
    hideVulkanDrivers();
    await expect(startTestServer({ device: 'webgpu', dataDir: join(dir, 'refused') })).rejects.toBeInstanceOf(WebGpuProviderError);
  }, 120_000);

  it('reports a WebGPU device when a WebGPU adapter opens', async (ctx) => {
    if (!adapter) ctx.skip();
    const t = await startTestServer({ device: 'webgpu', precision: 'float16' });
    const body = (await (await t.fetch('/system_stats')).json()) as { devices: { name: string; type: string }[] };
    await t.close();
    expect(body.devices).toEqual([expect.objectContaining({ type: 'webgpu', index: 0, name: expect.stringMatching(/^webgpu:0/) })]);
  }, 120_000);
});
