/**
 * MODEL, CLIP and VAE as recipes, as in ComfyUI: a value says what a network is made of (base files, patches with
 * strengths, clip skip), not which session runs it. The model store turns a recipe into sessions when a sampler or
 * encoder needs them, and shares them between every value with the same recipe, so loaders and patch nodes
 * (LoRA, CLIP Set Last Layer, motion modules) cost nothing until something runs.
 */
import type { PiaModelConfig } from '../models/config.js';
import type { ConcreteBetaSchedule } from '../motion/beta-schedules.js';
import type { FrameNorms, MotionModelInfo } from '../motion/motion-model.js';
import type { ContextOptionsValue } from '../samplers/context/options.js';
import type { AdePiaInput, SampleSettingsValue } from '../motion/settings.js';

/** A file of a model folder, named as the combos list it; `stamp` (size and mtime) makes a replaced file a new recipe. */
export interface ModelFile {
  readonly name: string;
  readonly path: string;
  readonly stamp: string;
}

/** A LoRA applied with a strength (ComfyUI's `strength_model` / `strength_clip`). */
export interface LoraApplication {
  readonly file: ModelFile;
  readonly strength: number;
}

/**
 * A motion model applied to a MODEL, as AnimateDiff-Evolved applies one: the file and its kind, how the U-Net's
 * GroupNorms run with it, and what patches its weights (motion LoRAs, the scale and effect multivals). The session
 * depends on all of these; the step range and PIA's inputs only change how the sampler calls it.
 */
export interface MotionApplication {
  readonly file: ModelFile;
  readonly info: MotionModelInfo;
  readonly norms: FrameNorms;
  readonly loras: readonly LoraApplication[];
  /** ADE's `scale_multival`: multiplies the temporal attention's keys (1 = as trained). */
  readonly scale: number;
  /** ADE's `effect_multival`: blends the motion modules' output with their input (1 = full, 0 = off). */
  readonly effect: number;
  /** The part of the sampling (0–1) during which the motion model acts (`start_percent`, `end_percent`). */
  readonly startPercent: number;
  readonly endPercent: number;
  /** PIA's image condition, for a PIA motion model applied with `ADE_ApplyAnimateDiffModelWithPIA`. */
  readonly pia?: AdePiaInput;
}

/** MODEL: a checkpoint's U-Net, with PIA's motion and condition modules when `pia` is set, and LoRA patches. */
export interface ModelRecipe {
  readonly kind: 'model';
  readonly checkpoint: ModelFile;
  readonly config: PiaModelConfig;
  /** PIA's file (motion modules + 9-channel conv_in); absent: the image U-Net. */
  readonly pia?: ModelFile;
  readonly loras: readonly LoraApplication[];
  /** Context windows for long animations (ADE's context options); they change how samplers call, not the session. */
  readonly context?: ContextOptionsValue;
  /** AnimateDiff-Evolved's motion model, injected into the checkpoint's U-Net. */
  readonly motion?: MotionApplication;
  /** The beta schedule whose sigmas samplers use (ADE's `beta_schedule`); absent: SD 1.5's. */
  readonly betaSchedule?: ConcreteBetaSchedule;
  /** ADE's sample settings (noise type, seed offsets). */
  readonly sampleSettings?: SampleSettingsValue;
}

/** CLIP: a checkpoint's text encoder and tokenizer, `clipSkip` layers cut from the end, and LoRA patches. */
export interface ClipRecipe {
  readonly kind: 'clip';
  readonly checkpoint: ModelFile;
  readonly config: PiaModelConfig;
  /** Layers skipped at the end: ComfyUI's `stop_at_clip_layer` −1 is 0, −2 is 1. */
  readonly clipSkip: number;
  readonly loras: readonly LoraApplication[];
}

/** VAE: a checkpoint's autoencoder, or a standalone VAE file (`models/vae/`). */
export interface VaeRecipe {
  readonly kind: 'vae';
  readonly source: 'checkpoint' | 'vae-file';
  readonly file: ModelFile;
  readonly config: PiaModelConfig;
}

const fileKey = (f: ModelFile) => `${f.name}@${f.stamp}`;
const lorasKey = (loras: readonly LoraApplication[], strengths: boolean) =>
  loras.map((l) => `${fileKey(l.file)}${strengths ? `*${l.strength}` : ''}`).join('+');

/** The part of a motion application that changes the session (not its step range or PIA's inputs). */
export function motionKey(m: MotionApplication): string {
  return `motion ${fileKey(m.file)}|${m.norms}|${lorasKey(m.loras, true)}|scale ${m.scale}|effect ${m.effect}`;
}

/**
 * The key sessions are shared under: equal for recipes that make the same network. With `strengths: false`, recipes
 * that differ only in LoRA strengths share a key (a session whose LoRA layers can be re-merged in place).
 */
export function recipeKey(recipe: ModelRecipe | ClipRecipe | VaeRecipe, options: { strengths?: boolean } = {}): string {
  const strengths = options.strengths ?? true;
  switch (recipe.kind) {
    case 'model':
      return `model|${fileKey(recipe.checkpoint)}|${recipe.pia ? fileKey(recipe.pia) : 'image'}|${lorasKey(recipe.loras, strengths)}${recipe.motion ? `|${motionKey(recipe.motion)}` : ''}`;
    case 'clip':
      return `clip|${fileKey(recipe.checkpoint)}|skip ${recipe.clipSkip}|${lorasKey(recipe.loras, strengths)}`;
    case 'vae':
      return `vae|${recipe.source}|${fileKey(recipe.file)}`;
  }
}

/** The LoRA strengths of a recipe, as a key. */
export function strengthsKey(loras: readonly LoraApplication[]): string {
  return loras.map((l) => l.strength).join(',');
}

/** The recipe's LoRAs with `patch` appended (a LoRA with strength 0 changes nothing and is left out). */
export function withLora(loras: readonly LoraApplication[], patch: LoraApplication): readonly LoraApplication[] {
  return patch.strength === 0 ? loras : [...loras, patch];
}

/** The three recipes a checkpoint loader gives: its image U-Net, its text encoder (no clip skip) and its VAE. */
export function checkpointRecipes(checkpoint: ModelFile, config: PiaModelConfig): { model: ModelRecipe; clip: ClipRecipe; vae: VaeRecipe } {
  return {
    model: { kind: 'model', checkpoint, config, loras: [] },
    clip: { kind: 'clip', checkpoint, config, clipSkip: 0, loras: [] },
    vae: { kind: 'vae', source: 'checkpoint', file: checkpoint, config },
  };
}
