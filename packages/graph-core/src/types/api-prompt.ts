/**
 * ComfyUI's API prompt format: the executable form of a graph.
 * `{ [nodeId]: { class_type, inputs: { name: literal | [sourceNodeId, outputIndex] }, _meta?: { title } } }`.
 */

/** A reference to output `1` of node `"4"`, written `["4", 1]`. */
export type LinkRef = readonly [nodeId: string, outputIndex: number];

/** JSON literal values. Literal arrays travel wrapped as `{ "__value__": [...] }` so they are never taken for links. */
export type LiteralValue = string | number | boolean | null | { __value__: unknown[] } | Record<string, unknown>;

export type PromptInputValue = LiteralValue | LinkRef;

export interface ApiNode {
  class_type: string;
  inputs: Record<string, PromptInputValue>;
  _meta?: { title?: string };
}

export type ApiPrompt = Record<string, ApiNode>;

/** An API prompt that is not to be modified, as running nodes see it. */
export type ReadonlyApiPrompt = Readonly<Record<string, Readonly<ApiNode> & { readonly inputs: Readonly<ApiNode['inputs']> }>>;
