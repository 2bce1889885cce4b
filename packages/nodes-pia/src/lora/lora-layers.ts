/**
 * Matching a LoRA file's modules to the model's layers and checking every factor's shape against its layer, before
 * any tensor is read. A layer's update is kept as the LoRA stores it; {@link updateProducts} turns it into the
 * low-rank products the merge computes.
 */
import type { PiaModelConfig } from '../models/config.js';
import { shapeElements } from '../weights/dtype.js';
import { firstKeys } from './errors.js';
import type { FactorRole, GroupedLoraKeys, ModuleKeys } from './lora-format.js';
import type { ShapeOf } from './lora-family.js';
import { loraModuleNames, type LoraComponent, type LoraTargetSpec } from './lora-names.js';

/** How a layer's update is composed from its factors. */
export type LoraUpdateKind = 'low-rank' | 'hadamard';

/** The file keys of a layer's update, by role. */
export type LoraUpdateKeys =
  | { readonly kind: 'low-rank'; readonly up: string; readonly down: string; readonly mid?: string }
  | { readonly kind: 'hadamard'; readonly w1a: string; readonly w1b: string; readonly w2a: string; readonly w2b: string };

/** One layer a LoRA changes, resolved and shape-checked but not yet read. */
export interface PlannedLayer {
  /** The module name as the file spells it. */
  readonly module: string;
  readonly component: LoraComponent;
  /** Canonical weight name of the layer. */
  readonly target: string;
  /** The update as a matrix `[rows, cols]`: output features × (input features · kernel), in the LoRA's own input channels. */
  readonly rows: number;
  readonly cols: number;
  readonly rank: number;
  readonly keys: LoraUpdateKeys;
  readonly alphaKey?: string;
}

/** A problem found while matching, with the file key it concerns. */
export interface LayerProblem {
  readonly code: 'shape-mismatch' | 'incomplete' | 'unsupported' | 'duplicate-layer';
  readonly key: string;
  readonly message: string;
}

/** What matching a file against one config gives. */
export interface LayerPlan {
  readonly layers: readonly PlannedLayer[];
  /** Keys of modules that name no layer of the model. */
  readonly unmatched: readonly string[];
  readonly problems: readonly LayerProblem[];
}

const text = (shape: readonly number[]) => `[${shape.join(', ')}]`;
const trailing = (shape: readonly number[]) => shapeElements(shape.slice(1));

/**
 * PIA's conv_in reads 9 channels where Stable Diffusion's reads the 4 latent ones; a LoRA made for the image model
 * updates those first 4 (the merge pads its update with zeros for the others).
 */
function acceptedCols(config: PiaModelConfig, target: LoraTargetSpec): number[] {
  const cols = [trailing(target.shape)];
  if (target.component === 'unet' && target.weight === 'conv_in.weight') {
    const [, , kh = 1, kw = 1] = target.shape;
    cols.push(config.unet.latentChannels * kh * kw);
  }
  return cols;
}

function planLowRank(module: string, keys: ModuleKeys['roles'], target: LoraTargetSpec, shapeOf: ShapeOf, config: PiaModelConfig): PlannedLayer | LayerProblem {
  const upKey = keys.up!;
  const downKey = keys.down!;
  const up = shapeOf(upKey);
  const down = shapeOf(downKey);
  const rows = target.shape[0]!;
  const rank = down[0] ?? 0;
  const mismatch = (key: string, message: string): LayerProblem => ({ code: 'shape-mismatch', key, message });
  if (up.length < 2 || up[0] !== rows || up[1] !== rank || trailing(up) !== rank) {
    return mismatch(upKey, `'${upKey}' is ${text(up)}; layer '${target.weight}' ${text(target.shape)} with rank ${rank} needs [${rows}, ${rank}]`);
  }
  let cols = trailing(down);
  if (keys.mid !== undefined) {
    const mid = shapeOf(keys.mid);
    if (mid.length !== 4 || mid[0] !== rank || mid[1] !== rank || down.length !== 4 || down[2] !== 1 || down[3] !== 1) {
      return mismatch(keys.mid, `'${keys.mid}' is ${text(mid)} with '${downKey}' ${text(down)}: expected a [${rank}, ${rank}, kh, kw] Tucker core after a 1×1 down`);
    }
    cols = down[1]! * mid[2]! * mid[3]!;
  }
  const accepted = acceptedCols(config, target);
  const kernelOk = target.shape.length !== 4 || keys.mid !== undefined || down.length !== 4 || (down[2] === target.shape[2] && down[3] === target.shape[3]);
  if (!accepted.includes(cols) || !kernelOk) {
    return mismatch(downKey, `'${downKey}' is ${text(down)}, which does not fit layer '${target.weight}' ${text(target.shape)}`);
  }
  const planned = { module, component: target.component, target: target.weight, rows, cols, rank };
  const updateKeys: LoraUpdateKeys = keys.mid === undefined ? { kind: 'low-rank', up: upKey, down: downKey } : { kind: 'low-rank', up: upKey, down: downKey, mid: keys.mid };
  return { ...planned, keys: updateKeys, ...(keys.alpha !== undefined ? { alphaKey: keys.alpha } : {}) };
}

function planHadamard(module: string, keys: ModuleKeys['roles'], target: LoraTargetSpec, shapeOf: ShapeOf, config: PiaModelConfig): PlannedLayer | LayerProblem {
  const [w1a, w1b, w2a, w2b] = [keys.hada_w1_a!, keys.hada_w1_b!, keys.hada_w2_a!, keys.hada_w2_b!];
  const rows = target.shape[0]!;
  const s1a = shapeOf(w1a);
  const s1b = shapeOf(w1b);
  const s2a = shapeOf(w2a);
  const s2b = shapeOf(w2b);
  const accepted = acceptedCols(config, target);
  const fits = (a: readonly number[], b: readonly number[]) =>
    a.length === 2 && a[0] === rows && a[1] === b[0] && accepted.includes(trailing(b)) && trailing(b) === trailing(s1b);
  if (!fits(s1a, s1b) || !fits(s2a, s2b)) {
    return {
      code: 'shape-mismatch',
      key: w1a,
      message: `LoHa factors ${text(s1a)}·${text(s1b)} and ${text(s2a)}·${text(s2b)} do not fit layer '${target.weight}' ${text(target.shape)}`,
    };
  }
  return {
    module,
    component: target.component,
    target: target.weight,
    rows,
    cols: trailing(s1b),
    rank: s1b[0]!,
    keys: { kind: 'hadamard', w1a, w1b, w2a, w2b },
    ...(keys.alpha !== undefined ? { alphaKey: keys.alpha } : {}),
  };
}

const LOHA_ROLES: readonly FactorRole[] = ['hada_w1_a', 'hada_w1_b', 'hada_w2_a', 'hada_w2_b'];

function planModule(module: string, keys: ModuleKeys, target: LoraTargetSpec, shapeOf: ShapeOf, config: PiaModelConfig): PlannedLayer | LayerProblem {
  const { roles } = keys;
  if (keys.unsupported.length > 0) {
    return { code: 'unsupported', key: keys.unsupported[0]!, message: `${firstKeys(keys.unsupported)}: DoRA, LoKr, GLoRA and full-weight diffs are not supported` };
  }
  if (roles.hada_t1 !== undefined || roles.hada_t2 !== undefined) {
    return { code: 'unsupported', key: roles.hada_t1 ?? roles.hada_t2!, message: `'${roles.hada_t1 ?? roles.hada_t2}': LoHa with Tucker cores is not supported` };
  }
  const anyKey = Object.values(roles)[0] ?? module;
  if (LOHA_ROLES.some((r) => roles[r] !== undefined)) {
    const missing = LOHA_ROLES.filter((r) => roles[r] === undefined);
    if (missing.length > 0) return { code: 'incomplete', key: anyKey, message: `module '${module}' has LoHa factors but lacks ${missing.join(', ')}` };
    return planHadamard(module, roles, target, shapeOf, config);
  }
  if (roles.up === undefined || roles.down === undefined) {
    const has = roles.up !== undefined ? 'an up' : roles.down !== undefined ? 'a down' : 'no';
    return { code: 'incomplete', key: anyKey, message: `module '${module}' has ${has} factor but needs both up and down` };
  }
  return planLowRank(module, roles, target, shapeOf, config);
}

/** Matches every module of a file to `config`'s layers and checks shapes. */
export function planLayers(grouped: GroupedLoraKeys, shapeOf: ShapeOf, config: PiaModelConfig): LayerPlan {
  const names = loraModuleNames(config);
  const layers: PlannedLayer[] = [];
  const unmatched: string[] = [];
  const problems: LayerProblem[] = [];
  const targeted = new Map<string, string>();
  for (const [module, keys] of grouped.modules) {
    const target = names.get(module);
    if (!target) {
      unmatched.push(...Object.values(keys.roles), ...keys.unsupported);
      continue;
    }
    const planned = planModule(module, keys, target, shapeOf, config);
    if ('code' in planned) {
      problems.push(planned);
      continue;
    }
    const seen = targeted.get(target.weight);
    if (seen !== undefined) {
      problems.push({ code: 'duplicate-layer', key: module, message: `modules '${seen}' and '${module}' both patch layer '${target.weight}'` });
      continue;
    }
    targeted.set(target.weight, module);
    layers.push(planned);
  }
  return { layers, unmatched, problems };
}
