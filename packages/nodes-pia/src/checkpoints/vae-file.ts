/**
 * VAE weights from a checkpoint or from a standalone VAE file (ComfyUI's `models/vae/`, e.g.
 * `vae-ft-mse-840000-ema-pruned.safetensors`). Standalone files come in three layouts: LDM names without a prefix
 * (`encoder.down.0.block.0.norm1.weight`, the usual release format), LDM names under `first_stage_model.`, and
 * diffusers names (`encoder.down_blocks.0.resnets.0.norm1.weight`, a diffusers `vae/` file on its own).
 */
import { modelConfigs, type PiaModelConfig } from '../models/config.js';
import type { ModelWeights } from '../models/tensors.js';
import { openWeights } from '../weights/open-weights.js';
import type { WeightSource } from '../weights/weight-source.js';
import { CheckpointError } from './errors.js';
import { componentKeys } from './key-map.js';
import { LDM_PREFIX } from './key-table.js';
import { Binder, extra, IGNORED, openSdCheckpoint } from './resolve.js';

/** VAE weights bound to canonical names, with the files they came from (for cache keys). */
export interface VaeSource {
  readonly config: PiaModelConfig;
  readonly vae: ModelWeights;
  readonly files: readonly string[];
  close(): Promise<void>;
}

/** The VAE part of a Stable Diffusion checkpoint. */
export async function checkpointVae(checkpoint: string, config?: PiaModelConfig): Promise<VaeSource> {
  const sd = await openSdCheckpoint(checkpoint, config);
  return { config: sd.config, vae: sd.vae, files: sd.files, close: () => sd.close() };
}

/** Parts of a standalone VAE file that are not weights of the autoencoder (EMA bookkeeping, the training loss). */
const NOT_VAE = /^(model_ema\.|loss\.)/;

type VaeLayout = 'ldm' | 'ldm-prefixed' | 'diffusers';

function layoutOf(keys: readonly string[]): VaeLayout {
  if (keys.some((k) => k.startsWith(LDM_PREFIX.vae))) return 'ldm-prefixed';
  // diffusers' encoder blocks are `down_blocks`, LDM's `down`.
  if (keys.some((k) => k.startsWith('encoder.down_blocks.') || k.startsWith('decoder.up_blocks.'))) return 'diffusers';
  return 'ldm';
}

/** Which known config's VAE has this first-conv width. */
function vaeConfigOf(source: WeightSource): PiaModelConfig {
  const key = 'encoder.conv_in.weight';
  const prefixed = `${LDM_PREFIX.vae}${key}`;
  const found = source.has(key) ? key : source.has(prefixed) ? prefixed : undefined;
  if (!found) throw new CheckpointError('missing-tensor', source.path, `no '${key}': not a Stable Diffusion VAE`, { key });
  const channels = source.info(found).shape[0];
  const config = Object.values(modelConfigs).find((c) => c.vae.blockOutChannels[0] === channels);
  if (!config) {
    throw new CheckpointError('unknown-config', source.path, `no known VAE has ${channels} first-block channels (known: ${Object.keys(modelConfigs).join(', ')})`);
  }
  return config;
}

/** Binds a standalone VAE file's tensors to canonical names. */
export function bindVaeFile(source: WeightSource): VaeSource {
  const keys = source.keys();
  const config = vaeConfigOf(source);
  const layout = layoutOf(keys);
  const specs = componentKeys(config, 'vae');
  const binder = new Binder(config, 'vae', (s) => (layout === 'diffusers' ? s.name : layout === 'ldm-prefixed' ? `${LDM_PREFIX.vae}${s.alt}` : s.alt));
  for (const key of keys) {
    if (IGNORED.test(key) || NOT_VAE.test(key)) continue;
    const name = layout === 'ldm-prefixed' ? (key.startsWith(LDM_PREFIX.vae) ? key.slice(LDM_PREFIX.vae.length) : undefined) : key;
    // A full checkpoint picked as a VAE: its U-Net and text encoder are not the VAE's business.
    if (name === undefined) continue;
    const spec = layout === 'diffusers' ? specs.byName.get(name) : specs.byAlt.get(name);
    if (!spec) extra(source.path, key, `${layout} VAE layout of ${config.name}`);
    const shapes = [layout === 'diffusers' ? spec.shape : (spec.altShape ?? spec.shape)];
    // Older files store the mid-block attention projections as 1×1 convs, newer ones as linears.
    if (spec.altShape) shapes.push(spec.shape);
    binder.bind(source, key, spec, shapes);
  }
  return { config, vae: binder.finish(source.path), files: source.files, close: () => source.close() };
}

/** Opens a standalone VAE file (`.safetensors`, `.pt`, `.ckpt`, `.bin`). */
export async function openVaeFile(path: string): Promise<VaeSource> {
  const source = await openWeights(path);
  try {
    return bindVaeFile(source);
  } catch (err) {
    await source.close();
    throw err;
  }
}
