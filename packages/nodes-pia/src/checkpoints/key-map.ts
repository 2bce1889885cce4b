/**
 * The one key-mapping module: file key names of every supported layout to canonical (diffusers) names and back,
 * built from the tables of `key-table.ts`. Layouts: LDM single file (`model.diffusion_model.*`,
 * `first_stage_model.*`, `cond_stage_model.transformer.*`), diffusers folders (`unet/`, `vae/`, `text_encoder/`),
 * the original PIA/AnimateDiff motion-module file and the diffusers MotionAdapter.
 */
import type { PiaModelConfig } from '../models/config.js';
import { clipKeys, LDM_PREFIX, motionKeys, motionPeKeys, unetKeys, vaeKeys, type KeySpec } from './key-table.js';

/** The networks (and the motion-module part of the U-Net) that weights are grouped by. */
export type Component = 'unet' | 'motion' | 'vae' | 'clip';

/** All components, in loading order. */
export const COMPONENTS: readonly Component[] = ['unet', 'motion', 'vae', 'clip'];

/** Lookup tables of one component. */
export interface ComponentKeys {
  readonly specs: readonly KeySpec[];
  readonly byName: ReadonlyMap<string, KeySpec>;
  readonly byAlt: ReadonlyMap<string, KeySpec>;
}

const cache = new WeakMap<PiaModelConfig, Map<Component, ComponentKeys>>();

/** The tensors a component needs under `config`, indexed by canonical and by alternative name. */
export function componentKeys(config: PiaModelConfig, component: Component): ComponentKeys {
  let perConfig = cache.get(config);
  if (!perConfig) {
    perConfig = new Map();
    cache.set(config, perConfig);
  }
  let keys = perConfig.get(component);
  if (!keys) {
    const specs = specsOf(config, component);
    keys = {
      specs,
      byName: new Map(specs.map((s) => [s.name, s])),
      byAlt: new Map(specs.map((s) => [s.alt, s])),
    };
    perConfig.set(component, keys);
  }
  return keys;
}

function specsOf(config: PiaModelConfig, component: Component): KeySpec[] {
  switch (component) {
    case 'unet':
      return unetKeys(config.unet);
    case 'motion':
      return motionKeys(config.unet);
    case 'vae':
      return vaeKeys(config.vae);
    case 'clip':
      return clipKeys(config.clip);
  }
}

/** A file key resolved to the tensor it provides. */
export interface MappedKey {
  readonly component: Component;
  readonly spec: KeySpec;
}

/**
 * Maps a key of an LDM single-file checkpoint to the canonical tensor, or `undefined` when the key is not one
 * of the three networks' weights. CLIP keys written by old `transformers` versions lack `text_model.`.
 */
export function ldmToDiffusers(config: PiaModelConfig, ldmKey: string): MappedKey | undefined {
  for (const component of ['unet', 'vae', 'clip'] as const) {
    const prefix = LDM_PREFIX[component];
    if (!ldmKey.startsWith(prefix)) continue;
    let rest = ldmKey.slice(prefix.length);
    if (component === 'clip' && !rest.startsWith('text_model.')) rest = `text_model.${rest}`;
    const spec = componentKeys(config, component).byAlt.get(rest);
    return spec ? { component, spec } : undefined;
  }
  return undefined;
}

/** The LDM single-file key of a canonical tensor (not defined for motion modules, which LDM files lack). */
export function diffusersToLdm(config: PiaModelConfig, component: Exclude<Component, 'motion'>, name: string): string | undefined {
  const spec = componentKeys(config, component).byName.get(name);
  return spec ? LDM_PREFIX[component] + spec.alt : undefined;
}

/** Old diffusers VAE attention names (saved before diffusers 0.14) and their current names. */
const OLD_VAE_ATTENTION: readonly (readonly [string, string])[] = [
  ['.attentions.0.query.', '.attentions.0.to_q.'],
  ['.attentions.0.key.', '.attentions.0.to_k.'],
  ['.attentions.0.value.', '.attentions.0.to_v.'],
  ['.attentions.0.proj_attn.', '.attentions.0.to_out.0.'],
];

/** Canonical name of a key of a diffusers folder's `unet/`, `vae/` or `text_encoder/` file. */
export function diffusersFolderName(component: Exclude<Component, 'motion'>, key: string): string {
  if (component !== 'vae') return key;
  for (const [old, now] of OLD_VAE_ATTENTION) if (key.includes(old)) return key.replace(old, now);
  return key;
}

/** Which layout a motion-module file uses, judged by its key names. */
export type MotionLayout = 'original' | 'diffusers';

/** The layout of a motion-module file: original names contain `.temporal_transformer.`. */
export function motionLayoutOf(keys: Iterable<string>): MotionLayout {
  for (const k of keys) if (k.includes('.temporal_transformer.')) return 'original';
  return 'diffusers';
}

/** Canonical tensor of a motion-module file key, or `undefined` when it is not a motion-module weight. */
export function motionToDiffusers(config: PiaModelConfig, layout: MotionLayout, key: string): KeySpec | undefined {
  const keys = componentKeys(config, 'motion');
  return layout === 'original' ? keys.byAlt.get(key) : keys.byName.get(key);
}

/** Position-encoding buffers of a motion-module file, which are checked for shape but recomputed, indexed by file key. */
export function motionPeSpecs(config: PiaModelConfig, layout: MotionLayout): ReadonlyMap<string, KeySpec> {
  return new Map(motionPeKeys(config.unet).map((s) => [layout === 'original' ? s.alt : s.name, s]));
}
