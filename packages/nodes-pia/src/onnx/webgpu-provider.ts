/**
 * Whether onnxruntime-node can open WebGPU sessions here. Its npm package carries the WebGPU execution provider
 * (Dawn) inside libonnxruntime; on Linux Dawn drives the GPU through Vulkan, so what a machine needs is the Vulkan
 * loader (libvulkan.so.1) and a Vulkan driver for its GPU (an ICD manifest naming the driver library).
 *
 * The only reliable test is to ask for an adapter, and Dawn's failures print to the process's stderr and cannot be
 * caught from JavaScript, so the probe runs a one-node model on the WebGPU provider in a child process and reports
 * what it printed. The files we look for are only there to make the error say what is missing.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ortVersion } from './cuda-provider.js';
import { OnnxError } from './errors.js';
import { GraphBuilder } from './graph-builder.js';

/** The file name of the Vulkan loader Dawn opens. */
export const VULKAN_LOADER = 'libvulkan.so.1';

/** Where the dynamic linker looks for the loader when LD_LIBRARY_PATH does not name it (Debian/Ubuntu, Fedora, Arch). */
const SYSTEM_LIBRARY_DIRS = [
  '/usr/lib/x86_64-linux-gnu',
  '/lib/x86_64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/usr/lib64',
  '/lib64',
  '/usr/lib',
  '/lib',
  '/usr/local/lib',
];

function pathList(value: string | undefined): string[] {
  return (value ?? '').split(':').filter((p) => p.length > 0);
}

/** The Vulkan loader's path, or undefined when neither LD_LIBRARY_PATH nor the usual system folders hold it. */
export function findVulkanLoader(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of [...pathList(env.LD_LIBRARY_PATH), ...SYSTEM_LIBRARY_DIRS]) {
    const path = join(dir, VULKAN_LOADER);
    if (existsSync(path)) return path;
  }
  return undefined;
}

/**
 * The Vulkan driver manifests (ICD `.json` files) the loader would read: the files `VK_DRIVER_FILES` /
 * `VK_ICD_FILENAMES` name when set, else those in the loader's standard folders.
 */
export function vulkanDriverManifests(env: NodeJS.ProcessEnv = process.env): string[] {
  const named = pathList(env.VK_DRIVER_FILES ?? env.VK_ICD_FILENAMES);
  if (named.length > 0) return named.filter((f) => existsSync(f));
  const configDirs = pathList(env.XDG_CONFIG_DIRS ?? '/etc/xdg');
  const dataDirs = pathList(env.XDG_DATA_DIRS ?? '/usr/local/share:/usr/share');
  const dirs = [...configDirs.map((d) => join(d, 'vulkan/icd.d')), '/etc/vulkan/icd.d', ...dataDirs.map((d) => join(d, 'vulkan/icd.d'))];
  const found: string[] = [];
  for (const dir of new Set(dirs)) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) if (name.endsWith('.json')) found.push(join(dir, name));
  }
  return found;
}

/** What the probe saw. */
export interface WebGpuProbe {
  readonly ok: boolean;
  /** onnxruntime's error when a session could not be opened or run. */
  readonly error?: string;
  /** What Dawn and the Vulkan loader printed (warnings about adapters they skipped, missing drivers). */
  readonly log: string;
  readonly seconds: number;
}

/** What {@link probeWebGpu} may be told. */
export interface WebGpuProbeOptions {
  /** Environment of the child process (default this process's): VK_DRIVER_FILES, LD_LIBRARY_PATH and the like. */
  readonly env?: NodeJS.ProcessEnv;
  /** Milliseconds before the probe is given up (default 60 000: Dawn compiles its first shaders). */
  readonly timeoutMs?: number;
}

/** Runs in the child: opens `y = 2x` on the WebGPU provider alone (no CPU fallback) and checks its answer. */
const PROBE_SCRIPT = `
const [ortPath, model] = process.argv.slice(1);
const ort = require(ortPath);
const done = (r) => { process.stdout.write('\\n@@probe ' + JSON.stringify(r) + '\\n'); };
(async () => {
  try {
    const session = await ort.InferenceSession.create(Buffer.from(model, 'base64'), {
      executionProviders: ['webgpu'],
      extra: { session: { disable_cpu_ep_fallback: '1' } },
    });
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.of(1.5, -2), [2]) });
    const y = Array.from(out.y.data);
    await session.release();
    done(y[0] === 3 && y[1] === -4 ? { ok: true } : { ok: false, error: 'the probe model computed ' + JSON.stringify(y) + ' instead of [3, -4]' });
  } catch (e) {
    done({ ok: false, error: String(e && e.message ? e.message : e) });
  }
})();
`;

let probeModel: Promise<string> | undefined;

/** The probe's model, base64: one Mul, small enough for a command line. */
function probeModelBase64(): Promise<string> {
  probeModel ??= (async () => {
    const g = new GraphBuilder('webgpu-probe');
    g.output(g.mul(g.input('x', 'float32', [2]), 2), 'y');
    return Buffer.from(await g.toBytes()).toString('base64');
  })();
  return probeModel;
}

/** Whether a WebGPU session opens and computes correctly in a child process with `options.env`. Never rejects. */
export async function probeWebGpu(options: WebGpuProbeOptions = {}): Promise<WebGpuProbe> {
  const started = performance.now();
  const ortPath = createRequire(import.meta.url).resolve('onnxruntime-node');
  const model = await probeModelBase64();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-e', PROBE_SCRIPT, ortPath, model],
      { env: options.env ?? process.env, timeout: options.timeoutMs ?? 60_000, maxBuffer: 4 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const seconds = (performance.now() - started) / 1000;
        const marker = stdout.lastIndexOf('@@probe ');
        const printed = [stdout.slice(0, marker >= 0 ? marker : undefined), stderr].join('\n');
        const log = cleanLog(printed);
        if (marker < 0) {
          const why = err?.killed ? `the probe did not finish within ${(options.timeoutMs ?? 60_000) / 1000} s` : `the probe process ended without an answer (${err?.message ?? 'no output'})`;
          resolve({ ok: false, error: why, log, seconds });
          return;
        }
        const result = JSON.parse(stdout.slice(marker + 8).trim().split('\n')[0]!) as { ok: boolean; error?: string };
        resolve({ ok: result.ok, ...(result.error !== undefined ? { error: plainOrtError(result.error) } : {}), log, seconds });
      },
    );
  });
}

/** onnxruntime's message without the source position and failed condition it starts with. */
function plainOrtError(message: string): string {
  return message.replace(/^\/\S+:\d+ [\s\S]*? was false\. /, '').trim();
}

/** Dawn's lines without blanks, stack-frame lines and repeats, at most 20. */
function cleanLog(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0 && !l.startsWith('at '));
  return [...new Set(lines)].slice(0, 20).join('\n');
}

/** How to get WebGPU running, shared by the probe's error and a failed WebGPU session. */
export function webgpuProviderHint(env: NodeJS.ProcessEnv = process.env): string {
  if (process.platform !== 'linux') {
    return `onnxruntime-node ${ortVersion()} runs WebGPU over ${process.platform === 'win32' ? 'Direct3D 12' : 'Metal'} here: update the GPU driver. Or run with --device cpu.`;
  }
  const loader = findVulkanLoader(env);
  const manifests = vulkanDriverManifests(env);
  const named = env.VK_DRIVER_FILES ?? env.VK_ICD_FILENAMES;
  return (
    `onnxruntime-node ${ortVersion()} runs WebGPU through Dawn over Vulkan, which needs the Vulkan loader ${VULKAN_LOADER} ` +
    `(${loader ? `found: ${loader}` : `not found on LD_LIBRARY_PATH or in ${SYSTEM_LIBRARY_DIRS.slice(0, 2).join(', ')}…`}) and a Vulkan driver for the GPU ` +
    `(driver manifests ${named ? `named by VK_DRIVER_FILES/VK_ICD_FILENAMES "${named}"` : 'in /etc/vulkan/icd.d and /usr/share/vulkan/icd.d'}: ` +
    `${manifests.length > 0 ? manifests.join(', ') : 'none found'}). ` +
    `NVIDIA: the proprietary driver installs nvidia_icd.json (in a container, mount it and point VK_DRIVER_FILES at it; its library libGLX_nvidia.so.0 also needs GLVND: apt-get install libglvnd0 libglx0); ` +
    `AMD and Intel: Mesa's RADV/ANV (Debian/Ubuntu: apt-get install libvulkan1 mesa-vulkan-drivers). ` +
    `\`vulkaninfo --summary\` (package vulkan-tools) should list the GPU. Or run with --device cpu.`
  );
}

/** `--device webgpu` was asked for but no WebGPU adapter could be opened; `details` holds the probe's findings. */
export class WebGpuProviderError extends OnnxError {
  constructor(
    readonly probe: WebGpuProbe,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    const log = probe.log ? ` Dawn/Vulkan said: ${probe.log.split('\n').join(' | ')}.` : '';
    super(
      'webgpu-unavailable',
      `device "webgpu" was requested but onnxruntime could not run a WebGPU session: ${probe.error ?? 'unknown error'}.${log} ${webgpuProviderHint(env)}`,
      { error: probe.error, log: probe.log, vulkanLoader: findVulkanLoader(env) ?? null, driverManifests: vulkanDriverManifests(env), ortVersion: ortVersion() },
    );
  }
}

const probes = new Map<string, Promise<WebGpuProbe>>();

/** The probe result for an environment, run once per process for the variables that steer Vulkan. */
function cachedProbe(env: NodeJS.ProcessEnv): Promise<WebGpuProbe> {
  const key = JSON.stringify(['LD_LIBRARY_PATH', 'VK_DRIVER_FILES', 'VK_ICD_FILENAMES', 'XDG_DATA_DIRS', 'XDG_CONFIG_DIRS'].map((k) => env[k] ?? null));
  let probe = probes.get(key);
  if (!probe) {
    probe = probeWebGpu({ env });
    probes.set(key, probe);
  }
  return probe;
}

/**
 * Rejects with a {@link WebGpuProviderError} unless a WebGPU session opens and computes here. Checked before any
 * graph is built, so a machine without a Vulkan driver fails in a second or two instead of after graph building.
 * The answer is remembered for the process (per Vulkan-related environment).
 */
export async function assertWebGpuProvider(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const probe = await cachedProbe(env);
  if (!probe.ok) throw new WebGpuProviderError(probe, env);
}
