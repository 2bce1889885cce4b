/**
 * How deep JSON may nest. Parsing is not the danger (V8's JSON.parse copes with any depth); everything after it is:
 * `JSON.stringify`, validation and the graph converters walk values recursively, and 10 000 levels overflow the
 * stack. Real documents stay far below: a ComfyUI workflow with subgraphs nests about 15 levels.
 */
export const MAX_JSON_DEPTH = 256;

/**
 * The nesting depth of JSON text, found by counting brackets outside strings in one pass, without recursion and
 * without building anything; it stops counting once `stopAbove` is passed. Only meaningful for text that then
 * parses.
 */
export function jsonNestingDepth(text: string, stopAbove = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > stopAbove) return max;
      }
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--;
  }
  return max;
}
