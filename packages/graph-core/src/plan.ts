import { SignatureBuilder } from './cache.js';
import { GraphCycleError } from './errors.js';
import { idTable, walkUpstream } from './graph-walk.js';
import type { PreparedLink, PreparedNode } from './validate.js';

/** The cache as the planner sees it. */
export interface CacheLookup {
  has(key: string): boolean;
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
  keys: Map<string, string | undefined>;
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
 * A node's signature key from its upstream keys; `undefined` when it or anything upstream is volatile. Equal to
 * `signatureKey` over the same parts, built without an `UpstreamRef` array per node.
 */
function keyOf(
  node: PreparedNode,
  prints: ReadonlyMap<string, string | undefined>,
  keys: ReadonlyMap<string, string | undefined>,
  builder: SignatureBuilder,
): string | undefined {
  if (node.def.cache === 'never') return undefined;
  let print = '';
  if (prints.size > 0 && prints.has(node.id)) {
    const value = prints.get(node.id);
    if (value === undefined) return undefined;
    print = value;
  }
  const links = sortedByInput(node.links) ? node.links : [...node.links].sort((x, y) => (x.input < y.input ? -1 : 1));
  builder.begin(node.classType, node.literals, print);
  for (const link of links) {
    const key = keys.get(link.source);
    if (key === undefined) return undefined;
    builder.upstream(link.input, key, link.output);
  }
  return builder.key();
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
  nodes: ReadonlyMap<string, PreparedNode>,
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
  nodes: ReadonlyMap<string, PreparedNode>,
  targets: readonly string[],
  ancestors: readonly string[],
  cache?: CacheLookup,
): Promise<ExecutionPlan> {
  const deps = (id: string): readonly string[] => nodes.get(id)?.deps ?? [];
  // Resolved once: fingerprinting, keying and levelling all visit every ancestor.
  const prepared = ancestors.map((id) => nodes.get(id)!);
  const prints = await fingerprints(prepared);
  const keys = new Map<string, string | undefined>();
  const builder = new SignatureBuilder();
  // Every key is looked up: the cached list names nodes upstream of the served ones too.
  const cached: string[] = [];
  for (let i = 0; i < prepared.length; i++) {
    const key = keyOf(prepared[i]!, prints, keys, builder);
    keys.set(ancestors[i]!, key);
    if (key !== undefined && cache?.has(key)) cached.push(ancestors[i]!);
  }
  if (cached.length === 0) {
    const { levels, consumers } = levelsOf(ancestors, prepared);
    return { targets: [...targets], order: [...ancestors], cached, served: [], keys, levels, consumers };
  }

  // Hits are recorded as the walk meets them: after a full run every key hits and the walk stops at the outputs
  // themselves, so a set of every hit would hold 10,000 entries to serve one node.
  const hits = new Set<string>();
  const isCached = (id: string): boolean => {
    const key = keys.get(id);
    if (key === undefined || !cache!.has(key)) return false;
    hits.add(id);
    return true;
  };
  const order: string[] = [];
  const served: string[] = [];
  for (const id of walkUpstream(targets, deps, isCached).order) (hits.has(id) ? served : order).push(id);
  const { levels, consumers } = levelsOf(order, order.map((id) => nodes.get(id)!));
  return { targets: [...targets], order, cached, served, keys, levels, consumers };
}
