import { packageProject } from '../../vitest.shared.js';

/** Unit tests run in Node; `e2e/` drives the built editor in headless Chromium against the real server. */
export default packageProject('editor', {
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts', 'e2e/**/*.e2e.test.ts'],
    globalSetup: ['e2e/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
