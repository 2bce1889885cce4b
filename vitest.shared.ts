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
      ...extra.test,
    },
  });
}
