/** What `walkUpstream` found. */
export interface UpstreamWalk {
  /** Every reached node, dependencies before dependants (DFS post-order from the roots, in root order). */
  order: string[];
  /** Each cycle met, as the node ids on it; each id depends on the next, and the last on the first. */
  cycles: string[][];
}

/**
 * Depth-first walk from `roots` through `deps` (the ids a node reads from), iterative so that a 10,000-node chain
 * cannot overflow the stack, and cycle-safe: a back edge records the cycle instead of looping. Nodes for which
 * `stop` returns true are reached but their dependencies are not walked (cached nodes, in the planner).
 */
export function walkUpstream(
  roots: Iterable<string>,
  deps: (id: string) => readonly string[],
  stop?: (id: string) => boolean,
): UpstreamWalk {
  const order: string[] = [];
  const cycles: string[][] = [];
  const done = new Set<string>();
  /** Stack position of each node currently being walked. */
  const onStack = new Map<string, number>();
  const stackIds: string[] = [];
  const stackDeps: (readonly string[])[] = [];
  const stackNext: number[] = [];

  for (const root of roots) {
    if (done.has(root) || onStack.has(root)) continue;
    onStack.set(root, 0);
    stackIds.push(root);
    stackDeps.push(stop?.(root) ? [] : deps(root));
    stackNext.push(0);
    while (stackIds.length > 0) {
      const top = stackIds.length - 1;
      const list = stackDeps[top]!;
      const next = stackNext[top]!;
      if (next < list.length) {
        stackNext[top] = next + 1;
        const dep = list[next]!;
        if (done.has(dep)) continue;
        const position = onStack.get(dep);
        if (position !== undefined) {
          cycles.push(stackIds.slice(position));
          continue;
        }
        onStack.set(dep, stackIds.length);
        stackIds.push(dep);
        stackDeps.push(stop?.(dep) ? [] : deps(dep));
        stackNext.push(0);
      } else {
        const id = stackIds.pop()!;
        stackDeps.pop();
        stackNext.pop();
        onStack.delete(id);
        done.add(id);
        order.push(id);
      }
    }
  }
  return { order, cycles };
}
