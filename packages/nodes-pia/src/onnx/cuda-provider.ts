/**
 * Whether onnxruntime-node can open CUDA sessions: its npm package bundles only the CPU and WebGPU execution
 * providers, and the CUDA one lives in provider libraries its install script downloads next to the binding
 * (`ONNXRUNTIME_NODE_INSTALL=cuda12`), a download this workspace skips.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { OnnxError } from './errors.js';

/** The onnxruntime version the provider libraries must match (that of the installed onnxruntime-node). */
export function ortVersion(): string {
  return (createRequire(import.meta.url)('onnxruntime-node/package.json') as { version: string }).version;
}

/** The folder holding onnxruntime-node's native binding for this platform, where the provider libraries go. */
export function ortBindingDir(platform: string = process.platform, arch: string = process.arch): string {
  const pkg = createRequire(import.meta.url).resolve('onnxruntime-node/package.json');
  return join(dirname(pkg), 'bin', 'napi-v6', platform, arch);
}

/** The CUDA execution provider's libraries onnxruntime loads from the binding's folder. */
export const CUDA_PROVIDER_FILES = ['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so'] as const;

/** The provider libraries absent from `dir` (default {@link ortBindingDir}); empty when CUDA sessions can be tried. */
export function missingCudaProviderFiles(dir: string = ortBindingDir()): string[] {
  return CUDA_PROVIDER_FILES.filter((f) => !existsSync(join(dir, f)));
}

/** How to get the CUDA provider libraries in place; shared by the missing-files error and a failed CUDA session. */
export function cudaProviderHint(dir: string = ortBindingDir(), version: string = ortVersion()): string {
  return (
    `onnxruntime-node's CUDA execution provider needs ${CUDA_PROVIDER_FILES.join(' and ')} of onnxruntime ${version} in ${dir}, ` +
    `plus the CUDA 12 runtime, cuBLAS and cuDNN 9 on LD_LIBRARY_PATH. With internet, run ` +
    `\`ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install\` (the package's own installer); ` +
    `offline, copy them from the NuGet package Microsoft.ML.OnnxRuntime.Gpu.Linux ${version} (runtimes/linux-x64/native/) ` +
    `or the onnxruntime-gpu ${version} wheel (onnxruntime/capi/). Or run with --device cpu.`
  );
}

/** `--device cuda` was asked for but onnxruntime-node cannot provide it; `details` names the folder and the files. */
export class CudaProviderError extends OnnxError {
  constructor(
    readonly dir: string,
    readonly missing: readonly string[],
    reason: string,
  ) {
    super('cuda-unavailable', `${reason}. ${cudaProviderHint(dir)}`, { dir, missing: [...missing], ortVersion: ortVersion() });
  }
}

/**
 * Throws a {@link CudaProviderError} unless the CUDA provider libraries are in `dir` (default the installed
 * binding's folder). Checked before any graph is built, so a misconfigured box fails in milliseconds instead of after
 * minutes of fp16 graph building. Only the files' presence is checked: CUDA and cuDNN are found when a session opens.
 */
export function assertCudaProvider(dir: string = ortBindingDir()): void {
  const missing = missingCudaProviderFiles(dir);
  if (missing.length > 0) {
    throw new CudaProviderError(dir, missing, `device "cuda" was requested but ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing from ${dir}`);
  }
}
