/**
 * `--device webgpu`: the probe that decides whether WebGPU can run here, the error that says what is missing when
 * it cannot, and (where a Vulkan adapter exists, e.g. Mesa's lavapipe on a CPU-only box) tensors kept on the device.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPiaModels } from '../../src/models/load.js';
import {
  GraphBuilder,
  OnnxSession,
  OnnxSessionError,
  WebGpuProviderError,
  assertDevice,
  findVulkanLoader,
  hostData,
  parseDevice,
  probeWebGpu,
  vulkanDriverManifests,
} from '../../src/onnx/index.js';

let dir: string;
/** An environment whose Vulkan loader finds no driver: the only manifest it may read does not exist. */
let noDriver: NodeJS.ProcessEnv;
/** Whether this machine has a WebGPU adapter (decides which of the tests below can run). */
let adapter = false;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'piagraph-webgpu-'));
  noDriver = { ...process.env, VK_DRIVER_FILES: join(dir, 'no-such-driver.json'), VK_ICD_FILENAMES: join(dir, 'no-such-driver.json') };
  adapter = (await probeWebGpu()).ok;
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `y = 2x`, `z = x + 1` over `[4]`. */
async function twoOutputs(): Promise<Uint8Array> {
  const g = new GraphBuilder('two-outputs');
  const x = g.input('x', 'float32', [4]);
  g.output(g.mul(x, 2), 'y');
  g.output(g.add(x, 1), 'z');
  return g.toBytes();
}

const x = () => new ort.Tensor('float32', Float32Array.of(1, 2, 3, 4), [4]);

describe('device names', () => {
  it('accepts cpu, cuda and webgpu and names the choices otherwise', () => {
    expect(parseDevice('webgpu')).toBe('webgpu');
    expect(() => parseDevice('tpu', '--device')).toThrow('--device must be one of cpu, cuda, webgpu, got "tpu"');
  });
});

describe('what the WebGPU error names', () => {
  it('finds the Vulkan loader in an LD_LIBRARY_PATH folder before the system folders', async () => {
    await writeFile(join(dir, 'libvulkan.so.1'), '');
    expect(findVulkanLoader({ LD_LIBRARY_PATH: `/nonexistent:${dir}` })).toBe(join(dir, 'libvulkan.so.1'));
  });

  it('lists only the driver manifests that VK_DRIVER_FILES names and that exist', async () => {
    const real = join(dir, 'gpu_icd.json');
    await writeFile(real, '{}');
    expect(vulkanDriverManifests({ VK_DRIVER_FILES: `${real}:${join(dir, 'missing.json')}` })).toEqual([real]);
  });

  it('refuses webgpu without a Vulkan driver, naming the loader, the drivers to install and the CPU fallback', async () => {
    const probe = await probeWebGpu({ env: noDriver });
    expect(probe.ok).toBe(false);
    let caught: unknown;
    try {
      await assertDevice('webgpu', { env: noDriver });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(WebGpuProviderError);
    const err = caught as WebGpuProviderError;
    expect(err.code).toBe('webgpu-unavailable');
    // onnxruntime's own reason (no adapter) is kept, then what to install.
    expect(err.message).toMatch(/adapter|Vulkan|vulkan/);
    expect(err.message).toContain('libvulkan.so.1');
    expect(err.message).toContain(`VK_DRIVER_FILES/VK_ICD_FILENAMES "${noDriver.VK_DRIVER_FILES}"`);
    expect(err.message).toContain('none found');
    expect(err.message).toContain('nvidia_icd.json');
    expect(err.message).toContain('mesa-vulkan-drivers');
    expect(err.message).toContain('--device cpu');
    expect(err.details).toMatchObject({ driverManifests: [], ortVersion: '1.30.0' });
  }, 120_000);

  it('refuses a webgpu load before reading any checkpoint', async () => {
    // The checkpoint does not exist: a check made after opening it would fail with a different error.
    const load = loadPiaModels({ checkpoint: join(dir, 'absent.safetensors'), pia: '', cacheDir: dir, device: 'webgpu', probeEnv: noDriver });
    await expect(load).rejects.toBeInstanceOf(WebGpuProviderError);
  }, 120_000);

  it('needs nothing for the CPU', async () => {
    await expect(assertDevice('cpu', { env: noDriver })).resolves.toBeUndefined();
  });
});

describe('outputs kept on the device', () => {
  it('come back as host tensors on the CPU, so one code path serves every device', async () => {
    const s = await OnnxSession.load('two-outputs', { modelBytes: await twoOutputs(), deviceOutputs: ['y'], threads: 1 });
    try {
      expect(s.deviceOutputs).toEqual([]);
      const out = await s.run({ x: x() });
      expect(out.y!.location).toBe('cpu');
      expect(Array.from(hostData(out.y!, 'y') as Float32Array)).toEqual([2, 4, 6, 8]);
    } finally {
      await s.release();
    }
  });

  it('must name outputs the graph has', async () => {
    const load = OnnxSession.load('two-outputs', { modelBytes: await twoOutputs(), deviceOutputs: ['w'], executionProviders: ['cpu'] });
    await expect(load).rejects.toThrow('two-outputs has no output(s) w to keep on the device (it has y, z)');
  });

  it('stay in GPU memory on WebGPU, feed the next run there, and are read back through a host output', async (ctx) => {
    if (!adapter) ctx.skip();
    const s = await OnnxSession.load('two-outputs', { modelBytes: await twoOutputs(), deviceOutputs: ['y'], executionProviders: ['webgpu'] });
    try {
      expect(s.deviceOutputs).toEqual(['y']);
      const first = await s.run({ x: x() });
      expect(first.y!.location).toBe('gpu-buffer');
      expect(first.z!.location).toBe('cpu');
      expect(() => hostData(first.y!, 'y')).toThrow('y is a gpu-buffer tensor on the device');
      // y = 2x stays on the GPU; the second run reads it there: z = 2x + 1.
      const second = await s.run({ x: first.y! }, ['z']);
      first.y!.dispose();
      expect(Object.keys(second)).toEqual(['z']);
      expect(Array.from(second.z!.data as Float32Array)).toEqual([3, 5, 7, 9]);
    } finally {
      await s.release();
    }
  }, 120_000);

  it('adds the Vulkan hint when onnxruntime cannot open a WebGPU session here', async (ctx) => {
    if (adapter) ctx.skip();
    const load = OnnxSession.load('two-outputs', { modelBytes: await twoOutputs(), executionProviders: ['webgpu'] });
    await expect(load).rejects.toBeInstanceOf(OnnxSessionError);
    await expect(load).rejects.toThrow(/libvulkan\.so\.1/);
  }, 120_000);
});
