/**
 * The device check `scripts/device-check.sh` runs: is the device usable, which graph forms it computes correctly,
 * how far its results are from the fp32 CPU reference, which nodes it leaves on the CPU, and how fast it is.
 */
import { join } from 'node:path';
import { arch, cpus, platform } from 'node:os';
import { ensureFullSizeRandomModels } from '../demo/full-size.js';
import { loadPiaModels, type PiaModelConfig, type PiaModels, type Precision } from '../models/index.js';
import { assertDevice, cpuFallbacks, deviceGraphChoices, nodePlacement, ortVersion, type Device, type DeviceGraphChoices, type NodePlacement } from '../onnx/index.js';
import { demoModelsCurrent, demoPaths, writeDemoModels } from '../pipeline/demo-weights.js';
import { checkCorrectness, type CorrectnessReport } from './correctness.js';
import type { LatentSize } from './fixtures.js';
import { measureTiming, type TimingReport } from './timing.js';

/** Which models the check runs: the tiny demo models, or the full-size SD 1.5 + PIA layout with random weights. */
export type CheckModel = 'tiny' | 'sd15';

/** What to check and at which sizes. */
export interface DeviceCheckPlan {
  readonly model: CheckModel;
  /** Where models are written (or found) and graphs cached. */
  readonly workDir: string;
  readonly device: Device;
  readonly precision: Precision;
  /** Size and steps of the correctness checks (the CPU reference runs them too, so keep it small). */
  readonly check: LatentSize & { readonly steps: number };
  /** Size, steps and repeats of the timings; absent: no timings. */
  readonly bench?: LatentSize & { readonly steps: number; readonly repeats: number; readonly hostSample?: boolean };
  /** onnxruntime threads of the CPU sessions (default: all cores). */
  readonly threads?: number;
  /** Progress lines. */
  readonly log?: (line: string) => void;
}

/** Seconds to build and open one graph. */
export interface LoadFigures {
  readonly built: boolean;
  readonly buildSeconds: number;
  readonly sessionSeconds: number;
}

/** Everything the check found. */
export interface DeviceCheckReport {
  readonly date: string;
  readonly machine: { readonly platform: string; readonly arch: string; readonly cpus: number; readonly cpuModel: string; readonly node: string; readonly onnxruntime: string };
  readonly plan: Omit<DeviceCheckPlan, 'log' | 'workDir'>;
  /** The checked model files and their config (what the PyTorch side loads for its side-by-side timing). */
  readonly models: { readonly checkpoint: string; readonly pia: string; readonly config: PiaModelConfig };
  readonly choices: DeviceGraphChoices;
  readonly load: Readonly<Record<string, LoadFigures>>;
  /** Where the U-Net's nodes run (GPU devices only). */
  readonly placement?: NodePlacement;
  /** Op types of real work left on the CPU (from {@link placement}). */
  readonly cpuFallbacks?: Readonly<Record<string, number>>;
  readonly correctness: CorrectnessReport;
  readonly timing?: TimingReport;
  /** Steps that failed, with their messages (the rest of the report still holds). */
  readonly errors: readonly string[];
}

/** The checkpoint and PIA file of `model`, written under `workDir` when absent. */
export async function checkModelFiles(model: CheckModel, workDir: string): Promise<{ checkpoint: string; pia: string }> {
  if (model === 'sd15') return ensureFullSizeRandomModels(join(workDir, 'sd15'));
  // The demo models (hand-set VAE: its pictures are blurred copies, so decoded PSNRs mean something), written
  // directly rather than through the pack's demo assets, which would pull in sharp for the demo picture.
  const paths = demoPaths(join(workDir, 'models'), { checkpoint: 'demo-sd15.safetensors', pia: 'demo-pia.ckpt', vae: 'demo-vae.safetensors', lora: 'demo-lora.safetensors' });
  if (!(await demoModelsCurrent(paths))) await writeDemoModels(paths);
  return { checkpoint: paths.checkpoint, pia: paths.pia };
}

function loadFigures(models: PiaModels, label: string): Record<string, LoadFigures> {
  return Object.fromEntries(
    Object.entries(models.report.graphs).map(([graph, g]) => [`${label} ${graph}`, { built: g.built, buildSeconds: g.buildSeconds, sessionSeconds: g.sessionSeconds }]),
  );
}

/** Runs the plan; a failing timing or placement step is recorded in `errors`, a failing correctness check throws. */
export async function runDeviceCheck(plan: DeviceCheckPlan): Promise<DeviceCheckReport> {
  const log = plan.log ?? (() => {});
  const errors: string[] = [];
  await assertDevice(plan.device);
  const choices = await deviceGraphChoices(plan.device);
  log(`device ${plan.device}: fused attention ${choices.fusedAttention ? 'used' : 'NOT used (wrong here)'}${choices.webgpuLayout ? `, WebGPU layout ${choices.webgpuLayout}` : ''}`);
  const files = await checkModelFiles(plan.model, plan.workDir);
  const cacheDir = join(plan.workDir, 'cache');
  const common = { ...files, cacheDir, parts: ['unet', 'vae'] as const, ...(plan.threads !== undefined ? { threads: plan.threads } : {}) };
  log('loading the fp32 CPU reference');
  const reference = await loadPiaModels({ ...common, device: 'cpu', precision: 'float32' });
  let referenceOpen = true;
  let target: PiaModels | undefined;
  try {
    log(`loading the ${plan.precision} models on ${plan.device}`);
    target = await loadPiaModels({ ...common, device: plan.device, precision: plan.precision });
    const load = { ...loadFigures(reference, 'cpu float32'), ...loadFigures(target, `${plan.device} ${plan.precision}`) };

    let placement: NodePlacement | undefined;
    if (plan.device !== 'cpu') {
      try {
        placement = await nodePlacement(target.report.graphs.unet!.modelPath, plan.device, choices.webgpuLayout ? { webgpuLayout: choices.webgpuLayout } : {});
      } catch (err) {
        errors.push(`placement: ${(err as Error).message}`);
      }
    }

    log(`correctness at ${plan.check.frames}×${plan.check.height}×${plan.check.width}, ${plan.check.steps} steps`);
    const correctness = await checkCorrectness(reference, target, plan.check, plan.check.steps);
    // The CPU reference is not needed for the timings: free its memory first.
    await reference.release();
    referenceOpen = false;

    let timing: TimingReport | undefined;
    if (plan.bench) {
      const b = plan.bench;
      log(`timing at ${b.frames}×${b.height}×${b.width}, ${b.steps} steps`);
      try {
        timing = await measureTiming(target, b, b.steps, b.repeats, b.hostSample ?? true);
      } catch (err) {
        errors.push(`timing: ${(err as Error).message}`);
      }
    }
    const { log: _log, workDir: _workDir, ...planFacts } = plan;
    return {
      date: new Date().toISOString(),
      machine: { platform: platform(), arch: arch(), cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, onnxruntime: ortVersion() },
      plan: planFacts,
      models: { ...files, config: reference.config },
      choices,
      load,
      ...(placement ? { placement, cpuFallbacks: cpuFallbacks(placement) } : {}),
      correctness,
      ...(timing ? { timing } : {}),
      errors,
    };
  } finally {
    if (referenceOpen) await reference.release();
    await target?.release();
  }
}
