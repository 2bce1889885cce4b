export * from './types/index.js';
export { defineNode } from './define-node.js';
export * from './errors.js';
export { ANY_TYPE, BUILTIN_SOCKET_TYPES, SocketTypeRegistry, areTypesCompatible, splitTypeUnion } from './socket-registry.js';
export { DEFAULT_PACK, NodeRegistry, type NodeRegistryOptions } from './node-registry.js';
export { inputInfo, toObjectInfo, type ObjectInfo, type ObjectInfoInput, type ObjectInfoNode } from './object-info.js';
export { WIDGET_TYPES, comboOptions, findInput, hasWidget, inputEntries, isLinkValue, isWidgetSpec, type InputEntry } from './node-inputs.js';
export { checkLiteral, type LiteralCheck } from './literal-cast.js';
export {
  validatePrompt,
  analysePrompt,
  PreparedNodes,
  type NodeLookup,
  type ValidateOptions,
  type PreparedNode,
  type PreparedLink,
  type PromptAnalysis,
} from './validate.js';
export { planExecution, planOrdered, SignatureKeys, type ExecutionPlan, type CacheLookup } from './plan.js';
export {
  DEFAULT_CACHE_BUDGET_BYTES,
  OutputCache,
  estimateSizeBytes,
  hashString,
  signatureKey,
  stableStringify,
  type CacheEntry,
  type CacheStats,
  type UpstreamRef,
} from './cache.js';
export { Executor } from './run.js';
export { summariseValue, summariseInputs } from './summarise.js';
export { walkUpstream, type UpstreamWalk } from './graph-walk.js';
export { findUnknownClasses, unknownClassErrors, unknownClassNames, type UnknownClassNode } from './unknown-classes.js';
export { isReservedId, reservedIdMessage } from './reserved-ids.js';
export * from './formats/index.js';
export * from './edit/index.js';
export * from './embedded-graph/index.js';
