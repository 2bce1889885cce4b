import { defineProject, type UserWorkspaceConfig } from 'vitest/config';

/**
 * Per-package vitest project. Workspace packages resolve through their `source` export condition,
 * so tests run against `src/` without a build step.
 */
export function packageProject(name: string, extra: UserWorkspaceConfig = {}): UserWorkspaceConfig {
  return defineProject({
    ...extra,
    resolve: { conditions: ['source', 'module', 'node', 'import', 'default'], ...extra.resolve },
    ssr: { resolve: { conditions: ['source', 'node', 'import', 'default'], externalConditions: ['source'] } },
    test: {
      name,
      include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
      // Tests that start servers, processes or onnxruntime sessions can take seconds on a busy 2-core machine; a
      // hang still fails, after 30 s instead of vitest's 5 s.
      testTimeout: 30_000,
      ...extra.test,
    },
  });
}
