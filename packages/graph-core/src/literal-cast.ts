import { comboOptions, isWidgetSpec } from './node-inputs.js';
import { inputInfo } from './object-info.js';
import { ANY_TYPE, splitTypeUnion } from './socket-registry.js';
import type { InputSpec } from './types/node-def.js';
import type { ValidationErrorItem } from './types/validation.js';

/** The outcome of checking one literal input. */
export type LiteralCheck = { ok: true; value: unknown } | { ok: false; error: ValidationErrorItem };

/** Longer combo lists are summarised in messages and their `input_config` is nulled (as ComfyUI does). */
const MAX_LISTED_OPTIONS = 20;

const INT_PATTERN = /^\s*[+-]?\d+\s*$/;
const FLOAT_PATTERN = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i;

type Cast = { ok: true; value: unknown } | { ok: false; reason: string };

/**
 * Casts like ComfyUI's `int()`, `float()`, `str()` and `bool()` do, minus their surprises: floats truncate to
 * INT and number strings parse, but NaN, infinities and `bool("false") === true` are not carried over.
 */
function cast(type: string, value: unknown): Cast {
  switch (type) {
    case 'INT':
      if (typeof value === 'number') {
        return Number.isFinite(value) ? { ok: true, value: Math.trunc(value) } : { ok: false, reason: `${value} is not finite` };
      }
      if (typeof value === 'boolean') return { ok: true, value: value ? 1 : 0 };
      if (typeof value === 'string' && INT_PATTERN.test(value)) return { ok: true, value: Number.parseInt(value, 10) };
      return { ok: false, reason: `invalid literal for INT: ${describe(value)}` };
    case 'FLOAT':
      if (typeof value === 'number') {
        return Number.isNaN(value) ? { ok: false, reason: 'NaN is not a number' } : { ok: true, value };
      }
      if (typeof value === 'boolean') return { ok: true, value: value ? 1 : 0 };
      if (typeof value === 'string' && FLOAT_PATTERN.test(value)) return { ok: true, value: Number(value) };
      return { ok: false, reason: `could not convert ${describe(value)} to FLOAT` };
    case 'STRING':
      if (typeof value === 'string') return { ok: true, value };
      if (typeof value === 'number' || typeof value === 'boolean') return { ok: true, value: String(value) };
      return { ok: false, reason: `${describe(value)} is not text` };
    case 'BOOLEAN':
      if (typeof value === 'boolean') return { ok: true, value };
      if (typeof value === 'number' && !Number.isNaN(value)) return { ok: true, value: value !== 0 };
      if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) {
        return { ok: true, value: value.trim().toLowerCase() === 'true' };
      }
      return { ok: false, reason: `${describe(value)} is not true or false` };
    default:
      return { ok: true, value };
  }
}

/** A short rendering of a received value for messages. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? `a list of ${value.length}` : 'an object';
}

/** Casts a literal for a non-widget input: `*` takes anything, unions with widget members cast to the first that fits. */
function castNonWidget(name: string, spec: InputSpec, value: unknown): LiteralCheck {
  const members = splitTypeUnion(spec.type);
  if (members.includes(ANY_TYPE)) return { ok: true, value };
  for (const member of members) {
    if (!isWidgetSpec({ type: member } as InputSpec)) continue;
    const result = cast(member, value);
    if (result.ok && (member !== 'STRING' || typeof value === 'string')) return result;
  }
  return {
    ok: false,
    error: {
      type: 'invalid_input_type',
      message: `Failed to convert an input value to a ${spec.type} value`,
      details: `${name}, ${describe(value)}, a ${spec.type} input takes a link, not a literal`,
      extra_info: { input_name: name, input_config: inputInfo(spec), received_value: value },
    },
  };
}

/**
 * Checks one literal input against its spec: unwraps `{ __value__ }`, casts, then checks min, max and combo
 * membership. Errors use ComfyUI's types, messages and `extra_info`.
 */
export function checkLiteral(name: string, spec: InputSpec, raw: unknown): LiteralCheck {
  const value =
    raw !== null && typeof raw === 'object' && !Array.isArray(raw) && '__value__' in raw
      ? (raw as { __value__: unknown }).__value__
      : raw;
  if (!isWidgetSpec(spec)) return castNonWidget(name, spec, value);
  const config = (): unknown => inputInfo(spec);
  const result = cast(spec.type, value);
  if (!result.ok) {
    return {
      ok: false,
      error: {
        type: 'invalid_input_type',
        message: `Failed to convert an input value to a ${spec.type} value`,
        details: `${name}, ${describe(value)}, ${result.reason}`,
        extra_info: { input_name: name, input_config: config(), received_value: value, exception_message: result.reason },
      },
    };
  }
  const castValue = result.value;
  if ((spec.type === 'INT' || spec.type === 'FLOAT') && typeof castValue === 'number') {
    if (spec.min !== undefined && castValue < spec.min) {
      return {
        ok: false,
        error: {
          type: 'value_smaller_than_min',
          message: `Value ${castValue} smaller than min of ${spec.min}`,
          details: name,
          extra_info: { input_name: name, input_config: config(), received_value: castValue },
        },
      };
    }
    if (spec.max !== undefined && castValue > spec.max) {
      return {
        ok: false,
        error: {
          type: 'value_bigger_than_max',
          message: `Value ${castValue} bigger than max of ${spec.max}`,
          details: name,
          extra_info: { input_name: name, input_config: config(), received_value: castValue },
        },
      };
    }
  }
  if (spec.type === 'COMBO') {
    const options = comboOptions(spec);
    if (!options.includes(castValue as string)) {
      const long = options.length > MAX_LISTED_OPTIONS;
      const list = long ? `(list of length ${options.length})` : `[${options.map((o) => `'${o}'`).join(', ')}]`;
      return {
        ok: false,
        error: {
          type: 'value_not_in_list',
          message: 'Value not in list',
          details: `${name}: ${describe(castValue)} not in ${list}`,
          extra_info: { input_name: name, input_config: long ? null : config(), received_value: castValue },
        },
      };
    }
  }
  return { ok: true, value: castValue };
}
