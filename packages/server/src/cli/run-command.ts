import { readFileSync } from 'node:fs';
import { mkdirSync, realpathSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  Executor,
  GraphCoreError,
  UnknownNodeTypeError,
  unknownClassErrors,
  NodeRegistry,
  toApiPrompt,
  validatePrompt,
  type AnyNodeDefinition,
  type NodeErrors,
  type RunResult,
  type UiOutput,
  type ValidationErrorItem,
} from '@piagraph/graph-core';
import { assertDevice, createPiaPack, type Device, type Precision } from '@piagraph/nodes-pia';
import { acquireDataDirLock } from '../db/data-dir-lock.js';
import { DEFAULT_DATA_DIR, prepareDataDirs, type DataDirs } from '../files/data-dirs.js';
import { withSubmittedGraph } from '../graphs/submitted-graph.js';
import { CliUsageError, type CliIo } from './cli-io.js';
import { DEVICE_FLAGS_USAGE, DEVICE_FLAG_OPTIONS, parseDeviceFlags } from './device-flags.js';
import { loadNodePacks } from './load-packs.js';
import { applyOverrides, parseOverride } from './overrides.js';
import { ProgressReporter } from './progress-reporter.js';

export const RUN_USAGE = `Usage: piagraph run <graph.json> [options]

Runs a graph (piagraph document, ComfyUI UI workflow or API prompt) in this process and prints where its outputs went.

Options:
  --set NODE.INPUT=VALUE   override an input (repeatable); NODE is a node id or title, VALUE is JSON or text
  --out DIR                write outputs here instead of <data-dir>/output
  --data-dir DIR           data root with models/ and input/ (default ./${DEFAULT_DATA_DIR})
${DEVICE_FLAGS_USAGE}
  --pack MODULE            load extra node definitions from a module (repeatable)
  -h, --help               show this help`;

/** What `runCommand` gets besides argv. */
export interface RunCommandContext {
  io: CliIo;
  cwd: string;
  /** Extra node definitions passed in code; `outputDir` is where they should write. */
  nodes?: (dirs: { outputDir: string; inputDir: string; tempDir: string }) => readonly AnyNodeDefinition[];
  /** Aborting it interrupts the run (the binary wires it to Ctrl-C). */
  signal?: AbortSignal;
}

function printValidation(io: CliIo, error: ValidationErrorItem | undefined, nodeErrors: NodeErrors, heading: string): void {
  if (error) io.stderr.write(`${heading}: ${error.message}${error.details ? ` (${error.details})` : ''}\n`);
  for (const [nodeId, ne] of Object.entries(nodeErrors)) {
    for (const e of ne.errors) {
      const input = typeof e.extra_info.input_name === 'string' ? `.${e.extra_info.input_name}` : '';
      io.stderr.write(`  node ${nodeId} (${ne.class_type})${input}: ${e.type}: ${e.message}${e.details ? `: ${e.details}` : ''}\n`);
    }
  }
}

function isFileRef(item: unknown): item is { filename: string; subfolder?: string; type?: string } {
  return typeof item === 'object' && item !== null && typeof (item as { filename?: unknown }).filename === 'string';
}

function printOutputs(io: CliIo, outputs: Record<string, UiOutput>, roots: Record<string, string>, result: RunResult): void {
  const entries = Object.entries(outputs);
  if (entries.length === 0) {
    io.stdout.write('no outputs\n');
    return;
  }
  for (const [nodeId, ui] of entries) {
    for (const [key, items] of Object.entries(ui)) {
      if (!Array.isArray(items)) continue;
      for (const item of items) {
        if (isFileRef(item)) {
          const root = roots[item.type ?? 'output'] ?? roots.output!;
          io.stdout.write(`output   node ${nodeId} ${key}: ${join(root, item.subfolder ?? '', item.filename)}\n`);
        } else if (key !== 'animated') {
          io.stdout.write(`output   node ${nodeId} ${key}: ${typeof item === 'string' ? item : JSON.stringify(item)}\n`);
        }
      }
    }
  }
  const total = Object.values(result.timings).reduce((a, b) => a + b, 0);
  // A meta-batched graph runs once per batch: say so, since its nodes' progress lines repeat that many times.
  const passes = result.passes ? ` over ${result.passes} passes` : '';
  io.stdout.write(`finished ${result.executed.length} node(s) run${passes}, ${result.cached.length} cached, ${Math.round(total)} ms of node time\n`);
}

/** `piagraph run`: returns the exit code (0 success, 1 failed or invalid graph, 2 usage, 130 interrupted). */
export async function runCommand(argv: readonly string[], ctx: RunCommandContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      set: { type: 'string', multiple: true },
      out: { type: 'string' },
      'data-dir': { type: 'string' },
      ...DEVICE_FLAG_OPTIONS,
      pack: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    ctx.io.stdout.write(`${RUN_USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new CliUsageError(`run takes one graph file, got ${positionals.length}`);
  const deviceFlags = parseDeviceFlags(values);
  const overrides = (values.set ?? []).map(parseOverride);
  const file = resolve(ctx.cwd, positionals[0]!);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    ctx.io.stderr.write(`Cannot read the graph file ${file}: ${(err as Error).message}\n`);
    return 1;
  }

  const dirs = prepareDataDirs(resolve(ctx.cwd, values['data-dir'] ?? DEFAULT_DATA_DIR));
  // A server (or another run) on this folder writes to the same output/ and temp/: one process per folder.
  const lock = acquireDataDirLock(dirs.lock, dirs.root, 'piagraph run');
  try {
    const { device: _device, precision: _precision, ...rest } = values;
    return await runLocked({ ...rest, ...deviceFlags }, ctx, text, file, overrides, dirs);
  } finally {
    lock.release();
  }
}

async function runLocked(
  values: { out?: string; device?: Device; precision?: Precision; pack?: string[] },
  ctx: RunCommandContext,
  text: string,
  file: string,
  overrides: ReturnType<typeof parseOverride>[],
  dirs: DataDirs,
): Promise<number> {
  // Before the graph runs: a device that cannot run here fails now, saying what to install, not at the first model.
  if (values.device) await assertDevice(values.device);
  let outputDir = dirs.output;
  if (values.out !== undefined) {
    const out = isAbsolute(values.out) ? values.out : resolve(ctx.cwd, values.out);
    mkdirSync(out, { recursive: true });
    outputDir = realpathSync(out);
  }
  const registry = new NodeRegistry();
  const pack = createPiaPack({
    modelsDir: dirs.models,
    inputDir: dirs.input,
    outputDir,
    tempDir: dirs.temp,
    ...(values.device ? { device: values.device } : {}),
    ...(values.precision ? { precision: values.precision } : {}),
  });
  registry.registerPack('piagraph.nodes-pia', pack.nodes);
  const extra = [
    ...(ctx.nodes?.({ outputDir, inputDir: dirs.input, tempDir: dirs.temp }) ?? []),
    ...(await loadNodePacks(values.pack ?? [], ctx.cwd)),
  ];
  if (extra.length > 0) registry.register(...extra);

  let prompt;
  try {
    prompt = applyOverrides(toApiPrompt(text, registry), overrides, registry);
  } catch (err) {
    // Unknown classes read the same from every format: the validation report, naming all of them.
    if (err instanceof UnknownNodeTypeError && err.nodes.length > 0) {
      const { error, nodeErrors } = unknownClassErrors(err.nodes);
      printValidation(ctx.io, error, nodeErrors, 'The graph is not valid');
      return 1;
    }
    if (err instanceof GraphCoreError) {
      ctx.io.stderr.write(`Cannot read the graph ${file}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  const validation = await validatePrompt(registry, prompt);
  if (!validation.ok) {
    printValidation(ctx.io, validation.error, validation.nodeErrors, 'The graph is not valid');
    return 1;
  }
  if (Object.keys(validation.nodeErrors).length > 0) {
    printValidation(ctx.io, undefined, validation.nodeErrors, '');
    ctx.io.stderr.write(`  (outputs depending on these nodes are skipped; running ${validation.outputs.join(', ')})\n`);
  }

  const reporter = new ProgressReporter(ctx.io, prompt);
  let result: RunResult;
  try {
    result = await new Executor(registry).run(prompt, {
      promptId: `cli-${Date.now()}`,
      outputs: validation.outputs,
      // Outputs embed the graph file as it was given (a document or UI workflow), as the server does for its jobs.
      extraData: withSubmittedGraph({}, text),
      onEvent: (e) => reporter.onEvent(e),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
  } finally {
    await pack.release();
  }
  if (result.status === 'error') {
    const e = result.error;
    ctx.io.stderr.write(
      e ? `Node ${e.node_id} (${e.node_type}) failed: ${e.exception_type}: ${e.exception_message}\n` : 'The run failed\n',
    );
    return 1;
  }
  if (result.status === 'interrupted') {
    ctx.io.stderr.write('Interrupted\n');
    return 130;
  }
  printOutputs(ctx.io, result.outputs, { output: outputDir, input: dirs.input, temp: dirs.temp }, result);
  return 0;
}
