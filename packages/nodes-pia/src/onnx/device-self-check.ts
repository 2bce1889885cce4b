/**
 * Checks that a GPU computes two ops that the model graphs depend on the way the CPU does, before the graphs are
 * built, and the choices that follow. Both were seen wrong on WebGPU with onnxruntime 1.30 under Mesa's lavapipe
 * (Vulkan on the CPU), each by errors of the order of the values themselves, while everything else in the PIA U-Net
 * matched the CPU to 1e-6:
 *
 * - the fused `com.microsoft.MultiHeadAttention` once both the query and the key sequences are longer than ~20
 *   tokens (short sequences, as in the motion modules, are right); the same attention from plain MatMul/Softmax is
 *   right, so the graphs use the plain form where the fused one fails;
 * - a 3×3 Conv with 9 input channels (PIA's conv_in) in the WebGPU provider's default NHWC layout, wrong by the same
 *   11.1 on an NVIDIA H200 as on lavapipe, so onnxruntime's kernel rather than a driver (3, 4, 5, 8, 16 and 32
 *   channels are right). Where it fails, conv_in's input is
 *   zero-padded to 16 channels if that is right there (the graphs stay NHWC, WebGPU's fast layout), else WebGPU
 *   sessions use NCHW.
 *
 * Each GPU device is checked once per process with the shapes that failed; the CPU is the reference and is not
 * checked.
 */
import * as ort from 'onnxruntime-node';
import type { Device } from './device.js';
import { GraphBuilder } from './graph-builder.js';
import { OnnxSession, type WebGpuLayout } from './session.js';

/** One check: the largest difference from the CPU's answer, and whether it is within float32 rounding. */
export interface OpCheck {
  readonly maxError: number;
  readonly ok: boolean;
}

/** What the checks found on a device and what the model graphs should therefore use there. */
export interface DeviceGraphChoices {
  readonly device: Device;
  /** Fused MultiHeadAttention vs plain attention on the CPU (absent on the CPU). */
  readonly fusedAttentionCheck?: OpCheck;
  /** Conv with 9 input channels in NHWC vs the CPU (WebGPU only). */
  readonly nhwcConvCheck?: OpCheck;
  /** The same Conv with its input padded to {@link PADDED_CONV_CHANNELS} channels, checked where 9 fail (WebGPU only). */
  readonly paddedConvCheck?: OpCheck;
  /** Pad conv_in's input channels to this many (where 9 are wrong in NHWC and the padded form is right). */
  readonly convInChannels?: number;
  /** Whether the graphs may use the fused attention op. */
  readonly fusedAttention: boolean;
  /** The WebGPU provider's layout for layout-sensitive ops (WebGPU only). */
  readonly webgpuLayout?: WebGpuLayout;
}

/** Unit-scale values without a random generator: any spread-out input shows the faults. */
function wave(length: number, phase: number): Float32Array {
  return Float32Array.from({ length }, (_, i) => Math.sin(i * 0.7 + phase) + 0.5 * Math.cos(i * 0.13 * phase));
}

type Feeds = Record<string, { dims: number[]; phase: number }>;

/** Runs a one-op graph on `device` (WebGPU in `layout`) and returns its output. */
async function runOnce(g: GraphBuilder, feeds: Feeds, device: Device, layout?: WebGpuLayout): Promise<Float32Array> {
  const session = await OnnxSession.load(`(${g.name} on ${device})`, {
    modelBytes: await g.toBytes(),
    executionProviders: [device],
    threads: 1,
    ...(layout ? { webgpuLayout: layout } : {}),
  });
  try {
    const tensors: Record<string, ort.Tensor> = {};
    for (const [name, f] of Object.entries(feeds)) tensors[name] = new ort.Tensor('float32', wave(f.dims.reduce((a, b) => a * b, 1), f.phase), f.dims);
    return Float32Array.from((await session.run(tensors)).y!.data as Float32Array);
  } finally {
    await session.release();
  }
}

function compare(a: Float32Array, b: Float32Array, tolerance: number): OpCheck {
  let maxError = 0;
  for (let i = 0; i < a.length; i++) maxError = Math.max(maxError, Math.abs(a[i]! - b[i]!));
  // NaN (a broken kernel) must fail too.
  return { maxError, ok: maxError <= tolerance };
}

/** Self- and cross-attention with 64 queries over 64 and 77 keys, 2 heads of 40: fused on `device`, plain on the CPU. */
export async function checkFusedAttention(device: Device): Promise<OpCheck> {
  let worst: OpCheck = { maxError: 0, ok: true };
  for (const keys of [64, 77]) {
    const build = (fused: boolean) => {
      const g = new GraphBuilder(`attention-check-${fused ? 'fused' : 'plain'}`);
      const q = g.input('q', 'float32', [2, 64, 80]);
      const kv = g.input('kv', 'float32', [2, keys, 80]);
      g.output(g.attention(q, kv, kv, { heads: 2, headDim: 40, fused }), 'y');
      return g;
    };
    const feeds: Feeds = { q: { dims: [2, 64, 80], phase: 1 }, kv: { dims: [2, keys, 80], phase: 2 } };
    const check = compare(await runOnce(build(true), feeds, device), await runOnce(build(false), feeds, 'cpu'), 1e-3);
    if (!(check.maxError <= worst.maxError)) worst = check;
  }
  return worst;
}

/** conv_in's input channels when 9 are wrong in NHWC: a power of two, as the channel counts seen right are. */
export const PADDED_CONV_CHANNELS = 16;

/**
 * PIA's conv_in shape (3×3, 9 → 32 channels) in the WebGPU provider's NHWC layout against the CPU; with `padTo`, the
 * input and kernel zero-padded to that many channels in the graph, as `convPaddedTo` builds it.
 */
export async function checkNhwcConv(padTo?: number): Promise<OpCheck> {
  const g = new GraphBuilder(padTo ? 'padded-conv-check' : 'conv-check');
  const x = g.input('x', 'float32', [2, 9, 8, 12]);
  const w = g.initializer('w', { dtype: 'float32', shape: [32, 9, 3, 3], data: wave(32 * 81, 3) });
  const b = g.initializer('b', { dtype: 'float32', shape: [32], data: wave(32, 4) });
  const extra = padTo ? padTo - 9 : 0;
  g.output(g.conv(g.padChannels(x, extra), g.padChannels(w, extra), b, { pads: [1, 1, 1, 1], strides: [1, 1] }), 'y');
  const feeds: Feeds = { x: { dims: [2, 9, 8, 12], phase: 1 } };
  // Sums of 81 unit-scale products: float32 rounding stays far below 1e-3.
  return compare(await runOnce(g, feeds, 'webgpu', 'NHWC'), await runOnce(g, feeds, 'cpu'), 1e-3);
}

/** Runs the checks that apply to `device`. */
export async function checkDeviceGraphs(device: Device): Promise<DeviceGraphChoices> {
  if (device === 'cpu') return { device, fusedAttention: true };
  const fusedAttentionCheck = await checkFusedAttention(device);
  if (device !== 'webgpu') return { device, fusedAttentionCheck, fusedAttention: fusedAttentionCheck.ok };
  const nhwcConvCheck = await checkNhwcConv();
  const common = { device, fusedAttentionCheck, nhwcConvCheck, fusedAttention: fusedAttentionCheck.ok };
  if (nhwcConvCheck.ok) return { ...common, webgpuLayout: 'NHWC' };
  const paddedConvCheck = await checkNhwcConv(PADDED_CONV_CHANNELS);
  if (!paddedConvCheck.ok) return { ...common, paddedConvCheck, webgpuLayout: 'NCHW' };
  return { ...common, paddedConvCheck, webgpuLayout: 'NHWC', convInChannels: PADDED_CONV_CHANNELS };
}

const checks = new Map<Device, Promise<DeviceGraphChoices>>();

/** {@link checkDeviceGraphs}, once per device and process. */
export function deviceGraphChoices(device: Device): Promise<DeviceGraphChoices> {
  let check = checks.get(device);
  if (!check) {
    check = checkDeviceGraphs(device);
    checks.set(device, check);
    check.catch(() => checks.delete(device));
  }
  return check;
}
