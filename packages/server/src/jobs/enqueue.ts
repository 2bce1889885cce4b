import { randomUUID } from 'node:crypto';
import {
  GraphCoreError,
  UnknownNodeTypeError,
  toApiPrompt,
  unknownClassErrors,
  validatePrompt,
  type ApiPrompt,
  type NodeErrors,
  type NodeRegistry,
  type ValidationErrorItem,
} from '@piagraph/graph-core';
import { BadRequestError, ConflictError, HttpError } from '../errors.js';
import { withSubmittedGraph } from '../graphs/submitted-graph.js';
import { JobStateError, type JobStore } from './job-store.js';
import { boundNodeErrors, precheckPrompt, reservedNodeIdProblem } from './prompt-limits.js';
import type { JobRecord } from './job-types.js';

/** `extra_data` keys ComfyUI splits off as sensitive: never stored, never returned. */
const SENSITIVE_EXTRA_KEYS = ['auth_token_comfy_org', 'api_key_comfy_org'];

/** A prompt that failed validation: HTTP 400 with ComfyUI's `{ error, node_errors }` body. */
export class PromptValidationError extends HttpError {
  override readonly name = 'PromptValidationError';
  constructor(readonly error: ValidationErrorItem, readonly nodeErrors: NodeErrors) {
    super(400, error.type, error.message, error.details, error.extra_info);
  }

  override toBody(): Record<string, unknown> {
    const { nodeErrors, omitted } = boundNodeErrors(this.nodeErrors);
    const error = omitted > 0 ? { ...this.error, extra_info: { ...this.error.extra_info, node_errors_omitted: omitted } } : this.error;
    return { error, node_errors: nodeErrors };
  }
}

/** The fields of a `POST /prompt` body (or a graph run request) the server reads. */
export interface EnqueueRequest {
  /** An API prompt, a piagraph graph document, or a ComfyUI UI workflow. */
  graph: unknown;
  clientId?: unknown;
  promptId?: unknown;
  number?: unknown;
  front?: unknown;
  partialExecutionTargets?: unknown;
  extraData?: unknown;
  workflowId?: string | null;
}

/** What the caller answers with. */
export interface Enqueued {
  job: JobRecord;
  nodeErrors: NodeErrors;
}

function invalidPrompt(message: string, details: string, extra: Record<string, unknown> = {}): PromptValidationError {
  return new PromptValidationError({ type: 'invalid_prompt', message, details, extra_info: extra }, {});
}

/** Converts any accepted graph format to an API prompt, reporting format problems as ComfyUI's `invalid_prompt`. */
export function toPrompt(graph: unknown, registry: NodeRegistry): ApiPrompt {
  if (graph === undefined || graph === null) {
    throw new PromptValidationError({ type: 'no_prompt', message: 'No prompt provided', details: 'No prompt provided', extra_info: {} }, {});
  }
  try {
    return toApiPrompt(graph, registry);
  } catch (err) {
    // Unknown classes read the same from a UI workflow as from an API prompt (validation's answer): all of them.
    if (err instanceof UnknownNodeTypeError && err.nodes.length > 0) {
      const { error, nodeErrors } = unknownClassErrors(err.nodes);
      throw new PromptValidationError(error, nodeErrors);
    }
    if (err instanceof GraphCoreError) {
      throw invalidPrompt(`Cannot read the graph: ${err.message}`, err.message, { ...err.details, error_type: err.type });
    }
    // The converters take any JSON; one that trips over a shape they did not foresee (an object where a name is
    // expected, say) was still given a graph it cannot read: the client's input, so a 400, not a 500.
    if (err instanceof TypeError || err instanceof RangeError) {
      throw invalidPrompt(`Cannot read the graph: ${err.message}`, err.message, { error_type: 'unreadable_graph' });
    }
    throw err;
  }
}

/** The longest `prompt_id` or `client_id` accepted (ComfyUI's are 36-character UUIDs, clients' own ids are short). */
export const MAX_ID_LENGTH = 256;

/**
 * An optional id field (`client_id`, `prompt_id`): a string of at most `MAX_ID_LENGTH` characters, without control
 * characters, and well-formed Unicode: a lone surrogate cannot be stored as UTF-8 and read back unchanged, so the
 * job could never be found by its own id again.
 */
function optionalId(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new BadRequestError('invalid_field', `"${field}" must be a string, got ${typeof value}`);
  if (value.length > MAX_ID_LENGTH) throw new BadRequestError('invalid_field', `"${field}" is ${value.length} characters long; at most ${MAX_ID_LENGTH} are allowed`);
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new BadRequestError('invalid_field', `"${field}" contains a control character`);
  if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value)) throw new BadRequestError('invalid_field', `"${field}" is not well-formed Unicode (it has a lone surrogate)`);
  return value;
}

/**
 * Validates and queues a prompt, ComfyUI's `post_prompt`: format errors and prompts whose every output fails are
 * refused with `PromptValidationError`; a prompt with some valid outputs is queued with those, and the errors of the
 * others are returned as `nodeErrors`. A graph document or UI workflow is kept in the job's `extra_data` (see
 * `withSubmittedGraph`) for the outputs to embed.
 */
export async function enqueuePrompt(store: JobStore, registry: NodeRegistry, request: EnqueueRequest): Promise<Enqueued> {
  const clientId = optionalId(request.clientId, 'client_id');
  const promptId = optionalId(request.promptId, 'prompt_id');
  let targets: string[] | undefined;
  if (request.partialExecutionTargets !== undefined && request.partialExecutionTargets !== null) {
    const t = request.partialExecutionTargets;
    if (!Array.isArray(t) || !t.every((x) => typeof x === 'string' || typeof x === 'number')) {
      throw new BadRequestError('invalid_field', '"partial_execution_targets" must be an array of node ids');
    }
    targets = t.map(String);
  }
  let number: number | undefined;
  if (request.number !== undefined && request.number !== null) {
    number = Number(request.number);
    if (!Number.isFinite(number)) throw new BadRequestError('invalid_field', `"number" must be a number, got ${JSON.stringify(request.number)}`);
  }
  const extra = request.extraData;
  if (extra !== undefined && extra !== null && (typeof extra !== 'object' || Array.isArray(extra))) {
    throw new BadRequestError('invalid_field', '"extra_data" must be an object');
  }

  const reserved = reservedNodeIdProblem(request.graph);
  if (reserved) throw new PromptValidationError(reserved, {});
  const prompt = toPrompt(request.graph, registry);
  const tooBig = precheckPrompt(prompt, registry, targets);
  if (tooBig) throw new PromptValidationError(tooBig, {});
  // Parsing and converting a large graph took a while: let other requests in before validating it.
  await yieldToEventLoop();
  const validation = await validatePrompt(registry, prompt, targets ? { outputs: targets } : {});
  if (!validation.ok) throw new PromptValidationError(validation.error, validation.nodeErrors);
  await yieldToEventLoop();

  // Output nodes embed the submitted graph document or workflow from here, so saved files reopen as that graph.
  const extraData = withSubmittedGraph({ ...((extra as Record<string, unknown> | undefined) ?? {}) }, request.graph);
  for (const key of SENSITIVE_EXTRA_KEYS) delete extraData[key];
  if (clientId !== undefined) extraData.client_id = clientId;
  extraData.create_time = Date.now();

  try {
    const job = store.insert({
      id: promptId && promptId.length > 0 ? promptId : randomUUID(),
      prompt,
      extraData,
      outputsToExecute: validation.outputs,
      clientId: clientId ?? null,
      workflowId: request.workflowId ?? null,
      ...(number !== undefined ? { number } : {}),
      front: request.front === true,
    });
    return { job, nodeErrors: validation.nodeErrors };
  } catch (err) {
    if (err instanceof JobStateError) throw new ConflictError('duplicate_prompt_id', err.message, { prompt_id: err.jobId });
    throw err;
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
