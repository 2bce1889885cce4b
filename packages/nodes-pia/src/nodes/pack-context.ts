/**
 * What the PIA nodes share within one pack instance: the host's folders, the model store and the video formats this
 * machine can write.
 */
import type { Precision } from '../models/index.js';
import type { Device } from '../onnx/index.js';
import { VIDEO_FORMATS, availableVideoFormats, type VideoFormat } from '../video/index.js';
import { DEMO_CHECKPOINT, DEMO_IMAGE, DEMO_LORA, DEMO_PIA, DEMO_VAE, ensureDemoImage, ensureDemoModelsFor, withDemo } from '../pipeline/demo-assets.js';
import { DEMO_MOTION_MODELS } from '../pipeline/demo-motion.js';
import { listCheckpoints, listInputImages, listModelFiles, listMotionModels, listPiaFiles } from '../pipeline/model-folders.js';
import { ModelStore, type ModelFolder } from '../pipeline/model-store.js';
import { checkpointRecipes, type ClipRecipe, type ModelRecipe, type VaeRecipe } from '../pipeline/recipes.js';

/** The folders and settings a host gives the pack (see `PiaPackOptions`). */
export interface PackSettings {
  readonly modelsDir: string;
  readonly inputDir: string;
  readonly outputDir: string;
  readonly tempDir: string;
  readonly device?: Device;
  /** Graph precision (default: float32 on the CPU, float16 on a GPU). */
  readonly precision?: Precision;
  /** Where the CUDA provider libraries must be for `device: 'cuda'` (default: next to onnxruntime-node's binding). */
  readonly cudaProviderDir?: string;
  readonly threads?: number;
  /** Whether idle onnxruntime threads spin (default: off unless `PIAGRAPH_ORT_SPINNING=1`). */
  readonly spinning?: boolean;
  /** Offer the tiny demo models (written on first use) and the demo picture (written when the pack is created). Default true. */
  readonly demo?: boolean;
}

/** Shared state of one pack instance. */
export class PackContext {
  readonly store: ModelStore;
  #formats: readonly VideoFormat[] = VIDEO_FORMATS.map((f) => f.format);
  readonly formatsReady: Promise<readonly VideoFormat[]>;
  /**
   * Settles once the demo picture is in `input/`. It is written when the pack is created, not on first use, so the
   * editor's Load Image thumbnail of the first-start example shows before anything has run. Never rejects: a failed
   * write is tried again, and reported, when a graph first needs the picture.
   */
  readonly demoImageReady: Promise<void>;

  constructor(readonly settings: PackSettings) {
    this.store = new ModelStore({
      modelsDir: settings.modelsDir,
      ...(settings.device ? { device: settings.device } : {}),
      ...(settings.precision ? { precision: settings.precision } : {}),
      ...(settings.cudaProviderDir !== undefined ? { cudaProviderDir: settings.cudaProviderDir } : {}),
      ...(settings.threads !== undefined ? { threads: settings.threads } : {}),
      ...(settings.spinning !== undefined ? { spinning: settings.spinning } : {}),
      prepare: (folder, name) => this.prepareModels(folder, name),
    });
    // Combo option functions are synchronous: until ffmpeg has been probed every format is offered, and Save
    // Video's validation (which may wait) refuses the ones this machine cannot write.
    this.formatsReady = availableVideoFormats().then((formats) => (this.#formats = formats));
    this.demoImageReady = this.demo ? ensureDemoImage(settings.inputDir).then(() => undefined, () => undefined) : Promise.resolve();
  }

  get demo(): boolean {
    return this.settings.demo ?? true;
  }

  /** The video formats to offer now. */
  videoFormats(): readonly VideoFormat[] {
    return this.#formats;
  }

  checkpoints(): string[] {
    const names = listCheckpoints(this.settings.modelsDir);
    return this.demo ? withDemo(names, DEMO_CHECKPOINT) : names;
  }

  piaFiles(): string[] {
    const names = listPiaFiles(this.settings.modelsDir);
    return this.demo ? withDemo(names, DEMO_PIA) : names;
  }

  vaeFiles(): string[] {
    const names = listModelFiles(this.settings.modelsDir, 'vae');
    return this.demo ? withDemo(names, DEMO_VAE) : names;
  }

  loraFiles(): string[] {
    const names = listModelFiles(this.settings.modelsDir, 'loras');
    return this.demo ? withDemo(names, DEMO_LORA) : names;
  }

  /** ADE's `model_name` list: `models/animatediff_models/` and `models/pia/`, with the demo motion models. */
  motionModels(): string[] {
    let names = listMotionModels(this.settings.modelsDir);
    if (this.demo) for (const demo of [...Object.keys(DEMO_MOTION_MODELS), DEMO_PIA]) names = withDemo(names, demo);
    return names;
  }

  /** `models/animatediff_motion_lora/`. */
  motionLoras(): string[] {
    return listModelFiles(this.settings.modelsDir, 'animatediff_motion_lora');
  }

  inputImages(): string[] {
    const names = listInputImages(this.settings.inputDir);
    return this.demo ? withDemo(names, DEMO_IMAGE) : names;
  }

  /** Writes the demo models when `name` is one of them and they are missing. */
  async prepareModels(folder: ModelFolder, name: string): Promise<void> {
    if (this.demo) await ensureDemoModelsFor(this.settings.modelsDir, folder, name);
  }

  /**
   * The MODEL, CLIP and VAE recipes of a checkpoint picked by its combo name, the MODEL with PIA's modules when
   * `piaName` is given (the widgets' names go into errors).
   */
  async checkpointRecipes(ckptName: string, piaName?: string): Promise<{ model: ModelRecipe; clip: ClipRecipe; vae: VaeRecipe }> {
    const checkpoint = await this.store.file('checkpoints', ckptName, 'ckpt_name');
    const recipes = checkpointRecipes(checkpoint, await this.store.configOf(checkpoint));
    if (piaName === undefined) return recipes;
    return { ...recipes, model: { ...recipes.model, pia: await this.store.file('pia', piaName, 'pia_name') } };
  }

  /** Releases every loaded onnxruntime session; the next run that needs a model loads it again. */
  release(): Promise<void> {
    return this.store.releaseAll();
  }

  /** Writes the demo picture when `name` is it and it is missing (deleted since, or the write at creation failed). */
  async prepareImage(name: string): Promise<void> {
    if (!this.demo || name !== DEMO_IMAGE) return;
    await this.demoImageReady;
    await ensureDemoImage(this.settings.inputDir);
  }
}
