import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { extractEmbeddedGraph } from '@piagraph/graph-core';
import { runCli } from '../../src/cli.js';
import { numberDocument, numberWorkflow } from '../fixtures/graphs.js';
import { TINY_PNG, serverTestNodes } from '../fixtures/server-test-nodes.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'piagraph-cli-'));
});

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(argv: string[], options: { tty?: boolean; signal?: AbortSignal } = {}): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    cwd: dir,
    io: { stdout: { write: (s: string) => (stdout += s), isTTY: options.tty ?? false, columns: 120 }, stderr: { write: (s: string) => (stderr += s) } },
    nodes: ({ outputDir }) => serverTestNodes(outputDir),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { code, stdout, stderr };
}

function graphFile(name: string, graph: unknown): string {
  writeFileSync(join(dir, name), JSON.stringify(graph));
  return name;
}

const apiPrompt = {
  '1': { class_type: 'TestNumber', inputs: { value: 3 }, _meta: { title: 'Amount' } },
  '2': { class_type: 'TestOutput', inputs: { value: ['1', 0] } },
};

describe('piagraph run', () => {
  it('runs an API prompt and prints its outputs, exit code 0', async () => {
    const r = await cli(['run', graphFile('api.json', apiPrompt)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('output   node 2 text: 3\n');
  });

  it('runs a piagraph graph document', async () => {
    const r = await cli(['run', graphFile('doc.json', numberDocument(21))]);
    expect(r.stdout).toContain('output   node 2 text: 21\n');
  });

  it('runs a ComfyUI UI workflow', async () => {
    const r = await cli(['run', graphFile('workflow.json', numberWorkflow(22))]);
    expect(r.stdout).toContain('output   node 2 text: 22\n');
  });

  it('overrides an input with --set NODE.INPUT=VALUE', async () => {
    const r = await cli(['run', graphFile('set.json', apiPrompt), '--set', '1.value=41']);
    expect(r.stdout).toContain('output   node 2 text: 41\n');
  });

  it('finds the node of --set by its title', async () => {
    const r = await cli(['run', graphFile('title.json', apiPrompt), '--set', 'Amount.value=8']);
    expect(r.stdout).toContain('output   node 2 text: 8\n');
  });

  it('writes files to --out and prints their absolute paths', async () => {
    const prompt = { '1': { class_type: 'TestNumber', inputs: { value: 1 } }, '2': { class_type: 'TestSaveImage', inputs: { value: ['1', 0], filename_prefix: 'cli' } } };
    const r = await cli(['run', graphFile('save.json', prompt), '--out', 'renders']);
    const path = /output {3}node 2 images: (.+)\n/.exec(r.stdout)?.[1];
    expect(path).toBe(join(dir, 'renders', 'cli_00001_.png'));
    expect(readFileSync(path!).equals(TINY_PNG)).toBe(true);
  });

  it('embeds the graph document it ran in the video it saves', { timeout: 120_000 }, async () => {
    const doc = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../../../examples/pia-image-to-video.json'), 'utf8')) as {
      nodes: Record<string, { values: Record<string, unknown> }>;
    };
    doc.nodes['7']!.values['steps'] = 2;
    const r = await cli(['run', graphFile('pia.json', doc), '--set', '7.seed=7']);
    expect(r.code).toBe(0);
    const path = /output {3}node 9 gifs: (.+)\n/.exec(r.stdout)?.[1];
    const embedded = extractEmbeddedGraph(readFileSync(path!));
    // The file as given; the prompt is what ran, with the --set override.
    expect(embedded?.graph).toEqual(doc);
    expect(embedded?.prompt).toMatchObject({ '7': { class_type: 'PIADDIMSampler', inputs: { seed: 7, steps: 2 } } });
  });

  it('prints plain progress lines when piped', async () => {
    const prompt = { '1': { class_type: 'TestPreview', inputs: { value: 1, steps: 2, ms: 1 } }, '2': { class_type: 'TestOutput', inputs: { value: ['1', 0] } } };
    const r = await cli(['run', graphFile('progress.json', prompt)]);
    expect(r.stdout).toContain('running  1 TestPreview\nprogress 1 TestPreview 1/2\nprogress 1 TestPreview 2/2\ndone     1 TestPreview in ');
    expect(r.stdout).not.toContain('\r');
  });

  it('draws a progress bar in place on a terminal', async () => {
    const prompt = { '1': { class_type: 'TestPreview', inputs: { value: 1, steps: 2, ms: 1 } }, '2': { class_type: 'TestOutput', inputs: { value: ['1', 0] } } };
    const r = await cli(['run', graphFile('tty.json', prompt)], { tty: true });
    expect(r.stdout).toContain(`\r\x1b[2K1 TestPreview ${'█'.repeat(12)}${'░'.repeat(12)}  50% 1/2`);
  });

  it('prints each validation error by node and input, exit code 1', async () => {
    const prompt = { '1': { class_type: 'TestSlow', inputs: { value: 1, ms: -1 } }, '2': { class_type: 'TestOutput', inputs: { value: ['1', 0] } } };
    const r = await cli(['run', graphFile('invalid.json', prompt)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('The graph is not valid: Prompt outputs failed validation');
    expect(r.stderr).toContain('  node 1 (TestSlow).ms: value_smaller_than_min:');
  });

  it('names every unknown class and node, the same for an API prompt and a UI workflow, exit code 1', async () => {
    const prompt = { '1': { class_type: 'FooNode', inputs: {} }, '2': { class_type: 'BarNode', inputs: {} } };
    const workflow = {
      version: 0.4,
      links: [],
      nodes: [
        { id: 1, type: 'FooNode', mode: 0, inputs: [], outputs: [] },
        { id: 2, type: 'BarNode', mode: 0, inputs: [], outputs: [] },
      ],
    };
    const expected =
      "The graph is not valid: Cannot execute because node types BarNode, FooNode do not exist. (Node ID '#1' (FooNode), Node ID '#2' (BarNode))\n" +
      "  node 1 (FooNode): missing_node_type: Node 'FooNode' not found. The custom node may not be installed.: Node ID '#1'\n" +
      "  node 2 (BarNode): missing_node_type: Node 'BarNode' not found. The custom node may not be installed.: Node ID '#2'\n";
    for (const [name, graph] of [['unknown-api.json', prompt], ['unknown-workflow.json', workflow]] as const) {
      const r = await cli(['run', graphFile(name, graph)]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(expected);
    }
  });

  it('prints the failing node’s error, exit code 1', async () => {
    const prompt = { '1': { class_type: 'TestFail', inputs: { message: 'kaput' } }, '2': { class_type: 'TestOutput', inputs: { value: ['1', 0] } } };
    const r = await cli(['run', graphFile('fail.json', prompt)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Node 1 (TestFail) failed: RangeError: kaput\n');
  });

  it('stops on the abort signal with exit code 130', async () => {
    const controller = new AbortController();
    const prompt = { '1': { class_type: 'TestSlow', inputs: { value: 1, ms: 5000 } }, '2': { class_type: 'TestOutput', inputs: { value: ['1', 0] } } };
    setTimeout(() => controller.abort(new Error('test')), 100);
    const r = await cli(['run', graphFile('abort.json', prompt)], { signal: controller.signal });
    expect(r.code).toBe(130);
  });

  it('refuses a --set naming an unknown node, listing the ids', async () => {
    const r = await cli(['run', graphFile('badset.json', apiPrompt), '--set', '9.value=1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--set: no node "9" in the graph; node ids: 1, 2');
  });

  it('refuses a --set naming an input the node does not have', async () => {
    const r = await cli(['run', graphFile('badinput.json', apiPrompt), '--set', '1.colour=red']);
    expect(r.stderr).toContain('--set: node 1 (TestNumber) has no input "colour"; inputs: value');
  });

  it('refuses a --set without "="', async () => {
    const r = await cli(['run', graphFile('noeq.json', apiPrompt), '--set', '1.value']);
    expect(r.stderr).toContain('--set expects NODE.INPUT=VALUE (e.g. 3.seed=42), got "1.value"');
  });

  it('reports a missing graph file, exit code 1', async () => {
    const r = await cli(['run', 'nope.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Cannot read the graph file ${join(dir, 'nope.json')}`);
  });

  it('reports a file that is not a graph', async () => {
    const r = await cli(['run', graphFile('junk.json', { hello: 'world' })]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Cannot read the graph');
  });

  it('refuses two graph files', async () => {
    const r = await cli(['run', 'a.json', 'b.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('run takes one graph file, got 2');
  });
});

describe('piagraph CLI', () => {
  it('prints usage and exits 2 without a command', async () => {
    const r = await cli([]);
    expect([r.code, r.stdout.startsWith('Usage: piagraph <command>')]).toEqual([2, true]);
  });

  it('refuses an unknown command', async () => {
    const r = await cli(['paint']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('piagraph: Unknown command "paint"');
  });

  it('refuses an unknown flag', async () => {
    const r = await cli(['serve', '--colour']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Unknown option '--colour'");
  });

  it('refuses a port that is not a number', async () => {
    const r = await cli(['serve', '--port', 'eighty']);
    expect(r.stderr).toContain('--port must be an integer ≥ 0, got "eighty"');
  });

  it('prints the serve help', async () => {
    const r = await cli(['serve', '--help']);
    expect([r.code, r.stdout.includes('--max-upload-mb N')]).toEqual([0, true]);
  });

  it('serves until aborted, printing the URL and data dir', async () => {
    const controller = new AbortController();
    let stdout = '';
    const done = runCli(['serve', '--port', '0', '--data-dir', 'served'], {
      cwd: dir,
      io: { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: () => {} } },
      signal: controller.signal,
    });
    for (let i = 0; i < 200 && !stdout.includes('listening'); i++) await new Promise((r) => setTimeout(r, 10));
    const url = /listening on (\S+)/.exec(stdout)?.[1];
    expect((await fetch(`${url}/prompt`)).status).toBe(200);
    expect(stdout).toContain(`data dir: ${join(dir, 'served')}`);
    controller.abort();
    expect(await done).toBe(0);
    expect(existsSync(join(dir, 'served', 'piagraph.db'))).toBe(true);
  });
});
