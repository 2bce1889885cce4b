/**
 * Loaded models shared by every node of one pack instance: one set of sessions per (checkpoint, PIA file) pair,
 * however many Load Checkpoint or PIA Animate nodes ask for it and however often the output cache is cleared.
 * Loading goes through `loadPiaModels`, so built graphs come from the disk cache under `models/.cache`.
 */
import { join } from 'node:path';
import { defaultCacheDir, loadPiaModels, type PiaModels } from '../models/index.js';
import { loadClipTokenizer, type ClipTokenizer } from '../tokenizer/index.js';
import { PipelineError } from './errors.js';
import { fileStamp, findTokenizer, resolveInside } from './model-folders.js';

/** A loaded pipeline: the three networks and the tokenizer. */
export interface LoadedPipeline {
  readonly key: string;
  readonly checkpointName: string;
  readonly piaName: string;
  readonly models: PiaModels;
  readonly tokenizer: ClipTokenizer;
  /** Seconds the load took (graph builds included); 0 when shared. */
  readonly seconds: number;
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
  readonly prepare?: (checkpointName: string, piaName: string) => Promise<void>;
}

/** Loads and shares PIA pipelines by (checkpoint, PIA file, file stamps). */
export class ModelStore {
  readonly #loads = new Map<string, Promise<LoadedPipeline>>();
  #generation = 0;

  constructor(readonly options: ModelStoreOptions) {}

  /** The pipeline for a checkpoint and a PIA file named as the combos list them; loaded once and shared. */
  async get(checkpointName: string, piaName: string): Promise<LoadedPipeline> {
    await this.options.prepare?.(checkpointName, piaName);
    const checkpoint = resolveInside(join(this.options.modelsDir, 'checkpoints'), checkpointName, 'ckpt_name');
    const pia = resolveInside(join(this.options.modelsDir, 'pia'), piaName, 'pia_name');
    // A replaced file (same name, new stamp) gets new sessions; the old ones are released.
    const key = `${checkpointName}|${piaName}|${fileStamp(checkpoint)}|${fileStamp(pia)}`;
    let load = this.#loads.get(key);
    if (!load) {
      for (const [old, pending] of this.#loads) {
        if (old.startsWith(`${checkpointName}|${piaName}|`)) {
          this.#loads.delete(old);
          void pending.then((p) => p.models.release(), () => undefined);
        }
      }
      load = this.#load(key, checkpointName, piaName, checkpoint, pia);
      this.#loads.set(key, load);
      load.catch(() => this.#loads.delete(key));
      return load;
    }
    return { ...(await load), seconds: 0 };
  }

  async #load(key: string, checkpointName: string, piaName: string, checkpoint: string, pia: string): Promise<LoadedPipeline> {
    const started = performance.now();
    const tokenizerPath = findTokenizer(this.options.modelsDir, checkpoint);
    const tokenizer = await loadClipTokenizer(tokenizerPath);
    const models = await loadPiaModels({
      checkpoint,
      pia,
      cacheDir: defaultCacheDir(this.options.modelsDir),
      device: this.options.device ?? 'cpu',
      ...(this.options.cudaProviderDir !== undefined ? { cudaProviderDir: this.options.cudaProviderDir } : {}),
      ...(this.options.threads !== undefined ? { threads: this.options.threads } : {}),
      ...(this.options.spinning !== undefined ? { spinning: this.options.spinning } : {}),
    });
    if (!models.unet || !models.vae || !models.clip) {
      await models.release();
      throw new PipelineError('model-incomplete', `loading "${checkpointName}" with "${piaName}" gave no U-Net, VAE or CLIP`, { key });
    }
    if (tokenizer.vocabSize > models.config.clip.vocabSize) {
      await models.release();
      throw new PipelineError(
        'model-incomplete',
        `the tokenizer at ${tokenizerPath} has ${tokenizer.vocabSize} ids but the text encoder of "${checkpointName}" embeds ${models.config.clip.vocabSize}`,
        { tokenizerPath },
        'ckpt_name',
      );
    }
    return { key, checkpointName, piaName, models, tokenizer, seconds: (performance.now() - started) / 1000 };
  }

  /**
   * How many times `releaseAll` has run. Values handed out before a release hold released sessions, so whatever
   * caches them (the executor's output cache, through Load Checkpoint's fingerprint) keys on this.
   */
  get generation(): number {
    return this.#generation;
  }

  /** Releases every session (server shutdown, `POST /free`); later `get`s load again. */
  async releaseAll(): Promise<void> {
    const loads = [...this.#loads.values()];
    this.#loads.clear();
    this.#generation++;
    await Promise.all(loads.map((l) => l.then((p) => p.models.release(), () => undefined)));
  }
}
