/** ComfyUI's core nodes (`nodes.py` and `comfy_extras/`) with their class names, inputs and widget order. */
import type { AnyNodeDefinition } from '@piagraph/graph-core';
import type { PackContext } from '../pack-context.js';
import { checkpointLoaderSimpleNode } from './checkpoint-loader-simple.js';
import { clipSetLastLayerNode } from './clip-set-last-layer.js';
import { emptyLatentImageNode } from './empty-latent-image.js';
import { imageBatchNode, repeatImageBatchNode } from './image-batch.js';
import { imageCompositeMaskedNode } from './image-composite-masked.js';
import { imageScaleByNode, imageScaleNode } from './image-scale.js';
import { latentUpscaleByNode, latentUpscaleNode } from './latent-upscale.js';
import { loraLoaderModelOnlyNode, loraLoaderNode } from './lora-loader.js';
import { ksamplerAdvancedNode, ksamplerNode } from './ksampler.js';
import { imageToMaskNode, maskToImageNode, solidMaskNode } from './masks.js';
import { previewImageNode, saveImageNode } from './save-image.js';
import { vaeEncodeNode } from './vae-encode.js';
import { vaeLoaderNode } from './vae-loader.js';

export { MAX_RESOLUTION } from './empty-latent-image.js';
export { compositeMasked } from './image-composite-masked.js';
export { joinImageBatches } from './image-batch.js';

/** The core nodes bound to a pack instance (CLIP Text Encode, Load Image and VAE Decode live with the PIA nodes). */
export function comfyCoreNodes(pack: PackContext): AnyNodeDefinition[] {
  return [
    checkpointLoaderSimpleNode(pack),
    vaeLoaderNode(pack),
    clipSetLastLayerNode(pack),
    loraLoaderNode(pack),
    loraLoaderModelOnlyNode(pack),
    emptyLatentImageNode(pack),
    ksamplerNode(pack),
    ksamplerAdvancedNode(pack),
    vaeEncodeNode(pack),
    latentUpscaleNode(pack),
    latentUpscaleByNode(pack),
    imageScaleNode(pack),
    imageScaleByNode(pack),
    saveImageNode(pack),
    previewImageNode(pack),
    solidMaskNode(pack),
    imageToMaskNode(pack),
    maskToImageNode(pack),
    imageCompositeMaskedNode(pack),
    imageBatchNode(pack),
    repeatImageBatchNode(pack),
  ];
}
