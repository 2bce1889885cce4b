import { GraphFormatError } from '../errors.js';

/**
 * Small shape checks that name the offending path (`nodes["3"].position.x: expected a number`), for parsing
 * untrusted JSON into typed records without a schema library: the formats are few and the messages matter.
 */

/** `path` extended by an object field: `.name`, or `["3"]` for record keys that are not identifiers. */
export function at(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return path ? `${path}.${key}` : key;
  return `${path}[${JSON.stringify(key)}]`;
}

/** `path` extended by a record key, always bracketed: `nodes["3"]`. */
export function atKey(path: string, key: string): string {
  return `${path}[${JSON.stringify(key)}]`;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`;
  return `${typeof value === 'number' ? 'the number' : typeof value} ${String(value)}`;
}

function fail(path: string, expected: string, value: unknown): never {
  throw new GraphFormatError(path, `expected ${expected}, got ${value === undefined ? 'nothing' : kindOf(value)}`);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function expectObject(value: unknown, path: string): Record<string, unknown> {
  return isPlainObject(value) ? value : fail(path, 'an object', value);
}

export function expectArray(value: unknown, path: string): unknown[] {
  return Array.isArray(value) ? value : fail(path, 'an array', value);
}

export function expectString(value: unknown, path: string): string {
  return typeof value === 'string' ? value : fail(path, 'a string', value);
}

export function expectNonEmptyString(value: unknown, path: string): string {
  return typeof value === 'string' && value !== '' ? value : fail(path, 'a non-empty string', value);
}

export function expectNumber(value: unknown, path: string): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fail(path, 'a number', value);
}

export function expectInteger(value: unknown, path: string, min = 0): number {
  return Number.isInteger(value) && (value as number) >= min ? (value as number) : fail(path, `an integer ≥ ${min}`, value);
}

export function optionalString(value: unknown, path: string): string | undefined {
  return value === undefined ? undefined : expectString(value, path);
}

/** Parses a JSON string, or passes a parsed value through; bad JSON is a `GraphFormatError`. */
export function parseJsonInput(json: unknown): unknown {
  if (typeof json !== 'string') return json;
  try {
    return JSON.parse(json) as unknown;
  } catch (error) {
    throw new GraphFormatError('', `invalid JSON: ${error instanceof Error ? error.message : String(error)}`, 'invalid_json');
  }
}
