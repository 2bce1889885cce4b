/**
 * Which layer a LoRA module name stands for. Trainers name a layer by its module path in one of the model's
 * layouts, with their own prefix and punctuation: kohya/A1111 `lora_unet_` + the diffusers or the LDM path with
 * '.' → '_', `lora_te_`/`lora_te1_` + the CLIP path likewise; diffusers `unet.`/`text_encoder.` + the path; the
 * old diffusers attention processors `….processor.to_q`; raw PEFT `base_model.model.` + the path. Every alias is
 * generated from the key tables (`checkpoints/key-table.ts`), so only layers that exist can be matched and the
 * '_'-joined names need no guessing about which underscores were dots.
 */
import { componentKeys } from '../checkpoints/key-map.js';
import type { KeySpec } from '../checkpoints/key-table.js';
import type { PiaModelConfig } from '../models/config.js';

/** The networks a LoRA can patch. */
export type LoraComponent = 'unet' | 'clip';

/** A layer a LoRA module can target: its network, canonical weight name and canonical shape. */
export interface LoraTargetSpec {
  readonly component: LoraComponent;
  /** Canonical weight name, e.g. `down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.weight`. */
  readonly weight: string;
  readonly shape: readonly number[];
}

const underscored = (path: string) => path.replaceAll('.', '_');

/** The module path of a weight: its name without `.weight`. */
function modulePath(name: string): string {
  return name.slice(0, -'.weight'.length);
}

/** Linear and conv weights: the tensors a LoRA can change (norms, biases and embeddings are left alone). */
function isLoraTarget(spec: KeySpec, component: LoraComponent): boolean {
  if (!spec.name.endsWith('.weight')) return false;
  if (component === 'clip' && spec.name.includes('embedding')) return false;
  return spec.shape.length === 2 || spec.shape.length === 4;
}

/** Old diffusers attention-processor names: `attn1.processor.to_q`, `attn1.processor.to_out` (no `.0`). */
function processorPath(path: string): string | undefined {
  const m = /^(.*\.attn[12])\.(to_q|to_k|to_v|to_out\.0)$/.exec(path);
  return m ? `${m[1]}.processor.${m[2]!.replace('.0', '')}` : undefined;
}

function unetAliases(spec: KeySpec): string[] {
  const path = modulePath(spec.name);
  const ldm = modulePath(spec.alt);
  const aliases = [`lora_unet_${underscored(path)}`, `lora_unet_${underscored(ldm)}`, path, `unet.${path}`, `base_model.model.${path}`];
  const processor = processorPath(path);
  if (processor) aliases.push(processor, `unet.${processor}`);
  return aliases;
}

function clipAliases(spec: KeySpec): string[] {
  const path = modulePath(spec.name);
  return [`lora_te_${underscored(path)}`, `lora_te1_${underscored(path)}`, `text_encoder.${path}`, `base_model.model.${path}`];
}

const cache = new WeakMap<PiaModelConfig, ReadonlyMap<string, LoraTargetSpec>>();

/** Every module name a LoRA file may use for a layer of `config`'s U-Net or CLIP, mapped to that layer. */
export function loraModuleNames(config: PiaModelConfig): ReadonlyMap<string, LoraTargetSpec> {
  const known = cache.get(config);
  if (known) return known;
  const names = new Map<string, LoraTargetSpec>();
  for (const component of ['unet', 'clip'] as const) {
    for (const spec of componentKeys(config, component).specs) {
      if (!isLoraTarget(spec, component)) continue;
      const target: LoraTargetSpec = { component, weight: spec.name, shape: spec.shape };
      for (const alias of component === 'unet' ? unetAliases(spec) : clipAliases(spec)) names.set(alias, target);
    }
  }
  cache.set(config, names);
  return names;
}
