import type { NodeEditor } from 'rete';
import type { AreaPlugin } from 'rete-area-plugin';
import { AutoArrangePlugin, Presets as ArrangePresets } from 'rete-auto-arrange-plugin';
import type { AreaExtra } from './create-editor.js';
import type { Schemes } from './schemes.js';

/**
 * Lays the graph out left to right with ELK (rete-auto-arrange-plugin) and returns the positions it chose. Node
 * sizes are measured from the DOM first, because node heights follow their widgets and previews.
 */
export async function arrangeNodes(
  editor: NodeEditor<Schemes>,
  area: AreaPlugin<Schemes, AreaExtra>,
  arrange: AutoArrangePlugin<Schemes, AreaExtra>,
): Promise<Record<string, { x: number; y: number }>> {
  for (const node of editor.getNodes()) {
    const element = area.nodeViews.get(node.id)?.element.firstElementChild as HTMLElement | null | undefined;
    if (element) {
      node.width = element.offsetWidth;
      node.height = element.offsetHeight;
    }
  }
  await arrange.layout({ options: { 'elk.spacing.nodeNode': '40', 'elk.layered.spacing.nodeNodeBetweenLayers': '80' } });
  const positions: Record<string, { x: number; y: number }> = {};
  for (const node of editor.getNodes()) {
    const at = area.nodeViews.get(node.id)?.position;
    if (at) positions[node.id] = { x: Math.round(at.x), y: Math.round(at.y) };
  }
  return positions;
}

/** An auto-arrange plugin attached to `area`, placing inputs left and outputs right. */
export function createArrange(area: AreaPlugin<Schemes, AreaExtra>): AutoArrangePlugin<Schemes, AreaExtra> {
  const arrange = new AutoArrangePlugin<Schemes, AreaExtra>();
  arrange.addPreset(ArrangePresets.classic.setup());
  area.use(arrange);
  return arrange;
}
