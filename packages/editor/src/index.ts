/**
 * @piagraph/editor's pure modules, for tools and tests that work with the editor's view of the graph without a
 * browser. The application itself is the Vite build in `dist/`.
 */
export * from './defs/object-info.js';
export * from './defs/node-search.js';
export * from './defs/socket-types.js';
export * from './document/edits.js';
export * from './document/import.js';
export * from './defs/client-registry.js';
export * from './document/seed-control.js';
export * from './document/clipboard.js';
export * from './store/run-state.js';
export * from './api/messages.js';
export * from './tabs/tab-list.js';
