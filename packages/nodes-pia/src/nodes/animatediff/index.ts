/** AnimateDiff-Evolved's nodes (`ADE_*`) with ADE's class names, inputs, widget order and outputs. */
import type { AnyNodeDefinition } from '@piagraph/graph-core';
import type { PackContext } from '../pack-context.js';
import { applyAnimateDiffModelNode, applyAnimateDiffModelSimpleNode } from './apply-model.js';
import { contextExtrasNodes } from './context-extras.js';
import { emptyLatentImageLargeNode } from './empty-latent-large.js';
import { loadAnimateDiffModelNode } from './load-model.js';
import { animateDiffLoaderGen1Node, animateDiffLoaderWithContextNode } from './loader-gen1.js';
import { multivalDynamicNode } from './multival.js';
import { animateDiffLoraLoaderNode } from './motion-lora-loader.js';
import { promptSchedulingLatentsNode, promptSchedulingNode } from './prompt-scheduling.js';
import { sampleSettingsNode } from './sample-settings.js';
import { applyAnimateDiffModelWithPiaNode, inputPiaMultivalNode, inputPiaPaperPresetsNode } from './pia.js';
import { useEvolvedSamplingNode } from './use-evolved-sampling.js';
import { viewOptionNodes } from './view-options.js';
import './values.js';

export type { AppliedMotionModel, MotionLoraValue, MotionModelsValue, MotionModelValue } from './values.js';

/** The ADE nodes bound to a pack instance (the context-option nodes live in `context-options.ts`, registered by the pack). */
export function animateDiffNodes(pack: PackContext): AnyNodeDefinition[] {
  return [
    animateDiffLoaderGen1Node(pack),
    animateDiffLoaderWithContextNode(pack),
    loadAnimateDiffModelNode(pack),
    applyAnimateDiffModelSimpleNode(pack),
    applyAnimateDiffModelNode(pack),
    useEvolvedSamplingNode(pack),
    emptyLatentImageLargeNode(pack),
    multivalDynamicNode(pack),
    applyAnimateDiffModelWithPiaNode(pack),
    inputPiaPaperPresetsNode(pack),
    inputPiaMultivalNode(pack),
    sampleSettingsNode(pack),
    animateDiffLoraLoaderNode(pack),
    promptSchedulingNode(pack),
    promptSchedulingLatentsNode(pack),
    ...viewOptionNodes(pack),
    ...contextExtrasNodes(pack),
  ];
}
