/**
 * The U-Net of an image checkpoint with a motion model's modules in it, as AnimateDiff-Evolved injects them: the
 * checkpoint's U-Net (4-channel conv_in, or PIA's 9 channels merged as ADE merges them: the checkpoint's 4 and bias,
 * the PIA file's other 5), the motion modules after each resnet/attention pair (and in the mid block for v2), position
 * encodings as long as the file's, the GroupNorms as the motion model's kind wants them, one text per frame.
 */
import { mergeConvIn, imageUNetWeights, openSdCheckpoint } from '../checkpoints/resolve.js';
import { CheckpointError } from '../checkpoints/errors.js';
import { buildCached, cacheKey } from '../models/cache.js';
import type { PiaModelConfig } from '../models/config.js';
import { unetBuildOptions, unetKeyOptions, type SessionSettings, type UNetGraph } from '../models/load.js';
import type { LazyTensor } from '../models/tensors.js';
import { buildUNet, unetVariantOf, type FrameNorms } from '../models/unet.js';
import { openMotionModel } from './bind.js';
import { motionLabel } from './motion-model.js';

/** What a motion U-Net is made of. */
export interface MotionUNetSources {
  /** The image checkpoint (LDM single file or diffusers folder). */
  readonly checkpoint: string;
  /** The motion-model file (AnimateDiff v1/v2/v3 or PIA). */
  readonly motion: string;
  readonly norms: FrameNorms;
}

/** Builds (or finds in the cache) the U-Net of `sources`. */
export async function motionUNetGraph(sources: MotionUNetSources, settings: SessionSettings, config?: PiaModelConfig): Promise<UNetGraph> {
  const sd = await openSdCheckpoint(sources.checkpoint, config);
  try {
    const mm = await openMotionModel(sources.motion);
    try {
      const cfg = sd.config;
      if (mm.config !== cfg) {
        throw new CheckpointError(
          'wrong-family',
          sources.motion,
          `this ${motionLabel(mm.info)} motion model fits ${mm.config.name} U-Nets (widths [${mm.config.unet.blockOutChannels.join(', ')}]) but the checkpoint is ${cfg.name} ([${cfg.unet.blockOutChannels.join(', ')}])`,
          { family: mm.config.name },
        );
      }
      const weights = new Map<string, LazyTensor>(imageUNetWeights(sd));
      if (mm.convIn) weights.set('conv_in.weight', mergeConvIn(sd.unet.get('conv_in.weight')!, mm.convIn, cfg));
      for (const [name, tensor] of mm.motion) weights.set(name, tensor);
      const motion = { maxFrames: mm.info.maxFrames, norms: sources.norms };
      const variant = { ...unetVariantOf(weights), maxFrames: mm.info.maxFrames, textPerFrame: true };
      const key = await cacheKey({
        graph: 'unet',
        config: cfg.unet,
        files: [...sd.files, ...mm.files],
        precision: settings.precision,
        // Device graph forms too (the motion graph's key had none before: a WebGPU build could reuse the CPU's form).
        options: unetKeyOptions(settings, { variant, motion, midBlock: mm.info.midBlock }),
      });
      const graph = await buildCached(settings.cacheDir, key, settings.precision, (g) =>
        buildUNet(g, weights, cfg.unet, { ...unetBuildOptions(settings), motion, textPerFrame: true }),
      );
      return { graph, config: cfg, variant };
    } finally {
      await mm.close();
    }
  } finally {
    await sd.close();
  }
}
