/**
 * Socket and widget types.
 *
 * A socket type is a plain UPPER_SNAKE name. Widget types (INT, FLOAT, STRING, BOOLEAN, COMBO) carry a literal
 * value and may also be fed by a link; every other type (MODEL, LATENT, …) is link-only. A type string may be a
 * comma-separated union (`"IMAGE,LATENT"`) and `"*"` accepts anything, as in ComfyUI, but the rule that decides
 * compatibility is one function (`areTypesCompatible` in `socket-registry.ts`) shared by the validator and the editor.
 */

/** The five widget types that hold literal values. */
export type WidgetType = 'INT' | 'FLOAT' | 'STRING' | 'BOOLEAN' | 'COMBO';

/** The link-only types of the PIA pipeline; packs may register more. */
export type BuiltinSocketType =
  | 'MODEL'
  | 'CLIP'
  | 'VAE'
  | 'CONDITIONING'
  | 'LATENT'
  | 'IMAGE'
  | 'AFFINITY'
  | 'VIDEO';

/**
 * Maps a socket type name to the TypeScript type of the value that flows through it.
 * Node packs extend it by declaration merging:
 *
 * @example
 * declare module '@piagraph/graph-core' {
 *   interface SocketValueMap { LATENT: LatentTensor }
 * }
 */
export interface SocketValueMap {
  INT: number;
  FLOAT: number;
  STRING: string;
  BOOLEAN: boolean;
  COMBO: string;
  '*': unknown;
}

/** The value type of a socket type name; `unknown` for names no pack has described. */
export type SocketValue<T extends string> = T extends keyof SocketValueMap ? SocketValueMap[T] : unknown;

/** Metadata of a registered socket type: how the editor draws it. */
export interface SocketTypeInfo {
  name: string;
  /** CSS colour of the socket and its wires. */
  color: string;
  description?: string;
}
