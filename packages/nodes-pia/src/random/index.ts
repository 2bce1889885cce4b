/** Seeded, machine-independent Gaussian noise (Philox 4x32-10 + Box–Muller). */
export * from './errors.js';
export * from './philox.js';
export * from './seed.js';
export * from './normal.js';
