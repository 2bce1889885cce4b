export { coreVersion } from '@piagraph/graph-core';
