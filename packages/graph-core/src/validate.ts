import { idTable, walkUpstream, type IdSlots } from './graph-walk.js';
import { checkLiteral } from './literal-cast.js';
import { isLinkValue } from './node-inputs.js';
import { inputInfo } from './object-info.js';
import type { NodeRegistry } from './node-registry.js';
import { ClassTable, classAt, isRecord, promptError, scanNodes, type ScannedPrompt } from './prompt-scan.js';
import { areTypesCompatible } from './socket-registry.js';
import type { ApiPrompt } from './types/api-prompt.js';
import type { AnyNodeDefinition, CustomValidationIssue, InputSpec } from './types/node-def.js';
import type { NodeErrors, ValidationErrorItem, ValidationResult } from './types/validation.js';

/** Options of `validatePrompt`. */
export interface ValidateOptions {
  /** ComfyUI `partial_execution_targets`: validate (and later run) only these nodes and their ancestors. */
  outputs?: readonly string[];
}

/** One linked input of a prepared node. */
export interface PreparedLink {
  input: string;
  source: string;
  output: number;
}

/** A node of a validated prompt, ready for planning and running. */
export interface PreparedNode {
  id: string;
  classType: string;
  def: AnyNodeDefinition;
  /** Literal inputs after ComfyUI's casts (`"5"` → 5, `{ __value__ }` unwrapped), by input name. */
  literals: Record<string, unknown>;
  links: PreparedLink[];
  /** The distinct source node ids of `links`, in input order. */
  deps: string[];
}

/** Prepared nodes by id, as the planner and runner read them. */
export interface NodeLookup {
  get(id: string): PreparedNode | undefined;
}

/**
 * Prepared nodes by id, stored in an array by dense slot (`IdSlots`) rather than a `Map`: validation stores every
 * node of the prompt and the planner reads them all again, and on 10,000 nodes the `Map`'s string hashing and
 * rehashing as it grew was a tenth of a fully cached run. Slots come from the prompt scan, in ascending key
 * order: the validation walk meets ids in descending order, and an id table filled that way falls into V8's slow
 * dictionary mode.
 */
export class PreparedNodes implements NodeLookup {
  readonly #slots: IdSlots;
  readonly #bySlot: (PreparedNode | undefined)[];
  /** Ids set without a slot in `slots` (never, from validation). */
  readonly #others = idTable<PreparedNode>();

  constructor(slots: IdSlots = { of: idTable<number>(), count: 0 }) {
    this.#slots = slots;
    // Sized up front (holes), so that the array keeps fast elements whatever order the walk sets them in.
    this.#bySlot = new Array<PreparedNode | undefined>(slots.count);
  }

  get(id: string): PreparedNode | undefined {
    const slot = this.#slots.of[id];
    return slot === undefined ? this.#others[id] : this.#bySlot[slot];
  }

  set(id: string, node: PreparedNode): void {
    const slot = this.#slots.of[id];
    if (slot === undefined) this.#others[id] = node;
    else this.#bySlot[slot] = node;
  }
}

/** What validation learnt about a prompt: the public result and the prepared nodes the runner reuses. */
export interface PromptAnalysis {
  result: ValidationResult;
  /** The prepared ancestors of the targets (valid or not). */
  nodes: PreparedNodes;
  /** Those ancestors, each after the nodes it reads from (empty when validation stopped early). */
  order: string[];
}

/** What is wrong with a linked input (its shape, its source, or the type it carries), if anything. */
function linkError(
  name: string,
  spec: InputSpec,
  value: unknown[],
  prompt: ApiPrompt,
  scan: ScannedPrompt,
): ValidationErrorItem | undefined {
  if (!isLinkValue(value)) {
    return {
      type: 'bad_linked_input',
      message: 'Bad linked input, must be a length-2 list of [node_id, slot_index]',
      details: name,
      extra_info: { input_name: name, input_config: inputInfo(spec), received_value: value },
    };
  }
  const source = value[0];
  const output = value[1];
  const sourceNode = prompt[source];
  const sourceDef = classAt(scan, source)?.def;
  const outputSpec = sourceDef?.outputs[output];
  if (!sourceDef || !outputSpec) {
    return {
      type: 'bad_linked_input',
      message: 'Bad linked input, the linked node or output does not exist',
      details: sourceDef
        ? `${name}: node ${source} (${sourceNode!.class_type}) has no output ${output}`
        : `${name}: node ${source} does not exist`,
      extra_info: { input_name: name, input_config: inputInfo(spec), linked_node: value },
    };
  }
  if (!areTypesCompatible(outputSpec.type, spec.type)) {
    return {
      type: 'return_type_mismatch',
      message: 'Return type mismatch between linked nodes',
      details: `${name}, received_type(${outputSpec.type}) mismatch input_type(${spec.type})`,
      extra_info: { input_name: name, input_config: inputInfo(spec), received_type: outputSpec.type, linked_node: value },
    };
  }
  return undefined;
}

/** Whether `item` is among the first `count` items of `list` (the rest are a previous node's leftovers). */
function among<T>(list: readonly T[], count: number, item: T): boolean {
  for (let i = 0; i < count; i++) if (list[i] === item) return true;
  return false;
}

/** The `literals` of a node without any. */
const NO_LITERALS: Record<string, unknown> = Object.freeze({});

/**
 * Checks nodes' own inputs (not their ancestors) and prepares them, for one validation. Each node's links and
 * deps are gathered in two reused arrays and stored as exact-size copies: `push` onto a fresh `[]` reserves 17
 * slots, and on a 10,000-node prompt those discarded stores alone cost extra garbage collections mid-run.
 */
class NodePreparer {
  readonly #links: PreparedLink[] = [];
  readonly #deps: string[] = [];

  constructor(
    readonly prompt: ApiPrompt,
    readonly scan: ScannedPrompt,
    /** Where a node's errors go, if it has any. */
    readonly ownErrors: Map<string, ValidationErrorItem[]>,
  ) {}

  prepare(id: string): PreparedNode {
    const api = this.prompt[id]!;
    const { def, entries } = classAt(this.scan, id)!;
    const inputs = (api.inputs ?? {}) as Record<string, unknown>;
    // Most nodes of a large graph are all links: they share one frozen empty object instead of one each.
    let literals: Record<string, unknown> = NO_LITERALS;
    const links = this.#links;
    const deps = this.#deps;
    let linkCount = 0;
    let depCount = 0;
    let errors: ValidationErrorItem[] | undefined;
    for (const { name, spec, required } of entries) {
      const value = inputs[name];
      if (value === undefined) {
        if (required) {
          (errors ??= []).push({
            type: 'required_input_missing',
            message: 'Required input is missing',
            details: name,
            extra_info: { input_name: name },
          });
        }
      } else if (Array.isArray(value)) {
        const error = linkError(name, spec, value, this.prompt, this.scan);
        if (error) {
          (errors ??= []).push(error);
          continue;
        }
        // `linkError` accepted it as a link.
        const source = value[0] as string;
        links[linkCount++] = { input: name, source, output: value[1] as number };
        if (!among(deps, depCount, source)) deps[depCount++] = source;
      } else {
        const checked = checkLiteral(name, spec, value);
        if (checked.ok) (literals === NO_LITERALS ? (literals = {}) : literals)[name] = checked.value;
        else (errors ??= []).push(checked.error);
      }
    }
    if (errors) this.ownErrors.set(id, errors);
    return { id, classType: api.class_type, def, literals, links: links.slice(0, linkCount), deps: deps.slice(0, depCount) };
  }
}

/** Runs a definition's `validate` on its literals, turning issues and exceptions into ComfyUI errors. */
function customErrors(
  node: PreparedNode,
  issues: readonly CustomValidationIssue[] | undefined,
  thrown?: unknown,
): ValidationErrorItem[] {
  if (thrown !== undefined) {
    const message = thrown instanceof Error ? thrown.message : String(thrown);
    return [
      {
        type: 'exception_during_validation',
        message: 'Exception when validating node',
        details: message,
        extra_info: { exception_type: thrown instanceof Error ? thrown.name : typeof thrown, exception_message: message },
      },
    ];
  }
  return (issues ?? []).map((issue) => ({
    type: 'custom_validation_failed' as const,
    message: 'Custom validation failed for node',
    details: `${node.classType} - ${issue.input}: ${issue.message}`,
    extra_info: { input_name: issue.input, received_value: node.literals[issue.input] },
  }));
}

/**
 * Validates an API prompt the way ComfyUI's `validate_prompt` does, with its error vocabulary: an output whose
 * ancestry has errors is dropped while the others still validate (`ok: true` with `nodeErrors`); only when every
 * output fails is the result `ok: false` (`prompt_outputs_failed_validation`). Dependency cycles are reported as
 * `dependency_cycle` errors on every node of the cycle.
 */
export async function validatePrompt(
  registry: NodeRegistry,
  prompt: unknown,
  options: ValidateOptions = {},
): Promise<ValidationResult> {
  return (await analysePrompt(registry, prompt, options)).result;
}

/** `validatePrompt`, also returning the prepared nodes (the executor plans from them without re-parsing). */
export async function analysePrompt(
  registry: NodeRegistry,
  prompt: unknown,
  options: ValidateOptions = {},
): Promise<PromptAnalysis> {
  if (!isRecord(prompt)) {
    const error = promptError('no_prompt', 'No prompt provided', 'No prompt provided');
    return { result: { ok: false, error, nodeErrors: {} }, nodes: new PreparedNodes(), order: [] };
  }
  const classes = new ClassTable(registry);
  const scan = scanNodes(classes, prompt);
  if ('error' in scan) return { result: { ok: false, error: scan.error, nodeErrors: scan.nodeErrors }, nodes: new PreparedNodes(), order: [] };
  const api = prompt as ApiPrompt;
  const nodes = new PreparedNodes(scan.slots);

  const targets = options.outputs ? [...new Set(options.outputs)].filter((id) => Object.hasOwn(api, id)) : scan.outputNodes;
  if (targets.length === 0) {
    return { result: { ok: false, error: promptError('prompt_no_outputs', 'Prompt has no outputs'), nodeErrors: {} }, nodes, order: [] };
  }

  const ownErrors = new Map<string, ValidationErrorItem[]>();
  const preparer = new NodePreparer(api, scan, ownErrors);
  const walk = walkUpstream(targets, (id) => {
    const node = preparer.prepare(id);
    nodes.set(id, node);
    return node.deps;
  }, undefined, scan.slots);

  for (const cycle of walk.cycles) {
    const error: ValidationErrorItem = {
      type: 'dependency_cycle',
      message: 'Dependency cycle detected',
      details: `nodes ${[...cycle, cycle[0]].join(' -> ')} depend on each other`,
      extra_info: { cycle },
    };
    for (const id of cycle) ownErrors.set(id, [...(ownErrors.get(id) ?? []), error]);
  }

  if (classes.anyValidate) await runCustomValidation(walk.order, nodes, ownErrors);

  // The common case, every node sound, needs no per-node bookkeeping: every target is good.
  if (ownErrors.size === 0) return { result: { ok: true, outputs: targets, nodeErrors: {} }, nodes, order: walk.order };
  const valid = validNodes(walk.order, nodes, ownErrors);

  // A Map, not a plain object: ids come from JSON, and "toString" or "__proto__" would find Object.prototype's members.
  const errorsById = new Map<string, NodeErrors[string]>();
  const good: string[] = [];
  for (const target of targets) {
    if (valid.has(target)) {
      good.push(target);
      continue;
    }
    const failing = walkUpstream([target], (id) => (valid.has(id) ? [] : nodes.get(id)!.deps)).order;
    for (const id of failing) {
      const errors = ownErrors.get(id);
      if (!errors) continue;
      let entry = errorsById.get(id);
      if (!entry) errorsById.set(id, (entry = { class_type: api[id]!.class_type, dependent_outputs: [], errors }));
      entry.dependent_outputs.push(target);
    }
  }
  // fromEntries defines own properties, so even a "__proto__" id stays an ordinary key.
  const nodeErrors: NodeErrors = Object.fromEntries(errorsById);
  if (good.length > 0) return { result: { ok: true, outputs: good, nodeErrors }, nodes, order: walk.order };
  const details = Object.values(nodeErrors)
    .flatMap((entry) => entry.errors.map((error) => `${error.message}: ${error.details}`))
    .join('\n');
  return {
    result: {
      ok: false,
      error: promptError('prompt_outputs_failed_validation', 'Prompt outputs failed validation', details),
      nodeErrors,
    },
    nodes,
    order: walk.order,
  };
}

/** The nodes without errors of their own or upstream (`order` lists dependencies first). */
function validNodes(
  order: readonly string[],
  nodes: NodeLookup,
  ownErrors: ReadonlyMap<string, ValidationErrorItem[]>,
): Set<string> {
  const valid = new Set<string>();
  for (const id of order) {
    if (ownErrors.has(id)) continue;
    if (nodes.get(id)!.deps.every((dep) => valid.has(dep))) valid.add(id);
  }
  return valid;
}

/** Calls each error-free node's `validate`, awaiting only the ones that return promises. */
async function runCustomValidation(
  order: readonly string[],
  nodes: NodeLookup,
  ownErrors: Map<string, ValidationErrorItem[]>,
): Promise<void> {
  const pending: Promise<void>[] = [];
  const record = (node: PreparedNode, issues: readonly CustomValidationIssue[] | undefined, thrown?: unknown): void => {
    const errors = customErrors(node, issues, thrown);
    if (errors.length > 0) ownErrors.set(node.id, errors);
  };
  for (const id of order) {
    const node = nodes.get(id)!;
    if (!node.def.validate || ownErrors.has(id)) continue;
    try {
      const issues = node.def.validate(node.literals);
      if (issues instanceof Promise) {
        pending.push(issues.then((resolved) => record(node, resolved), (thrown: unknown) => record(node, [], thrown ?? 'undefined')));
      } else {
        record(node, issues);
      }
    } catch (thrown) {
      record(node, [], thrown ?? 'undefined');
    }
  }
  if (pending.length > 0) await Promise.all(pending);
}
