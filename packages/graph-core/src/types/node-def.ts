import type { SocketValueMap } from './socket-types.js';
import type { ReadonlyApiPrompt } from './api-prompt.js';
import type { PreviewImage, UiOutput } from './events.js';
import type { ExtraData, RunStatus } from './execution.js';

/** Options every input spec may carry (ComfyUI `InputTypeOptions`). */
export interface InputSpecBase {
  tooltip?: string;
  /** Show as a socket only, never as a widget (widget types only). */
  forceInput?: boolean;
  /** Hidden behind "advanced" in the editor. */
  advanced?: boolean;
}

export interface IntInputSpec extends InputSpecBase {
  type: 'INT';
  default?: number;
  min?: number;
  max?: number;
  step?: number;
  /** Seed-style widget: the editor offers fixed/increment/randomize (never sent to the server). */
  control_after_generate?: boolean;
  display?: 'number' | 'slider';
}

export interface FloatInputSpec extends InputSpecBase {
  type: 'FLOAT';
  default?: number;
  min?: number;
  max?: number;
  step?: number;
  round?: number | false;
  display?: 'number' | 'slider';
}

export interface StringInputSpec extends InputSpecBase {
  type: 'STRING';
  default?: string;
  multiline?: boolean;
  placeholder?: string;
}

export interface BooleanInputSpec extends InputSpecBase {
  type: 'BOOLEAN';
  default?: boolean;
  label_on?: string;
  label_off?: string;
}

/**
 * A choice from a list. `options` may be a function so that lists that live outside graph-core (model files in
 * a folder) are read each time the registry builds `object_info` or validates a prompt.
 */
export interface ComboInputSpec<O extends string = string> extends InputSpecBase {
  type: 'COMBO';
  options: readonly O[] | (() => readonly O[]);
  default?: O;
  /** The editor shows an upload button (Load Image). */
  image_upload?: boolean;
  image_folder?: 'input' | 'output' | 'temp';
}

/** A link-only input (MODEL, LATENT, …, or a union such as `"IMAGE,LATENT"`). */
export interface LinkInputSpec<T extends string = string> extends InputSpecBase {
  type: T;
}

export type WidgetInputSpec = IntInputSpec | FloatInputSpec | StringInputSpec | BooleanInputSpec | ComboInputSpec;
export type InputSpec = WidgetInputSpec | LinkInputSpec;

/** A node's declared inputs, in declaration order (which is ComfyUI's `input_order`). */
export interface InputsDecl {
  required?: Readonly<Record<string, InputSpec>>;
  optional?: Readonly<Record<string, InputSpec>>;
}

export interface OutputSpec {
  type: string;
  /** Display name; defaults to the type. */
  name?: string;
  tooltip?: string;
}

/** The value of a socket type name; a comma union (`"IMAGE,LATENT"`) gives the union of its members' values. */
export type UnionSocketValue<T extends string> = T extends `${infer Head},${infer Rest}`
  ? UnionSocketValue<Head> | UnionSocketValue<Rest>
  : T extends keyof SocketValueMap
    ? SocketValueMap[T]
    : unknown;

/** The value a single input spec delivers to `run`. */
export type InputValue<S> = S extends { type: 'COMBO'; options: infer L }
  ? L extends readonly (infer O)[]
    ? O
    : L extends () => readonly (infer O)[]
      ? O
      : string
  : S extends { type: infer T extends string }
    ? UnionSocketValue<T>
    : never;

/** The `inputs` argument of `run`, derived from the declaration. */
export type InputValues<I extends InputsDecl> = {
  -readonly [K in keyof I['required']]: InputValue<I['required'][K]>;
} & {
  -readonly [K in keyof I['optional']]?: InputValue<I['optional'][K]>;
};

/** The tuple of output values `run` returns, derived from the declaration. */
export type OutputValues<O extends readonly OutputSpec[]> = {
  -readonly [K in keyof O]: O[K] extends { type: infer T extends string } ? UnionSocketValue<T> : never;
};

/** What a node's `run` returns. */
export interface NodeResult<O extends readonly OutputSpec[] = readonly OutputSpec[]> {
  outputs: OutputValues<O>;
  /** The UI dict ComfyUI sends in `executed` and stores in history (`images`, `gifs`, `text`, …). */
  ui?: UiOutput;
  /** Bytes held by the outputs, for the cache's byte budget; unknown sizes count as small. */
  sizeBytes?: number;
}

/**
 * What the engine gives a running node.
 *
 * `prompt` and `extraData` are ComfyUI's hidden inputs `PROMPT` and `EXTRA_PNGINFO` (plus the rest of `extra_data`):
 * output nodes embed them in the files they write. They take no part in cache keys: a graph's outputs do not change
 * because its layout or the host's metadata did, so an unchanged node is served from the cache even when they
 * differ, and the file it wrote keeps the metadata of the run that wrote it (ComfyUI behaves the same way).
 */
export interface RunContext {
  readonly promptId: string;
  readonly nodeId: string;
  readonly classType: string;
  /** The API prompt being run. */
  readonly prompt: ReadonlyApiPrompt;
  /** The prompt's `extra_data` (`{}` when the host gave none). */
  readonly extraData: ExtraData;
  /** Aborted when the run is interrupted; long loops check it between steps. */
  readonly signal: AbortSignal;
  /** Reports progress (`progress` event) and optionally a preview image (binary preview frame). */
  progress(value: number, max: number, preview?: PreviewImage): void;
  /** A line of progress text shown on the node. */
  text(message: string): void;
  /**
   * The passes of this run, for nodes that process a long input in chunks (VideoHelperSuite's meta-batching).
   * Given by the executor; absent when a node is run by hand (tests), where such nodes refuse to batch.
   */
  readonly passes?: RunPasses;
}

/**
 * A run may go over its prompt more than once: a node that has more input left (the next chunk of a long video)
 * asks for another pass, and once the pass has succeeded the executor runs the whole prompt again, in the same
 * run, under the same prompt id. Clients see one prompt: one `execution_start`, the nodes' events of every pass,
 * one `execution_success`, one result. Nodes keep what must outlive a pass (an open decoder or encoder) with `keep`.
 */
export interface RunPasses {
  /** 0 for the first pass of the run, 1 for the second, … */
  readonly index: number;
  /** Asks for another pass once this one has succeeded. */
  again(): void;
  /**
   * The value under `key` for the whole run: made by `create` the first time it is asked for, the same value in
   * every later pass, and handed to `dispose` once the run has ended, whatever its status (an interrupted or failed
   * run is where open processes must be stopped and partial files removed). Keys are shared by all nodes of the run.
   */
  keep<T>(key: string, create: () => T, dispose?: (value: T, status: RunStatus) => void | Promise<void>): T;
}

/** A problem `validate` found in a node's literal inputs, attributed to one input. */
export interface CustomValidationIssue {
  input: string;
  message: string;
}

/** The declarative definition of a node class. */
export interface NodeDefinition<
  I extends InputsDecl = InputsDecl,
  O extends readonly OutputSpec[] = readonly OutputSpec[],
> {
  /** ComfyUI `class_type`, PascalCase. */
  classType: string;
  displayName?: string;
  /** Slash-separated palette path, e.g. `"pia/sampling"`. */
  category: string;
  description?: string;
  inputs: I;
  outputs: O;
  /** Output nodes are the roots of execution (ComfyUI `OUTPUT_NODE`). */
  outputNode?: boolean;
  /**
   * `'never'` opts the node out of the cache: it runs on every prompt (and so does everything downstream).
   * Default `'inputs'`: cached by its class, literal inputs, fingerprint and upstream keys.
   */
  cache?: 'inputs' | 'never';
  /**
   * Extra cache-key material computed from literal inputs, e.g. a file's mtime and size, so a changed file re-runs
   * the node (ComfyUI `IS_CHANGED`, without the NaN trick).
   */
  fingerprint?(literals: Readonly<Record<string, unknown>>): string | Promise<string>;
  /**
   * Checks literal inputs before anything runs (linked inputs are absent). Issues become
   * `custom_validation_failed` errors on the named input.
   */
  validate?(
    literals: Readonly<Record<string, unknown>>,
  ): readonly CustomValidationIssue[] | Promise<readonly CustomValidationIssue[]>;
  run(inputs: InputValues<I>, ctx: RunContext): NodeResult<O> | Promise<NodeResult<O>>;
}

/** A definition with its type parameters erased, as the registry stores it. */
export type AnyNodeDefinition = NodeDefinition<any, any>;
