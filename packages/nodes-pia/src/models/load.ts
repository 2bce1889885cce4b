/**
 * The one entry point from checkpoint paths to ready onnxruntime sessions: binds the files (any supported layout),
 * builds or reuses the cached graphs, and opens sessions.
 */
import { join } from 'node:path';
import { openMotionCheckpoint, openSdCheckpoint, piaUNetWeights, type SdCheckpoint } from '../checkpoints/resolve.js';
import { OnnxSession, assertCudaProvider } from '../onnx/index.js';
import { buildCached, cacheKey, type CachedGraph } from './cache.js';
import { buildClipTextEncoder } from './clip.js';
import type { PiaModelConfig } from './config.js';
import { ClipHandle, UNetHandle, VaeHandle } from './handles.js';
import type { Precision } from './tensors.js';
import { buildUNet } from './unet.js';
import { buildVaeDecoder, buildVaeEncoder } from './vae.js';

/** Options of {@link loadPiaModels}. */
export interface LoadPiaModelsOptions {
  /** SD 1.5 checkpoint: LDM single file (`.safetensors`/`.ckpt`) or diffusers folder. */
  readonly checkpoint: string;
  /** PIA file (`pia.ckpt`, original names) or diffusers MotionAdapter (file or folder). */
  readonly pia: string;
  /** Where built graphs are cached (conventionally `models/.cache`). */
  readonly cacheDir: string;
  /** Execution provider (default `cpu`). */
  readonly device?: 'cpu' | 'cuda';
  /** Weights/compute type; default float32 on the CPU, float16 on CUDA. */
  readonly precision?: Precision;
  /** Config to bind with; default: detected from the checkpoint's shapes. */
  readonly config?: PiaModelConfig;
  /** CLIP layers to skip at the end (0 = none). */
  readonly clipSkip?: number;
  /** Threads per session (default: onnxruntime's choice for the machine). */
  readonly threads?: number;
  /** Whether idle onnxruntime threads spin (default `defaultSpinning()`: off unless `PIAGRAPH_ORT_SPINNING=1`). */
  readonly spinning?: boolean;
  /** Which networks to load (default all). */
  readonly parts?: readonly ('unet' | 'vae' | 'clip')[];
  /** Where the CUDA provider libraries must be when `device` is `cuda` (default: next to onnxruntime-node's binding). */
  readonly cudaProviderDir?: string;
}

/** How long loading took, per graph. */
export interface LoadReport {
  readonly graphs: Readonly<Record<string, CachedGraph & { readonly sessionSeconds: number }>>;
}

/** Loaded networks; `release()` frees every session. */
export interface PiaModels {
  readonly config: PiaModelConfig;
  readonly unet?: UNetHandle;
  readonly vae?: VaeHandle;
  readonly clip?: ClipHandle;
  readonly report: LoadReport;
  release(): Promise<void>;
}

type Graph = 'unet' | 'vae-encoder' | 'vae-decoder' | 'clip';

/**
 * Loads the PIA U-Net, the VAE and the CLIP text encoder from checkpoint files:
 * `const m = await loadPiaModels({ checkpoint, pia, cacheDir })`, then `m.unet.run(...)`, `m.vae.encode(...)`,
 * `m.vae.decode(...)`, `m.clip.encode(ids)`.
 */
export async function loadPiaModels(options: LoadPiaModelsOptions): Promise<PiaModels> {
  const device = options.device ?? 'cpu';
  // Before any checkpoint is read or graph built: without the provider files every CUDA session would fail anyway.
  if (device === 'cuda') assertCudaProvider(options.cudaProviderDir);
  const precision = options.precision ?? (device === 'cuda' ? 'float16' : 'float32');
  const parts = new Set(options.parts ?? ['unet', 'vae', 'clip']);
  const sd = await openSdCheckpoint(options.checkpoint, options.config);
  const cfg = sd.config;
  let pia: Awaited<ReturnType<typeof openMotionCheckpoint>> | undefined;
  try {
    pia = parts.has('unet') ? await openMotionCheckpoint(options.pia, cfg) : undefined;
  } catch (err) {
    // A bad PIA file must not leave the checkpoint's file handle to the garbage collector.
    await sd.close();
    throw err;
  }
  const graphs: Record<string, CachedGraph & { sessionSeconds: number }> = {};
  const sessions: OnnxSession[] = [];
  try {
    const load = async (graph: Graph, files: readonly string[], build: Parameters<typeof buildCached>[3], extra?: unknown) => {
      const key = await cacheKey({ graph, config: graphConfig(cfg, graph), files, precision, options: extra });
      const cached = await buildCached(options.cacheDir, key, precision, build);
      const started = performance.now();
      const session = await OnnxSession.load(cached.modelPath, {
        executionProviders: [device],
        ...(options.threads !== undefined ? { threads: options.threads } : {}),
        ...(options.spinning !== undefined ? { spinning: options.spinning } : {}),
      });
      sessions.push(session);
      graphs[graph] = { ...cached, sessionSeconds: (performance.now() - started) / 1000 };
      return session;
    };
    const opts = { precision };
    let unet: UNetHandle | undefined;
    if (pia) {
      const weights = piaUNetWeights(sd, pia);
      unet = new UNetHandle(await load('unet', [...sd.files, ...pia.files], (g) => buildUNet(g, weights, cfg.unet, opts)), cfg);
    }
    let vae: VaeHandle | undefined;
    if (parts.has('vae')) {
      const enc = await load('vae-encoder', sd.files, (g) => buildVaeEncoder(g, sd.vae, cfg.vae, opts));
      const dec = await load('vae-decoder', sd.files, (g) => buildVaeDecoder(g, sd.vae, cfg.vae, opts));
      vae = new VaeHandle(enc, dec, cfg);
    }
    let clip: ClipHandle | undefined;
    if (parts.has('clip')) {
      const clipSkip = options.clipSkip ?? 0;
      const s = await load('clip', sd.files, (g) => buildClipTextEncoder(g, sd.clip, cfg.clip, { ...opts, clipSkip }), { clipSkip });
      clip = new ClipHandle(s, cfg);
    }
    return {
      config: cfg,
      ...(unet ? { unet } : {}),
      ...(vae ? { vae } : {}),
      ...(clip ? { clip } : {}),
      report: { graphs },
      release: async () => {
        await Promise.all(sessions.map((s) => s.release()));
      },
    };
  } catch (err) {
    await Promise.all(sessions.map((s) => s.release()));
    throw err;
  } finally {
    await closeAll(sd, pia);
  }
}

async function closeAll(sd: SdCheckpoint, pia: { close(): Promise<void> } | undefined): Promise<void> {
  // Both, even when the first close fails.
  const [a, b] = await Promise.allSettled([sd.close(), pia?.close()]);
  if (a.status === 'rejected') throw a.reason;
  if (b.status === 'rejected') throw b.reason;
}

function graphConfig(cfg: PiaModelConfig, graph: Graph): unknown {
  return graph === 'unet' ? cfg.unet : graph === 'clip' ? cfg.clip : cfg.vae;
}

/** The conventional cache folder under a models folder: `models/.cache`. */
export function defaultCacheDir(modelsDir: string): string {
  return join(modelsDir, '.cache');
}
