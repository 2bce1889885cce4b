import { describe, expect, it } from 'vitest';
import { MethodNotAllowedError } from '../../src/errors.js';
import { Router, stripApiPrefix } from '../../src/http/router.js';

const handler = (name: string) => () => name;

function build(): Router {
  return new Router()
    .get('/history', handler('history'))
    .get('/history/{id}', handler('history-item'))
    .post('/history', handler('history-post'))
    .get('/graphs/{name}', handler('graph'))
    .post('/graphs/run', handler('graph-run'));
}

describe('Router', () => {
  it('matches an unprefixed path', () => {
    const m = build().match('GET', '/history');
    expect(m.kind === 'found' && (m.handler as () => string)()).toBe('history');
  });

  it('matches the same route under the /api prefix', () => {
    const m = build().match('GET', '/api/history');
    expect(m.kind === 'found' && (m.handler as () => string)()).toBe('history');
  });

  it('decodes a percent-encoded path parameter', () => {
    const m = build().match('GET', '/api/history/a%20b');
    expect(m.kind === 'found' && m.params).toEqual({ id: 'a b' });
  });

  it('prefers a literal segment over a parameter', () => {
    const m = build().match('POST', '/api/graphs/run');
    expect(m.kind === 'found' && (m.handler as () => string)()).toBe('graph-run');
  });

  it('answers a HEAD request with the GET route', () => {
    expect(build().match('HEAD', '/history').kind).toBe('found');
  });

  it('reports the allowed methods for a path known under another method', () => {
    const m = build().match('DELETE', '/history');
    expect(m).toEqual({ kind: 'wrong-method', allowed: ['GET', 'POST'] });
  });

  it('reports no match for an unknown path', () => {
    expect(build().match('GET', '/nothing/here').kind).toBe('none');
  });

  it('does not match a parameter that is not valid percent-encoding', () => {
    expect(build().match('GET', '/history/%E0%A4%A').kind).toBe('none');
  });

  it('throws a 405 naming the allowed methods', () => {
    expect(() => Router.methodNotAllowed('PUT', '/history', ['GET'])).toThrow(MethodNotAllowedError);
    expect(() => Router.methodNotAllowed('PUT', '/history', ['GET'])).toThrow('PUT is not allowed on /history; allowed: GET');
  });

  it('strips only a whole /api segment', () => {
    expect([stripApiPrefix('/api/queue'), stripApiPrefix('/api'), stripApiPrefix('/apiary')]).toEqual(['/queue', '/', '/apiary']);
  });
});
