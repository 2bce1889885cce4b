/** Affinity Schedule: how strongly each frame is tied to the input image (PIA's inter-frame affinity) → AFFINITY. */
import { defineNode } from '@piagraph/graph-core';
import { AffinityError, MAX_AFFINITY_FRAMES } from '../affinity/index.js';
import { AFFINITY_CHOICES, describeAffinity, parseAffinityList, resolveAffinityRequest, type AffinityRequest } from '../pipeline/affinity-schedule.js';
import type { PackContext } from './pack-context.js';

function request(literals: Readonly<Record<string, unknown>>): AffinityRequest {
  return {
    preset: literals['preset'] as AffinityRequest['preset'],
    frames: Number(literals['frames']),
    condFrame: Number(literals['cond_frame'] ?? 0),
    custom: String(literals['custom'] ?? ''),
    rampMin: Number(literals['ramp_min'] ?? 0.2),
    rampMax: Number(literals['ramp_max'] ?? 1),
  };
}

/** The `PIAAffinitySchedule` node. */
export function affinityScheduleNode(_pack: PackContext) {
  return defineNode({
    classType: 'PIAAffinitySchedule',
    displayName: 'Affinity Schedule',
    category: 'pia/conditioning',
    description:
      "Per-frame affinity to the input image: one of the paper's nine presets (small/moderate/large motion, loops, " +
      'style transfer; diffusers motion_scale 0–8 in order), custom values by distance from the condition frame, or a linear ramp.',
    inputs: {
      required: {
        preset: { type: 'COMBO', options: AFFINITY_CHOICES, default: 'moderate-motion' },
        frames: { type: 'INT', default: 16, min: 1, max: MAX_AFFINITY_FRAMES, tooltip: 'Animation length; past 32 frames (what the motion modules see at once), connect context options to the sampler.' },
        cond_frame: { type: 'INT', default: 0, min: 0, max: MAX_AFFINITY_FRAMES - 1, tooltip: 'Frame that shows the input image.' },
      },
      optional: {
        custom: { type: 'STRING', default: '1.0, 0.8, 0.7', tooltip: 'For "custom": values in [0, 1] by distance from the condition frame; the last repeats.' },
        ramp_min: { type: 'FLOAT', default: 0.2, min: 0, max: 1, step: 0.01, tooltip: 'For "ramp": affinity of the farthest frame (PIA prepare_mask_coef).' },
        ramp_max: { type: 'FLOAT', default: 1, min: 0, max: 1, step: 0.01 },
      },
    },
    outputs: [{ type: 'AFFINITY' }],
    validate(literals) {
      const r = request(literals);
      const issues = [];
      if (r.condFrame >= r.frames) issues.push({ input: 'cond_frame', message: `must be below frames (${r.frames}), got ${r.condFrame}` });
      if (r.preset === 'custom') {
        try {
          parseAffinityList(r.custom);
        } catch (error) {
          if (!(error instanceof AffinityError)) throw error;
          issues.push({ input: 'custom', message: error.message });
        }
      }
      return issues;
    },
    run(inputs) {
      const r = request(inputs);
      const values = resolveAffinityRequest(r);
      const source = r.preset === 'ramp' ? `ramp ${r.rampMin}–${r.rampMax}` : r.preset;
      return {
        outputs: [{ values, condFrame: r.condFrame, source }],
        ui: { text: [describeAffinity(source, values)] },
      };
    },
  });
}
