/**
 * Headless use of graph-core: define a few nodes, build a graph with the edit operations, save it as a piagraph
 * document, load it back, convert it to an API prompt and run it, printing the execution events.
 *
 *   pnpm start            (from the repository root)
 *   pnpm --filter @piagraph/examples headless
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  addNode,
  connect,
  defineNode,
  documentToPrompt,
  Executor,
  NodeRegistry,
  parseGraphDocument,
  type ExecutionEvent,
  type GraphDocument,
  type RunResult,
} from '@piagraph/graph-core';

const Text = defineNode({
  classType: 'ExampleText',
  displayName: 'Text',
  category: 'example',
  inputs: { required: { text: { type: 'STRING', default: 'hello', multiline: true } } },
  outputs: [{ type: 'STRING' }],
  run: ({ text }) => ({ outputs: [text] }),
});

const Repeat = defineNode({
  classType: 'ExampleRepeat',
  displayName: 'Repeat',
  category: 'example',
  inputs: {
    required: { text: { type: 'STRING', forceInput: true }, times: { type: 'INT', default: 2, min: 1, max: 100 } },
    optional: { separator: { type: 'COMBO', options: [' ', ', ', ' / '], default: ' ' } },
  },
  outputs: [{ type: 'STRING' }],
  run: ({ text, times, separator }) => ({ outputs: [Array.from({ length: times }, () => text).join(separator ?? ' ')] }),
});

const Shout = defineNode({
  classType: 'ExampleShout',
  displayName: 'Shout (slowly)',
  category: 'example',
  description: 'Upper-cases text one word at a time, reporting progress.',
  inputs: { required: { text: { type: 'STRING', forceInput: true } } },
  outputs: [{ type: 'STRING' }],
  async run({ text }, ctx) {
    const words = text.split(' ');
    for (let i = 0; i < words.length; i++) {
      ctx.signal.throwIfAborted();
      await new Promise((resolve) => setTimeout(resolve, 1));
      words[i] = words[i]!.toUpperCase();
      ctx.progress(i + 1, words.length);
    }
    return { outputs: [words.join(' ')] };
  },
});

const WordCount = defineNode({
  classType: 'ExampleWordCount',
  displayName: 'Word count',
  category: 'example',
  inputs: { required: { text: { type: 'STRING', forceInput: true } } },
  outputs: [{ type: 'INT' }],
  run: ({ text }) => ({ outputs: [text.split(/\s+/).filter(Boolean).length] }),
});

const Show = defineNode({
  classType: 'ExampleShow',
  displayName: 'Show',
  category: 'example',
  outputNode: true,
  inputs: { required: { value: { type: '*' } } },
  outputs: [],
  run: ({ value }) => ({ outputs: [], ui: { text: [String(value)] } }),
});

/** The example's node classes. */
export function exampleRegistry(): NodeRegistry {
  return new NodeRegistry({ defaultPack: 'piagraph.examples' }).register(Text, Repeat, Shout, WordCount, Show);
}

/** Text → Repeat → Shout → Show, and Repeat → Word count → Show, built with the edit operations. */
export function buildExampleGraph(registry: NodeRegistry): GraphDocument {
  let doc: GraphDocument = { format: 'piagraph', version: 1, metadata: { title: 'Headless example' }, nodes: {}, links: {} };
  const add = (classType: string, x: number, y: number, values = {}): string => {
    const result = addNode(doc, { classType, position: { x, y }, values }, registry);
    doc = result.doc;
    return result.nodeId;
  };
  const link = (source: string, target: string, input: string): void => {
    doc = connect(doc, registry, { source: { node: source, output: 0 }, target: { node: target, input } }).doc;
  };
  const text = add('ExampleText', 0, 0, { text: 'graphs run headless' });
  const repeat = add('ExampleRepeat', 320, 0, { times: 2, separator: ' / ' });
  const shout = add('ExampleShout', 640, 0);
  const show = add('ExampleShow', 960, 0);
  const count = add('ExampleWordCount', 640, 200);
  const showCount = add('ExampleShow', 960, 200);
  link(text, repeat, 'text');
  link(repeat, shout, 'text');
  link(shout, show, 'value');
  link(repeat, count, 'text');
  link(count, showCount, 'value');
  return doc;
}

/** One line per event, e.g. `executing     node 3 (ExampleShout)`. */
export function describeEvent(event: ExecutionEvent, doc: GraphDocument): string {
  const name = (id: string | null): string => (id === null ? '-' : `node ${id} (${doc.nodes[id]?.classType ?? '?'})`);
  const type = event.type.padEnd(21);
  switch (event.type) {
    case 'execution_cached':
      return `${type} ${event.data.nodes.length === 0 ? 'nothing cached' : event.data.nodes.join(', ')}`;
    case 'executing':
      return `${type} ${name(event.data.node)}`;
    case 'progress':
      return `${type} ${name(event.data.node)} ${event.data.value}/${event.data.max}`;
    case 'executed':
      return `${type} ${name(event.data.node)} → ${JSON.stringify(event.data.output)}`;
    case 'node_finished':
      return `${type} ${name(event.data.node)} ${event.data.cached ? 'cached' : `${event.data.ms.toFixed(1)} ms`}`;
    case 'execution_error':
      return `${type} ${name(event.data.node_id)}: ${event.data.exception_message}`;
    case 'execution_interrupted':
      return `${type} at ${name(event.data.node_id)}`;
    default:
      return type.trimEnd();
  }
}

/** Builds, saves, reloads and runs the example graph twice (the second run is served from the cache). */
export async function main(log: (line: string) => void = console.log): Promise<RunResult[]> {
  const registry = exampleRegistry();
  const built = buildExampleGraph(registry);
  const file = join(mkdtempSync(join(tmpdir(), 'piagraph-example-')), 'headless-graph.json');
  writeFileSync(file, JSON.stringify(built, null, 2));
  log(`saved ${Object.keys(built.nodes).length} nodes and ${Object.keys(built.links).length} links to ${file}`);

  const doc = parseGraphDocument(readFileSync(file, 'utf8'));
  const prompt = documentToPrompt(doc, registry);
  const executor = new Executor(registry);
  const results: RunResult[] = [];
  for (const promptId of ['first-run', 'second-run']) {
    log(`\n${promptId}:`);
    const result = await executor.run(prompt, { promptId, onEvent: (event) => log(`  ${describeEvent(event, doc)}`) });
    log(`  → ${result.status}; ran ${result.executed.length} nodes, ${result.cached.length} from the cache`);
    results.push(result);
  }
  return results;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const results = await main();
  if (results.some((result) => result.status !== 'success')) process.exitCode = 1;
}
