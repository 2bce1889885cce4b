import type { GraphDocument, NodeErrors, ValidationErrorItem } from '@piagraph/graph-core';

/** How many node errors a queue notice lists before "and N more". */
const LISTED = 3;

/**
 * A refused prompt as a notice: the server's message, then one line per node error naming the node by its title
 * (or class) and id, and the input when there is one (`• Save Video #9, images: Required input is missing`).
 */
export function validationNotice(error: ValidationErrorItem, nodeErrors: NodeErrors, doc: GraphDocument, displayName: (classType: string) => string): string {
  const lines: string[] = [];
  for (const [id, entry] of Object.entries(nodeErrors)) {
    const node = doc.nodes[id];
    const name = `${node?.title ?? displayName(entry.class_type)} #${id}`;
    for (const e of entry.errors) {
      const input = typeof e.extra_info.input_name === 'string' ? `, ${e.extra_info.input_name}` : '';
      const detail = e.details && !e.details.startsWith("Node ID '") ? ` (${e.details})` : '';
      lines.push(`• ${name}${input}: ${e.message}${detail}`);
    }
  }
  const head = lines.length > 0 ? error.message : error.details ? `${error.message} (${error.details})` : error.message;
  const listed = lines.slice(0, LISTED);
  if (lines.length > LISTED) listed.push(`… and ${lines.length - LISTED} more, marked on their nodes`);
  return [head, ...listed].join('\n');
}
