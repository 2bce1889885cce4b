/**
 * Ids a graph document refuses for its nodes, links and groups (and the server for prompt nodes): the names of
 * Object.prototype's members ("toString", "constructor", "__proto__", …). Document ids key plain objects in the
 * editor, the edit operations and their patches, where such a name finds the prototype's member instead of nothing
 * (and assigning "__proto__" sets a prototype). ComfyUI and piagraph number their nodes, so refusing these costs
 * nobody a real graph. (The executor itself keys nodes in prototype-free tables and runs such prompts.)
 */
export function isReservedId(id: string): boolean {
  return id in Object.prototype;
}

/** The message for a refused id. */
export function reservedIdMessage(kind: 'node' | 'link' | 'group', id: string): string {
  return `${kind} id "${id}" is not allowed: it is the name of a built-in property of JavaScript objects; use another id`;
}
