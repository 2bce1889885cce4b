/**
 * The one entry point from checkpoint paths to ready onnxruntime sessions: binds the files (any supported layout),
 * builds or reuses the cached graphs, and opens sessions.
 */
import { join } from 'node:path';
import { imageUNetWeights, openMotionCheckpoint, openSdCheckpoint, piaUNetWeights, type MotionCheckpoint, type SdCheckpoint } from '../checkpoints/resolve.js';
import { checkpointVae, type VaeSource } from '../checkpoints/vae-file.js';
import { OnnxSession, assertCudaProvider, assertDevice, deviceGraphChoices, isGpuDevice, type Device, type GraphBuilder, type WebGpuLayout } from '../onnx/index.js';
import type { SessionOptions } from '../onnx/session.js';
import { buildCached, cacheKey, type CachedGraph } from './cache.js';
import { buildClipTextEncoder } from './clip.js';
import type { PiaModelConfig } from './config.js';
import { ClipHandle, UNetHandle, VaeHandle } from './handles.js';
import type { Precision } from './tensors.js';
import { UNET_IO, buildUNet, unetVariantOf, type BuildOptions, type UNetVariant } from './unet.js';
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
  readonly device?: Device;
  /** Weights/compute type; default float32 on the CPU, float16 on a GPU (CUDA, WebGPU). */
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
  /** Environment the WebGPU probe runs in when `device` is `webgpu` (default this process's). */
  readonly probeEnv?: NodeJS.ProcessEnv;
  /**
   * Build attention with onnxruntime's fused MultiHeadAttention (else plain MatMul/Softmax). Default: on the CPU, and
   * on a GPU where `deviceGraphChoices` finds the fused op correct.
   */
  readonly fusedAttention?: boolean;
  /** WebGPU's layout for convolutions (default: NHWC where `deviceGraphChoices` finds it correct, else NCHW). */
  readonly webgpuLayout?: WebGpuLayout;
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

/** Where and how sessions are opened: shared by the per-network loaders. */
export interface SessionSettings {
  readonly cacheDir: string;
  readonly device: Device;
  readonly precision: Precision;
  /** Whether attention is built with the fused op (see `LoadPiaModelsOptions.fusedAttention`). */
  readonly fusedAttention: boolean;
  readonly webgpuLayout?: WebGpuLayout;
  /** U-Net conv_in's input channels padded to this many (WebGPU in NHWC where 9 channels are wrong); see `convPaddedTo`. */
  readonly convInChannels?: number;
  readonly threads?: number;
  readonly spinning?: boolean;
}

/**
 * The settings of `options` with their defaults, after the checks that can be made at once: CUDA's provider files.
 * WebGPU needs a probe in a child process, so callers that open sessions await {@link checkDevice} as well.
 */
export function sessionSettings(options: Omit<LoadPiaModelsOptions, 'checkpoint' | 'pia'>): SessionSettings {
  const device = options.device ?? 'cpu';
  // Before any checkpoint is read or graph built: without the provider files every CUDA session would fail anyway.
  if (device === 'cuda') assertCudaProvider(options.cudaProviderDir);
  return {
    cacheDir: options.cacheDir,
    device,
    precision: options.precision ?? (isGpuDevice(device) ? 'float16' : 'float32'),
    fusedAttention: options.fusedAttention ?? true,
    ...(options.webgpuLayout !== undefined ? { webgpuLayout: options.webgpuLayout } : {}),
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
    ...(options.spinning !== undefined ? { spinning: options.spinning } : {}),
  };
}

/** Rejects unless the device of `options` can run here (CUDA's provider files, a WebGPU adapter); see `assertDevice`. */
export function checkDevice(options: Pick<LoadPiaModelsOptions, 'device' | 'cudaProviderDir' | 'probeEnv'>): Promise<void> {
  return assertDevice(options.device ?? 'cpu', {
    ...(options.cudaProviderDir !== undefined ? { cudaProviderDir: options.cudaProviderDir } : {}),
    ...(options.probeEnv !== undefined ? { env: options.probeEnv } : {}),
  });
}

/**
 * {@link sessionSettings} once the device has been checked ({@link checkDevice}), with the attention form and WebGPU
 * layout the device computes correctly (`deviceGraphChoices`): what every loader that opens sessions should use.
 */
export async function resolveSessionSettings(options: Omit<LoadPiaModelsOptions, 'checkpoint' | 'pia'>): Promise<SessionSettings> {
  const settings = sessionSettings(options);
  await checkDevice(options);
  const choices = await deviceGraphChoices(settings.device);
  const layout = options.webgpuLayout ?? choices.webgpuLayout;
  // The padding is the device's fix for NHWC; a layout given by the caller takes the graphs as they are.
  const convInChannels = options.webgpuLayout === undefined ? choices.convInChannels : undefined;
  return {
    ...settings,
    fusedAttention: options.fusedAttention ?? choices.fusedAttention,
    ...(layout ? { webgpuLayout: layout } : {}),
    ...(convInChannels !== undefined ? { convInChannels } : {}),
  };
}

/** The cache-key options of a graph: the plain attention form is a different graph (the fused one keeps old keys). */
export function graphKeyOptions(settings: SessionSettings, extra?: Record<string, unknown>): Record<string, unknown> | undefined {
  return settings.fusedAttention ? extra : { ...extra, attention: 'plain' };
}

/** {@link graphKeyOptions} of a U-Net graph, which a padded conv_in also changes. */
export function unetKeyOptions(settings: SessionSettings, extra?: Record<string, unknown>): Record<string, unknown> | undefined {
  const options = graphKeyOptions(settings, extra);
  return settings.convInChannels === undefined ? options : { ...options, convInChannels: settings.convInChannels };
}

/** The U-Net build options that follow from the session settings (precision and the device's graph forms). */
export function unetBuildOptions(settings: SessionSettings): BuildOptions {
  return {
    precision: settings.precision,
    fusedAttention: settings.fusedAttention,
    ...(settings.convInChannels !== undefined ? { convInChannels: settings.convInChannels } : {}),
  };
}

/** A session opened from a cached graph, with how long building and opening took. */
interface OpenedGraph {
  readonly session: OnnxSession;
  readonly report: CachedGraph & { readonly sessionSeconds: number };
}

/** Builds (or finds in the cache) one graph. */
async function cachedGraph(
  settings: SessionSettings,
  graph: Graph,
  config: unknown,
  files: readonly string[],
  build: Parameters<typeof buildCached>[3],
  extra?: Record<string, unknown>,
): Promise<CachedGraph> {
  const options = graph === 'unet' ? unetKeyOptions(settings, extra) : graphKeyOptions(settings, extra);
  const key = await cacheKey({ graph, config, files, precision: settings.precision, options });
  return buildCached(settings.cacheDir, key, settings.precision, build);
}

/**
 * onnxruntime session options of `settings`; `deviceOutputs` stay on a device that can keep them (the U-Net's
 * noise prediction, so a device-resident sampler never copies it to the host).
 */
export function sessionOptionsOf(settings: SessionSettings, deviceOutputs: readonly string[] = []): SessionOptions {
  return {
    executionProviders: [settings.device],
    ...(deviceOutputs.length > 0 ? { deviceOutputs } : {}),
    ...(settings.webgpuLayout ? { webgpuLayout: settings.webgpuLayout } : {}),
    ...(settings.threads !== undefined ? { threads: settings.threads } : {}),
    ...(settings.spinning !== undefined ? { spinning: settings.spinning } : {}),
  };
}

/** Builds (or finds in the cache) one graph and opens a session on it. */
async function openGraph(
  settings: SessionSettings,
  graph: Graph,
  config: unknown,
  files: readonly string[],
  build: Parameters<typeof buildCached>[3],
  extra?: Record<string, unknown>,
): Promise<OpenedGraph> {
  return openCached(await cachedGraph(settings, graph, config, files, build, extra), settings);
}

/** Opens a session on a graph already on disk, timing it. */
async function openCached(cached: CachedGraph, settings: SessionSettings, deviceOutputs: readonly string[] = []): Promise<OpenedGraph> {
  const started = performance.now();
  const session = await OnnxSession.load(cached.modelPath, sessionOptionsOf(settings, deviceOutputs));
  return { session, report: { ...cached, sessionSeconds: (performance.now() - started) / 1000 } };
}

/** What a U-Net is made of: a checkpoint, and PIA's motion and condition modules for the video U-Net. */
export interface UNetSources {
  readonly checkpoint: string;
  /** PIA file (`pia.ckpt`) or MotionAdapter; absent: the plain image U-Net of the checkpoint. */
  readonly pia?: string;
}

/** A loaded network with its load report. */
export interface Loaded<T> {
  readonly handle: T;
  readonly report: LoadReport;
}

/** A built U-Net graph on disk, with what a handle needs to run it. */
export interface UNetGraph {
  readonly graph: CachedGraph;
  readonly config: PiaModelConfig;
  readonly variant: UNetVariant;
}

/** Builds (or finds in the cache) the image U-Net of a checkpoint, or PIA's video U-Net when `sources.pia` is given. */
export async function unetGraph(sources: UNetSources, settings: SessionSettings, config?: PiaModelConfig): Promise<UNetGraph> {
  const sd = await openSdCheckpoint(sources.checkpoint, config);
  let pia: MotionCheckpoint | undefined;
  try {
    const cfg = sd.config;
    pia = sources.pia !== undefined ? await openMotionCheckpoint(sources.pia, cfg) : undefined;
    const weights = pia ? piaUNetWeights(sd, pia) : imageUNetWeights(sd);
    const files = [...sd.files, ...(pia?.files ?? [])];
    const variant = unetVariantOf(weights);
    // The PIA graph keeps the cache key it always had; the image graph adds its variant.
    const graph = await cachedGraph(settings, 'unet', cfg.unet, files, (g) => buildUNet(g, weights, cfg.unet, unetBuildOptions(settings)), pia ? undefined : { variant });
    return { graph, config: cfg, variant };
  } finally {
    await closeAll(sd, pia);
  }
}

/** Loads the image U-Net of a checkpoint, or PIA's video U-Net when `sources.pia` is given. */
export async function loadUNet(sources: UNetSources, settings: SessionSettings, config?: PiaModelConfig): Promise<Loaded<UNetHandle>> {
  const built = await unetGraph(sources, settings, config);
  const { session, report } = await openCached(built.graph, settings, [UNET_IO.out]);
  return { handle: new UNetHandle(session, built.config, built.variant), report: { graphs: { unet: report } } };
}

/** Loads the VAE of a checkpoint (or of a standalone VAE file, see `openVaeSource`). */
export async function loadVae(source: VaeSource, settings: SessionSettings): Promise<Loaded<VaeHandle>> {
  try {
    const cfg = source.config;
    const enc = await openGraph(settings, 'vae-encoder', cfg.vae, source.files, (g) => buildVaeEncoder(g, source.vae, cfg.vae, { precision: settings.precision, fusedAttention: settings.fusedAttention }));
    try {
      const dec = await openGraph(settings, 'vae-decoder', cfg.vae, source.files, (g) => buildVaeDecoder(g, source.vae, cfg.vae, { precision: settings.precision, fusedAttention: settings.fusedAttention }));
      return { handle: new VaeHandle(enc.session, dec.session, cfg), report: { graphs: { 'vae-encoder': enc.report, 'vae-decoder': dec.report } } };
    } catch (err) {
      await enc.session.release();
      throw err;
    }
  } finally {
    await source.close();
  }
}

/** Builds (or finds in the cache) the CLIP text encoder of a checkpoint, `clipSkip` layers cut from the end. */
export async function clipGraph(checkpoint: string, clipSkip: number, settings: SessionSettings, config?: PiaModelConfig): Promise<{ graph: CachedGraph; config: PiaModelConfig }> {
  const sd = await openSdCheckpoint(checkpoint, config);
  try {
    const cfg = sd.config;
    const build = (g: GraphBuilder) => buildClipTextEncoder(g, sd.clip, cfg.clip, { precision: settings.precision, clipSkip });
    return { graph: await cachedGraph(settings, 'clip', cfg.clip, sd.files, build, { clipSkip }), config: cfg };
  } finally {
    await sd.close();
  }
}

/** Loads the CLIP text encoder of a checkpoint, `clipSkip` layers cut from the end. */
export async function loadClip(checkpoint: string, clipSkip: number, settings: SessionSettings, config?: PiaModelConfig): Promise<Loaded<ClipHandle>> {
  const built = await clipGraph(checkpoint, clipSkip, settings, config);
  const { session, report } = await openCached(built.graph, settings);
  return { handle: new ClipHandle(session, built.config), report: { graphs: { clip: report } } };
}

/**
 * Loads the PIA U-Net, the VAE and the CLIP text encoder from checkpoint files:
 * `const m = await loadPiaModels({ checkpoint, pia, cacheDir })`, then `m.unet.run(...)`, `m.vae.encode(...)`,
 * `m.vae.decode(...)`, `m.clip.encode(ids)`.
 */
export async function loadPiaModels(options: LoadPiaModelsOptions): Promise<PiaModels> {
  const settings = await resolveSessionSettings(options);
  const parts = new Set(options.parts ?? ['unet', 'vae', 'clip']);
  // The config is read once, so a checkpoint that does not open fails before any graph is built.
  const config = options.config ?? (await sdConfigOf(options.checkpoint));
  const handles: { release(): Promise<void> }[] = [];
  const graphs: Record<string, CachedGraph & { sessionSeconds: number }> = {};
  const keep = <T extends { release(): Promise<void> }>(loaded: Loaded<T>): T => {
    handles.push(loaded.handle);
    Object.assign(graphs, loaded.report.graphs);
    return loaded.handle;
  };
  try {
    const unet = parts.has('unet') ? keep(await loadUNet({ checkpoint: options.checkpoint, pia: options.pia }, settings, config)) : undefined;
    const vae = parts.has('vae') ? keep(await loadVae(await checkpointVae(options.checkpoint, config), settings)) : undefined;
    const clip = parts.has('clip') ? keep(await loadClip(options.checkpoint, options.clipSkip ?? 0, settings, config)) : undefined;
    return {
      config,
      ...(unet ? { unet } : {}),
      ...(vae ? { vae } : {}),
      ...(clip ? { clip } : {}),
      report: { graphs },
      release: async () => {
        await Promise.all(handles.map((h) => h.release()));
      },
    };
  } catch (err) {
    await Promise.all(handles.map((h) => h.release()));
    throw err;
  }
}

/** The config a checkpoint binds with (its file is opened and closed again). */
export async function sdConfigOf(checkpoint: string): Promise<PiaModelConfig> {
  const sd = await openSdCheckpoint(checkpoint);
  await sd.close();
  return sd.config;
}

async function closeAll(sd: SdCheckpoint, pia: { close(): Promise<void> } | undefined): Promise<void> {
  // Both, even when the first close fails.
  const [a, b] = await Promise.allSettled([sd.close(), pia?.close()]);
  if (a.status === 'rejected') throw a.reason;
  if (b.status === 'rejected') throw b.reason;
}

/** The conventional cache folder under a models folder: `models/.cache`. */
export function defaultCacheDir(modelsDir: string): string {
  return join(modelsDir, '.cache');
}
