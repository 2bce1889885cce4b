export * from './types/index.js';
export { defineNode } from './define-node.js';
export * from './embedded-graph/index.js';
