/** The PIA node pack: one file per node, the socket values they exchange, and the state they share. */
export * from './socket-values.js';
export { PackContext, type PackSettings } from './pack-context.js';
export { loadCheckpointNode } from './load-checkpoint.js';
export { clipTextEncodeNode } from './clip-text-encode.js';
export { loadImageNode } from './load-image.js';
export { affinityScheduleNode } from './affinity-schedule.js';
export { piaConditionNode } from './pia-condition.js';
export { ddimSamplerNode, MAX_WIDGET_SEED } from './ddim-sampler.js';
export { vaeDecodeNode } from './vae-decode.js';
export { embeddedMetadata, saveVideoNode, videoFileRefs } from './save-video.js';
export { piaAnimateNode } from './pia-animate.js';
