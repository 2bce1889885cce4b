/**
 * What the fuzz test sends: random and mutated values, prompts, graph documents, query strings, multipart uploads
 * and raw bodies. Everything comes from one `Rng`, so a seed names a whole run.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TINY_PNG } from '../fixtures/server-test-nodes.js';
import type { Rng } from './random.js';

/** Strings that have broken servers before: paths, control characters, injections, numbers in disguise. */
const NASTY_STRINGS = [
  '', ' ', '.', '..', '../../etc/passwd', '..\\..\\windows', '/etc/passwd', 'C:\\Windows\\win.ini', 'a/b', 'a\\b',
  'a\r\nSet-Cookie: x=1', 'line\nbreak', '\u0000', 'nul\u0000byte', '\u0001\u001f\u007f', '%00', '%2e%2e%2f', '%0d%0a',
  '<script>alert(1)</script>', "'; DROP TABLE jobs;--", '${process.exit()}', '{{7*7}}', '__proto__', 'constructor',
  'prototype', 'toString', 'hasOwnProperty', '\ud800', '\udfff', '𝕏💥', 'ü', 'null', 'true', '1e20', '-1', 'NaN',
  'Infinity', '0x10', '1.5', '9007199254740993', 'output', 'input', 'temp', 'models', 'piagraph.db', 'image/gif',
  'TestNumber', 'TestOutput', 'x'.repeat(300), 'y'.repeat(5000),
];

const NASTY_NUMBERS = [0, -0, 1, -1, 2, 7, 255, 256, 65535, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e20, -1e20, 1e308, -1e308, 5e-324, 0.5, 1.5, -0.1, 3.14159];

export function randomString(rng: Rng): string {
  if (rng.chance(0.6)) return rng.pick(NASTY_STRINGS);
  const length = rng.weighted([[6, rng.int(0, 12)], [2, rng.int(13, 200)], [1, rng.int(201, 3000)]]);
  let s = '';
  for (let i = 0; i < length; i++) {
    s += String.fromCharCode(rng.weighted([[6, rng.int(0x20, 0x7e)], [1, rng.int(0, 0x1f)], [1, rng.int(0x80, 0x2fff)], [0.2, rng.int(0xd800, 0xdfff)]]));
  }
  return s;
}

export function randomNumber(rng: Rng): number {
  return rng.chance(0.6) ? rng.pick(NASTY_NUMBERS) : (rng.next() - 0.5) * 10 ** rng.int(0, 12);
}

/** A random JSON value, at most `depth` levels deep. */
export function randomJson(rng: Rng, depth = 4): unknown {
  const kind = rng.weighted<string>([[2, 'null'], [2, 'bool'], [4, 'number'], [5, 'string'], [depth > 0 ? 3 : 0, 'array'], [depth > 0 ? 3 : 0, 'object']]);
  switch (kind) {
    case 'null':
      return null;
    case 'bool':
      return rng.chance(0.5);
    case 'number':
      return randomNumber(rng);
    case 'string':
      return randomString(rng);
    case 'array':
      return Array.from({ length: rng.weighted([[8, rng.int(0, 4)], [1, rng.int(5, 60)]]) }, () => randomJson(rng, depth - 1));
    default: {
      const out: Record<string, unknown> = {};
      const n = rng.weighted([[8, rng.int(0, 4)], [1, rng.int(5, 30)]]);
      for (let i = 0; i < n; i++) setOwn(out, randomString(rng), randomJson(rng, depth - 1));
      return out;
    }
  }
}

/** Objects and arrays alternately nested `levels` deep, as a value. */
export function deeplyNested(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = i % 2 === 0 ? { a: value } : [value];
  return value;
}

/** The test nodes' classes and a plausible value for each input, used to build prompts that are often valid. */
const TEST_CLASSES: Record<string, Record<string, (rng: Rng) => unknown>> = {
  TestNumber: { value: (r) => r.int(-5, 100) },
  TestAdd: { a: (r) => r.int(0, 9), b: (r) => r.int(0, 9) },
  TestString: { text: (r) => (r.chance(0.8) ? 'hello' : randomString(r)) },
  TestConcat: { a: () => 'a', b: () => 'b' },
  TestSlow: { value: (r) => r.int(0, 9), ms: (r) => r.int(0, 30) },
  TestFail: { message: () => 'fuzz failure' },
  TestCounter: { value: (r) => r.int(0, 9) },
  TestOutput: { value: (r) => r.int(0, 9) },
  TestFloat: { value: (r) => r.next() },
  TestBoolean: { value: (r) => r.chance(0.5) },
  TestCombo: { choice: (r) => r.pick(['a', 'b', 'c']) },
  TestValidated: { value: (r) => r.int(0, 9) },
  TestLatent: { frames: (r) => r.int(1, 8) },
  TestBig: { value: (r) => r.int(0, 9), bytes: (r) => r.int(0, 4096) },
  TestPreview: { value: (r) => r.int(0, 9), steps: (r) => r.int(1, 3), ms: (r) => r.int(0, 5) },
  TestSaveImage: { value: (r) => r.int(0, 9), filename_prefix: (r) => (r.chance(0.7) ? 'fuzz' : randomString(r)) },
};

/** An API prompt of test nodes: random classes, inputs that are mostly plausible, links that mostly resolve. */
export function randomPrompt(rng: Rng): Record<string, unknown> {
  const prompt: Record<string, unknown> = {};
  const n = rng.weighted([[8, rng.int(1, 6)], [1, rng.int(7, 40)]]);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = rng.chance(0.9) ? String(i + 1) : randomString(rng);
    const classType = rng.chance(0.95) ? rng.pick(Object.keys(TEST_CLASSES)) : randomString(rng);
    const inputs: Record<string, unknown> = {};
    for (const [name, make] of Object.entries(TEST_CLASSES[classType] ?? {})) {
      if (rng.chance(0.05)) continue;
      inputs[name] = ids.length > 0 && rng.chance(0.3) ? [rng.chance(0.9) ? rng.pick(ids) : randomString(rng), rng.chance(0.9) ? 0 : rng.int(-1, 3)] : make(rng);
    }
    prompt[id] = { class_type: classType, inputs };
    ids.push(id);
  }
  // Most prompts end in an output, so they validate and run.
  if (rng.chance(0.8) && ids.length > 0) prompt['out'] = { class_type: 'TestOutput', inputs: { value: [rng.pick(ids), 0] } };
  return prompt;
}

function readJson(relative: string): unknown {
  return JSON.parse(readFileSync(fileURLToPath(new URL(relative, import.meta.url)), 'utf8')) as unknown;
}

/** Real graphs to mutate: the example document (at 1 step) and ComfyUI UI workflows. */
export function seedGraphs(): unknown[] {
  const example = readJson('../../../../examples/pia-image-to-video.json') as { nodes: Record<string, { values: Record<string, unknown> }> };
  example.nodes['7']!.values.steps = 1;
  return [
    example,
    readJson('../../../graph-core/test/fixtures/comfy-workflow-v04.json'),
    readJson('../../../graph-core/test/fixtures/comfy-workflow-v1.json'),
    readJson('../../../graph-core/test/fixtures/document-v0.json'),
  ];
}

/** Every container path of `value` (capped), for picking a mutation site. */
function containers(value: unknown, path: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  // Not below 200 levels: a 'toodeep' edit made thousands, and this walk recurses.
  if (out.length > 2000 || path.length > 200 || value === null || typeof value !== 'object') return out;
  out.push(path);
  if (Array.isArray(value)) value.forEach((v, i) => containers(v, [...path, i], out));
  else for (const [k, v] of Object.entries(value)) containers(v, [...path, k], out);
  return out;
}

/** Own properties only: "constructor" or "__proto__" must be keys like any other, never the prototype's. */
function getOwn(target: Record<string | number, unknown>, key: string | number): unknown {
  return Object.hasOwn(target, key) ? target[key] : undefined;
}

function setOwn(target: Record<string | number, unknown>, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A deep copy of `value` with 1–4 random edits: keys deleted, values replaced or retyped, subtrees duplicated or nested. */
export function mutate(rng: Rng, value: unknown): unknown {
  let copy: unknown;
  try {
    copy = structuredClone(value);
  } catch {
    // Too deep to copy (an earlier 'toodeep' edit): something else to send instead.
    return randomJson(rng);
  }
  if (copy === null || typeof copy !== 'object') return randomJson(rng);
  const edits = rng.int(1, 4);
  for (let e = 0; e < edits; e++) {
    const paths = containers(copy);
    const path = rng.pick(paths);
    let target = copy as Record<string | number, unknown>;
    for (const step of path) target = getOwn(target, step) as Record<string | number, unknown>;
    const keys = Object.keys(target);
    const key: string | number = Array.isArray(target) ? (keys.length > 0 ? rng.int(0, keys.length) : 0) : keys.length > 0 && rng.chance(0.8) ? rng.pick(keys) : randomString(rng);
    const action = rng.weighted<string>([[3, 'replace'], [2, 'delete'], [1, 'retype'], [1, 'duplicate'], [0.4, 'deep'], [0.3, 'toodeep'], [0.5, 'huge']]);
    switch (action) {
      case 'delete':
        if (Array.isArray(target)) target.splice(Number(key), 1);
        else delete target[key];
        break;
      case 'retype': {
        const old = getOwn(target, key);
        setOwn(target, key, typeof old === 'string' ? randomNumber(rng) : typeof old === 'number' ? String(old) : Array.isArray(old) ? Object.fromEntries(old.map((v, i) => [i, v])) : old === null ? {} : [old]);
        break;
      }
      case 'duplicate':
        // The same object twice is fine for JSON.stringify, and copying a very deep one would overflow.
        setOwn(target, randomString(rng), getOwn(target, key));
        break;
      case 'deep':
        setOwn(target, key, deeplyNested(rng.int(20, 250)));
        break;
      case 'toodeep':
        setOwn(target, key, deeplyNested(rng.int(300, 3000)));
        break;
      case 'huge':
        setOwn(target, key, rng.chance(0.5) ? 'z'.repeat(rng.int(10_000, 300_000)) : Array.from({ length: rng.int(1000, 20_000) }, (_, i) => i));
        break;
      default:
        setOwn(target, key, randomJson(rng, 3));
    }
  }
  return copy;
}

/** JSON text with bytes flipped, cut or inserted: mostly invalid JSON, sometimes still valid. */
export function mutateText(rng: Rng, text: string): string {
  let s = text;
  const edits = rng.int(1, 5);
  for (let e = 0; e < edits; e++) {
    const at = rng.int(0, s.length);
    const action = rng.weighted<string>([[2, 'flip'], [1, 'cut'], [2, 'insert'], [1, 'truncate']]);
    if (action === 'flip' && s.length > 0) s = s.slice(0, at) + String.fromCharCode(rng.int(0, 0x7f)) + s.slice(at + 1);
    else if (action === 'cut') s = s.slice(0, at) + s.slice(at + rng.int(1, 40));
    else if (action === 'insert') s = s.slice(0, at) + rng.pick(['{', '}', '[', ']', '"', ',', ':', '\\', '\\u', 'null', '1e999', '\u0000', '\n']) + s.slice(at);
    else s = s.slice(0, at);
  }
  return s;
}

/** A query string of known and unknown keys with nasty values. */
export function randomQuery(rng: Rng): string {
  const keys = ['max_items', 'offset', 'limit', 'filename', 'subfolder', 'type', 'revision', 'status', 'sort_by', 'sort_order', 'workflow_id', 'clientId', 'preview', 'channel', randomString(rng)];
  const params = new URLSearchParams();
  const n = rng.int(0, 4);
  for (let i = 0; i < n; i++) {
    const key = rng.pick(keys);
    const value = rng.weighted<string>([[3, randomString(rng)], [3, String(randomNumber(rng))], [1, rng.pick(['output', 'input', 'temp', 'pending', 'completed,failed', 'asc', 'desc', 'execution_time'])]]);
    try {
      params.append(key, value);
    } catch {
      // A lone surrogate cannot be encoded; skip it.
    }
  }
  const text = params.toString();
  return text.length > 0 ? `?${text}` : '';
}

/** A random multipart upload: odd names, odd fields, an image or not. */
export function randomUpload(rng: Rng): { body: Buffer; contentType: string } {
  const boundary = `fuzz${rng.int(0, 1e9)}`;
  const parts: Buffer[] = [];
  const field = (name: string, value: string) =>
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  if (rng.chance(0.5)) field('type', rng.pick(['input', 'temp', 'output', randomString(rng)]));
  if (rng.chance(0.5)) field('subfolder', rng.pick(['', 'fuzz', 'a/b', '../x', randomString(rng).replace(/[\r\n"]/g, '')]));
  if (rng.chance(0.3)) field('overwrite', rng.pick(['true', '1', 'false', 'yes']));
  if (rng.chance(0.9)) {
    const name = rng.chance(0.4) ? `fuzz${rng.int(0, 20)}.png` : randomString(rng);
    let encoded: string;
    try {
      encoded = `filename*=UTF-8''${encodeURIComponent(name)}`;
    } catch {
      encoded = 'filename="lone.png"';
    }
    const disposition = rng.chance(0.5) && !/["\r\n\\]/.test(name) ? `filename="${name}"` : encoded;
    const content = rng.weighted<Buffer>([[3, TINY_PNG], [1, Buffer.from(randomString(rng))], [1, Buffer.concat([TINY_PNG.subarray(0, 8), Buffer.from(randomString(rng))])]]);
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${rng.chance(0.9) ? 'image' : 'file'}"; ${disposition}\r\nContent-Type: image/png\r\n\r\n`), content, Buffer.from('\r\n'));
  }
  const body = Buffer.concat([...parts, Buffer.from(rng.chance(0.9) ? `--${boundary}--\r\n` : `--${boundary}`)]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}
