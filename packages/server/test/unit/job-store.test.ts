import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrations.js';
import { JobStateError, JobStore } from '../../src/jobs/job-store.js';
import type { JobOutcome, NewJob } from '../../src/jobs/job-types.js';

function store(): JobStore {
  const db = new BetterSqlite3(':memory:');
  migrate(db);
  return new JobStore(db);
}

function job(id: string, extra: Partial<NewJob> = {}): NewJob {
  return {
    id,
    prompt: { '1': { class_type: 'TestNumber', inputs: { value: 1 } } },
    extraData: {},
    outputsToExecute: ['1'],
    clientId: null,
    workflowId: null,
    ...extra,
  };
}

const success: JobOutcome = {
  status: 'success',
  outputs: { '1': { text: ['1'] } },
  messages: [],
  meta: {},
  error: null,
  timings: { '1': 3 },
};

function runAndFinish(s: JobStore, id: string, outcome: JobOutcome = success): void {
  expect(s.markRunning(id)).toBe(true);
  s.finish(id, outcome);
}

describe('JobStore', () => {
  it('numbers jobs by insertion when no number is given', () => {
    const s = store();
    expect([s.insert(job('a')).number, s.insert(job('b')).number]).toEqual([1, 2]);
  });

  it('gives a front job minus its counter so it runs first', () => {
    const s = store();
    s.insert(job('a'));
    expect(s.insert(job('b', { front: true })).number).toBe(-2);
    expect(s.nextPending()?.id).toBe('b');
  });

  it('keeps an explicit priority number', () => {
    const s = store();
    s.insert(job('a'));
    s.insert(job('b', { number: 0.5 }));
    expect(s.pending().map((j) => j.id)).toEqual(['b', 'a']);
  });

  it('refuses a duplicate prompt id', () => {
    const s = store();
    s.insert(job('a'));
    expect(() => s.insert(job('a'))).toThrow(JobStateError);
    expect(() => s.insert(job('a'))).toThrow('A job with prompt_id "a" already exists');
  });

  it('counts pending and running jobs as queue_remaining', () => {
    const s = store();
    s.insert(job('a'));
    s.insert(job('b'));
    s.markRunning('a');
    expect(s.countActive()).toBe(2);
  });

  it('moves a finished job from the queue to the history', () => {
    const s = store();
    s.insert(job('a'));
    runAndFinish(s, 'a');
    expect([s.pending().length, s.running().length, s.history().map((j) => j.id)]).toEqual([0, 0, ['a']]);
    expect(s.get('a')?.outputs).toEqual({ '1': { text: ['1'] } });
  });

  it('refuses to finish a job that is not running', () => {
    const s = store();
    s.insert(job('a'));
    expect(() => s.finish('a', success)).toThrow('Job "a" is not running, so it cannot be finished');
  });

  it('does not claim a job that was deleted from the queue', () => {
    const s = store();
    s.insert(job('a'));
    s.deletePending(['a']);
    expect(s.markRunning('a')).toBe(false);
  });

  it('returns the newest max_items history entries, oldest first', () => {
    const s = store();
    for (const id of ['a', 'b', 'c']) {
      s.insert(job(id));
      runAndFinish(s, id);
    }
    expect(s.history(2).map((j) => j.id)).toEqual(['b', 'c']);
  });

  it('pages the history from an offset', () => {
    const s = store();
    for (const id of ['a', 'b', 'c']) {
      s.insert(job(id));
      runAndFinish(s, id);
    }
    expect(s.history(1, 1).map((j) => j.id)).toEqual(['b']);
  });

  it('marks a job left running by a dead process as failed, with the reason', () => {
    const s = store();
    s.insert(job('a'));
    s.markRunning('a');
    expect(s.recoverInterrupted(false)).toEqual(['a']);
    const recovered = s.get('a')!;
    expect(recovered.status).toBe('error');
    expect(recovered.error?.kind).toBe('server_stopped');
    expect(recovered.error && 'message' in recovered.error && recovered.error.message).toContain(
      'The server stopped while this job was running',
    );
  });

  it('re-queues a job left running when asked to', () => {
    const s = store();
    s.insert(job('a'));
    s.markRunning('a');
    s.recoverInterrupted(true);
    expect(s.get('a')?.status).toBe('pending');
  });

  it('moves a pending job to the front and keeps the others in order', () => {
    const s = store();
    for (const id of ['a', 'b', 'c', 'd']) s.insert(job(id));
    expect(s.reorder('d', 0).map((j) => j.id)).toEqual(['d', 'a', 'b', 'c']);
  });

  it('moves a pending job to the back when the position is past the end', () => {
    const s = store();
    for (const id of ['a', 'b', 'c']) s.insert(job(id));
    expect(s.reorder('a', 99).map((j) => j.id)).toEqual(['b', 'c', 'a']);
  });

  it('queues a job added after a reorder behind all reordered ones', () => {
    const s = store();
    for (const id of ['a', 'b']) s.insert(job(id));
    s.reorder('b', 0);
    s.insert(job('c'));
    expect(s.pending().map((j) => j.id)).toEqual(['b', 'a', 'c']);
  });

  it('refuses to reorder a job that is not pending', () => {
    const s = store();
    s.insert(job('a'));
    s.markRunning('a');
    expect(() => s.reorder('a', 0)).toThrow('Job "a" is running, only pending jobs can be moved');
  });

  it('prunes the oldest history entries beyond the maximum', () => {
    const s = store();
    for (const id of ['a', 'b', 'c']) {
      s.insert(job(id));
      runAndFinish(s, id);
    }
    expect(s.pruneHistory(2)).toBe(1);
    expect(s.history().map((j) => j.id)).toEqual(['b', 'c']);
  });

  it('filters and pages jobs across queue and history', () => {
    const s = store();
    for (const id of ['a', 'b', 'c']) s.insert(job(id, { workflowId: id === 'c' ? 'wf' : null }), 1000 + id.charCodeAt(0));
    runAndFinish(s, 'a');
    expect(s.list({ states: ['pending'], sortOrder: 'asc' }).jobs.map((j) => j.id)).toEqual(['b', 'c']);
    expect(s.list({ workflowId: 'wf' }).jobs.map((j) => j.id)).toEqual(['c']);
    expect(s.list({ limit: 1, offset: 1, sortOrder: 'desc' })).toMatchObject({ total: 3, jobs: [{ id: 'b' }] });
  });
});
