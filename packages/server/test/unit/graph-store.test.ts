import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrations.js';
import { GraphStore, RevisionRequiredError, StaleRevisionError } from '../../src/graphs/graph-store.js';

function store(): GraphStore {
  const db = new BetterSqlite3(':memory:');
  migrate(db);
  return new GraphStore(db);
}

const doc = (title: string) => ({ format: 'piagraph', version: 1, metadata: { title }, nodes: {}, links: {} });

describe('GraphStore', () => {
  it('creates a graph at revision 1', () => {
    expect(store().save('wave', doc('Wave'), undefined).revision).toBe(1);
  });

  it('saves over the current revision and counts up', () => {
    const s = store();
    s.save('wave', doc('v1'), undefined);
    expect(s.save('wave', doc('v2'), 1)).toMatchObject({ revision: 2, title: 'v2' });
  });

  it('refuses a save based on a stale revision and names the current one', () => {
    const s = store();
    s.save('wave', doc('v1'), undefined);
    s.save('wave', doc('v2'), 1);
    expect(() => s.save('wave', doc('v2b'), 1)).toThrow(StaleRevisionError);
    expect(() => s.save('wave', doc('v2b'), 1)).toThrow('is at revision 2, but this save was based on revision 1');
  });

  it('refuses to overwrite an existing graph without a base revision', () => {
    const s = store();
    s.save('wave', doc('v1'), undefined);
    expect(() => s.save('wave', doc('again'), undefined)).toThrow(RevisionRequiredError);
  });

  it('keeps past revisions readable', () => {
    const s = store();
    s.save('wave', doc('v1'), undefined);
    s.save('wave', doc('v2'), 1);
    expect(s.get('wave', 1)?.title).toBe('v1');
    expect(s.revisions('wave').map((r) => r.revision)).toEqual([1, 2]);
  });

  it('lists graphs by name without their documents', () => {
    const s = store();
    s.save('b', doc('B'), undefined);
    s.save('a', doc('A'), undefined);
    expect(s.list().map((g) => [g.name, g.title, 'document' in g])).toEqual([
      ['a', 'A', false],
      ['b', 'B', false],
    ]);
  });

  it('deletes a graph only at the expected revision', () => {
    const s = store();
    s.save('wave', doc('v1'), undefined);
    expect(() => s.delete('wave', 7)).toThrow(StaleRevisionError);
    expect(s.delete('wave', 1)).toBe(true);
    expect(s.get('wave')).toBeUndefined();
  });

  it('refuses a name with a slash', () => {
    expect(() => store().save('a/b', doc('x'), undefined)).toThrow('must not contain slashes');
  });

  it('refuses an empty name', () => {
    expect(() => store().save('  ', doc('x'), undefined)).toThrow('A graph name must not be empty');
  });
});
