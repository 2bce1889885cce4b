/**
 * Loaded networks shared by every node of one pack instance. Nodes pass recipes (`recipes.ts`); the store opens one
 * set of sessions per recipe key, however many nodes ask for it and however often the output cache is cleared.
 * Built graphs come from the disk cache under `models/.cache`, so a recipe seen before opens in seconds.
 *
 * A full SD 1.5 U-Net session holds gigabytes, so the store keeps only the few most recently used sessions per
 * kind (a prompt-to-animation graph needs two U-Nets: the image one and PIA's); the least recently used is released
 * when another is opened. Nodes run one at a time, so no node is using a session that is released.
 */
import { join } from 'node:path';
import { checkpointVae, openVaeFile } from '../checkpoints/vae-file.js';
import { openLora, openLoraSession, type LoraFile } from '../lora/index.js';
import {
  ClipHandle,
  clipGraph,
  defaultCacheDir,
  loadVae,
  sessionOptionsOf,
  UNetHandle,
  UNET_IO,
  unetGraph,
  sdConfigOf,
  resolveSessionSettings,
  type Loaded,
  type PiaModelConfig,
  type Precision,
  type SessionSettings,
  type VaeHandle,
} from '../models/index.js';
import { OnnxSession, type Device } from '../onnx/index.js';
import { loadClipTokenizer, type ClipTokenizer } from '../tokenizer/index.js';
import { PipelineError } from './errors.js';
import { fileStamp, findTokenizer, resolveInside } from './model-folders.js';
import { recipeKey, type ClipRecipe, type LoraApplication, type ModelFile, type ModelRecipe, type VaeRecipe } from './recipes.js';

/** The model folders under `models/` that nodes pick files from (ComfyUI's folder names). */
export type ModelFolder = 'checkpoints' | 'pia' | 'vae' | 'loras';

/** A text encoder ready to encode: the session and the tokenizer that goes with it. */
export interface LoadedClip {
  readonly encoder: ClipHandle;
  readonly tokenizer: ClipTokenizer;
}

/** Options of a {@link ModelStore}. */
export interface ModelStoreOptions {
  readonly modelsDir: string;
  readonly device?: Device;
  /** Graph precision (default: float32 on the CPU, float16 on a GPU). */
  readonly precision?: Precision;
  /** Where the CUDA provider libraries must be for `device: 'cuda'` (default: next to onnxruntime-node's binding). */
  readonly cudaProviderDir?: string;
  /** onnxruntime threads per session (default: onnxruntime's choice). */
  readonly threads?: number;
  /** Whether idle onnxruntime threads spin (default: off unless `PIAGRAPH_ORT_SPINNING=1`). */
  readonly spinning?: boolean;
  /** Called before a name is resolved, so the demo models can be written on first use. */
  readonly prepare?: (folder: ModelFolder, name: string) => Promise<void>;
  /** Sessions kept per kind before the least recently used is released (default 2). */
  readonly keepPerKind?: number;
}

/** Sessions by recipe key, least recently used first (a Map keeps insertion order; a hit re-inserts). */
class SessionCache<T extends { release(): Promise<void> }> {
  readonly #entries = new Map<string, Promise<T>>();

  constructor(private readonly capacity: number) {}

  async get(key: string, open: () => Promise<T>): Promise<T> {
    let entry = this.#entries.get(key);
    if (entry) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
      return entry;
    }
    entry = open();
    this.#entries.set(key, entry);
    entry.catch(() => {
      if (this.#entries.get(key) === entry) this.#entries.delete(key);
    });
    while (this.#entries.size > this.capacity) {
      const [oldest, pending] = this.#entries.entries().next().value as [string, Promise<T>];
      this.#entries.delete(oldest);
      void pending.then((h) => h.release(), () => undefined);
    }
    return entry;
  }

  async releaseAll(): Promise<void> {
    const pending = [...this.#entries.values()];
    this.#entries.clear();
    await Promise.all(pending.map((p) => p.then((h) => h.release(), () => undefined)));
  }
}

/** A loaded text encoder is released with its session; the tokenizer holds nothing. */
const clipEntry = (encoder: ClipHandle, tokenizer: ClipTokenizer) => ({ encoder, tokenizer, release: () => encoder.release() });

/** Opens and shares the sessions that recipes describe. */
export class ModelStore {
  readonly #unets: SessionCache<UNetHandle>;
  readonly #clips: SessionCache<LoadedClip & { release(): Promise<void> }>;
  readonly #vaes: SessionCache<VaeHandle>;
  readonly #configs = new Map<string, Promise<PiaModelConfig>>();
  /** Opened LoRA files by path, stamp and config (their factors are small next to the networks). */
  readonly #loraFiles = new Map<string, Promise<LoraFile>>();
  /** Seconds the last `open*` that really loaded took, for the node's status text. */
  lastLoadSeconds = 0;

  constructor(readonly options: ModelStoreOptions) {
    const keep = options.keepPerKind ?? 2;
    this.#unets = new SessionCache(keep);
    this.#clips = new SessionCache(keep);
    this.#vaes = new SessionCache(keep);
  }

  /**
   * The session settings, once the device has been checked (a WebGPU probe runs once per process, so a machine
   * without a Vulkan driver fails the first load with the fix in its message, before any graph is built).
   */
  async #settings(): Promise<SessionSettings> {
    return resolveSessionSettings({
      cacheDir: defaultCacheDir(this.options.modelsDir),
      device: this.options.device ?? 'cpu',
      ...(this.options.precision !== undefined ? { precision: this.options.precision } : {}),
      ...(this.options.cudaProviderDir !== undefined ? { cudaProviderDir: this.options.cudaProviderDir } : {}),
      ...(this.options.threads !== undefined ? { threads: this.options.threads } : {}),
      ...(this.options.spinning !== undefined ? { spinning: this.options.spinning } : {}),
    });
  }

  /** A file of a model folder by its combo name (`input` names the widget in errors); demo files are written first. */
  async file(folder: ModelFolder, name: string, input: string): Promise<ModelFile> {
    await this.options.prepare?.(folder, name);
    const path = resolveInside(join(this.options.modelsDir, folder), name, input);
    const stamp = fileStamp(path);
    if (stamp === 'missing') {
      throw new PipelineError('model-not-found', `"${name}" is not in ${join(this.options.modelsDir, folder)}`, { name, folder }, input);
    }
    return { name, path, stamp };
  }

  /**
   * A LoRA file picked by its combo name, for a MODEL or CLIP of `config`: opened and matched now, so a LoRA of
   * another family or one that matches nothing fails at its loader node, naming the file and the keys.
   */
  async lora(name: string, config: PiaModelConfig): Promise<ModelFile> {
    const file = await this.file('loras', name, 'lora_name');
    await this.#openLora(file, config);
    return file;
  }

  /** The model config a checkpoint binds with (read from its shapes once per file version). */
  configOf(checkpoint: ModelFile): Promise<PiaModelConfig> {
    const key = `${checkpoint.path}@${checkpoint.stamp}`;
    let config = this.#configs.get(key);
    if (!config) {
      config = sdConfigOf(checkpoint.path);
      this.#configs.set(key, config);
      config.catch(() => this.#configs.delete(key));
    }
    return config;
  }

  /**
   * The U-Net a MODEL recipe describes. With LoRAs, the cached graph of the base weights is opened with the
   * targeted weights replaced (`openLoraSession`), so a new strength costs a merge and a session, not a graph build.
   */
  unet(recipe: ModelRecipe): Promise<UNetHandle> {
    return this.#unets.get(recipeKey(recipe), async () => {
      const settings = await this.#settings();
      const sources = { checkpoint: recipe.checkpoint.path, ...(recipe.pia ? { pia: recipe.pia.path } : {}) };
      const started = performance.now();
      const built = await unetGraph(sources, settings, recipe.config);
      const session = await this.#open(built.graph.modelPath, recipe.loras, recipe.config, settings, [UNET_IO.out]);
      this.lastLoadSeconds = (performance.now() - started) / 1000;
      return new UNetHandle(session, built.config, built.variant);
    });
  }

  /** A session on a cached graph, with `loras` merged in when there are any. */
  async #open(modelPath: string, loras: readonly LoraApplication[], config: PiaModelConfig, settings: SessionSettings, deviceOutputs: readonly string[] = []): Promise<OnnxSession> {
    const options = sessionOptionsOf(settings, deviceOutputs);
    if (loras.length === 0) return OnnxSession.load(modelPath, options);
    const patches = await Promise.all(loras.map(async (l) => ({ lora: await this.#openLora(l.file, config), strength: l.strength })));
    return (await openLoraSession(modelPath, patches, options)).session;
  }

  #openLora(file: ModelFile, config: PiaModelConfig): Promise<LoraFile> {
    const key = `${file.path}@${file.stamp}@${config.name}`;
    let lora = this.#loraFiles.get(key);
    if (!lora) {
      lora = openLora(file.path, { config });
      this.#loraFiles.set(key, lora);
      lora.catch(() => this.#loraFiles.delete(key));
    }
    return lora;
  }

  /** The text encoder and tokenizer a CLIP recipe describes. */
  clip(recipe: ClipRecipe): Promise<LoadedClip> {
    return this.#clips.get(recipeKey(recipe), async () => {
      const tokenizerPath = findTokenizer(this.options.modelsDir, recipe.checkpoint.path);
      const tokenizer = await loadClipTokenizer(tokenizerPath);
      if (tokenizer.vocabSize > recipe.config.clip.vocabSize) {
        throw new PipelineError(
          'model-incomplete',
          `the tokenizer at ${tokenizerPath} has ${tokenizer.vocabSize} ids but the text encoder of "${recipe.checkpoint.name}" embeds ${recipe.config.clip.vocabSize}`,
          { tokenizerPath },
          'ckpt_name',
        );
      }
      const settings = await this.#settings();
      const started = performance.now();
      const built = await clipGraph(recipe.checkpoint.path, recipe.clipSkip, settings, recipe.config);
      const encoder = new ClipHandle(await this.#open(built.graph.modelPath, recipe.loras, recipe.config, settings), built.config);
      this.lastLoadSeconds = (performance.now() - started) / 1000;
      return clipEntry(encoder, tokenizer);
    });
  }

  /** The VAE a VAE recipe describes. */
  vae(recipe: VaeRecipe): Promise<VaeHandle> {
    return this.#vaes.get(recipeKey(recipe), async () => {
      const settings = await this.#settings();
      const source = recipe.source === 'checkpoint' ? await checkpointVae(recipe.file.path, recipe.config) : await openVaeFile(recipe.file.path);
      return this.#timed(await loadVae(source, settings));
    });
  }

  #timed<T>(loaded: Loaded<T>): T {
    this.lastLoadSeconds = Object.values(loaded.report.graphs).reduce((s, g) => s + g.buildSeconds + g.sessionSeconds, 0);
    return loaded.handle;
  }

  /** Releases every session (server shutdown, `POST /free`); later requests load again. */
  async releaseAll(): Promise<void> {
    await Promise.all([this.#unets.releaseAll(), this.#clips.releaseAll(), this.#vaes.releaseAll()]);
  }
}
