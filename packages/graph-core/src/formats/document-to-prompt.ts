import type { NodeRegistry } from '../node-registry.js';
import { inputEntries } from '../node-inputs.js';
import { areTypesCompatible } from '../socket-registry.js';
import type { ApiNode, ApiPrompt, PromptInputValue } from '../types/api-prompt.js';
import type { DocLink, GraphDocument } from '../types/document.js';

/**
 * Frontend-only classes a document may hold (the editor's reroutes and notes, as in ComfyUI's frontend): never
 * executed; a reroute passes on what feeds its one input.
 */
export const FRONTEND_ONLY_CLASSES: ReadonlySet<string> = new Set(['Reroute', 'Note', 'MarkdownNote']);

/** Links of a document grouped by the node they feed. */
function linksByTarget(doc: GraphDocument): Map<string, DocLink[]> {
  const byTarget = new Map<string, DocLink[]>();
  for (const link of Object.values(doc.links)) {
    let list = byTarget.get(link.target.node);
    if (!list) byTarget.set(link.target.node, (list = []));
    list.push(link);
  }
  return byTarget;
}

/** The input names of a node in declaration order, then any other names in `extra`, in their order. */
function orderedNames(registry: NodeRegistry, classType: string, extra: Iterable<string>): string[] {
  const def = registry.get(classType);
  const names = def ? inputEntries(def).map((entry) => entry.name) : [];
  for (const name of extra) if (!names.includes(name)) names.push(name);
  return names;
}

/**
 * Follows a link back through bypassed nodes to the node that really produces the value. A bypassed node passes
 * through the input at the output's own index if its type matches, else its first input of a matching type (the
 * frontend's rule); a muted node, or a bypassed one with no matching input, leaves the input unconnected.
 */
function resolveSource(
  doc: GraphDocument,
  registry: NodeRegistry,
  byTarget: Map<string, DocLink[]>,
  link: DocLink,
): { node: string; output: number } | undefined {
  let source = link.source;
  const seen = new Set<string>();
  while (!seen.has(source.node)) {
    seen.add(source.node);
    const node = doc.nodes[source.node];
    if (!node) return undefined;
    if (node.classType === 'Reroute') {
      const feed = byTarget.get(node.id)?.[0];
      if (!feed) return undefined;
      source = feed.source;
      continue;
    }
    if (node.mode === 'muted') return undefined;
    if (node.mode !== 'bypassed') return source;
    const incoming = byTarget.get(node.id) ?? [];
    const order = orderedNames(registry, node.classType, incoming.map((l) => l.target.input));
    const candidates = [...incoming].sort((a, b) => order.indexOf(a.target.input) - order.indexOf(b.target.input));
    const sameSlot = candidates.find((l) => order.indexOf(l.target.input) === source.output);
    const through =
      sameSlot && areTypesCompatible(sameSlot.type, link.type)
        ? sameSlot
        : candidates.find((l) => areTypesCompatible(l.type, link.type));
    if (!through) return undefined;
    source = through.source;
  }
  return undefined;
}

/**
 * The executable API prompt of a document: muted nodes and notes are dropped, bypassed nodes and reroutes are
 * spliced out (their consumers read from what fed them), linked inputs become `[sourceId, output]`, and every other value is sent
 * as a literal. Node ids are kept, so `promptToDocument` and back is lossless for execution.
 */
export function documentToPrompt(doc: GraphDocument, registry: NodeRegistry): ApiPrompt {
  const byTarget = linksByTarget(doc);
  const prompt: ApiPrompt = {};
  for (const node of Object.values(doc.nodes)) {
    if (node.mode === 'muted' || node.mode === 'bypassed' || FRONTEND_ONLY_CLASSES.has(node.classType)) continue;
    const linked = new Map<string, PromptInputValue | null>();
    for (const link of byTarget.get(node.id) ?? []) {
      const source = resolveSource(doc, registry, byTarget, link);
      linked.set(link.target.input, source ? [source.node, source.output] : null);
    }
    const inputs: Record<string, PromptInputValue> = {};
    for (const name of orderedNames(registry, node.classType, [...Object.keys(node.values), ...linked.keys()])) {
      if (linked.has(name)) {
        const value = linked.get(name);
        if (value) inputs[name] = value;
        continue;
      }
      if (!(name in node.values)) continue;
      const value: unknown = node.values[name];
      // A bare array would be read as a link; literal lists travel wrapped.
      inputs[name] = (Array.isArray(value) ? { __value__: value } : value) as PromptInputValue;
    }
    const api: ApiNode = { class_type: node.classType, inputs };
    if (node.title !== undefined) api._meta = { title: node.title };
    prompt[node.id] = api;
  }
  return prompt;
}
