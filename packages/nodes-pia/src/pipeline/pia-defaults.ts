/** Values PIA's own pipeline uses when the user gives none (pia-model.md §1.1, §8). */

/** PIA's `DEFAULT_N_PROMPT` (`i2v_pipeline.py`), used by every paper example except labrador. */
export const PIA_DEFAULT_NEGATIVE_PROMPT =
  'wrong white balance, dark, sketches,worst quality,low quality, deformed, distorted, disfigured, bad eyes, wrong lips,' +
  'weird mouth, bad teeth, mutated hands and fingers, bad anatomy,wrong anatomy, amputation, extra limb, missing limb, ' +
  'floating,limbs, disconnected limbs, mutation, ugly, disgusting, bad_pictures, negative_hand-neg';

/** Real PIA: 16 frames, 25 DDIM steps, guidance 7.5, long edge 512, GIF at 8 fps. */
export const PIA_DEFAULTS = { frames: 16, steps: 25, cfg: 7.5, longEdge: 512, frameRate: 8 } as const;
