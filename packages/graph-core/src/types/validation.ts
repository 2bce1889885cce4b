/** Validation results in ComfyUI's shape (`POST /prompt` 400 body: `{ error, node_errors }`). */

export type InputErrorType =
  | 'required_input_missing'
  | 'bad_linked_input'
  | 'return_type_mismatch'
  | 'invalid_input_type'
  | 'value_smaller_than_min'
  | 'value_bigger_than_max'
  | 'value_not_in_list'
  | 'custom_validation_failed'
  | 'exception_during_inner_validation'
  | 'exception_during_validation'
  | 'dependency_cycle'
  /** The node's class is not registered (ComfyUI's newer name for it). */
  | 'missing_node_type';

export type PromptErrorType =
  | 'prompt_outputs_failed_validation'
  | 'invalid_prompt'
  | 'prompt_no_outputs'
  | 'no_prompt';

export interface ValidationErrorItem {
  type: InputErrorType | PromptErrorType;
  message: string;
  details: string;
  extra_info: {
    input_name?: string;
    input_config?: unknown;
    received_value?: unknown;
    received_type?: string;
    linked_node?: readonly [string, number];
    /** For `dependency_cycle`: the node ids on the cycle, in order. */
    cycle?: string[];
    [key: string]: unknown;
  };
}

export interface NodeError {
  class_type: string;
  /** The output nodes this error disabled. */
  dependent_outputs: string[];
  errors: ValidationErrorItem[];
}

export type NodeErrors = Record<string, NodeError>;

/** The outcome of `validatePrompt`. Some outputs may be dropped while others still run (ComfyUI semantics). */
export type ValidationResult =
  | { ok: true; outputs: string[]; nodeErrors: NodeErrors }
  | { ok: false; error: ValidationErrorItem; nodeErrors: NodeErrors };
