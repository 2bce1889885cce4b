/** Multival (`ADE_MultivalDynamic`): a number, optionally times a mask, for ADE's scale/effect/PIA inputs. */
import { defineNode } from '@piagraph/graph-core';
import type { PackContext } from '../pack-context.js';
import { ADE_CATEGORY } from './categories.js';

/** The `ADE_MultivalDynamic` node. */
export function multivalDynamicNode(_pack: PackContext) {
  return defineNode({
    classType: 'ADE_MultivalDynamic',
    displayName: 'Multival 🎭🅐🅓',
    category: ADE_CATEGORY.multival,
    description: 'A value for scale_multival (temporal attention sharpness), effect_multival (how much the motion modules act) or a PIA input.',
    inputs: {
      required: {
        float_val: { type: 'FLOAT', default: 1.0, min: 0.0, step: 0.001 },
      },
      optional: {
        mask_optional: { type: 'MASK' },
      },
    },
    outputs: [{ type: 'MULTIVAL' }],
    run({ float_val, mask_optional }) {
      return { outputs: [{ kind: 'multival', value: float_val, ...(mask_optional ? { mask: mask_optional } : {}) }] };
    },
  });
}
