/**
 * Prompt travel as AnimateDiff-Evolved's Prompt Scheduling reads it: keyframes `"idx": "prompt", …` (JSON) or
 * `idx = "prompt", …` (pythonic), an idx being a frame (negative from the end), a fraction of the length (`0.5`), a
 * range `a:b` (the same prompt on frames a … b−1, not interpolated) or a hold `idx:` (no interpolation up to the next
 * keyframe). Between keyframes the embeddings are interpolated frame by frame; ADE interpolates each frame from the
 * previous frame's result (`c_k = lerp(c_{k−1}, to, w_k)` with `w = linspace(0, 1)`), which this reproduces.
 * Keyframes must come in increasing frame order (ADE would misbehave on others; piagraph refuses them).
 */
import { torchLinspace } from '../samplers/torch-linspace.js';

/** A keyframe: the frame, the prompt from it on, and whether it is held (not interpolated) until the next. */
export interface ScheduleKeyframe {
  readonly idx: number;
  readonly prompt: string;
  readonly hold: boolean;
}

/** A parsed schedule: its keyframes in frame order and the number of frames it covers. */
export interface PromptSchedule {
  readonly keyframes: readonly ScheduleKeyframe[];
  readonly length: number;
}

/** A schedule that cannot be read; `message` lists every problem with its position or index text. */
export class PromptScheduleError extends Error {
  override readonly name = 'PromptScheduleError';
}

const JSON_PAIR = /"([\d:\-.]+)\s*"\s*:\s*"([^"]*)"(?:\s*,\s*|$)/g;
const PYTHONIC_PAIR = /([\d:\-.]+)\s*=\s*"([^"]*)"(?:\s*,\s*|$)/g;

/** The pairs a pattern finds, and the stretches of text between them that it could not read. */
function scan(text: string, pattern: RegExp): { pairs: [string, string][]; errors: string[] } {
  const pairs: [string, string][] = [];
  const errors: string[] = [];
  let end = 0;
  for (const m of text.matchAll(pattern)) {
    if (m.index !== end) errors.push(`position ${end} to ${m.index}: '${text.slice(end, m.index).replace(/\n/g, '\t')}'`);
    end = m.index + m[0].length;
    pairs.push([m[1]!, m[2]!]);
  }
  if (end !== text.length) errors.push(`position ${end} to ${text.length}: '${text.slice(end).replace(/\n/g, '\t')}'`);
  return { pairs, errors };
}

/** The text's keyframe pairs in whichever format reads it without errors (JSON first when it starts with a quote). */
function readPairs(raw: string): [string, string][] {
  let text = raw.trim();
  if (text.startsWith('{') && text.endsWith('}')) text = text.slice(1, -1).trim();
  if (text.length === 0) throw new PromptScheduleError('the prompt schedule is empty: write keyframes like "0": "a cat", "16": "a dog"');
  const json = scan(text, JSON_PAIR);
  const pythonic = scan(text, PYTHONIC_PAIR);
  const order = text.startsWith('"') ? [json, pythonic] : [pythonic, json];
  for (const attempt of order) if (attempt.errors.length === 0) return attempt.pairs;
  const assumed = json.pairs.length > pythonic.pairs.length || (json.pairs.length === pythonic.pairs.length && json.errors.length < pythonic.errors.length) ? json : pythonic;
  const format = assumed === json ? 'JSON' : 'pythonic';
  throw new PromptScheduleError(`${assumed.errors.length} unreadable part(s) of the prompt schedule (read as ${format}): ${assumed.errors.join('; ')}`);
}

/** One index of a keyframe (ADE's `validate_index`): `range` ends may be anywhere, single frames may not be negative after conversion. */
function frameIndex(text: string, length: number, range: boolean): number {
  let index: number;
  if (text.includes('.')) {
    if (length === 0) throw new PromptScheduleError(`'${text}': fractional indexes need max_length (or a latent) to know the length`);
    const fraction = Number(text);
    if (!Number.isFinite(fraction) || fraction < 0 || fraction > 1) throw new PromptScheduleError(`'${text}': a fractional index must be between 0.0 and 1.0`);
    index = Math.abs(fraction - 1) <= 1e-9 ? length - 1 : Math.trunc(fraction * length);
  } else {
    if (!/^-?\d+$/.test(text)) throw new PromptScheduleError(`'${text}' is not a frame index`);
    index = Number(text);
  }
  if (index < 0) {
    if (!range && length === 0) throw new PromptScheduleError(`'${text}': negative indexes need max_length (or a latent) to count from the end`);
    index = range ? Math.max(0, length + index) : length + index;
    if (index < 0) throw new PromptScheduleError(`'${text}' counts back past the first of ${length} frames`);
  }
  return index;
}

/** The frames one idx text selects (ADE's `convert_str_to_indexes` as Prompt Scheduling calls it). */
function framesOf(idx: string, length: number): number[] {
  if (!idx.includes(':')) return [frameIndex(idx, length, false)];
  const [a, b] = idx.split(':') as [string, string];
  let start = a.trim() === '' ? 0 : frameIndex(a.trim(), length, true);
  let end = b.trim() === '' ? length : frameIndex(b.trim(), length, true);
  if (start === end) return [frameIndex(a.trim(), length, false)];
  if (end < start) [start, end] = [end, start];
  return Array.from({ length: end - start }, (_, i) => start + i);
}

/** `prompt` with ADE's prepend/append text, joined by commas. */
function withExtraText(prompt: string, prepend: string, append: string): string {
  let p = prompt.trim();
  let before = prepend.trim();
  let after = append.trim();
  if (before.length > 0) {
    while (before.endsWith(',')) before = before.slice(0, -1).trim();
    p = (p.startsWith(',') ? before : `${before}, `) + p;
  }
  if (after.length > 0) {
    while (after.startsWith(',')) after = after.slice(1).trim();
    p = p + (p.endsWith(',') ? ` ${after}` : `, ${after}`);
  }
  return p;
}

/**
 * Reads a schedule for `length` frames (0: up to its largest index). Throws a {@link PromptScheduleError} naming every
 * unreadable part and bad index.
 */
export function parsePromptSchedule(text: string, length: number, extra: { prepend?: string; append?: string } = {}): PromptSchedule {
  const keyframes: ScheduleKeyframe[] = [];
  const problems: string[] = [];
  for (const [rawIdx, prompt] of readPairs(text)) {
    let idx = rawIdx.trim();
    if (idx.startsWith(':')) problems.push(`'${idx}': an index cannot begin with ':'`);
    else if ((idx.match(/:/g) ?? []).length > 1) problems.push(`'${idx}': an index has at most one ':'`);
    else {
      const hold = idx.endsWith(':');
      if (hold) idx = idx.slice(0, -1);
      try {
        const text = withExtraText(prompt, extra.prepend ?? '', extra.append ?? '');
        for (const f of framesOf(idx, length)) keyframes.push({ idx: f, prompt: text, hold });
      } catch (err) {
        if (!(err instanceof PromptScheduleError)) throw err;
        problems.push(err.message);
      }
    }
  }
  if (problems.length > 0) throw new PromptScheduleError(`bad keyframe index${problems.length > 1 ? 'es' : ''}: ${problems.join('; ')}`);
  for (let i = 1; i < keyframes.length; i++) {
    if (keyframes[i]!.idx <= keyframes[i - 1]!.idx) {
      throw new PromptScheduleError(`keyframes must go forward: frame ${keyframes[i]!.idx} ("${keyframes[i]!.prompt}") comes after frame ${keyframes[i - 1]!.idx}`);
    }
  }
  return { keyframes, length: length === 0 ? keyframes[keyframes.length - 1]!.idx + 1 : length };
}

/** How neighbouring keyframes' embeddings are blended. */
export type TensorInterp = 'lerp' | 'slerp';
export const TENSOR_INTERPS: readonly TensorInterp[] = ['lerp', 'slerp'];

const f = Math.fround;

/** `from·(1 − w) + to·w`, each operation in float32 as torch does. */
export function lerpTensors(from: Float32Array, to: Float32Array, w: number): Float32Array {
  const keep = f(1 - w);
  return Float32Array.from(from, (a, i) => f(f(a * keep) + f(to[i]! * w)));
}

/** Spherical interpolation over the whole tensor (lerp when the two are nearly parallel), as ADE's `slerp_tensors`. */
export function slerpTensors(from: Float32Array, to: Float32Array, w: number): Float32Array {
  const norm = (t: Float32Array) => Math.sqrt(t.reduce((s, v) => s + v * v, 0));
  const [nf, nt] = [norm(from), norm(to)];
  let dot = 0;
  for (let i = 0; i < from.length; i++) dot += (from[i]! / nf) * (to[i]! / nt);
  if (Math.abs(dot) > 0.9995) return lerpTensors(from, to, w);
  const omega = Math.acos(dot);
  const [a, b, s] = [Math.sin((1 - w) * omega), Math.sin(w * omega), Math.sin(omega)];
  return Float32Array.from(from, (v, i) => f((v * a + to[i]! * b) / s));
}

/** The embedding of every frame (`[length, …]` frame-major), with `encode` called once per distinct prompt. */
export async function evaluatePromptSchedule(
  schedule: PromptSchedule,
  encode: (prompt: string) => Promise<Float32Array>,
  interp: TensorInterp = 'lerp',
): Promise<Float32Array[]> {
  const cache = new Map<string, Promise<Float32Array>>();
  const embed = (prompt: string) => {
    let e = cache.get(prompt);
    if (!e) cache.set(prompt, (e = encode(prompt)));
    return e;
  };
  const blend = interp === 'slerp' ? slerpTensors : lerpTensors;
  const { length } = schedule;
  const frames: (Float32Array | undefined)[] = new Array(length);
  let prev: { idx: number; hold: boolean; cond: Float32Array } | undefined;
  for (const kf of schedule.keyframes) {
    const cond = await embed(kf.prompt);
    if (!prev) {
      // Frames before the first keyframe take its prompt.
      for (let i = 0; i <= kf.idx && i < length; i++) frames[i] = cond;
    } else if (kf.idx === prev.idx + 1 || prev.hold) {
      for (let i = prev.idx + 1; i < kf.idx && i < length; i++) frames[i] = prev.cond;
      if (kf.idx < length) frames[kf.idx] = cond;
    } else {
      const n = kf.idx - prev.idx + 1;
      const weights = torchLinspace(0, 1, n, 'float32');
      let current = prev.cond;
      for (let k = 0; k < n && prev.idx + k < length; k++) {
        current = blend(current, cond, weights[k]!);
        frames[prev.idx + k] = current;
      }
    }
    if (kf.idx >= length) break;
    prev = { idx: kf.idx, hold: kf.hold, cond };
  }
  // Frames after the last keyframe keep its prompt.
  for (let i = 1; i < length; i++) frames[i] ??= frames[i - 1];
  return frames as Float32Array[];
}
