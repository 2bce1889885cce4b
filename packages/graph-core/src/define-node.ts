import type { InputsDecl, NodeDefinition, OutputSpec } from './types/node-def.js';

/**
 * Declares a node class. The `const` type parameters keep the declaration's literal types, so `inputs` inside
 * `run` is typed from it: an INT input is `number`, a COMBO with `options: ['a', 'b']` is `'a' | 'b'`, an optional
 * input is `T | undefined`, a `LATENT` link is `SocketValueMap['LATENT']`; and `run` must return a tuple matching
 * `outputs`. At runtime it returns the definition unchanged.
 */
export function defineNode<const I extends InputsDecl, const O extends readonly OutputSpec[]>(
  definition: NodeDefinition<I, O>,
): NodeDefinition<I, O> {
  return definition;
}
