/** Runs the package's benchmarks one after another (`pnpm --filter @piagraph/nodes-pia bench`). */
await import('./weights.bench.js');
await import('./onnx-writer.bench.js');
await import('./video.bench.js');
await import('./models.bench.js');
await import('./pipeline.bench.js');
await import('./lora.bench.js');
await import('./ksampler-overhead.bench.js');
await import('./ksampler.bench.js');
await import('./gpu.bench.js');
await import('./animatediff-memory.bench.js');
await import('./meta-batch-memory.bench.js');
