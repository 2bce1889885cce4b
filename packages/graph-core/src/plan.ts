import { compactKey, SignatureBuilder } from './cache.js';
import { GraphCycleError } from './errors.js';
import { idTable, walkUpstream } from './graph-walk.js';
import type { NodeLookup, PreparedLink, PreparedNode } from './validate.js';

/** The cache as the planner sees it: `OutputCache.hasKeyLanes`. */
export interface CacheLookup {
  /** Whether the key whose lanes are `lanes[at .. at + 4)` is cached. */
  hasKeyLanes(lanes: Int32Array, at: number): boolean;
}

/**
 * The signature keys of a plan's ancestors. They are kept as 32-bit lanes in one typed array, four per ancestor,
 * and become strings only when asked for: a fully cached run of 10,000 nodes looks every key up but reads one.
 */
export class SignatureKeys {
  readonly #table: KeyTable;

  constructor(table: KeyTable) {
    this.#table = table;
  }

  /** The key of node `id` (`SignatureBuilder.key()`'s string); `undefined` for a volatile node or a non-ancestor. */
  get(id: string): string | undefined {
    const position = this.#table.positions[id];
    if (position === undefined || this.#table.keyed[position] === 0) return undefined;
    return compactKey(this.#table.lanes, 4 * position);
  }
}

/** Where the planner writes keys as it goes: four lanes per ancestor position, and whether it has one. */
interface KeyTable {
  /** Ancestor positions by node id. */
  positions: Readonly<Record<string, number | undefined>>;
  /** Four lanes per position, valid where `keyed` is 1. */
  lanes: Int32Array;
  keyed: Uint8Array;
}

/** What runs, in which order, and what comes from the cache. */
export interface ExecutionPlan {
  /** The output nodes (or partial-execution targets) the plan serves. */
  targets: string[];
  /** Nodes that will run, each after the nodes it reads from. */
  order: string[];
  /**
   * Every ancestor whose key is already cached, in `ancestors` order: ComfyUI's `execution_cached` list, which
   * names the nodes upstream of a served node too. ComfyUI also lists cached nodes that no target depends on;
   * those are neither validated nor keyed here, so they are not listed.
   */
  cached: string[];
  /** The cached nodes the run reads: those the walk from the targets reaches (it goes no further up from them). */
  served: string[];
  /** Signature key of every ancestor of the targets; `undefined` for `cache: 'never'` nodes and their dependants. */
  keys: SignatureKeys;
  /**
   * The nodes of `order` by depth: a node's depth is one more than its deepest running dependency, so the nodes
   * of one level never read from each other and may run concurrently.
   */
  levels: string[][];
  /** How many nodes of `order` read each node (its value can be released once they all have). */
  consumers: Map<string, number>;
}

/** Fingerprints of the nodes that declare one; a throwing fingerprint makes the node volatile (always re-run). */
async function fingerprints(nodes: readonly PreparedNode[]): Promise<Map<string, string | undefined>> {
  const prints = new Map<string, string | undefined>();
  const pending: Promise<void>[] = [];
  for (const node of nodes) {
    const id = node.id;
    if (!node.def.fingerprint) continue;
    try {
      const print = node.def.fingerprint(node.literals);
      if (print instanceof Promise) {
        pending.push(print.then((value) => void prints.set(id, String(value)), () => void prints.set(id, undefined)));
      } else {
        prints.set(id, String(print));
      }
    } catch {
      prints.set(id, undefined);
    }
  }
  if (pending.length > 0) await Promise.all(pending);
  return prints;
}

/** Whether links are already in ascending input-name order (the usual case: declaration order is alphabetical or single). */
function sortedByInput(links: readonly PreparedLink[]): boolean {
  for (let i = 1; i < links.length; i++) if (links[i - 1]!.input > links[i]!.input) return false;
  return true;
}

/**
 * Writes the signature key of the ancestor at `position` to `table`, from its upstream keys, unless it or anything
 * upstream is volatile. Equal to `signatureKey` over the same parts, built without an `UpstreamRef` array per node
 * and without a key string per node.
 */
function writeKeyOf(
  node: PreparedNode,
  position: number,
  prints: ReadonlyMap<string, string | undefined>,
  table: KeyTable,
  builder: SignatureBuilder,
): void {
  if (node.def.cache === 'never') return;
  let print = '';
  if (prints.size > 0 && prints.has(node.id)) {
    const value = prints.get(node.id);
    if (value === undefined) return;
    print = value;
  }
  const links = sortedByInput(node.links) ? node.links : [...node.links].sort((x, y) => (x.input < y.input ? -1 : 1));
  builder.begin(node.classType, node.literals, print);
  for (const link of links) {
    const source = table.positions[link.source];
    if (source === undefined || table.keyed[source] === 0) return;
    builder.upstreamLanes(link.input, table.lanes, 4 * source, link.output);
  }
  builder.writeKey(table.lanes, 4 * position);
  table.keyed[position] = 1;
}

/** `ExecutionPlan.levels` and `.consumers` of `order` (`orderNodes` are its prepared nodes, aligned). */
function levelsOf(
  order: readonly string[],
  orderNodes: readonly PreparedNode[],
): Pick<ExecutionPlan, 'levels' | 'consumers'> {
  const consumers = new Map<string, number>();
  const depth = idTable<number>();
  const levels: string[][] = [];
  for (let i = 0; i < order.length; i++) {
    let level = 0;
    for (const dep of orderNodes[i]!.deps) {
      consumers.set(dep, (consumers.get(dep) ?? 0) + 1);
      const depLevel = depth[dep];
      if (depLevel !== undefined && depLevel + 1 > level) level = depLevel + 1;
    }
    depth[order[i]!] = level;
    // A new level starts as a one-item literal: a chain has a level per node, and `push` onto `[]` reserves 17 slots.
    const row = levels[level];
    if (row) row.push(order[i]!);
    else levels[level] = [order[i]!];
  }
  return { levels, consumers };
}

/**
 * Plans a run: only ancestors of `targets` take part; every one gets a signature key; walking up from the targets
 * stops at nodes whose key is cached, and what remains runs in topological order. Throws `GraphCycleError` on a
 * cycle (validation reports cycles first, so the executor never meets one here).
 */
export async function planExecution(
  nodes: NodeLookup,
  targets: readonly string[],
  cache?: CacheLookup,
): Promise<ExecutionPlan> {
  const deps = (id: string): readonly string[] => nodes.get(id)?.deps ?? [];
  const all = walkUpstream(targets, deps);
  if (all.cycles.length > 0) throw new GraphCycleError(all.cycles[0]!);
  return planOrdered(nodes, targets, all.order, cache);
}

/**
 * `planExecution` given the targets' ancestors already in topological order (validation computed it), which
 * saves a walk over the graph.
 */
export async function planOrdered(
  nodes: NodeLookup,
  targets: readonly string[],
  ancestors: readonly string[],
  cache?: CacheLookup,
): Promise<ExecutionPlan> {
  // Resolved once: fingerprinting, keying and levelling all visit every ancestor.
  const prepared = ancestors.map((id) => nodes.get(id)!);
  const prints = await fingerprints(prepared);
  const table = keyTable(ancestors);
  const builder = new SignatureBuilder();
  // Every key is looked up: the cached list names nodes upstream of the served ones too.
  const cached: string[] = [];
  for (let i = 0; i < prepared.length; i++) {
    writeKeyOf(prepared[i]!, i, prints, table, builder);
    if (table.keyed[i] === 1 && cache?.hasKeyLanes(table.lanes, 4 * i)) cached.push(ancestors[i]!);
  }
  const keys = new SignatureKeys(table);
  if (cached.length === 0) {
    const { levels, consumers } = levelsOf(ancestors, prepared);
    return { targets: [...targets], order: [...ancestors], cached, served: [], keys, levels, consumers };
  }

  // Hits are recorded as the walk meets them: after a full run every key hits and the walk stops at the outputs
  // themselves, so a set of every hit would hold 10,000 entries to serve one node.
  const hits = new Set<string>();
  const isCached = (id: string): boolean => {
    const position = table.positions[id];
    if (position === undefined || table.keyed[position] === 0 || !cache!.hasKeyLanes(table.lanes, 4 * position)) return false;
    hits.add(id);
    return true;
  };
  const deps = (id: string): readonly string[] => nodes.get(id)?.deps ?? [];
  const order: string[] = [];
  const served: string[] = [];
  for (const id of walkUpstream(targets, deps, isCached).order) (hits.has(id) ? served : order).push(id);
  const { levels, consumers } = levelsOf(order, order.map((id) => nodes.get(id)!));
  return { targets: [...targets], order, cached, served, keys, levels, consumers };
}

/** An empty key table for `ancestors`. */
function keyTable(ancestors: readonly string[]): KeyTable {
  // An id table, not a `Map`: see `idTable`. Filled in one pass so that keying reads positions, never hashes ids twice.
  const positions = idTable<number>();
  for (let i = 0; i < ancestors.length; i++) positions[ancestors[i]!] = i;
  return { positions, lanes: new Int32Array(4 * ancestors.length), keyed: new Uint8Array(ancestors.length) };
}
