import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CudaProviderError } from '@piagraph/nodes-pia';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/test-server.js';

let empty: string;
let complete: string;
beforeAll(async () => {
  empty = await mkdtemp(join(tmpdir(), 'piagraph-cuda-empty-'));
  complete = await mkdtemp(join(tmpdir(), 'piagraph-cuda-complete-'));
  for (const f of ['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so']) await writeFile(join(complete, f), '');
});
afterAll(async () => {
  await rm(empty, { recursive: true, force: true });
  await rm(complete, { recursive: true, force: true });
});

type Stats = { devices: { name: string; type: string; index: number }[] };

describe('--device', () => {
  it('reports the CPU as the device by default', async () => {
    const t = await startTestServer();
    const body = (await (await t.fetch('/system_stats')).json()) as Stats;
    await t.close();
    expect(body.devices).toEqual([expect.objectContaining({ name: 'cpu', type: 'cpu', index: 0 })]);
  });

  it('refuses to start on CUDA when the provider libraries are missing', async () => {
    await expect(startTestServer({ device: 'cuda', cudaProviderDir: empty, dataDir: join(empty, 'data') })).rejects.toBeInstanceOf(CudaProviderError);
  });

  it('reports a CUDA device when started on CUDA with the provider libraries in place', async () => {
    const t = await startTestServer({ device: 'cuda', cudaProviderDir: complete });
    const body = (await (await t.fetch('/system_stats')).json()) as Stats;
    await t.close();
    expect(body.devices).toEqual([expect.objectContaining({ type: 'cuda', index: 0, name: expect.stringMatching(/^cuda:0/) })]);
  });
});
