/** AnimateDiff-Evolved's palette categories, so its nodes sit where ADE users look for them. */
export const ADE_CATEGORY = {
  root: 'Animate Diff 🎭🅐🅓',
  gen1: 'Animate Diff 🎭🅐🅓/① Gen1 nodes ①',
  gen2: 'Animate Diff 🎭🅐🅓/② Gen2 nodes ②',
  pia: 'Animate Diff 🎭🅐🅓/② Gen2 nodes ②/PIA',
  multival: 'Animate Diff 🎭🅐🅓/multival',
  extras: 'Animate Diff 🎭🅐🅓/extras',
  scheduling: 'Animate Diff 🎭🅐🅓/scheduling',
} as const;
