/** A temporary data root with the PIA pack registered in a graph-core executor, and the example graphs loaded from `examples/`. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  Executor,
  NodeRegistry,
  documentToPrompt,
  parseGraphDocument,
  type ApiPrompt,
  type ExecutionEvent,
  type ExtraData,
  type GraphDocument,
  type RunResult,
} from '@piagraph/graph-core';
import { createPiaPack, type PiaPack } from '../../src/pack.js';

export const EXAMPLES_DIR = resolve(import.meta.dirname, '../../../../examples');

/** Reads and parses an example graph document. */
export async function readExample(name: string): Promise<GraphDocument> {
  return parseGraphDocument(await readFile(join(EXAMPLES_DIR, name), 'utf8'));
}

/** A pack on a temporary data root, its registry and executor. */
export interface Harness {
  readonly root: string;
  readonly dirs: { models: string; input: string; output: string; temp: string };
  readonly pack: PiaPack;
  readonly registry: NodeRegistry;
  readonly executor: Executor;
  run(
    prompt: ApiPrompt,
    options?: { promptId?: string; signal?: AbortSignal; extraData?: ExtraData; onEvent?: (e: ExecutionEvent) => void },
  ): Promise<{ result: RunResult; events: ExecutionEvent[] }>;
  close(): Promise<void>;
}

let counter = 0;

/** Creates the harness; `modelsDir` may point at a shared folder so the demo models are generated once. */
export async function createHarness(modelsDir?: string): Promise<Harness> {
  const root = await mkdtemp(join(tmpdir(), 'piagraph-e2e-'));
  const dirs = { models: modelsDir ?? join(root, 'models'), input: join(root, 'input'), output: join(root, 'output'), temp: join(root, 'temp') };
  const pack = createPiaPack({
    modelsDir: dirs.models,
    inputDir: dirs.input,
    outputDir: dirs.output,
    tempDir: dirs.temp,
    threads: 2,
  });
  const registry = new NodeRegistry().registerPack('piagraph.nodes-pia', pack.nodes);
  const executor = new Executor(registry);
  return {
    root,
    dirs,
    pack,
    registry,
    executor,
    async run(prompt, options = {}) {
      const events: ExecutionEvent[] = [];
      const result = await executor.run(prompt, {
        promptId: options.promptId ?? `p${++counter}`,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.extraData ? { extraData: options.extraData } : {}),
        onEvent: (e) => {
          events.push(e);
          options.onEvent?.(e);
        },
      });
      return { result, events };
    },
    async close() {
      await pack.release();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** The document's prompt with `overrides` (`"7.seed": 5`) applied, as the CLI's `--set` does. */
export function promptWith(doc: GraphDocument, registry: NodeRegistry, overrides: Record<string, unknown> = {}): ApiPrompt {
  const prompt = documentToPrompt(doc, registry);
  for (const [path, value] of Object.entries(overrides)) {
    const dot = path.indexOf('.');
    const node = prompt[path.slice(0, dot)];
    if (!node) throw new Error(`no node ${path.slice(0, dot)}`);
    (node.inputs as Record<string, unknown>)[path.slice(dot + 1)] = value;
  }
  return prompt;
}
