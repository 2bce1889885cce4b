/** Longest string kept verbatim in an input summary. */
const MAX_STRING = 200;

/**
 * A short, JSON-safe summary of a value a node received, for `execution_error.current_inputs`: primitives as they
 * are (long strings cut), tensors and typed arrays as `{ type, shape }`, small plain objects one level deep, and
 * other objects by class name.
 */
export function summariseValue(value: unknown, depth = 1): unknown {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}… (${value.length} chars)` : value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'undefined') return null;
  if (typeof value === 'function') return { type: 'function' };
  if (ArrayBuffer.isView(value)) {
    const length = 'length' in value ? (value as { length: number }).length : value.byteLength;
    return { type: value.constructor.name, shape: [length] };
  }
  const object = value as Record<string, unknown>;
  const shape = object['dims'] ?? object['shape'];
  if (Array.isArray(shape) && shape.every((d) => typeof d === 'number')) {
    const type = typeof object['type'] === 'string' ? object['type'] : value.constructor?.name ?? 'Object';
    return { type, shape: [...shape] };
  }
  if (Array.isArray(value)) return depth > 0 && value.length <= 8 ? value.map((item) => summariseValue(item, depth - 1)) : { type: 'Array', length: value.length };
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return { type: value.constructor?.name ?? 'Object' };
  const keys = Object.keys(object);
  if (depth <= 0 || keys.length > 16) return { type: 'Object', keys: keys.slice(0, 16) };
  const summary: Record<string, unknown> = {};
  for (const key of keys) summary[key] = summariseValue(object[key], depth - 1);
  return summary;
}

/** `summariseValue` of every input. */
export function summariseInputs(inputs: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const summary: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(inputs)) summary[name] = summariseValue(value);
  return summary;
}

/** An error's stack frames as lines (ComfyUI's `traceback`), without the leading message line. */
export function tracebackOf(error: unknown): string[] {
  if (!(error instanceof Error) || typeof error.stack !== 'string') return [];
  return error.stack
    .split('\n')
    .slice(1)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}
