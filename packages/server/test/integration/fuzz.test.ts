/**
 * Fuzzing a live server (a child process): random and mutated requests, prompts, graph documents, uploads and
 * WebSocket messages. Every answer must come within a bound and be under 500; the process must not die; it must
 * still answer at the end. Seeded: PIAGRAPH_FUZZ_SEED replays a run, PIAGRAPH_FUZZ_CASES sets its size.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../fuzz/random.js';
import { buildCases, describeCase, send, type Case } from '../fuzz/cases.js';
import { killSpawned, spawnServer, type CliProcess } from '../helpers/spawn-cli.js';
import { makeDataDir } from '../helpers/test-server.js';

const SEED = Number(process.env.PIAGRAPH_FUZZ_SEED ?? 13_2026);
const CASES = Number(process.env.PIAGRAPH_FUZZ_CASES ?? 1200);
const CONCURRENCY = 4;

/** With PIAGRAPH_FUZZ_TRACE=<file>, every case is logged with how long its answer took. */
function trace(index: number, c: Case, ms: number): void {
  const file = process.env.PIAGRAPH_FUZZ_TRACE;
  if (file) appendFileSync(file, `${new Date().toISOString()} ${ms} ms ${describeCase(index, c).slice(0, 400)}\n`);
}

/** With PIAGRAPH_FUZZ_DUMP=<folder>, a failing case is written there whole, to replay it by hand. */
function dump(index: number, c: Case): void {
  const folder = process.env.PIAGRAPH_FUZZ_DUMP;
  if (!folder) return;
  mkdirSync(folder, { recursive: true });
  const body = c.kind === 'http' && c.body !== undefined ? (Buffer.isBuffer(c.body) ? { base64: c.body.toString('base64') } : { text: c.body }) : undefined;
  writeFileSync(join(folder, `case-${SEED}-${index}.json`), JSON.stringify({ ...c, body }, null, 1));
}

let server: CliProcess & { url: string };
beforeAll(async () => {
  server = await spawnServer(makeDataDir());
}, 60_000);
afterAll(() => killSpawned());

describe(`fuzzing a live server (seed ${SEED}, ${CASES} cases)`, () => {
  it('answers every request under 500 within the bound, never dies, and still answers at the end', { timeout: 240_000 }, async () => {
    const cases = buildCases(new Rng(SEED), CASES, SEED);
    const problems: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < cases.length && problems.length < 10) {
        const index = next++;
        const started = Date.now();
        const problem = await send(server.url, cases[index]!);
        trace(index, cases[index]!, Date.now() - started);
        if (problem) {
          problems.push(`${describeCase(index, cases[index]!)}\n    -> ${problem}`);
          dump(index, cases[index]!);
          // Started with NODE_OPTIONS=--report-on-signal, a stuck server writes where its main thread is.
          if (problem.startsWith('no answer') && process.env.PIAGRAPH_FUZZ_REPORT === '1') server.child.kill('SIGUSR2');
        }
        if (server.child.exitCode !== null || server.child.signalCode !== null) {
          problems.push(`${describeCase(index, cases[index]!)}\n    -> the server process died (${server.child.exitCode ?? server.child.signalCode})`);
          return;
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const report = problems.length > 0 ? `replay with PIAGRAPH_FUZZ_SEED=${SEED} PIAGRAPH_FUZZ_CASES=${CASES}\n${problems.join('\n')}\n--- server output (tail) ---\n${server.output().slice(-3000)}` : '';
    expect(report).toBe('');

    // Still alive and answering: stop whatever the fuzz queued, then a plain prompt runs to the end.
    expect((await fetch(`${server.url}/queue`, { method: 'POST', body: '{"clear":true}' })).status).toBe(200);
    expect((await fetch(`${server.url}/interrupt`, { method: 'POST' })).status).toBe(200);
    expect((await fetch(`${server.url}/api/queue/resume`, { method: 'POST' })).status).toBe(200);
    const res = await fetch(`${server.url}/prompt`, { method: 'POST', body: JSON.stringify({ prompt: { '1': { class_type: 'TestNumber', inputs: { value: 41 } }, '2': { class_type: 'TestOutput', inputs: { value: ['1', 0] } } } }) });
    expect(res.status).toBe(200);
    const { prompt_id } = (await res.json()) as { prompt_id: string };
    const deadline = Date.now() + 60_000;
    for (;;) {
      const h = (await (await fetch(`${server.url}/history/${prompt_id}`)).json()) as Record<string, { status: { status_str: string } }>;
      if (h[prompt_id]) {
        expect(h[prompt_id]!.status.status_str).toBe('success');
        break;
      }
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(server.child.exitCode).toBeNull();
  });
});
