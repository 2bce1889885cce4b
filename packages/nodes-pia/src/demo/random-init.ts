/**
 * Deterministic random initialisation of generated checkpoints. Every tensor gets its own stream seeded from the
 * model seed and the tensor's name, so a tensor's values do not depend on the order files are written in.
 */
import { positionEncoding } from '../models/motion-module.js';

/** 32-bit FNV-1a of a string. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Fills `out` with uniform numbers in [−1, 1) from a mulberry32 stream. */
function uniformFill(out: Float32Array, seed: number): void {
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
}

/** Options of {@link initTensor}. */
export interface InitOptions {
  /** Multiplies the weights of motion modules' output projections (0 makes every motion module the identity). */
  readonly motionScale?: number;
}

/**
 * Values for a tensor of a generated model, by its canonical name and shape:
 * norm scales 1 ± 0.05, biases ± 0.02, embeddings ± 0.02, conv/linear weights uniform with variance 1/fan-in
 * (PyTorch's default scale for activations that stay O(1) through the residual stack), position encodings exact.
 */
export function initTensor(name: string, shape: readonly number[], seed: number, options: InitOptions = {}): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  if (name.endsWith('.pe')) {
    const [, frames, channels] = shape as [number, number, number];
    out.set(positionEncoding(frames, channels));
    return out;
  }
  uniformFill(out, (seed ^ fnv1a(name)) >>> 0);
  let scale: number;
  let offset = 0;
  if (shape.length === 1 && name.endsWith('.weight')) {
    scale = 0.05;
    offset = 1;
  } else if (shape.length === 1) {
    scale = 0.02;
  } else if (name.includes('embedding')) {
    scale = 0.02;
  } else {
    const fanIn = shape.slice(1).reduce((a, b) => a * b, 1);
    scale = Math.sqrt(3 / fanIn);
  }
  if (name.includes('motion_modules') && name.includes('proj_out')) scale *= options.motionScale ?? 1;
  for (let i = 0; i < n; i++) out[i] = out[i]! * scale + offset;
  return out;
}
