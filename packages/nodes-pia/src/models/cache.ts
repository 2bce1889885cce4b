/**
 * On-disk cache of built graphs: `<cacheDir>/<key>/model.onnx` + `model.weights.bin` + `meta.json`, keyed by the
 * source files' fingerprints, the model config, the build options and the builder versions.
 *
 * Fingerprints are cheap on purpose (checkpoints are gigabytes): size, mtime, and SHA-256 of the first and last
 * MiB plus 16 blocks of 64 KiB sampled evenly between. An edit that keeps size and mtime and misses every
 * sampled block would go unnoticed; a changed mtime alone only causes a rebuild.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GraphBuilder, ONNX_BUILDER_VERSION } from '../onnx/index.js';
import { pathExists } from '../path-exists.js';
import type { Precision } from './tensors.js';

/** Bumped whenever the model code builds different graphs from the same weights. */
export const MODEL_BUILDER_VERSION = '2';

const EDGE = 1 << 20;
const BLOCK = 1 << 16;
const SAMPLES = 16;

/** A cheap fingerprint of one file (see the module comment for what it covers). */
export async function fingerprintFile(path: string): Promise<string> {
  const info = await stat(path);
  const hash = createHash('sha256');
  hash.update(`${info.size}:${Math.round(info.mtimeMs)}:`);
  const fh = await open(path, 'r');
  try {
    const read = async (position: number, length: number) => {
      const buf = Buffer.alloc(Math.max(0, Math.min(length, info.size - position)));
      if (buf.length > 0) await fh.read(buf, 0, buf.length, position);
      hash.update(buf);
    };
    if (info.size <= 2 * EDGE + SAMPLES * BLOCK) {
      await read(0, info.size);
    } else {
      await read(0, EDGE);
      const span = info.size - 2 * EDGE - BLOCK;
      for (let i = 0; i < SAMPLES; i++) await read(EDGE + Math.floor((span * i) / (SAMPLES - 1)), BLOCK);
      await read(info.size - EDGE, EDGE);
    }
  } finally {
    await fh.close();
  }
  return hash.digest('hex');
}

/** What a cached graph depends on. */
export interface CacheKeyParts {
  readonly graph: string;
  readonly config: unknown;
  readonly files: readonly string[];
  readonly precision: Precision;
  readonly options?: unknown;
}

/** The cache folder name: SHA-256 of everything the graph depends on (first 24 hex digits). */
export async function cacheKey(parts: CacheKeyParts): Promise<string> {
  const fingerprints = await Promise.all([...parts.files].sort().map(async (f) => [f, await fingerprintFile(f)]));
  const text = JSON.stringify({
    model: MODEL_BUILDER_VERSION,
    onnx: ONNX_BUILDER_VERSION,
    graph: parts.graph,
    config: parts.config,
    precision: parts.precision,
    options: parts.options ?? null,
    files: fingerprints,
  });
  return `${parts.graph}-${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
}

/** A graph on disk, ready to load by path. */
export interface CachedGraph {
  readonly modelPath: string;
  /** Whether it was built now (false: found in the cache). */
  readonly built: boolean;
  /** Seconds spent building and writing (0 when cached). */
  readonly buildSeconds: number;
}

/**
 * Returns the cached graph under `cacheDir/key`, building it with `build` when absent. The folder is written under a
 * temporary name and renamed, and `meta.json` is written last, so an interrupted build is never mistaken for one.
 */
export async function buildCached(
  cacheDir: string,
  key: string,
  precision: Precision,
  build: (g: GraphBuilder) => void,
): Promise<CachedGraph> {
  const dir = join(cacheDir, key);
  const modelPath = join(dir, 'model.onnx');
  if (await pathExists(join(dir, 'meta.json'))) return { modelPath, built: false, buildSeconds: 0 };
  const started = performance.now();
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(tmp, { recursive: true });
  try {
    const g = new GraphBuilder(key, { floatDtype: precision, docString: `piagraph ${key}` });
    build(g);
    const saved = await g.save(tmp);
    await writeFile(
      join(tmp, 'meta.json'),
      `${JSON.stringify({ key, precision, modelBytes: saved.modelBytes, weightsBytes: saved.weightsBytes, tensors: saved.tensors }, null, 2)}\n`,
    );
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  return { modelPath, built: true, buildSeconds: (performance.now() - started) / 1000 };
}

/** The build record written next to a cached graph. */
export async function readCacheMeta(modelPath: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(join(modelPath, '..', 'meta.json'), 'utf8')) as Record<string, unknown>;
}
