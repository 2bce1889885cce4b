export type * from './socket-types.js';
export type * from './node-def.js';
export type * from './api-prompt.js';
export type * from './document.js';
export type * from './events.js';
export type * from './validation.js';
export type * from './execution.js';
export { GRAPH_DOCUMENT_VERSION } from './document.js';
