/**
 * Node search as ComfyUI users expect it: fuzzy and typo-tolerant, over the display name, class name, category
 * and socket types, ranked so that the node whose name the query spells comes first. Pure.
 */
import { areTypesCompatible } from '@piagraph/graph-core';
import type { NodeSchema } from './object-info.js';

/** How much a match in each field counts: the name a user sees first, socket types least. */
const FIELD_WEIGHTS = { name: 1, classType: 0.9, category: 0.5, types: 0.45 } as const;
type Field = keyof typeof FIELD_WEIGHTS;

/** A search that only offers nodes able to take (or give) a wire of `type`. */
export interface TypeFilter {
  /** `input`: the node must have an input accepting `type` (a wire dropped from an output); `output`: the reverse. */
  needs: 'input' | 'output';
  type: string;
}

/** Lower-case words of a field: split at spaces, punctuation and camelCase humps (`KSamplerAdvanced` → k, sampler, advanced). */
export function words(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Damerau–Levenshtein (optimal string alignment) distance, stopping early above `max`. */
export function editDistance(a: string, b: string, max = 2): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    let rowMin = Infinity;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > max) return max + 1;
  }
  return d[a.length]![b.length]!;
}

/** Whether the letters of `q` occur in order in `text` (abbreviations: `ksa` in `ksampler`). */
function isSubsequence(q: string, text: string): boolean {
  let i = 0;
  for (const c of text) if (c === q[i]) i++;
  return i === q.length;
}

/**
 * How well one query word matches one field (0 = not at all): a whole word 100, a word's start 80, inside the
 * text 60, within one or two typos of a word 45 or 30 (longer words allow more), the letters in order 20.
 */
export function wordScore(q: string, fieldText: string, fieldWords: readonly string[]): number {
  if (fieldWords.includes(q)) return 100;
  if (fieldWords.some((w) => w.startsWith(q))) return 80;
  if (fieldText.includes(q)) return 60;
  if (q.length >= 4) {
    const allowed = q.length >= 8 ? 2 : 1;
    let best = allowed + 1;
    for (const w of fieldWords) {
      best = Math.min(best, editDistance(q, w, allowed), editDistance(q, w.slice(0, q.length), allowed));
    }
    if (best <= allowed) return best === 1 ? 45 : 30;
  }
  if (q.length >= 2 && isSubsequence(q, fieldText.replace(/[^a-z0-9]/g, ''))) return 20;
  return 0;
}

interface Indexed {
  schema: NodeSchema;
  fields: Record<Field, { text: string; words: string[] }>;
}

function index(schema: NodeSchema): Indexed {
  const types = [...schema.inputs.map((i) => i.spec.type), ...schema.outputs.map((o) => o.type)].join(' ');
  const field = (text: string) => ({ text: text.toLowerCase(), words: words(text) });
  return {
    schema,
    fields: { name: field(schema.displayName), classType: field(schema.classType), category: field(schema.category), types: field(types) },
  };
}

/** Whether a node can take (or give) a wire of the filter's type. */
export function matchesType(schema: NodeSchema, filter: TypeFilter): boolean {
  if (filter.needs === 'input') return schema.inputs.some((i) => areTypesCompatible(filter.type, i.spec.type));
  return schema.outputs.some((o) => areTypesCompatible(o.type, filter.type));
}

/** A schema's score for a query (0 when some query word matches nothing). */
export function scoreSchema(schema: NodeSchema, query: string): number {
  const qWords = words(query);
  if (qWords.length === 0) return 1;
  const item = index(schema);
  let total = 0;
  for (const q of qWords) {
    let best = 0;
    for (const f of Object.keys(FIELD_WEIGHTS) as Field[]) {
      best = Math.max(best, wordScore(q, item.fields[f].text, item.fields[f].words) * FIELD_WEIGHTS[f]);
    }
    if (best === 0) return 0;
    total += best;
  }
  const name = item.fields.name.text;
  const q = query.trim().toLowerCase();
  if (name === q || item.fields.classType.text === q) total += 200;
  else if (name.startsWith(q)) total += 50;
  return total;
}

/**
 * The schemas matching `query` (every word must match some field, allowing typos), best first; ties go to the
 * shorter, then alphabetically first name. With a type filter, only nodes that can take the wire; an empty query
 * then lists them all by name.
 */
export function searchNodes(schemas: Iterable<NodeSchema>, query: string, options: { filter?: TypeFilter; limit?: number } = {}): NodeSchema[] {
  const scored: { schema: NodeSchema; score: number }[] = [];
  for (const schema of schemas) {
    if (options.filter && !matchesType(schema, options.filter)) continue;
    const score = scoreSchema(schema, query);
    if (score > 0) scored.push({ schema, score });
  }
  const byName = (a: { schema: NodeSchema }, b: { schema: NodeSchema }) => a.schema.displayName.localeCompare(b.schema.displayName);
  if (words(query).length === 0) scored.sort(byName);
  else scored.sort((a, b) => b.score - a.score || a.schema.displayName.length - b.schema.displayName.length || byName(a, b));
  return scored.slice(0, options.limit ?? 50).map((s) => s.schema);
}
