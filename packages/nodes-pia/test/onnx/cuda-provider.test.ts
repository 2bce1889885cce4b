import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPiaModels } from '../../src/models/load.js';
import {
  CUDA_PROVIDER_FILES,
  CudaProviderError,
  GraphBuilder,
  OnnxSession,
  OnnxSessionError,
  assertCudaProvider,
  missingCudaProviderFiles,
  ortBindingDir,
} from '../../src/onnx/index.js';

let empty: string;
let complete: string;
beforeAll(async () => {
  empty = await mkdtemp(join(tmpdir(), 'cuda-provider-empty-'));
  complete = await mkdtemp(join(tmpdir(), 'cuda-provider-complete-'));
  for (const f of ['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so']) await writeFile(join(complete, f), '');
});
afterAll(async () => {
  await rm(empty, { recursive: true, force: true });
  await rm(complete, { recursive: true, force: true });
});

describe('CUDA provider check', () => {
  it('finds the folder of the installed onnxruntime-node binding', () => {
    const dir = ortBindingDir();
    expect(dir.endsWith(['bin', 'napi-v6', process.platform, process.arch].join(sep))).toBe(true);
    expect(existsSync(join(dir, 'onnxruntime_binding.node'))).toBe(true);
  });

  it('lists both provider libraries as missing from a folder without them', () => {
    expect(missingCudaProviderFiles(empty)).toEqual(['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so']);
  });

  it('accepts a folder that has both provider libraries', () => {
    expect(missingCudaProviderFiles(complete)).toEqual([]);
    expect(() => assertCudaProvider(complete)).not.toThrow();
  });

  it('names the missing files, their folder and both ways to get them in its error', () => {
    let caught: unknown;
    try {
      assertCudaProvider(empty);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(CudaProviderError);
    const err = caught as CudaProviderError;
    expect(err.code).toBe('cuda-unavailable');
    expect(err.details).toMatchObject({ dir: empty, missing: [...CUDA_PROVIDER_FILES], ortVersion: '1.30.0' });
    expect(err.message).toContain(empty);
    expect(err.message).toContain('libonnxruntime_providers_cuda.so');
    expect(err.message).toContain('ONNXRUNTIME_NODE_INSTALL=cuda12');
    expect(err.message).toContain('Microsoft.ML.OnnxRuntime.Gpu.Linux 1.30.0');
    expect(err.message).toContain('onnxruntime-gpu 1.30.0');
  });

  it('refuses a CUDA load before reading any checkpoint', async () => {
    // The checkpoint does not exist: a check made after opening it would fail with a different error.
    const load = loadPiaModels({ checkpoint: join(empty, 'absent.safetensors'), pia: '', cacheDir: empty, device: 'cuda', cudaProviderDir: empty });
    await expect(load).rejects.toBeInstanceOf(CudaProviderError);
  });

  it.skipIf(missingCudaProviderFiles().length === 0)('adds the install hint when onnxruntime cannot open a CUDA session', async () => {
    const g = new GraphBuilder('identity');
    g.output(g.mul(g.input('x', 'float32', [1]), 1), 'y');
    const { modelPath } = await g.save(empty);
    const load = OnnxSession.load(modelPath, { executionProviders: ['cuda'], threads: 1 });
    await expect(load).rejects.toBeInstanceOf(OnnxSessionError);
    await expect(load).rejects.toThrow(/ONNXRUNTIME_NODE_INSTALL=cuda12/);
  });
});
