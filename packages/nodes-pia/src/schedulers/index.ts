/** Denoising schedulers over flat float32 latents; DDIM configured as PIA uses it. */
export * from './errors.js';
export * from './types.js';
export * from './noise-schedule.js';
export * from './ddim.js';
