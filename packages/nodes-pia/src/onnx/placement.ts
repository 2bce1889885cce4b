/**
 * Which execution provider each node of a graph is placed on. onnxruntime says so only in its verbose log (written
 * by native code to the process's stderr), so the session is opened in a child process with verbose logging and
 * its "Node placements" lines are read back: what a GPU session leaves on the CPU, op type by op type.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import type { Device } from './device.js';
import type { WebGpuLayout } from './session.js';

/** Nodes placed on one provider. */
export interface ProviderPlacement {
  readonly nodes: number;
  /** Node count per op type, most frequent first. */
  readonly opTypes: Readonly<Record<string, number>>;
}

/** Placement of a graph's nodes, by provider name (`CPUExecutionProvider`, `WebGpuExecutionProvider`, …). */
export type NodePlacement = Readonly<Record<string, ProviderPlacement>>;

/**
 * Ops onnxruntime keeps on the CPU on purpose: small int64 shape arithmetic feeding Reshape/Expand/Slice inputs,
 * cheaper on the host than a round trip through the GPU's queue.
 */
export const SHAPE_OPS: ReadonlySet<string> = new Set(['Shape', 'Concat', 'Gather', 'Unsqueeze', 'Squeeze', 'Slice', 'Range', 'Reshape', 'ConstantOfShape', 'Equal']);

const SCRIPT = `
const [ortPath, model, provider] = process.argv.slice(1);
const ort = require(ortPath);
ort.InferenceSession.create(model, { executionProviders: [JSON.parse(provider)], logSeverityLevel: 0, logVerbosityLevel: 0 })
  .then((s) => s.release())
  .then(() => process.exit(0), (e) => { process.stderr.write('@@error ' + String(e && e.message ? e.message : e) + '\\n'); process.exit(1); });
`;

/** Reads the "Node placements" block of onnxruntime's verbose log. */
export function parsePlacement(log: string): NodePlacement {
  const placement: Record<string, { nodes: number; opTypes: Record<string, number> }> = {};
  let current: { nodes: number; opTypes: Record<string, number> } | undefined;
  for (const line of log.split('\n')) {
    const header = /Node\(s\) placed on \[(\w+)\]\. Number of nodes: (\d+)/.exec(line);
    if (header) {
      current = { nodes: Number(header[2]), opTypes: {} };
      placement[header[1]!] = current;
      continue;
    }
    const node = /VerifyEachNodeIsAssignedToAnEp\]\s{3}(\S+) \(/.exec(line);
    if (node && current) current.opTypes[node[1]!] = (current.opTypes[node[1]!] ?? 0) + 1;
    else if (!/VerifyEachNodeIsAssignedToAnEp/.test(line)) current = undefined;
  }
  for (const p of Object.values(placement)) p.opTypes = Object.fromEntries(Object.entries(p.opTypes).sort((a, b) => b[1] - a[1]));
  return placement;
}

/** Opens `modelPath` on `device` in a child process and reports where its nodes were placed. */
export async function nodePlacement(modelPath: string, device: Device, options: { webgpuLayout?: WebGpuLayout; timeoutMs?: number } = {}): Promise<NodePlacement> {
  const ortPath = createRequire(import.meta.url).resolve('onnxruntime-node');
  const provider = device === 'webgpu' && options.webgpuLayout ? { name: 'webgpu', preferredLayout: options.webgpuLayout } : device;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['-e', SCRIPT, ortPath, modelPath, JSON.stringify(provider)],
      { timeout: options.timeoutMs ?? 600_000, maxBuffer: 256 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const log = `${stdout}\n${stderr}`;
        const failed = /@@error (.*)/.exec(log);
        if (err || failed) reject(new Error(`opening ${modelPath} on ${device} to read its node placement failed: ${failed?.[1] ?? err?.message}`));
        else resolve(parsePlacement(log));
      },
    );
  });
}

/** The op types placed on the CPU that are not shape arithmetic: real work a GPU session leaves to the host. */
export function cpuFallbacks(placement: NodePlacement): Record<string, number> {
  const cpu = placement.CPUExecutionProvider?.opTypes ?? {};
  return Object.fromEntries(Object.entries(cpu).filter(([op]) => !SHAPE_OPS.has(op)));
}
