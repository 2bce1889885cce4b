import { idTable } from './graph-walk.js';
import type { ExecutionPlan } from './plan.js';
import type { NodeLookup, PreparedNode } from './validate.js';

/**
 * A plan's dependency graph over dense integer slots, for the runner: the nodes of `plan.order` take slots
 * `0 .. order.length - 1` (a slot there is also the node's position), the served cached nodes the slots after them.
 * Adjacency is stored flat (CSR: the items of position `p` are `list[start[p] .. start[p + 1])`) so that a
 * 10,000-node run makes a handful of typed arrays instead of two small arrays per node, and the scheduler indexes
 * instead of hashing ids.
 */
export interface SlotGraph {
  /** Node ids by slot. */
  ids: string[];
  /** Prepared nodes by slot. */
  nodes: PreparedNode[];
  /** Per position: where its deps start in `depSlots`. */
  depStart: Int32Array;
  /** The slots of each position's `deps`, in `deps` order; `-1` for a dep outside the plan. */
  depSlots: Int32Array;
  /** Per position: where the positions that wait on it start in `dependants`. */
  dependantStart: Int32Array;
  dependants: Int32Array;
  /** Per position: how many of its deps run before it (cached deps are ready from the start). */
  waiting: Int32Array;
}

/** Prefix sums of `counts` in place: `counts[i]` becomes the sum of the counts before `i`. */
function startsFromCounts(counts: Int32Array): Int32Array {
  let total = 0;
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i]!;
    counts[i] = total;
    total += count;
  }
  return counts;
}

/** Builds the slot graph of `plan`; `nodes` must hold every node of `plan.order` and `plan.served`. */
export function slotGraph(plan: ExecutionPlan, nodes: NodeLookup): SlotGraph {
  const running = plan.order.length;
  const ids = [...plan.order, ...plan.served];
  const slotOf = idTable<number>();
  for (let slot = 0; slot < ids.length; slot++) slotOf[ids[slot]!] = slot;
  const prepared = ids.map((id) => nodes.get(id)!);

  const depStart = new Int32Array(running + 1);
  for (let p = 0; p < running; p++) depStart[p + 1] = depStart[p]! + prepared[p]!.deps.length;
  const depSlots = new Int32Array(depStart[running]!);
  const waiting = new Int32Array(running);
  const dependantStart = new Int32Array(running + 1);
  for (let p = 0; p < running; p++) {
    const deps = prepared[p]!.deps;
    for (let d = 0; d < deps.length; d++) {
      const slot = slotOf[deps[d]!] ?? -1;
      depSlots[depStart[p]! + d] = slot;
      if (slot < 0 || slot >= running) continue;
      waiting[p] = waiting[p]! + 1;
      dependantStart[slot] = dependantStart[slot]! + 1;
    }
  }
  startsFromCounts(dependantStart);
  const dependants = new Int32Array(dependantStart[running]!);
  const filled = dependantStart.slice();
  for (let p = 0; p < running; p++) {
    for (let i = depStart[p]!; i < depStart[p + 1]!; i++) {
      const slot = depSlots[i]!;
      if (slot >= 0 && slot < running) dependants[filled[slot]!++] = p;
    }
  }
  return { ids, nodes: prepared, depStart, depSlots, dependantStart, dependants, waiting };
}
