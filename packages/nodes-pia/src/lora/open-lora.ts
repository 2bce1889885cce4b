/**
 * Opening a LoRA file: kohya/A1111, LyCORIS (LoCon, LoHa), diffusers and PEFT files in `.safetensors` or PyTorch
 * format, matched to the layers of a model config and checked before anything is merged. The factors are read
 * once, in their stored dtype, so a {@link LoraFile} holds no file handle and can be cached and shared.
 */
import { modelConfigs, type PiaModelConfig } from '../models/config.js';
import type { WeightDType } from '../weights/dtype.js';
import { openWeights } from '../weights/open-weights.js';
import type { WeightSource } from '../weights/weight-source.js';
import { firstKeys, LoraError } from './errors.js';
import { groupLoraKeys, type GroupedLoraKeys, type LoraKeyStyle } from './lora-format.js';
import { foreignFamily } from './lora-family.js';
import { planLayers, type LayerPlan, type LoraUpdateKind, type PlannedLayer } from './lora-layers.js';
import type { LoraComponent } from './lora-names.js';

/** A factor as stored: its shape, dtype and little-endian bytes. */
export interface LoraFactor {
  readonly shape: readonly number[];
  readonly dtype: WeightDType;
  readonly raw: Uint8Array;
  /** The file key it was read from (for messages). */
  readonly key: string;
}

/** The factors of one layer's update. */
export type LoraUpdate =
  | { readonly kind: 'low-rank'; readonly up: LoraFactor; readonly down: LoraFactor; readonly mid?: LoraFactor }
  | { readonly kind: 'hadamard'; readonly w1a: LoraFactor; readonly w1b: LoraFactor; readonly w2a: LoraFactor; readonly w2b: LoraFactor };

/** One layer a LoRA changes: `ΔW = scale · update`, with `update` reshaped to the layer's weight. */
export interface LoraLayer {
  /** The module name as the file spells it. */
  readonly module: string;
  readonly component: LoraComponent;
  /** Canonical weight name of the layer (`down_blocks.0.attentions.0.proj_in.weight`, `text_model.encoder.layers.0.mlp.fc1.weight`). */
  readonly target: string;
  /** The update as a `[rows, cols]` matrix: output features × input features · kernel (the LoRA's own input channels). */
  readonly rows: number;
  readonly cols: number;
  readonly rank: number;
  /** The stored alpha, when the file has one. */
  readonly alpha?: number;
  /** `alpha / rank`, or 1 without an alpha (kohya's and diffusers' convention). */
  readonly scale: number;
  readonly kind: LoraUpdateKind;
  readonly update: LoraUpdate;
}

/** A LoRA file matched to a model config. */
export interface LoraFile {
  readonly path: string;
  /** The model config its layers were matched against. */
  readonly config: PiaModelConfig;
  /** Key conventions seen in the file. */
  readonly styles: readonly LoraKeyStyle[];
  readonly layers: readonly LoraLayer[];
  /** Keys that name no layer of the model (kept so a caller can warn, as ComfyUI does; they are not applied). */
  readonly ignoredKeys: readonly string[];
  readonly metadata: Readonly<Record<string, string>>;
  /** Bytes of factor data held. */
  readonly bytes: number;
}

/** Options of {@link openLora}. */
export interface OpenLoraOptions {
  /** The config of the model it will patch; default: the known config its shapes fit (`sd15`, `tiny`). */
  readonly config?: PiaModelConfig;
}

function raise(path: string, plan: LayerPlan): never {
  const first = plan.problems[0]!;
  const same = plan.problems.filter((p) => p.code === first.code);
  const more = same.length > 1 ? ` (${same.length} layers have this problem; the first keys: ${firstKeys(same.map((p) => p.key))})` : '';
  throw new LoraError(first.code, path, `${first.message}${more}`, { keys: same.map((p) => p.key).slice(0, 10), count: same.length });
}

function noMatch(path: string, grouped: GroupedLoraKeys, keys: readonly string[], configs: readonly PiaModelConfig[]): never {
  const what =
    grouped.modules.size === 0
      ? `none of its ${keys.length} keys is a LoRA factor (expected names like 'lora_unet_….lora_down.weight', '….lora_A.weight' or '….alpha')`
      : `none of its ${grouped.modules.size} LoRA modules names a U-Net or text-encoder layer of ${configs.map((c) => c.name).join(' or ')}`;
  throw new LoraError('no-match', path, `${what}; first keys: ${firstKeys(keys)}`, { keys: keys.slice(0, 10), count: keys.length });
}

/** The plan against the given config, or the best-fitting known one: no problems and the most layers matched. */
function choosePlan(path: string, grouped: GroupedLoraKeys, source: WeightSource, options: OpenLoraOptions): { config: PiaModelConfig; plan: LayerPlan } {
  const configs = options.config ? [options.config] : Object.values(modelConfigs);
  const shapeOf = (key: string) => source.info(key).shape;
  const plans = configs.map((config) => ({ config, plan: planLayers(grouped, shapeOf, config) }));
  const clean = plans.filter((p) => p.plan.problems.length === 0 && p.plan.layers.length > 0);
  const byMatches = (a: (typeof plans)[number], b: (typeof plans)[number]) => b.plan.layers.length + b.plan.problems.length - (a.plan.layers.length + a.plan.problems.length);
  const best = clean.sort(byMatches)[0];
  if (best) return best;
  const closest = [...plans].sort(byMatches)[0]!;
  if (closest.plan.problems.length > 0) raise(path, closest.plan);
  noMatch(path, grouped, [...closest.plan.unmatched, ...grouped.unrecognised], configs);
}

async function readFactor(source: WeightSource, key: string): Promise<LoraFactor> {
  const info = source.info(key);
  return { shape: info.shape, dtype: info.dtype, raw: await source.read(key, 'raw'), key };
}

async function readAlpha(source: WeightSource, key: string, path: string): Promise<number> {
  const values = await source.read(key, 'f32');
  const alpha = values[0];
  if (values.length !== 1 || alpha === undefined || !Number.isFinite(alpha)) {
    throw new LoraError('incomplete', path, `'${key}' should be one finite number, got ${values.length} values`, { keys: [key] });
  }
  return alpha;
}

async function readLayer(source: WeightSource, planned: PlannedLayer, path: string): Promise<LoraLayer> {
  const k = planned.keys;
  const update: LoraUpdate =
    k.kind === 'low-rank'
      ? {
          kind: 'low-rank',
          up: await readFactor(source, k.up),
          down: await readFactor(source, k.down),
          ...(k.mid !== undefined ? { mid: await readFactor(source, k.mid) } : {}),
        }
      : {
          kind: 'hadamard',
          w1a: await readFactor(source, k.w1a),
          w1b: await readFactor(source, k.w1b),
          w2a: await readFactor(source, k.w2a),
          w2b: await readFactor(source, k.w2b),
        };
  const alpha = planned.alphaKey !== undefined ? await readAlpha(source, planned.alphaKey, path) : undefined;
  return {
    module: planned.module,
    component: planned.component,
    target: planned.target,
    rows: planned.rows,
    cols: planned.cols,
    rank: planned.rank,
    ...(alpha !== undefined ? { alpha } : {}),
    scale: alpha !== undefined ? alpha / planned.rank : 1,
    kind: k.kind,
    update,
  };
}

/**
 * Opens a LoRA file and matches it to a model: `const lora = await openLora('models/loras/x.safetensors', { config })`.
 * Throws a {@link LoraError} naming the file and the first offending keys for a LoRA of another family
 * (`wrong-family`), one whose keys match no layer (`no-match`), factors that do not fit their layer
 * (`shape-mismatch`), incomplete layers and unsupported variants; file-level problems are `WeightFileError`s.
 */
export async function openLora(path: string, options: OpenLoraOptions = {}): Promise<LoraFile> {
  const source = await openWeights(path);
  try {
    const keys = source.keys();
    const grouped = groupLoraKeys(keys);
    const foreign = foreignFamily(grouped, (key) => source.info(key).shape);
    if (foreign) {
      throw new LoraError('wrong-family', path, `this is a LoRA for ${foreign.family} (${foreign.evidence}); piagraph's models are Stable Diffusion 1.5`, {
        family: foreign.family,
      });
    }
    const { config, plan } = choosePlan(path, grouped, source, options);
    const layers: LoraLayer[] = [];
    let bytes = 0;
    for (const planned of plan.layers) {
      const layer = await readLayer(source, planned, path);
      for (const f of Object.values(layer.update)) if (typeof f === 'object') bytes += f.raw.byteLength;
      layers.push(layer);
    }
    return {
      path,
      config,
      styles: [...grouped.styles],
      layers,
      ignoredKeys: [...plan.unmatched, ...grouped.unrecognised],
      metadata: source.metadata,
      bytes,
    };
  } finally {
    await source.close();
  }
}
