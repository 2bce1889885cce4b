import { parseGraphDocument, type GraphDocument } from '@piagraph/graph-core';

/** The name of the graph the editor opens on first start. */
export const FIRST_START_EXAMPLE = 'pia-image-to-video.json';

/** The example, bundled when it exists at build time: a glob that matches nothing leaves the build intact. */
const examples = import.meta.glob<{ default: unknown }>('../../../../examples/pia-image-to-video.json');

/** Loads the first-start example, or undefined when the build had none; a malformed example throws. */
export async function loadFirstStartExample(): Promise<GraphDocument | undefined> {
  const entry = Object.entries(examples).find(([path]) => path.endsWith(`/${FIRST_START_EXAMPLE}`));
  if (!entry) return undefined;
  const mod = await entry[1]();
  return parseGraphDocument(mod.default);
}
