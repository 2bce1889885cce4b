import { describe, expect, it } from 'vitest';
import { main } from '../../../examples/headless-graph.js';

describe('examples/headless-graph.ts', () => {
  it('saves, reloads and runs its graph, then serves the second run from the cache', async () => {
    const lines: string[] = [];
    const [first, second] = await main((line) => lines.push(line));
    expect(first!.status).toBe('success');
    // "graphs run headless" repeated twice with " / ", shouted; 3 words × 2 + the separator = 7 words.
    expect(first!.outputs).toEqual({
      '4': { text: ['GRAPHS RUN HEADLESS / GRAPHS RUN HEADLESS'] },
      '6': { text: ['7'] },
    });
    expect(second!.executed).toEqual([]);
    // All six nodes (a text source, repeat, shout, word count and two shows) were cached by the first run.
    expect(second!.cached).toHaveLength(6);
    expect(lines[0]).toMatch(/^saved 6 nodes and 5 links to .*headless-graph\.json$/);
    expect(lines).toContain('  executing             node 3 (ExampleShout)');
    expect(lines).toContain('  progress              node 3 (ExampleShout) 7/7');
    expect(lines.at(-1)).toBe('  → success; ran 0 nodes, 6 from the cache');
  });
});
