import type { UiOutput } from './types/events.js';

/** Default byte budget of the output cache: 4 GiB. */
export const DEFAULT_CACHE_BUDGET_BYTES = 4 * 1024 ** 3;

/** What the cache keeps of one node run. */
export interface CacheEntry {
  outputs: readonly unknown[];
  ui?: UiOutput;
  sizeBytes: number;
}

/**
 * A running 128-bit multiply-xorshift hash (cyrb53-style, widened to four 32-bit lanes). Not cryptographic.
 * It is fed piece by piece: hashing `"ab"` then `"c"` gives the same lanes as hashing `"abc"`, so a signature is
 * hashed without first concatenating it into a string (which V8 would build as a rope and then flatten).
 */
class LaneHash {
  #a = 0;
  #b = 0;
  #c = 0;
  #d = 0;

  constructor() {
    this.reset();
  }

  /** Back to the state of an empty input, so that one instance hashes many strings. */
  reset(): this {
    this.#a = 0xdeadbeef | 0;
    this.#b = 0x41c6ce57;
    this.#c = 0x9e3779b9 | 0;
    this.#d = 0x85ebca6b | 0;
    return this;
  }

  update(text: string): this {
    let a = this.#a;
    let b = this.#b;
    let c = this.#c;
    let d = this.#d;
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      a = Math.imul(a ^ ch, 2654435761);
      b = Math.imul(b ^ ch, 1597334677);
      c = Math.imul(c ^ ch, 2246822519);
      d = Math.imul(d ^ ch, 3266489917);
    }
    this.#a = a;
    this.#b = b;
    this.#c = c;
    this.#d = d;
    return this;
  }

  /**
   * Feeds the eight UTF-16 code units that `compactKey` would make of the lanes at `lanes[at .. at + 4)`: the same
   * state as `update(compactKey(lanes, at))`, without building the string. Upstream keys enter signatures this way.
   */
  updateKeyLanes(lanes: Int32Array, at: number): this {
    for (let i = at; i < at + 4; i++) {
      const lane = lanes[i]!;
      this.#mix(lane & 0xffff);
      this.#mix(lane >>> 16);
    }
    return this;
  }

  /** `update(String(value))` for a whole number, without the string for the usual single digit. */
  updateDecimal(value: number): this {
    if (value >= 0 && value < 10) this.#mix(48 + value);
    else this.update(String(value));
    return this;
  }

  #mix(ch: number): void {
    this.#a = Math.imul(this.#a ^ ch, 2654435761);
    this.#b = Math.imul(this.#b ^ ch, 1597334677);
    this.#c = Math.imul(this.#c ^ ch, 2246822519);
    this.#d = Math.imul(this.#d ^ ch, 3266489917);
  }

  /** The four lanes after the final avalanche. */
  lanes(): [number, number, number, number] {
    const out = new Int32Array(4);
    this.writeLanes(out, 0);
    return [out[0]!, out[1]!, out[2]!, out[3]!];
  }

  /**
   * The same 128 bits as eight UTF-16 code units: an opaque, flat string that Maps hash far faster than a
   * concatenated hex rope, which matters when 10,000 keys are computed and looked up per run.
   */
  compact(): string {
    const [a, b, c, d] = this.lanes();
    return String.fromCharCode(a & 0xffff, a >>> 16, b & 0xffff, b >>> 16, c & 0xffff, c >>> 16, d & 0xffff, d >>> 16);
  }

  /**
   * Writes the four lanes after the final avalanche to `out[at .. at + 4)`, the unboxed form of `compact()`: the
   * planner keys every node of every run, and an array per key was a tenth of a cached run's garbage.
   */
  writeLanes(out: Int32Array, at: number): void {
    let a = this.#a;
    let b = this.#b;
    let c = this.#c;
    let d = this.#d;
    a = Math.imul(a ^ (a >>> 16), 2246822507) ^ Math.imul(b ^ (b >>> 13), 3266489909);
    b = Math.imul(b ^ (b >>> 16), 2246822507) ^ Math.imul(a ^ (a >>> 13), 3266489909);
    c = Math.imul(c ^ (c >>> 16), 2246822507) ^ Math.imul(d ^ (d >>> 13), 3266489909);
    d = Math.imul(d ^ (d >>> 16), 2246822507) ^ Math.imul(c ^ (c >>> 13), 3266489909);
    out[at] = a;
    out[at + 1] = b;
    out[at + 2] = c;
    out[at + 3] = d;
  }
}

/** The key string of the lanes at `lanes[at .. at + 4)`, equal to `SignatureBuilder.key()` of the node that wrote them. */
export function compactKey(lanes: Int32Array, at: number): string {
  const a = lanes[at]!;
  const b = lanes[at + 1]!;
  const c = lanes[at + 2]!;
  const d = lanes[at + 3]!;
  return String.fromCharCode(a & 0xffff, a >>> 16, b & 0xffff, b >>> 16, c & 0xffff, c >>> 16, d & 0xffff, d >>> 16);
}

/** Whether `key` is the compact key of the lanes at `lanes[at .. at + 4)`. */
function isCompactKeyOf(key: string, lanes: Int32Array, at: number): boolean {
  if (key.length !== 8) return false;
  for (let i = 0; i < 4; i++) {
    const lane = lanes[at + i]!;
    if (key.charCodeAt(2 * i) !== (lane & 0xffff) || key.charCodeAt(2 * i + 1) !== lane >>> 16) return false;
  }
  return true;
}

const INDEX_SEED = 0x2545f491;

function mixIndex(hash: number, code: number): number {
  return Math.imul(hash ^ code, 0x5bd1e995);
}

/**
 * Kept to 30 bits so that the index is a small integer, which a `Map` stores unboxed and hashes without touching
 * memory; at that width keys do share indexes now and then, which `OutputCache` resolves.
 */
function finishIndex(hash: number): number {
  return (hash ^ (hash >>> 15)) & 0x3fffffff;
}

/** The cache index of a key string (exported for tests, not from the package). */
export function indexOfKey(key: string): number {
  let hash = INDEX_SEED;
  for (let i = 0; i < key.length; i++) hash = mixIndex(hash, key.charCodeAt(i));
  return finishIndex(hash);
}

/** `indexOfKey(compactKey(lanes, at))`, without building the string. */
function indexOfLanes(lanes: Int32Array, at: number): number {
  let hash = INDEX_SEED;
  for (let i = at; i < at + 4; i++) {
    const lane = lanes[i]!;
    hash = mixIndex(mixIndex(hash, lane & 0xffff), lane >>> 16);
  }
  return finishIndex(hash);
}

/** Two hex digits for each byte value. */
const BYTE_HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex(value: number): string {
  return BYTE_HEX[(value >>> 24) & 255]! + BYTE_HEX[(value >>> 16) & 255]! + BYTE_HEX[(value >>> 8) & 255]! + BYTE_HEX[value & 255]!;
}

/**
 * A 128-bit hash of a string as 32 hex characters; wide enough that two different signatures sharing a key is
 * not a practical concern.
 */
export function hashString(text: string): string {
  const [a, b, c, d] = new LaneHash().update(text).lanes();
  return hex(a) + hex(b) + hex(c) + hex(d);
}

/** JSON with object keys sorted, so equal values always serialise equally. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const keys = Object.keys(value);
  if (keys.length === 0) return '{}';
  if (keys.length > 1) keys.sort();
  // A plain loop rather than map/join: literals are serialised once per node per run.
  let text = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (i > 0) text += ',';
    text += `${JSON.stringify(key)}:${stableStringify((value as Record<string, unknown>)[key])}`;
  }
  return `${text}}`;
}

/** One linked input's contribution to a signature. */
export interface UpstreamRef {
  input: string;
  key: string;
  output: number;
}

/**
 * Builds signature keys: `begin` with the node's own part, then its linked inputs in ascending input-name order,
 * then `key`. The planner reuses one builder for every node and feeds links straight from the prepared node, so
 * keying 10,000 nodes allocates little more than the keys.
 */
export class SignatureBuilder {
  readonly #hash = new LaneHash();

  begin(classType: string, literals: Readonly<Record<string, unknown>>, fingerprint: string): this {
    this.#hash.reset().update(classType).update('\u0000').update(stableStringify(literals)).update('\u0000').update(fingerprint);
    return this;
  }

  /** Adds a linked input; callers add them sorted by `input`. */
  upstream(input: string, key: string, output: number): this {
    this.#hash.update('\u0000').update(input).update('=').update(key).update(':').updateDecimal(output);
    return this;
  }

  /** `upstream` with the upstream key as the lanes `writeKey` stored: the planner keeps keys unboxed. */
  upstreamLanes(input: string, lanes: Int32Array, at: number, output: number): this {
    this.#hash.update('\u0000').update(input).update('=').updateKeyLanes(lanes, at).update(':').updateDecimal(output);
    return this;
  }

  key(): string {
    return this.#hash.compact();
  }

  /** Writes the key as four 32-bit lanes to `out[at .. at + 4)` (`compactKey` turns them into `key()`'s string). */
  writeKey(out: Int32Array, at: number): void {
    this.#hash.writeLanes(out, at);
  }
}

/**
 * A node's input signature key (ComfyUI's content-addressed cache key): its class, its literal inputs sorted by
 * name, its fingerprint, and for each linked input the upstream node's key and output index. Node ids take no
 * part, so the same sub-graph under other ids, or in another prompt, hits the same entries. The key is an opaque
 * 8-character string (128 bits); use `hashString` for a printable digest.
 */
export function signatureKey(
  classType: string,
  literals: Readonly<Record<string, unknown>>,
  fingerprint: string,
  upstream: readonly UpstreamRef[],
): string {
  const builder = new SignatureBuilder().begin(classType, literals, fingerprint);
  const sorted = upstream.length > 1 ? [...upstream].sort((x, y) => (x.input < y.input ? -1 : 1)) : upstream;
  for (const ref of sorted) builder.upstream(ref.input, ref.key, ref.output);
  return builder.key();
}

/** What an output without a known size is assumed to hold. */
const NOMINAL_BYTES = 64;

function valueBytes(value: unknown, depth: number): number {
  if (value === null || value === undefined) return 8;
  switch (typeof value) {
    case 'number':
    case 'boolean':
    case 'bigint':
      return 8;
    case 'string':
      return 16 + 2 * value.length;
    case 'object': {
      if (ArrayBuffer.isView(value)) return value.byteLength;
      if (value instanceof ArrayBuffer) return value.byteLength;
      if (depth > 0 && (Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype)) {
        let total = NOMINAL_BYTES;
        for (const item of Object.values(value)) total += valueBytes(item, depth - 1);
        return total;
      }
      return NOMINAL_BYTES;
    }
    default:
      return NOMINAL_BYTES;
  }
}

/**
 * A cheap estimate of the bytes a node's outputs hold, used when the node does not report `sizeBytes`: typed
 * arrays count their bytes, plain objects and arrays are looked into two levels deep, anything else is small.
 */
export function estimateSizeBytes(outputs: readonly unknown[]): number {
  let total = 0;
  for (const output of outputs) total += valueBytes(output, 2);
  return total;
}

/** Figures of an `OutputCache`. */
export interface CacheStats {
  entries: number;
  bytes: number;
  budgetBytes: number;
}

/** The index's mark for a hash that several keys share (see `OutputCache`). */
const SHARED = Symbol('shared');

/**
 * Node results by signature key, least recently used first out when the byte budget is exceeded.
 *
 * Besides the entries by key, a side index maps a small-integer hash of each key to that key, or to `SHARED` when
 * several keys have that hash. It serves `hasKeyLanes`, the planner's lookup of every ancestor on every run: a
 * small-integer `Map` probe costs a fraction of hashing and comparing a key string, and no string is built.
 */
export class OutputCache {
  readonly #entries = new Map<string, CacheEntry>();
  readonly #index = new Map<number, string | typeof SHARED>();
  #bytes = 0;

  constructor(readonly budgetBytes: number = DEFAULT_CACHE_BUDGET_BYTES) {
    if (!(budgetBytes >= 0)) throw new RangeError(`cache budget must be a non-negative number of bytes, got ${budgetBytes}`);
  }

  /** The entry for `key`, marking it most recently used. */
  get(key: string): CacheEntry | undefined {
    const entry = this.#entries.get(key);
    if (entry) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    return entry;
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  /** `has(compactKey(lanes, at))`, without building the key string. */
  hasKeyLanes(lanes: Int32Array, at: number): boolean {
    const indexed = this.#index.get(indexOfLanes(lanes, at));
    if (indexed === undefined) return false;
    if (indexed !== SHARED) return isCompactKeyOf(indexed, lanes, at);
    return this.#entries.has(compactKey(lanes, at));
  }

  /** Stores an entry, then evicts least recently used ones until the budget holds. An entry over budget is not kept. */
  set(key: string, entry: CacheEntry): void {
    this.delete(key);
    if (entry.sizeBytes > this.budgetBytes) return;
    this.#entries.set(key, entry);
    this.#addToIndex(key);
    this.#bytes += entry.sizeBytes;
    // Checked before iterating: a run stores one entry per node, and most stores evict nothing.
    if (this.#bytes <= this.budgetBytes) return;
    for (const oldKey of this.#entries.keys()) {
      if (this.#bytes <= this.budgetBytes) break;
      this.delete(oldKey);
    }
  }

  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#bytes -= entry.sizeBytes;
    const index = indexOfKey(key);
    // A `SHARED` mark stays: the keys left behind it are still found through `#entries`.
    if (this.#index.get(index) === key) this.#index.delete(index);
  }

  clear(): void {
    this.#entries.clear();
    this.#index.clear();
    this.#bytes = 0;
  }

  stats(): CacheStats {
    return { entries: this.#entries.size, bytes: this.#bytes, budgetBytes: this.budgetBytes };
  }

  #addToIndex(key: string): void {
    const index = indexOfKey(key);
    const indexed = this.#index.get(index);
    if (indexed === undefined) this.#index.set(index, key);
    else if (indexed !== key) this.#index.set(index, SHARED);
  }
}
