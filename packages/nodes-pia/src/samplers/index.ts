/**
 * ComfyUI's KSampler maths in TypeScript: model sampling, schedulers, the KSampler sigma logic, CFG, the
 * noise (PyTorch CPU `randn`, bit-exact) and all 44 k-diffusion samplers, reproducing ComfyUI v0.8.0's
 * numbers for SD 1.5 EPS models (see test/samplers/).
 *
 * Typical use (what the KSampler node does):
 * ```ts
 * const ms = ModelSamplingDiscrete.fromSchedule();                  // SD 1.5
 * const { samples } = await runKSampler({
 *   model,                          // ConditionedModel: (x, sigma, ['uncond','cond']) → denoised predictions
 *   modelSampling: ms, seed, steps, cfg, samplerName, scheduler,
 *   latent, shape, denoise,         // range / addNoise for KSamplerAdvanced
 *   onStep: (i, denoised, x, total) => …, signal,
 * });
 * ```
 * Lower level: `ksamplerSigmas` + `cutSigmas` (which sigmas), `prepareNoise` (initial noise),
 * `ModelSamplingDiscrete.noiseScaling` (first x), `cfgDenoiser` (guidance) and `sample(name, …)`.
 * A `ConditionedModel` for an EPS U-Net: x_in = `ms.calculateInput(sigma, x)`, t = `ms.timestep(sigma)`,
 * ε = U-Net(x_in, t, cond), denoised = `ms.calculateDenoised(sigma, ε, x)`.
 *
 * Names: `SAMPLER_NAMES` and `SCHEDULER_NAMES` in ComfyUI's order; an unknown name throws a `KSamplerError`
 * (code `unknown_sampler` / `unknown_scheduler`) that lists the valid ones.
 * Noise: ancestral samplers draw from PyTorch's CPU generator seeded seed + 1 (ComfyUI on the CPU); SDE
 * samplers use our own Brownian tree (not torchsde's numbers). `noiseSampler` replaces both.
 */
export { KSamplerError, type KSamplerErrorCode } from './errors.js';
export * from './torch-linspace.js';
export * from './beta-distribution.js';
export * from './model-sampling.js';
export * from './schedulers.js';
export * from './sampler-names.js';
export * from './ksampler-sigmas.js';
export { cfgCombine, cfgDenoiser, type CondKind, type ConditionedModel, type Denoiser, type GuidedPrediction } from './cfg.js';
export { defaultNoiseSampler, prepareNoise, zeroNoiseSampler, type NoiseSampler } from './noise.js';
export * from './brownian-tree.js';
export * from './sample.js';
export * from './ksampler.js';
export type { SamplerContext, SamplerFunction } from './k-diffusion/context.js';
export * from './context/index.js';
