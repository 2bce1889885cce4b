/**
 * The demo LoRA: a small kohya/A1111 LoRA for a generated model config (the tiny demo model by default), in the
 * layout kohya's sd-scripts writes for Stable Diffusion 1.5: `lora_unet_` + the diffusers module path and
 * `lora_te_` + the CLIP path with '.' → '_', `.lora_down.weight` / `.lora_up.weight` / `.alpha` per module, fp16
 * factors, `ss_*` metadata. It covers every spatial-transformer layer (attention, feed-forward, 1×1 proj_in/out),
 * the text encoder's attention and MLP, and LoCon convolutions (3×3 down + 1×1 up) on the resnets and conv_out,
 * so that each path of the LoRA engine is exercised by the file a user gets out of the box.
 */
import { componentKeys } from '../checkpoints/key-map.js';
import type { KeySpec } from '../checkpoints/key-table.js';
import { tiny, type PiaModelConfig } from '../models/config.js';
import { float32ToHalf } from '../weights/half.js';
import { writeSafetensors } from '../weights/safetensors-write.js';
import type { TensorToWrite } from '../weights/tensor-input.js';
import { initTensor } from './random-init.js';

/** File name of the demo LoRA under `models/loras/`. */
export const DEMO_LORA = 'piagraph-demo-lora.safetensors';

/** Settings of a generated LoRA. */
export interface DemoLoraSettings {
  /** Rank of every module (kohya's `network_dim`). */
  readonly rank: number;
  /** kohya's `network_alpha`: the update is scaled by alpha / rank. */
  readonly alpha: number;
  /** Rank of the LoCon convolutions (kohya's `conv_dim`); 0 leaves the convolutions out (a plain LoRA). */
  readonly convRank: number;
  /** How large the up factors are relative to a unit-variance init (the update's size relative to the weights). */
  readonly upScale: number;
  readonly seed: number;
}

export const DEMO_LORA_SETTINGS: DemoLoraSettings = { rank: 4, alpha: 2, convRank: 2, upScale: 0.5, seed: 20240806 };

const underscored = (path: string) => path.replaceAll('.', '_');

/** Transformer layers kohya's LoRA targets by default, and LoCon's resnet and output convolutions. */
function unetTarget(spec: KeySpec): 'linear' | 'conv' | undefined {
  if (!spec.name.endsWith('.weight') || spec.name.includes('motion_modules')) return undefined;
  if (spec.name.includes('.attentions.') && (spec.shape.length === 2 || spec.shape.length === 4)) return 'linear';
  if ((spec.name.includes('.resnets.') && /\.conv[12]\.weight$/.test(spec.name)) || spec.name === 'conv_out.weight') return 'conv';
  return undefined;
}

function clipTarget(spec: KeySpec): boolean {
  return spec.name.endsWith('.weight') && spec.shape.length === 2 && !spec.name.includes('embedding');
}

function factor(name: string, shape: readonly number[], seed: number, scale: number): TensorToWrite {
  return { dtype: 'F16', shape, data: () => {
    const values = initTensor(name, shape, seed);
    for (let i = 0; i < values.length; i++) values[i]! *= scale;
    return float32ToHalf(values);
  } };
}

function scalar(value: number): TensorToWrite {
  return { dtype: 'F16', shape: [], data: float32ToHalf(Float32Array.of(value)) };
}

/** One module's three tensors: `.lora_down.weight`, `.lora_up.weight` (4-D for convolutions) and `.alpha`. */
function moduleTensors(module: string, shape: readonly number[], rank: number, settings: DemoLoraSettings): [string, TensorToWrite][] {
  const [out = 0, ...rest] = shape;
  const conv = rest.length === 3;
  const down = conv ? [rank, ...rest] : [rank, rest[0]!];
  const up = conv ? [out, rank, 1, 1] : [out, rank];
  return [
    [`${module}.lora_down.weight`, factor(`${module}.down`, down, settings.seed, 1)],
    [`${module}.lora_up.weight`, factor(`${module}.up`, up, settings.seed, settings.upScale)],
    [`${module}.alpha`, scalar(settings.alpha)],
  ];
}

/** Every tensor of the demo LoRA for `config`, as `[key, tensor]` in kohya's layout. */
export function demoLoraTensors(config: PiaModelConfig = tiny, settings: DemoLoraSettings = DEMO_LORA_SETTINGS): [string, TensorToWrite][] {
  const out: [string, TensorToWrite][] = [];
  for (const spec of componentKeys(config, 'unet').specs) {
    const kind = unetTarget(spec);
    if (!kind || (kind === 'conv' && settings.convRank === 0)) continue;
    const module = `lora_unet_${underscored(spec.name.slice(0, -'.weight'.length))}`;
    out.push(...moduleTensors(module, spec.shape, kind === 'conv' ? settings.convRank : settings.rank, settings));
  }
  for (const spec of componentKeys(config, 'clip').specs) {
    if (!clipTarget(spec)) continue;
    out.push(...moduleTensors(`lora_te_${underscored(spec.name.slice(0, -'.weight'.length))}`, spec.shape, settings.rank, settings));
  }
  return out;
}

/** Writes the demo LoRA (`.safetensors`, kohya layout and metadata) for `config`. */
export async function writeDemoLora(path: string, config: PiaModelConfig = tiny, settings: DemoLoraSettings = DEMO_LORA_SETTINGS): Promise<void> {
  await writeSafetensors(path, demoLoraTensors(config, settings), {
    metadata: {
      ss_network_module: 'networks.lora',
      ss_network_dim: String(settings.rank),
      ss_network_alpha: String(settings.alpha),
      ...(settings.convRank > 0 ? { ss_network_args: JSON.stringify({ conv_dim: String(settings.convRank), conv_alpha: String(settings.alpha) }) } : {}),
      ss_base_model_version: 'sd_v1',
      ss_v2: 'False',
      'piagraph.generated': `${config.name}-demo-lora`,
    },
  });
}
