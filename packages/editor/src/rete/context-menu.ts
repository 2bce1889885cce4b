import type { AreaPlugin } from 'rete-area-plugin';
import type { ContextMenuPlugin } from 'rete-context-menu-plugin';
import { categoryTree, type CategoryTree, type NodeSchema, type SchemaMap } from '../defs/object-info.js';
import type { EditorNode, Schemes } from './schemes.js';

type ItemsCollection = ReturnType<ConstructorParameters<typeof ContextMenuPlugin<Schemes>>[0]['items']>;
type Item = ItemsCollection['list'][number];

/** What the context menu can ask the app to do. */
export interface MenuActions {
  addNode(schema: NodeSchema, at: { x: number; y: number }): void;
  removeNodes(ids: string[]): void;
  toggleMode(ids: string[], mode: 'bypassed' | 'muted'): void;
  duplicate(ids: string[]): void;
}

function categoryItems(tree: CategoryTree, add: (schema: NodeSchema) => void): Item[] {
  const items: Item[] = tree.children.map((child) => ({
    label: child.name,
    key: `category:${child.path}`,
    handler: () => undefined,
    subitems: categoryItems(child, add),
  }));
  for (const schema of tree.nodes) {
    items.push({ label: schema.displayName, key: `node:${schema.classType}`, handler: () => add(schema) });
  }
  return items;
}

/**
 * The canvas context menu: "add node" by category on empty canvas, and
 * delete / bypass / mute / duplicate on a node (applied to the whole selection when the node is selected).
 */
export function contextMenuItems<T>(
  context: 'root' | EditorNode,
  schemas: SchemaMap,
  actions: MenuActions,
  area: AreaPlugin<Schemes, T>,
  selected: () => string[] = () => [],
): ItemsCollection {
  if (context === 'root') {
    const at = { ...area.area.pointer };
    // The plugin's search bar filters top-level entries only (categories here); the double-click box searches nodes.
    return { searchBar: false, list: categoryItems(categoryTree(schemas.values()), (s) => actions.addNode(s, at)) };
  }
  const ids = context.selected ? Array.from(new Set([context.id, ...selected()])) : [context.id];
  return {
    searchBar: false,
    list: [
      { label: 'Delete', key: 'delete', handler: () => actions.removeNodes(ids) },
      { label: 'Bypass', key: 'bypass', handler: () => actions.toggleMode(ids, 'bypassed') },
      { label: 'Mute', key: 'mute', handler: () => actions.toggleMode(ids, 'muted') },
      { label: 'Duplicate', key: 'duplicate', handler: () => actions.duplicate(ids) },
    ],
  };
}
