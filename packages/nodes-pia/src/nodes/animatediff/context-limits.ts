/** ADE's limits on context and view options (`LENGTH_MAX`, `STRIDE_MAX`, `OVERLAP_MAX` in nodes_context.py), and the overlap check both use. */
export const LENGTH_MAX = 128;
export const STRIDE_MAX = 32;
export const OVERLAP_MAX = 128;

/** The overlap must leave each window at least one new frame (`prefix` `context` or `view`). */
export function overlapValidator(prefix: 'context' | 'view') {
  return (literals: Readonly<Record<string, unknown>>) => {
    const len = Number(literals[`${prefix}_length`]);
    const ov = Number(literals[`${prefix}_overlap`]);
    return Number.isFinite(len) && Number.isFinite(ov) && ov >= len
      ? [{ input: `${prefix}_overlap`, message: `${prefix}_overlap (${ov}) must be smaller than ${prefix}_length (${len})` }]
      : [];
  };
}
