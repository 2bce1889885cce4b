import { GraphFormatError } from '../errors.js';
import type { NodeRegistry } from '../node-registry.js';
import type { ApiPrompt } from '../types/api-prompt.js';
import { isApiPrompt, parseApiPrompt } from './api-prompt.js';
import { importComfyWorkflow } from './comfy-workflow.js';
import { documentToPrompt } from './document-to-prompt.js';
import { isGraphDocument, parseGraphDocument } from './parse-document.js';
import { isPlainObject, parseJsonInput } from './shape.js';

/** Which of the three graph formats a value is in. */
export type GraphFormat = 'piagraph-document' | 'comfyui-workflow' | 'api-prompt';

/** Recognises a graph's format from its shape; `undefined` when it is none of the three. */
export function detectGraphFormat(json: unknown): GraphFormat | undefined {
  if (isGraphDocument(json)) return 'piagraph-document';
  if (isPlainObject(json) && Array.isArray(json['nodes'])) return 'comfyui-workflow';
  if (isApiPrompt(json)) return 'api-prompt';
  return undefined;
}

/**
 * The API prompt of a graph in any of the three formats (a piagraph document, a ComfyUI UI workflow, an API
 * prompt, or a `POST /prompt` body `{ prompt: … }`), given as a JSON string or a parsed value. Used by the server
 * and the CLI so that every saved file is executable. Malformed input is a `GraphFormatError`.
 */
export function toApiPrompt(json: unknown, registry: NodeRegistry): ApiPrompt {
  const value = parseJsonInput(json);
  const unwrapped = isPlainObject(value) && isPlainObject(value['prompt']) && detectGraphFormat(value) === undefined ? value['prompt'] : value;
  switch (detectGraphFormat(unwrapped)) {
    case 'piagraph-document':
      return documentToPrompt(parseGraphDocument(unwrapped), registry);
    case 'comfyui-workflow':
      return documentToPrompt(importComfyWorkflow(unwrapped, registry), registry);
    case 'api-prompt':
      return parseApiPrompt(unwrapped);
    default:
      throw new GraphFormatError(
        '',
        'not a graph: expected a piagraph document ("format": "piagraph"), a ComfyUI workflow (with a "nodes" array) or an API prompt ({ id: { class_type, inputs } })',
        'unknown_format',
      );
  }
}
