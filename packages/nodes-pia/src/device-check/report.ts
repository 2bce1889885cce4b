/** The device check's report as Markdown, for people (the JSON form is the report object itself). */
import type { Compared } from './correctness.js';
import type { Difference } from './metrics.js';
import type { DeviceCheckReport } from './run.js';

const exp = (x: number) => (x === 0 ? '0' : x.toExponential(2));
const db = (x: number | undefined) => (x === undefined ? '' : x === Infinity ? '∞' : `${x.toFixed(1)} dB`);
const ms = (x: number | undefined) => (x === undefined ? '–' : x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${x.toFixed(1)} ms`);

function row(label: string, d: Difference | Compared): string {
  const p = 'psnr' in d ? db(d.psnr) : '';
  return `| ${label} | ${exp(d.maxAbs)} | ${exp(d.maxRel)} | ${exp(d.rms)} | ${d.nonFinite} | ${p} |`;
}

/** Formats `report` as Markdown. */
export function formatDeviceCheckReport(report: DeviceCheckReport): string {
  const { plan, machine, choices, correctness: c, timing: t } = report;
  const lines: string[] = [
    `# piagraph device check: ${plan.device}, ${plan.precision}, ${plan.model} models`,
    '',
    `${report.date} · ${machine.platform}/${machine.arch}, ${machine.cpus} × ${machine.cpuModel} · Node ${machine.node} · onnxruntime-node ${machine.onnxruntime}`,
    '',
    '## Graph forms this device computes correctly',
    '',
    `- fused MultiHeadAttention: ${choices.fusedAttentionCheck ? `max error ${exp(choices.fusedAttentionCheck.maxError)} → ${choices.fusedAttention ? 'used' : 'not used (plain MatMul/Softmax instead)'}` : 'reference (CPU)'}`,
    ...(choices.nhwcConvCheck
      ? [`- Conv 9→32 channels in NHWC: max error ${exp(choices.nhwcConvCheck.maxError)}${choices.paddedConvCheck ? '' : ` → layout ${choices.webgpuLayout}`}`]
      : []),
    ...(choices.paddedConvCheck
      ? [
          `- the same Conv with its input padded to ${choices.convInChannels ?? 16} channels in NHWC: max error ${exp(choices.paddedConvCheck.maxError)} → ${choices.convInChannels ? `conv_in padded, layout NHWC` : `layout ${choices.webgpuLayout}`}`,
        ]
      : []),
    '',
    `## Against the fp32 CPU reference (latent ${c.size.frames}×${c.size.height}×${c.size.width}, ${c.steps} steps)`,
    '',
    '| what | max abs | max abs / max ref | rms | non-finite | decoded PSNR |',
    '| --- | --- | --- | --- | --- | --- |',
    row('U-Net noise prediction (t = 501, CFG pair)', c.unet),
    row('VAE decode', c.vae),
    row('whole sample (final latent)', c.sample),
    row('device loop vs host loop, same device', c.loops),
    '',
  ];
  if (report.placement) {
    lines.push('## Where the U-Net’s nodes run', '');
    for (const [provider, p] of Object.entries(report.placement)) {
      const ops = Object.entries(p.opTypes).slice(0, 12).map(([op, n]) => `${op} ${n}`).join(', ');
      lines.push(`- ${provider}: ${p.nodes} nodes (${ops})`);
    }
    const fallbacks = Object.entries(report.cpuFallbacks ?? {});
    lines.push(`- real work left on the CPU: ${fallbacks.length === 0 ? 'none (only shape arithmetic)' : fallbacks.map(([op, n]) => `${op} ${n}`).join(', ')}`, '');
  }
  lines.push('## Loading', '', '| graph | built | build | session |', '| --- | --- | --- | --- |');
  for (const [graph, l] of Object.entries(report.load)) lines.push(`| ${graph} | ${l.built ? 'yes' : 'cached'} | ${l.buildSeconds.toFixed(1)} s | ${l.sessionSeconds.toFixed(1)} s |`);
  lines.push('');
  if (t) {
    lines.push(
      `## Timing (latent ${t.size.frames}×${t.size.height}×${t.size.width}, U-Net input [2, 9, ${t.size.frames}, ${t.size.height}, ${t.size.width}], median of ${t.repeats})`,
      '',
      '| what | time |',
      '| --- | --- |',
      `| U-Net call, tensors on the device | ${ms(t.unetDeviceMs)} |`,
      `| U-Net call, host arrays in and out | ${ms(t.unetHostMs)} |`,
      `| whole sample, ${t.steps} steps, device-resident loop | ${ms(t.sampleDeviceMs)} |`,
      `| whole sample, ${t.steps} steps, host loop | ${ms(t.sampleHostMs)} |`,
      `| VAE decode of ${t.size.frames} frames | ${ms(t.decodeMs)} |`,
      '',
    );
  }
  if (report.errors.length > 0) lines.push('## Steps that failed', '', ...report.errors.map((e) => `- ${e}`), '');
  return lines.join('\n');
}
