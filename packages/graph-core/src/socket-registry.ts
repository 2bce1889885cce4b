import { RegistryError } from './errors.js';
import type { SocketTypeInfo } from './types/socket-types.js';

/** The type that matches every other type. */
export const ANY_TYPE = '*';

/**
 * The socket types graph-core knows out of the box, with distinct colours (ComfyUI's palette where it has one,
 * so users moving between the two recognise the wires).
 */
export const BUILTIN_SOCKET_TYPES: readonly SocketTypeInfo[] = [
  { name: 'MODEL', color: '#b39ddb', description: 'A denoising U-Net (with its motion modules).' },
  { name: 'CLIP', color: '#ffd500', description: 'A CLIP text encoder and its tokenizer.' },
  { name: 'VAE', color: '#ff6e6e', description: 'A VAE encoder/decoder pair.' },
  { name: 'CONDITIONING', color: '#ffa931', description: 'Text embeddings that steer sampling.' },
  { name: 'LATENT', color: '#ff9cf9', description: 'Latent batch `[batch, 4, h, w]` (a video\'s frames are the batch).' },
  { name: 'IMAGE', color: '#64b5f6', description: 'RGB images (a video\'s frames) in 0..1.' },
  { name: 'AFFINITY', color: '#4db6ac', description: 'Per-frame affinity of each frame to the input image.' },
  { name: 'VIDEO', color: '#7986cb', description: 'Encoded frames with a frame rate.' },
  { name: 'INT', color: '#7ec850', description: 'A whole number.' },
  { name: 'FLOAT', color: '#aaee88', description: 'A real number.' },
  { name: 'STRING', color: '#77ccdd', description: 'Text.' },
  { name: 'BOOLEAN', color: '#ee8866', description: 'True or false.' },
  { name: 'COMBO', color: '#bbbbbb', description: 'One choice from a list.' },
];

/** The members of a type string: `"IMAGE, LATENT"` → `["IMAGE", "LATENT"]`. */
export function splitTypeUnion(type: string): string[] {
  if (!type.includes(',')) return type.trim() === '' ? [] : [type.trim()];
  return type
    .split(',')
    .map((member) => member.trim())
    .filter((member) => member !== '');
}

/**
 * Whether an output of `outputType` may feed an input of `inputType`: the one rule the validator, the edit
 * operations and the editor share. Comma unions match when they intersect, `*` on either side matches anything,
 * and names are compared exactly (so COMBO outputs feed COMBO inputs and nothing else does).
 */
export function areTypesCompatible(outputType: string, inputType: string): boolean {
  if (outputType === inputType) return outputType.trim() !== '';
  const outputs = splitTypeUnion(outputType);
  const inputs = splitTypeUnion(inputType);
  if (outputs.length === 0 || inputs.length === 0) return false;
  if (outputs.includes(ANY_TYPE) || inputs.includes(ANY_TYPE)) return true;
  return outputs.some((member) => inputs.includes(member));
}

/** Colour of a type name no pack registered: a stable hue from the name, so wires stay recognisable. */
function fallbackColor(name: string): string {
  let hash = 0;
  for (let i = 0; i < name.length; i++) hash = (hash * 31 + name.charCodeAt(i)) | 0;
  return `hsl(${((hash % 360) + 360) % 360}, 55%, 60%)`;
}

/** The socket types known to the editor and the validator: names, colours and descriptions. */
export class SocketTypeRegistry {
  readonly #types = new Map<string, SocketTypeInfo>();

  /** Starts with `BUILTIN_SOCKET_TYPES` registered. */
  constructor() {
    for (const info of BUILTIN_SOCKET_TYPES) this.#types.set(info.name, info);
  }

  /** Registers a type; registering a name twice with a different colour or description is an error. */
  register(info: SocketTypeInfo): this {
    if (!/^[A-Z][A-Z0-9_]*$/.test(info.name)) {
      throw new RegistryError(
        'invalid_socket_type',
        `socket type "${info.name}" must be an UPPER_SNAKE name (unions and "*" are not registered)`,
        { name: info.name },
      );
    }
    const existing = this.#types.get(info.name);
    if (existing && (existing.color !== info.color || existing.description !== info.description)) {
      throw new RegistryError('duplicate_socket_type', `socket type "${info.name}" is already registered`, {
        name: info.name,
      });
    }
    this.#types.set(info.name, { ...info });
    return this;
  }

  has(name: string): boolean {
    return this.#types.has(name);
  }

  get(name: string): SocketTypeInfo | undefined {
    return this.#types.get(name);
  }

  /** Every registered type, builtins first, then in registration order. */
  list(): SocketTypeInfo[] {
    return [...this.#types.values()];
  }

  /** The colour to draw a socket of `type` with: a union takes its first member's, `*` is white. */
  colorOf(type: string): string {
    const first = splitTypeUnion(type)[0] ?? type;
    if (first === ANY_TYPE) return '#ffffff';
    return this.#types.get(first)?.color ?? fallbackColor(first);
  }
}
