export { coreVersion } from '@piagraph/nodes-pia';
