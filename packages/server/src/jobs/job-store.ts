import type { Database, Statement } from 'better-sqlite3';
import type { JobOutcome, JobRecord, JobState, NewJob } from './job-types.js';

interface JobRow {
  seq: number;
  id: string;
  number: number;
  status: JobState;
  prompt: string;
  extra_data: string;
  outputs_to_execute: string;
  client_id: string | null;
  workflow_id: string | null;
  create_time: number;
  start_time: number | null;
  end_time: number | null;
  outputs: string | null;
  messages: string | null;
  meta: string | null;
  error: string | null;
  timings: string | null;
}

/** Filters of `list` (the `/api/jobs` query). */
export interface JobQuery {
  states?: readonly JobState[];
  workflowId?: string;
  sortBy?: 'create_time' | 'execution_time';
  sortOrder?: 'asc' | 'desc';
  limit?: number;
  offset?: number;
}

/**
 * A job as the worker holds it: the row number is the key its updates use. An id read back from the database is not
 * always the string it was written as (SQLite stores text as UTF-8, and a lone surrogate does not survive the trip),
 * so matching on it could miss the row; the integer cannot.
 */
export interface JobRef {
  seq: number;
  id: string;
}

/** Thrown when an operation names a job that does not exist or is not in the state the operation needs. */
export class JobStateError extends Error {
  override readonly name = 'JobStateError';
  constructor(readonly jobId: string, message: string) {
    super(message);
  }
}

const FINISHED = "status IN ('success', 'error', 'interrupted')";

/**
 * The queue and the history in one SQLite table. A job moves `pending → running → success|error|interrupted` by
 * single-row updates, so it is always in exactly one of `/queue` and `/history` (the clients rely on that), and a
 * crash can only leave rows that are `pending` (still queued) or `running` (recovered by `recoverInterrupted`).
 */
export class JobStore {
  private readonly stmts: {
    insert: Statement;
    nextSeq: Statement<[], { seq: number }>;
    exists: Statement<[string], { seq: number }>;
    get: Statement<[string], JobRow>;
    nextPending: Statement<[], { seq: number; id: string; create_time: number }>;
    getBySeq: Statement<[number], JobRow>;
    requeue: Statement<[number]>;
    byStatus: Statement<[string], JobRow>;
    markRunning: Statement;
    finish: Statement;
    countActive: Statement<[], { n: number }>;
    deletePending: Statement;
    clearPending: Statement;
    deleteFinished: Statement;
    clearFinished: Statement;
    countFinished: Statement<[], { n: number }>;
  };

  constructor(private readonly db: Database) {
    this.stmts = {
      insert: db.prepare(
        `INSERT INTO jobs (seq, id, number, status, prompt, extra_data, outputs_to_execute, client_id, workflow_id, create_time)
         VALUES (@seq, @id, @number, 'pending', @prompt, @extra_data, @outputs_to_execute, @client_id, @workflow_id, @create_time)`,
      ),
      // The seq AUTOINCREMENT would pick: above every seq ever used, deleted rows included.
      nextSeq: db.prepare(
        `SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'jobs'), 0), COALESCE((SELECT MAX(seq) FROM jobs), 0)) + 1 AS seq`,
      ),
      exists: db.prepare('SELECT seq FROM jobs WHERE id = ?'),
      get: db.prepare('SELECT * FROM jobs WHERE id = ?'),
      // Only what the worker needs to decide: a large prompt is decoded once, when the job starts.
      nextPending: db.prepare("SELECT seq, id, create_time FROM jobs WHERE status = 'pending' ORDER BY number, seq LIMIT 1"),
      getBySeq: db.prepare('SELECT * FROM jobs WHERE seq = ?'),
      requeue: db.prepare("UPDATE jobs SET status = 'pending', start_time = NULL WHERE seq = ? AND status = 'running'"),
      byStatus: db.prepare('SELECT * FROM jobs WHERE status = ? ORDER BY number, seq'),
      markRunning: db.prepare("UPDATE jobs SET status = 'running', start_time = ? WHERE seq = ? AND status = 'pending'"),
      finish: db.prepare(
        `UPDATE jobs SET status = @status, end_time = @end_time,
           finish_seq = (SELECT COALESCE(MAX(finish_seq), 0) + 1 FROM jobs),
           outputs = @outputs, messages = @messages, meta = @meta, error = @error, timings = @timings
         WHERE seq = @seq AND status = 'running'`,
      ),
      countActive: db.prepare("SELECT COUNT(*) AS n FROM jobs WHERE status IN ('pending', 'running')"),
      deletePending: db.prepare("DELETE FROM jobs WHERE id = ? AND status = 'pending'"),
      clearPending: db.prepare("DELETE FROM jobs WHERE status = 'pending'"),
      deleteFinished: db.prepare(`DELETE FROM jobs WHERE id = ? AND ${FINISHED}`),
      clearFinished: db.prepare(`DELETE FROM jobs WHERE ${FINISHED}`),
      countFinished: db.prepare(`SELECT COUNT(*) AS n FROM jobs WHERE ${FINISHED}`),
    };
  }

  /**
   * Queues a job; returns it with its priority number. A duplicate id throws `JobStateError`. The row is written once,
   * with its number (a second update would rewrite a large prompt), and the record is returned without reading it back.
   */
  insert(job: NewJob, now = Date.now()): JobRecord {
    const prompt = JSON.stringify(job.prompt);
    const extraData = JSON.stringify(job.extraData);
    return this.db.transaction(() => {
      if (this.stmts.exists.get(job.id)) throw new JobStateError(job.id, `A job with prompt_id "${job.id}" already exists`);
      const seq = this.stmts.nextSeq.get()!.seq;
      const number = job.number ?? (job.front ? -seq : seq);
      this.stmts.insert.run({
        seq,
        id: job.id,
        number,
        prompt,
        extra_data: extraData,
        outputs_to_execute: JSON.stringify(job.outputsToExecute),
        client_id: job.clientId,
        workflow_id: job.workflowId,
        create_time: now,
      });
      return {
        seq,
        id: job.id,
        number,
        status: 'pending' as const,
        prompt: job.prompt,
        extraData: job.extraData,
        outputsToExecute: [...job.outputsToExecute],
        clientId: job.clientId,
        workflowId: job.workflowId,
        createTime: now,
        startTime: null,
        endTime: null,
        outputs: null,
        messages: null,
        meta: null,
        error: null,
        timings: null,
      };
    })();
  }

  get(id: string): JobRecord | undefined {
    const row = this.stmts.get.get(id);
    return row ? decode(row) : undefined;
  }

  /** The job the worker should run next, by priority then insertion: its keys and queue time (`get` reads the rest). */
  nextPending(): (JobRef & { createTime: number }) | undefined {
    const row = this.stmts.nextPending.get();
    return row ? { seq: row.seq, id: row.id, createTime: row.create_time } : undefined;
  }

  /** A job by its row number, the key the worker uses (see `JobRef`). */
  getBySeq(seq: number): JobRecord | undefined {
    const row = this.stmts.getBySeq.get(seq);
    return row ? decode(row) : undefined;
  }

  /** The row number of a job given by id, or the one a `JobRef` carries. */
  private seqOf(job: string | JobRef): number | undefined {
    return typeof job === 'string' ? this.stmts.exists.get(job)?.seq : job.seq;
  }

  pending(): JobRecord[] {
    return this.stmts.byStatus.all('pending').map(decode);
  }

  running(): JobRecord[] {
    return this.stmts.byStatus.all('running').map(decode);
  }

  /** Pending plus running, ComfyUI's `queue_remaining`. */
  countActive(): number {
    return this.stmts.countActive.get()!.n;
  }

  /** Claims a pending job for the worker; false when it is no longer pending (deleted meanwhile). */
  markRunning(job: string | JobRef, now = Date.now()): boolean {
    const seq = this.seqOf(job);
    return seq !== undefined && this.stmts.markRunning.run(now, seq).changes === 1;
  }

  /** Moves a running job into the history in one update, so it is never absent from both. */
  finish(job: string | JobRef, outcome: JobOutcome, now = Date.now()): void {
    const id = typeof job === 'string' ? job : job.id;
    const seq = this.seqOf(job);
    const changes = seq === undefined ? 0 : this.stmts.finish.run({
      seq,
      status: outcome.status,
      end_time: now,
      outputs: JSON.stringify(outcome.outputs),
      messages: JSON.stringify(outcome.messages),
      meta: JSON.stringify(outcome.meta),
      error: outcome.error ? JSON.stringify(outcome.error) : null,
      timings: JSON.stringify(outcome.timings),
    }).changes;
    if (changes !== 1) throw new JobStateError(id, `Job "${id}" is not running, so it cannot be finished`);
  }

  /**
   * Deals with jobs left `running` by a process that died: they go back to the front of the queue when `requeue`,
   * otherwise into the history as errors whose message says what happened. Returns their ids.
   */
  recoverInterrupted(requeue: boolean, now = Date.now()): string[] {
    return this.db.transaction(() => {
      const stale = this.running();
      for (const job of stale) {
        if (requeue) {
          this.stmts.requeue.run(job.seq);
          continue;
        }
        const message =
          'The server stopped while this job was running (crash, kill or power loss); it was not finished. ' +
          'Queue it again, or start the server with --requeue-interrupted to re-run such jobs automatically.';
        this.finish(
          job,
          {
            status: 'error',
            outputs: {},
            messages: [
              ['execution_start', { prompt_id: job.id, timestamp: job.startTime ?? now }],
              ['execution_error', { prompt_id: job.id, exception_message: message, exception_type: 'ServerStopped' }],
            ],
            meta: {},
            error: { kind: 'server_stopped', prompt_id: job.id, message },
            timings: {},
          },
          now,
        );
      }
      return stale.map((j) => j.id);
    })();
  }

  /** Removes pending jobs by id; returns how many were removed. Running and finished ones are left alone. */
  deletePending(ids: readonly string[]): number {
    return this.db.transaction(() => ids.reduce((n, id) => n + this.stmts.deletePending.run(id).changes, 0))();
  }

  clearPending(): number {
    return this.stmts.clearPending.run().changes;
  }

  deleteHistory(ids: readonly string[]): number {
    return this.db.transaction(() => ids.reduce((n, id) => n + this.stmts.deleteFinished.run(id).changes, 0))();
  }

  clearHistory(): number {
    return this.stmts.clearFinished.run().changes;
  }

  /**
   * Finished jobs in completion order (ComfyUI's insertion-ordered history dict). With `maxItems` and no `offset`
   * the newest `maxItems` are returned, still oldest first, as ComfyUI does.
   */
  history(maxItems?: number, offset?: number): JobRecord[] {
    const total = this.stmts.countFinished.get()!.n;
    let start = offset ?? 0;
    if (offset === undefined && maxItems !== undefined) start = Math.max(0, total - maxItems);
    const limit = maxItems ?? -1;
    return (
      this.db
        .prepare(`SELECT * FROM jobs WHERE ${FINISHED} ORDER BY finish_seq LIMIT ? OFFSET ?`)
        .all(limit, Math.max(0, start)) as JobRow[]
    ).map(decode);
  }

  /** Drops the oldest finished jobs beyond `max` (ComfyUI keeps 10 000). Output files stay on disk. */
  pruneHistory(max: number): number {
    const excess = this.stmts.countFinished.get()!.n - max;
    if (excess <= 0) return 0;
    return this.db
      .prepare(`DELETE FROM jobs WHERE seq IN (SELECT seq FROM jobs WHERE ${FINISHED} ORDER BY finish_seq LIMIT ?)`)
      .run(excess).changes;
  }

  /**
   * Moves a pending job to `position` (0 = next to run) among the pending jobs. The set of priority numbers is kept
   * and re-dealt in the new order, so jobs queued later still queue behind all of them.
   */
  reorder(id: string, position: number): JobRecord[] {
    return this.db.transaction(() => {
      const pending = this.pending();
      const index = pending.findIndex((j) => j.id === id);
      if (index < 0) {
        const job = this.get(id);
        throw new JobStateError(
          id,
          job ? `Job "${id}" is ${job.status}, only pending jobs can be moved` : `No job with prompt_id "${id}"`,
        );
      }
      const numbers = pending.map((j) => j.number);
      const [moved] = pending.splice(index, 1);
      pending.splice(Math.max(0, Math.min(position, pending.length)), 0, moved!);
      const update = this.db.prepare('UPDATE jobs SET number = ? WHERE id = ?');
      pending.forEach((job, i) => update.run(numbers[i], job.id));
      return this.pending();
    })();
  }

  /** Jobs filtered and paged for `/api/jobs`; `total` counts every match. */
  list(query: JobQuery): { jobs: JobRecord[]; total: number } {
    const where: string[] = [];
    const args: unknown[] = [];
    if (query.states && query.states.length > 0) {
      where.push(`status IN (${query.states.map(() => '?').join(', ')})`);
      args.push(...query.states);
    }
    if (query.workflowId !== undefined) {
      where.push('workflow_id = ?');
      args.push(query.workflowId);
    }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const dir = query.sortOrder === 'asc' ? 'ASC' : 'DESC';
    const order =
      query.sortBy === 'execution_time'
        ? `ORDER BY (COALESCE(end_time, 0) - COALESCE(start_time, 0)) ${dir}, seq ${dir}`
        : `ORDER BY create_time ${dir}, seq ${dir}`;
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM jobs ${clause}`).get(...args) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT * FROM jobs ${clause} ${order} LIMIT ? OFFSET ?`)
      .all(...args, query.limit ?? -1, query.offset ?? 0) as JobRow[];
    return { jobs: rows.map(decode), total };
  }
}

function parse<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

function decode(row: JobRow): JobRecord {
  return {
    seq: row.seq,
    id: row.id,
    number: row.number,
    status: row.status,
    prompt: JSON.parse(row.prompt),
    extraData: JSON.parse(row.extra_data),
    outputsToExecute: JSON.parse(row.outputs_to_execute),
    clientId: row.client_id,
    workflowId: row.workflow_id,
    createTime: row.create_time,
    startTime: row.start_time,
    endTime: row.end_time,
    outputs: parse(row.outputs),
    messages: parse(row.messages),
    meta: parse(row.meta),
    error: parse(row.error),
    timings: parse(row.timings),
  };
}
