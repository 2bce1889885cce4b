/** LoRA: opening kohya/LyCORIS/diffusers/PEFT files, merging them into weights, and patched sessions of cached graphs. */
export { LoraError, type LoraErrorCode, type LoraErrorDetails } from './errors.js';
export { parseLoraKey, groupLoraKeys, type LoraRole, type LoraKeyStyle, type ParsedLoraKey } from './lora-format.js';
export { loraModuleNames, type LoraComponent, type LoraTargetSpec } from './lora-names.js';
export { foreignFamily, type ForeignFamily } from './lora-family.js';
export { openLora, type LoraFile, type LoraLayer, type LoraFactor, type LoraUpdate, type OpenLoraOptions } from './open-lora.js';
export { applyLoras, loraMergedWeights, type LoraPatch } from './apply.js';
export { openPatchedSession, openLoraSession, type PatchedSession } from './patched-session.js';
export { openLiveLoraSession, type LiveLoraSession } from './live-session.js';
