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
import { openLiveLoraSession, openLora, openLoraSession, openPatchedSession, type LoraFile, type LoraPatch } from '../lora/index.js';
import { motionUNetGraph, withMotionPatch } from '../motion/index.js';
import {
  ClipHandle,
  clipGraph,
  defaultCacheDir,
  loadVae,
  sessionOptionsOf,
  UNetHandle,
  unetGraph,
  sdConfigOf,
  sessionSettings,
  type Loaded,
  type ModelWeights,
  type PiaModelConfig,
  type SessionSettings,
  type VaeHandle,
} from '../models/index.js';
import { OnnxSession } from '../onnx/index.js';
import { loadClipTokenizer, type ClipTokenizer } from '../tokenizer/index.js';
import { PipelineError } from './errors.js';
import { fileStamp, findTokenizer, resolveInside } from './model-folders.js';
import { recipeKey, strengthsKey, type ClipRecipe, type LoraApplication, type ModelFile, type ModelRecipe, type VaeRecipe } from './recipes.js';

/** The model folders under `models/` that nodes pick files from (ComfyUI's folder names). */
export type ModelFolder = 'checkpoints' | 'pia' | 'vae' | 'loras' | 'animatediff_models' | 'animatediff_motion_lora';

/** A text encoder ready to encode: the session and the tokenizer that goes with it. */
export interface LoadedClip {
  readonly encoder: ClipHandle;
  readonly tokenizer: ClipTokenizer;
}

/** Options of a {@link ModelStore}. */
export interface ModelStoreOptions {
  readonly modelsDir: string;
  readonly device?: 'cpu' | 'cuda';
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

/** How a live LoRA session takes new strengths, and the strengths it holds now. */
interface LoraTuner {
  strengths: string;
  setLoras(patches: readonly LoraPatch[]): Promise<unknown>;
}

/** A loaded text encoder is released with its session; the tokenizer holds nothing. */
const clipEntry = (encoder: ClipHandle, tokenizer: ClipTokenizer) => ({ encoder, tokenizer, release: () => encoder.release() });

/** Opens and shares the sessions that recipes describe. */
export class ModelStore {
  readonly #unets: SessionCache<UNetHandle>;
  readonly #clips: SessionCache<LoadedClip & { release(): Promise<void> }>;
  readonly #vaes: SessionCache<VaeHandle>;
  readonly #configs = new Map<string, Promise<PiaModelConfig>>();
  /** Live LoRA sessions' re-merge, by the handle that runs them. */
  readonly #tuners = new WeakMap<object, LoraTuner>();
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

  #settings(): SessionSettings {
    return sessionSettings({
      cacheDir: defaultCacheDir(this.options.modelsDir),
      device: this.options.device ?? 'cpu',
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

  /** A motion model by its `model_name` (see `listMotionModels`): `models/animatediff_models/` first, then `models/pia/`. */
  async motionModelFile(name: string, input = 'model_name'): Promise<ModelFile> {
    await this.options.prepare?.('animatediff_models', name);
    const primary = resolveInside(join(this.options.modelsDir, 'animatediff_models'), name, input);
    if (fileStamp(primary) !== 'missing') return { name, path: primary, stamp: fileStamp(primary) };
    await this.options.prepare?.('pia', name);
    const pia = resolveInside(join(this.options.modelsDir, 'pia'), name, input);
    const stamp = fileStamp(pia);
    if (stamp === 'missing') {
      throw new PipelineError('model-not-found', `"${name}" is in neither ${join(this.options.modelsDir, 'animatediff_models')} nor ${join(this.options.modelsDir, 'pia')}`, { name }, input);
    }
    return { name, path: pia, stamp };
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
   * The U-Net a MODEL recipe describes. With LoRAs, the cached graph of the base weights is opened with the targeted
   * weights replaced, never rebuilt. On the CPU the replaced layers are bound inputs of one session per set of LoRA
   * files (`openLiveLoraSession`), so a new strength only re-merges them (seconds at full size, where a new session
   * takes minutes); on a GPU that would upload the layers on every run, so each strength gets its own session.
   */
  async unet(recipe: ModelRecipe): Promise<UNetHandle> {
    // Motion recipes keep a session per strength: their LoRAs are merged with the motion patches (see #open).
    const handle = await this.#unets.get(recipeKey(recipe, { strengths: !this.#liveLoras || recipe.motion !== undefined }), async () => {
      const settings = this.#settings();
      const started = performance.now();
      if (recipe.motion) {
        const motion = recipe.motion;
        const built = await motionUNetGraph({ checkpoint: recipe.checkpoint.path, motion: motion.file.path, norms: motion.norms }, settings, recipe.config);
        const session = await withMotionPatch(motion, async (replaced) => (await this.#open(built.graph.modelPath, recipe.loras, recipe.config, settings, replaced)).session);
        this.lastLoadSeconds = (performance.now() - started) / 1000;
        return new UNetHandle(session, built.config, built.variant);
      }
      const sources = { checkpoint: recipe.checkpoint.path, ...(recipe.pia ? { pia: recipe.pia.path } : {}) };
      const built = await unetGraph(sources, settings, recipe.config);
      const opened = await this.#open(built.graph.modelPath, recipe.loras, recipe.config, settings);
      this.lastLoadSeconds = (performance.now() - started) / 1000;
      return this.#track(new UNetHandle(opened.session, built.config, built.variant), opened.tuner);
    });
    await this.#retune(handle, recipe.loras, recipe.config);
    return handle;
  }

  /** Whether LoRA strengths are changed in place (see {@link unet}). */
  get #liveLoras(): boolean {
    return (this.options.device ?? 'cpu') === 'cpu';
  }

  /** A session on a cached graph, with `loras` merged in and `replaced` tensors swapped in when there are any. */
  async #open(
    modelPath: string,
    loras: readonly LoraApplication[],
    config: PiaModelConfig,
    settings: SessionSettings,
    /** Tensors swapped in besides the LoRAs (a motion model's patches); given, the session is never a live one. */
    replaced?: ModelWeights,
  ): Promise<{ session: OnnxSession; tuner?: LoraTuner }> {
    const swapped = replaced ?? new Map();
    if (loras.length === 0 && swapped.size === 0) return { session: await OnnxSession.load(modelPath, sessionOptionsOf(settings)) };
    if (loras.length === 0) return { session: (await openPatchedSession(modelPath, swapped, sessionOptionsOf(settings))).session };
    const patches = await this.#patches(loras, config);
    if (!this.#liveLoras || replaced) return { session: (await openLoraSession(modelPath, patches, sessionOptionsOf(settings), swapped)).session };
    const live = await openLiveLoraSession(modelPath, patches, sessionOptionsOf(settings));
    return { session: live.session, tuner: { strengths: strengthsKey(loras), setLoras: (p) => live.setLoras(p) } };
  }

  #patches(loras: readonly LoraApplication[], config: PiaModelConfig) {
    return Promise.all(loras.map(async (l) => ({ lora: await this.#openLora(l.file, config), strength: l.strength })));
  }

  #track<T extends object>(handle: T, tuner: LoraTuner | undefined): T {
    if (tuner) this.#tuners.set(handle, tuner);
    return handle;
  }

  /** Re-merges a live LoRA session's layers when the recipe asks for other strengths than it holds. */
  async #retune(handle: object, loras: readonly LoraApplication[], config: PiaModelConfig): Promise<void> {
    const tuner = this.#tuners.get(handle);
    if (!tuner || tuner.strengths === strengthsKey(loras)) return;
    const started = performance.now();
    await tuner.setLoras(await this.#patches(loras, config));
    tuner.strengths = strengthsKey(loras);
    this.lastLoadSeconds = (performance.now() - started) / 1000;
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
  async clip(recipe: ClipRecipe): Promise<LoadedClip> {
    const entry = await this.#clips.get(recipeKey(recipe, { strengths: !this.#liveLoras }), async () => {
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
      const settings = this.#settings();
      const started = performance.now();
      const built = await clipGraph(recipe.checkpoint.path, recipe.clipSkip, settings, recipe.config);
      const opened = await this.#open(built.graph.modelPath, recipe.loras, recipe.config, settings);
      this.lastLoadSeconds = (performance.now() - started) / 1000;
      return this.#track(clipEntry(new ClipHandle(opened.session, built.config), tokenizer), opened.tuner);
    });
    await this.#retune(entry, recipe.loras, recipe.config);
    return entry;
  }

  /** The VAE a VAE recipe describes. */
  vae(recipe: VaeRecipe): Promise<VaeHandle> {
    return this.#vaes.get(recipeKey(recipe), async () => {
      const source = recipe.source === 'checkpoint' ? await checkpointVae(recipe.file.path, recipe.config) : await openVaeFile(recipe.file.path);
      return this.#timed(await loadVae(source, this.#settings()));
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
