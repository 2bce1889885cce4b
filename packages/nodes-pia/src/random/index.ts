/** Seeded, machine-independent Gaussian noise (Philox 4x32-10 + Box–Muller), and PyTorch's CPU generator (MT19937) bit-exact. */
export * from './errors.js';
export * from './philox.js';
export * from './seed.js';
export * from './normal.js';
export * from './torch-mt19937.js';
export * from './torch-mathfun.js';
export * from './torch-generator.js';
