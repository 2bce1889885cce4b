/** PIA's inter-frame affinity: the paper's presets and custom schedules, one coefficient per frame. */
export * from './errors.js';
export * from './range-list.js';
export * from './prepare.js';
