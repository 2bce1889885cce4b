import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMotionCheckpoint, openSdCheckpoint, piaUNetWeights, type MotionCheckpoint, type SdCheckpoint } from '../../src/checkpoints/resolve.js';
import { ensureDemoModels, writeDemoLora } from '../../src/demo/index.js';
import { buildCached } from '../../src/models/cache.js';
import { buildClipTextEncoder } from '../../src/models/clip.js';
import { tiny } from '../../src/models/config.js';
import { ClipHandle, UNetHandle, type FloatTensor } from '../../src/models/handles.js';
import type { ModelWeights, Precision } from '../../src/models/tensors.js';
import { buildUNet } from '../../src/models/unet.js';
import { GraphBuilder, OnnxSession } from '../../src/onnx/index.js';
import { applyLoras, LoraError, loraMergedWeights, openLiveLoraSession, openLora, openLoraSession, openPatchedSession, type LoraFile, type PatchedSession } from '../../src/lora/index.js';
import { randn } from '../models/naive/tensor.js';
import { relativeError } from './helpers/lora-files.js';

let dir: string;
let sd: SdCheckpoint;
let pia: MotionCheckpoint;
let unetWeights: ModelWeights;
let lora: LoraFile;
let graphs = 0;

const sample: FloatTensor = { data: randn([2, 9, 3, 8, 8], 11).data, dims: [2, 9, 3, 8, 8] };
const text: FloatTensor = { data: randn([2, 77, 32], 12).data, dims: [2, 77, 32] };
const ids = { data: BigInt64Array.from({ length: 2 * 77 }, (_, i) => BigInt((i * 37) % 49408)), dims: [2, 77] };

/** A fresh cached graph (its own folder) built from `weights`. */
async function cachedGraph(kind: 'unet' | 'clip', weights: ModelWeights, precision: Precision = 'float32'): Promise<string> {
  const key = `${kind}-${graphs++}`;
  const build = kind === 'unet' ? (g: Parameters<typeof buildUNet>[0]) => buildUNet(g, weights, tiny.unet, { precision }) : (g: Parameters<typeof buildUNet>[0]) => buildClipTextEncoder(g, weights, tiny.clip, { precision });
  return (await buildCached(join(dir, 'cache'), key, precision, build)).modelPath;
}

async function runUNet(session: OnnxSession): Promise<Float32Array> {
  return (await new UNetHandle(session, tiny).run(sample, 500, text)).data;
}

async function withSession<T>(modelPath: string, use: (s: OnnxSession) => Promise<T>): Promise<T> {
  const s = await OnnxSession.load(modelPath, { threads: 2 });
  try {
    return await use(s);
  } finally {
    await s.release();
  }
}

async function withPatched<T>(patched: Promise<PatchedSession>, use: (s: OnnxSession, p: PatchedSession) => Promise<T>): Promise<T> {
  const p = await patched;
  try {
    return await use(p.session, p);
  } finally {
    await p.release();
  }
}

let baseUNet: string;
let baseOut: Float32Array;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'piagraph-lora-session-'));
  const paths = await ensureDemoModels(join(dir, 'models'));
  await writeDemoLora(join(dir, 'demo-lora.safetensors'));
  lora = await openLora(join(dir, 'demo-lora.safetensors'), { config: tiny });
  sd = await openSdCheckpoint(paths.checkpoint);
  pia = await openMotionCheckpoint(paths.pia, tiny);
  unetWeights = piaUNetWeights(sd, pia);
  baseUNet = await cachedGraph('unet', unetWeights);
  baseOut = await withSession(baseUNet, runUNet);
}, 120_000);

afterAll(async () => {
  await sd?.close();
  await pia?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('openLoraSession: a cached graph with LoRAs merged, without rebuilding it', () => {
  it('computes what a graph built from pre-merged weights computes, and changes the output', async () => {
    const patches = [{ lora, strength: 0.8 }];
    const expected = await withSession(await cachedGraph('unet', applyLoras(unetWeights, patches)), runUNet);
    const got = await withPatched(openLoraSession(baseUNet, patches, { threads: 2 }), (s) => runUNet(s));
    expect(relativeError(got, expected)).toBeLessThan(1e-5);
    expect(relativeError(baseOut, expected)).toBeGreaterThan(1e-3);
  }, 60_000);

  it('follows a strength change with a new session from the same cached graph', async () => {
    for (const strength of [-0.5, 1.3]) {
      const patches = [{ lora, strength }];
      const expected = await withSession(await cachedGraph('unet', applyLoras(unetWeights, patches)), runUNet);
      const got = await withPatched(openLoraSession(baseUNet, patches, { threads: 2 }), (s) => runUNet(s));
      expect(relativeError(got, expected), `strength ${strength}`).toBeLessThan(1e-5);
    }
  }, 60_000);

  it('replaces only the initializers the LoRA targets, and removes its patch files once the session is open', async () => {
    await withPatched(openLoraSession(baseUNet, [{ lora, strength: 1 }], { threads: 2 }), async (_s, p) => {
      const unetLayers = lora.layers.filter((l) => l.component === 'unet').map((l) => l.target);
      expect([...p.patched].sort()).toEqual([...unetLayers].sort());
      expect((await readdir(dirname(baseUNet))).sort()).toEqual(['meta.json', 'model.onnx', 'model.weights.bin']);
    });
  }, 60_000);

  it('patches a float16 graph in its own dtype, close to a float16 graph built from merged weights', async () => {
    const patches = [{ lora, strength: 0.8 }];
    const base16 = await cachedGraph('unet', unetWeights, 'float16');
    const expected = await withSession(await cachedGraph('unet', applyLoras(unetWeights, patches), 'float16'), runUNet);
    const unpatched = await withSession(base16, runUNet);
    const got = await withPatched(openLoraSession(base16, patches, { threads: 2 }), (s) => runUNet(s));
    // Both round merged weights to fp16; they differ only where the patched merge starts from fp16 base values.
    const err = relativeError(got, expected);
    expect(err).toBeLessThan(5e-3);
    expect(relativeError(unpatched, expected)).toBeGreaterThan(20 * err);
  }, 90_000);

  it('patches the CLIP text encoder graph with the text-encoder layers of the same file', async () => {
    const patches = [{ lora, strength: 0.9 }];
    const encode = (s: OnnxSession) => new ClipHandle(s, tiny).encode(ids).then((t) => t.data);
    const baseClip = await cachedGraph('clip', sd.clip);
    const expected = await withSession(await cachedGraph('clip', applyLoras(sd.clip, patches)), encode);
    const got = await withPatched(openLoraSession(baseClip, patches, { threads: 2 }), (s) => encode(s));
    expect(relativeError(got, expected)).toBeLessThan(1e-5);
    expect(relativeError(await withSession(baseClip, encode), expected)).toBeGreaterThan(1e-3);
  }, 60_000);

  it('opens the plain cached graph when no LoRA applies (zero strength)', async () => {
    await withPatched(openLoraSession(baseUNet, [{ lora, strength: 0 }], { threads: 2 }), async (s, p) => {
      expect(p.patched).toEqual([]);
      expect(await runUNet(s)).toEqual(baseOut);
    });
  }, 60_000);

  it('refuses a U-Net graph that lacks some of the U-Net layers the LoRA patches (fused or renamed weights)', async () => {
    const q = 'down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.weight';
    const g = new GraphBuilder('partial');
    const w = g.initializer(q, { dtype: 'float32', shape: [32, 32], data: new Float32Array(32 * 32) }, { transpose: true });
    g.output(g.linear(g.input('x', 'float32', [1, 32]), w), 'y');
    const partial = join(dir, 'partial');
    await mkdir(partial);
    await g.save(partial);
    const err = await openLoraSession(join(partial, 'model.onnx'), [{ lora, strength: 1 }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LoraError);
    expect((err as LoraError).message).toContain(join(partial, 'model.onnx'));
    expect((err as LoraError).message).toMatch(/has no initializer '[^']+\.weight'/);
    expect((err as LoraError).details.count).toBe(lora.layers.filter((l) => l.component === 'unet').length - 1);
  });

  it('refuses a model path that has no such initializer layout, naming the file', async () => {
    const clipGraph = await cachedGraph('clip', sd.clip);
    const err = await openPatchedSession(clipGraph, new Map([['not.a.weight', unetWeights.get('conv_in.weight')!]])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LoraError);
    expect((err as LoraError).message).toContain(clipGraph);
    expect((err as LoraError).message).toContain('not.a.weight');
  });
});

describe('openPatchedSession', () => {
  it('replaces initializers by canonical-layout tensors (Linear weights transposed for MatMul, convs as they are)', async () => {
    const merged = loraMergedWeights(unetWeights, [{ lora, strength: 0.6 }]);
    expect([...merged.values()].some((t) => t.shape.length === 2) && [...merged.values()].some((t) => t.shape.length === 4)).toBe(true);
    const expected = await withSession(await cachedGraph('unet', applyLoras(unetWeights, [{ lora, strength: 0.6 }])), runUNet);
    const got = await withPatched(openPatchedSession(baseUNet, merged, { threads: 2 }), (s) => runUNet(s));
    expect(relativeError(got, expected)).toBeLessThan(1e-5);
  }, 60_000);
});

describe('openLiveLoraSession: strengths that change without a new session', () => {
  it('computes the pre-merged graph’s output at each strength, in the same session', async () => {
    const live = await openLiveLoraSession(baseUNet, [{ lora, strength: 0.8 }], { threads: 2 });
    try {
      expect([...live.weightInputs].sort()).toEqual(lora.layers.filter((l) => l.component === 'unet').map((l) => l.target).sort());
      const session = live.session;
      for (const strength of [0.8, -0.5, 1.3]) {
        if (strength !== 0.8) await live.setLoras([{ lora, strength }]);
        expect(live.session).toBe(session);
        const expected = await withSession(await cachedGraph('unet', applyLoras(unetWeights, [{ lora, strength }])), runUNet);
        expect(relativeError(await runUNet(live.session), expected), `strength ${strength}`).toBeLessThan(1e-5);
      }
      await live.setLoras([]);
      expect(relativeError(await runUNet(live.session), baseOut)).toBeLessThan(1e-5);
    } finally {
      await live.release();
    }
    expect((await readdir(dirname(baseUNet))).sort()).toEqual(['meta.json', 'model.onnx', 'model.weights.bin']);
  }, 120_000);

  it('refuses a LoRA that patches layers the session does not take as inputs', async () => {
    const q = 'down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.weight';
    const only = { ...lora, layers: lora.layers.filter((l) => l.target === q) };
    const live = await openLiveLoraSession(baseUNet, [{ lora: only, strength: 1 }], { threads: 2 });
    try {
      expect(live.weightInputs).toEqual([q]);
      const err = await live.setLoras([{ lora, strength: 1 }]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LoraError);
      expect((err as LoraError).message).toMatch(/does not take .* as inputs/);
      // The failed change left the session usable with its last values.
      const expected = await withSession(await cachedGraph('unet', applyLoras(unetWeights, [{ lora: only, strength: 1 }])), runUNet);
      expect(relativeError(await runUNet(live.session), expected)).toBeLessThan(1e-5);
    } finally {
      await live.release();
    }
  }, 120_000);
});

describe('OnnxSession.bindInputs', () => {
  it('feeds bound inputs on every run, lets later binds replace them, and refuses unknown names', async () => {
    const g = new GraphBuilder('bound');
    g.output(g.matMul(g.input('x', 'float32', [1, 2]), g.input('w', 'float32', [2, 1])), 'y');
    const folder = join(dir, 'bound');
    await mkdir(folder);
    await g.save(folder);
    await withSession(join(folder, 'model.onnx'), async (s) => {
      const x = { dtype: 'float32' as const, shape: [1, 2], data: Float32Array.of(1, 2) };
      await expect(s.run({ x })).rejects.toThrow(/missing input\(s\) w/);
      s.bindInputs({ w: { dtype: 'float32', shape: [2, 1], data: Float32Array.of(3, 4) } });
      expect([...((await s.run({ x })).y!.data as Float32Array)]).toEqual([11]);
      s.bindInputs({ w: { dtype: 'float32', shape: [2, 1], data: Float32Array.of(-1, 1) } });
      expect([...((await s.run({ x })).y!.data as Float32Array)]).toEqual([1]);
      expect(() => s.bindInputs({ v: { dtype: 'float32', shape: [1], data: Float32Array.of(0) } })).toThrow(/no input\(s\) v to bind/);
    });
  });
});
