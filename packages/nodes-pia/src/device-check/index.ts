/** The GPU/CPU device check behind `scripts/device-check.sh`: correctness against the fp32 CPU, placement, timings. */
export * from './metrics.js';
export * from './fixtures.js';
export * from './correctness.js';
export * from './timing.js';
export * from './run.js';
export * from './report.js';
