/**
 * Device benchmark: ms per U-Net call (tensors on the device, and with the host round trip) and per whole animation
 * (device-resident loop and host loop), on every execution provider that can run here: the CPU always, WebGPU where
 * a Vulkan adapter opens (on a CPU-only box that is Mesa's lavapipe, a software renderer: its figures say nothing
 * about a GPU), CUDA where its provider libraries are installed. Tiny demo models by default; the full-size SD 1.5 +
 * PIA layout with random weights with `--full` or PIAGRAPH_SLOW=1. The size is `--frames F --latent HxW --steps N`
 * (defaults: 16 frames, 8×12, 5 steps on the tiny models; 8 frames, 16×16, 3 steps at full size on a CPU).
 * Run: `npx tsx bench/gpu.bench.ts [--full] [--device cpu,webgpu] [--frames 16 --latent 64x64 --steps 25]`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureFullSizeRandomModels } from '../src/demo/full-size.js';
import { checkModelFiles, measureTiming, type TimingReport } from '../src/device-check/index.js';
import { loadPiaModels, type Precision } from '../src/models/index.js';
import { DEVICES, deviceGraphChoices, missingCudaProviderFiles, probeWebGpu, type Device } from '../src/onnx/index.js';

const ms = (x: number | undefined) => (x === undefined ? '–' : x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${x.toFixed(1)} ms`);

/** The devices that can open sessions here, with why the others cannot. */
async function usableDevices(asked: readonly Device[]): Promise<{ usable: Device[]; skipped: string[] }> {
  const usable: Device[] = [];
  const skipped: string[] = [];
  for (const device of asked) {
    if (device === 'cuda' && missingCudaProviderFiles().length > 0) skipped.push('cuda: provider libraries not installed');
    else if (device === 'webgpu' && !(await probeWebGpu()).ok) skipped.push('webgpu: no WebGPU adapter (no Vulkan driver)');
    else usable.push(device);
  }
  return { usable, skipped };
}

function print(label: string, t: TimingReport): void {
  const dims = `[2, 9, ${t.size.frames}, ${t.size.height}, ${t.size.width}]`;
  console.log(
    `${label.padEnd(22)} U-Net ${dims}: ${ms(t.unetDeviceMs)} on the device, ${ms(t.unetHostMs)} with host arrays; ` +
      `${t.steps} steps: ${ms(t.sampleDeviceMs)} device loop, ${ms(t.sampleHostMs)} host loop; decode ${t.size.frames} frames ${ms(t.decodeMs)}`,
  );
}

/** Runs the benchmark and prints its figures. */
export async function benchGpu(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    strict: false,
    options: { full: { type: 'boolean' }, device: { type: 'string' }, frames: { type: 'string' }, latent: { type: 'string' }, steps: { type: 'string' }, repeats: { type: 'string' } },
  });
  const full = values.full === true || process.env.PIAGRAPH_SLOW === '1';
  const asked = typeof values.device === 'string' ? (values.device.split(',') as Device[]) : [...DEVICES];
  const [h, w] = typeof values.latent === 'string' ? values.latent.split('x').map(Number) : full ? [16, 16] : [8, 12];
  const size = { frames: Number(values.frames ?? (full ? 8 : 16)), height: h!, width: w! };
  const steps = Number(values.steps ?? (full ? 3 : 5));
  const repeats = Number(values.repeats ?? 3);
  const { usable, skipped } = await usableDevices(asked);
  for (const s of skipped) console.log(`gpu bench: ${s}, skipped`);
  // Full size: the slow test's files and graph cache (6 GB of weights, written once).
  const workDir = full ? (process.env.PIAGRAPH_SLOW_DIR ?? join(tmpdir(), 'piagraph-sd15')) : await mkdtemp(join(tmpdir(), 'piagraph-gpu-bench-'));
  try {
    const files = full ? await ensureFullSizeRandomModels(workDir) : await checkModelFiles('tiny', workDir);
    for (const device of usable) {
      const choices = await deviceGraphChoices(device);
      const precisions: Precision[] = device === 'cpu' ? ['float32', 'float16'] : ['float16', 'float32'];
      for (const precision of precisions) {
        const models = await loadPiaModels({ ...files, cacheDir: join(workDir, '.cache'), device, precision, parts: ['unet', 'vae'], ...(device === 'cpu' ? { threads: 2 } : {}) });
        try {
          const label = `${full ? 'sd15' : 'tiny'} ${device} ${precision === 'float16' ? 'fp16' : 'fp32'}${device === 'webgpu' ? ` (${choices.fusedAttention ? 'fused' : 'plain'} attention, ${choices.webgpuLayout})` : ''}`;
          print(label, await measureTiming(models, size, steps, repeats));
        } finally {
          await models.release();
        }
      }
    }
  } finally {
    if (!full) await rm(workDir, { recursive: true, force: true });
  }
}

await benchGpu();
