/**
 * The per-device checks of the ops that were wrong on WebGPU (fused attention, NHWC conv with 9 input channels), the
 * choices they lead to, and the node-placement report read from onnxruntime's verbose log.
 */
import { describe, expect, it } from 'vitest';
import { checkDeviceGraphs, checkFusedAttention, cpuFallbacks, parsePlacement, probeWebGpu } from '../../src/onnx/index.js';
import { sessionSettings } from '../../src/models/load.js';

describe('device graph checks', () => {
  it('take the CPU as the reference: fused attention, nothing to check', async () => {
    expect(await checkDeviceGraphs('cpu')).toEqual({ device: 'cpu', fusedAttention: true });
  });

  it('find the CPU’s fused attention equal to the plain form to float32 rounding (the check can pass)', async () => {
    const check = await checkFusedAttention('cpu');
    expect(check.ok).toBe(true);
    expect(check.maxError).toBeLessThan(1e-5);
  });

  it('on WebGPU, choose plain attention where its check fails, and a padded conv_in (else NCHW) where the 9-channel NHWC Conv fails', async (ctx) => {
    if (!(await probeWebGpu()).ok) ctx.skip();
    const choices = await checkDeviceGraphs('webgpu');
    expect(choices.fusedAttention).toBe(choices.fusedAttentionCheck!.ok);
    if (choices.nhwcConvCheck!.ok) expect(choices).toMatchObject({ webgpuLayout: 'NHWC' });
    else if (choices.paddedConvCheck!.ok) expect(choices).toMatchObject({ webgpuLayout: 'NHWC', convInChannels: 16 });
    else expect(choices.webgpuLayout).toBe('NCHW');
    if (choices.nhwcConvCheck!.ok) expect(choices.convInChannels).toBeUndefined();
  }, 120_000);

  it('leave the synchronous defaults alone: fused attention unless told otherwise', () => {
    expect(sessionSettings({ cacheDir: '/tmp/x' }).fusedAttention).toBe(true);
    expect(sessionSettings({ cacheDir: '/tmp/x', device: 'webgpu' }).precision).toBe('float16');
    expect(sessionSettings({ cacheDir: '/tmp/x', device: 'webgpu', precision: 'float32', fusedAttention: false })).toMatchObject({ precision: 'float32', fusedAttention: false });
  });
});

describe('node placement', () => {
  // The shape of onnxruntime 1.30's verbose log lines (as printed for the tiny U-Net on WebGPU), shortened.
  const log = [
    '2026-12-04 16:39:36.195 [V:onnxruntime:, session_state.cc:1377 VerifyEachNodeIsAssignedToAnEp] Node placements',
    '2026-12-04 16:39:36.196 [V:onnxruntime:, session_state.cc:1383 VerifyEachNodeIsAssignedToAnEp]  Node(s) placed on [CPUExecutionProvider]. Number of nodes: 4',
    '2026-12-04 16:39:36.196 [V:onnxruntime:, session_state.cc:1385 VerifyEachNodeIsAssignedToAnEp]   Concat (Concat)',
    '2026-12-04 16:39:36.196 [V:onnxruntime:, session_state.cc:1385 VerifyEachNodeIsAssignedToAnEp]   Concat (text_per_frame/Concat_1)',
    '2026-12-04 16:39:36.196 [V:onnxruntime:, session_state.cc:1385 VerifyEachNodeIsAssignedToAnEp]   Gather (Gather_3)',
    '2026-12-04 16:39:36.196 [V:onnxruntime:, session_state.cc:1385 VerifyEachNodeIsAssignedToAnEp]   Erf (gelu/Erf)',
    '2026-12-04 16:39:36.198 [V:onnxruntime:, session_state.cc:1383 VerifyEachNodeIsAssignedToAnEp]  Node(s) placed on [WebGpuExecutionProvider]. Number of nodes: 2',
    '2026-12-04 16:39:36.198 [V:onnxruntime:, session_state.cc:1385 VerifyEachNodeIsAssignedToAnEp]   Conv (conv_in/Conv)',
    '2026-12-04 16:39:36.198 [V:onnxruntime:, session_state.cc:1385 VerifyEachNodeIsAssignedToAnEp]   MatMul (to_q/MatMul)',
    '2026-12-04 16:39:36.199 [V:onnxruntime:, graph.cc:12 Other] something else',
  ].join('\n');

  it('counts the nodes per provider and op type', () => {
    expect(parsePlacement(log)).toEqual({
      CPUExecutionProvider: { nodes: 4, opTypes: { Concat: 2, Gather: 1, Erf: 1 } },
      WebGpuExecutionProvider: { nodes: 2, opTypes: { Conv: 1, MatMul: 1 } },
    });
  });

  it('names the real work left on the CPU, not the shape arithmetic', () => {
    expect(cpuFallbacks(parsePlacement(log))).toEqual({ Erf: 1 });
  });
});
