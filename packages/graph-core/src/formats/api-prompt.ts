import { GraphFormatError } from '../errors.js';
import { isLinkValue } from '../node-inputs.js';
import type { ApiNode, ApiPrompt, PromptInputValue } from '../types/api-prompt.js';
import { at, atKey, expectNonEmptyString, expectObject, isPlainObject, parseJsonInput } from './shape.js';

/** Whether a value has the shape of an API prompt: an object of `{ class_type, inputs }` records. */
export function isApiPrompt(json: unknown): json is ApiPrompt {
  if (!isPlainObject(json)) return false;
  return Object.values(json).every(
    (node) => isPlainObject(node) && typeof node['class_type'] === 'string' && isPlainObject(node['inputs']),
  );
}

/**
 * Checks an API prompt's shape (not its meaning; `validatePrompt` does that), returning a copy. Every array
 * input must be a link `[nodeId, outputIndex]`; anything else is a `GraphFormatError` naming the path.
 */
export function parseApiPrompt(json: unknown): ApiPrompt {
  const root = expectObject(parseJsonInput(json), '');
  const prompt: ApiPrompt = {};
  for (const [id, raw] of Object.entries(root)) {
    const path = atKey('', id);
    const node = expectObject(raw, path);
    const inputs = expectObject(node['inputs'] ?? {}, at(path, 'inputs'));
    const parsed: ApiNode = {
      class_type: expectNonEmptyString(node['class_type'], at(path, 'class_type')),
      inputs: {},
    };
    for (const [name, value] of Object.entries(inputs)) {
      if (Array.isArray(value) && !isLinkValue(value)) {
        throw new GraphFormatError(
          at(at(path, 'inputs'), name),
          'expected a link ["nodeId", outputIndex]; wrap literal lists as { "__value__": [...] }',
        );
      }
      if (value === undefined || typeof value === 'function') continue;
      parsed.inputs[name] = value as PromptInputValue;
    }
    const meta = node['_meta'];
    if (isPlainObject(meta) && typeof meta['title'] === 'string') parsed._meta = { title: meta['title'] };
    prompt[id] = parsed;
  }
  return structuredClone(prompt);
}
