/**
 * Socket colours. The compatibility rule is graph-core's `areTypesCompatible`; the colours start from graph-core's
 * built-in socket types and add the types only node packs declare.
 */
import { BUILTIN_SOCKET_TYPES, SocketTypeRegistry } from '@piagraph/graph-core';

/** graph-core's palette (ComfyUI's where it has one), plus types of the PIA pack graph-core does not list. */
export const SOCKET_COLORS: Readonly<Record<string, string>> = {
  MASK: '#81C784',
  PIA_CONDITION: '#A8DADC',
  ...Object.fromEntries(BUILTIN_SOCKET_TYPES.map((t) => [t.name, t.color])),
};

const registry = new SocketTypeRegistry();

/** The colour of a socket type: the palette's, else graph-core's (a union's first member, a stable hue for names no pack registered). */
export function socketColor(type: string): string {
  const first = type.split(',')[0]?.trim() ?? '';
  return SOCKET_COLORS[first] ?? registry.colorOf(type);
}

/** A CSS-safe suffix for `--color-datatype-<TYPE>` variables. */
export function cssTypeName(type: string): string {
  return (type.split(',')[0] ?? '').trim().replace(/[^A-Za-z0-9_-]/g, '_') || 'ANY';
}
