/** Runs the package's benchmarks one after another (`pnpm --filter @piagraph/nodes-pia bench`). */
await import('./video.bench.js');
await import('./models.bench.js');
await import('./weights.bench.js');
