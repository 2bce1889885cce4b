import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ForbiddenError, UnauthorizedError } from '../../src/errors.js';
import { isLoopbackHost } from '../../src/security/loopback.js';
import { checkOrigin } from '../../src/security/origin-check.js';
import { checkToken, generateToken } from '../../src/security/token-auth.js';

function request(authorization?: string): IncomingMessage {
  return { headers: authorization ? { authorization } : {} } as IncomingMessage;
}

describe('isLoopbackHost', () => {
  it('accepts localhost, 127.x and ::1 in their usual spellings', () => {
    expect(['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]', '::ffff:127.0.0.1'].map(isLoopbackHost)).toEqual([
      true, true, true, true, true, true,
    ]);
  });

  it('rejects wildcard and public addresses', () => {
    expect(['0.0.0.0', '::', '192.168.1.5', 'example.com', '128.0.0.1'].map(isLoopbackHost)).toEqual([
      false, false, false, false, false,
    ]);
  });
});

describe('checkOrigin', () => {
  it('lets a same-origin browser request through', () => {
    expect(() => checkOrigin('127.0.0.1:8188', 'http://127.0.0.1:8188')).not.toThrow();
  });

  it('lets a request without an Origin through (curl, the npm clients)', () => {
    expect(() => checkOrigin('127.0.0.1:8188', undefined)).not.toThrow();
  });

  it('refuses a foreign page calling a loopback server', () => {
    expect(() => checkOrigin('localhost:8188', 'https://evil.example')).toThrow(ForbiddenError);
    expect(() => checkOrigin('localhost:8188', 'https://evil.example')).toThrow(
      'Cross-origin request refused: Origin "https://evil.example" does not match Host "localhost:8188"',
    );
  });

  it('refuses the same host on another port', () => {
    expect(() => checkOrigin('127.0.0.1:8188', 'http://127.0.0.1:3000')).toThrow(ForbiddenError);
  });

  it('compares by host name when the Origin carries no port', () => {
    expect(() => checkOrigin('localhost:8188', 'http://localhost')).not.toThrow();
  });

  it('refuses the opaque "null" origin on a loopback host', () => {
    expect(() => checkOrigin('localhost:8188', 'null')).toThrow('is not a URL');
  });

  it('does not apply to a non-loopback Host (a token guards those)', () => {
    expect(() => checkOrigin('studio.lan:8188', 'https://evil.example')).not.toThrow();
  });
});

describe('checkToken', () => {
  const token = 'secret-token';

  it('accepts every request when no token is configured', () => {
    expect(() => checkToken(request(), new URLSearchParams(), undefined)).not.toThrow();
  });

  it('accepts a Bearer header with the token', () => {
    expect(() => checkToken(request('Bearer secret-token'), new URLSearchParams(), token)).not.toThrow();
  });

  it('accepts the token as a query parameter', () => {
    expect(() => checkToken(request(), new URLSearchParams('token=secret-token'), token)).not.toThrow();
  });

  it('refuses a missing token with a message saying how to send one', () => {
    expect(() => checkToken(request(), new URLSearchParams(), token)).toThrow(UnauthorizedError);
    expect(() => checkToken(request(), new URLSearchParams(), token)).toThrow('send "Authorization: Bearer <token>"');
  });

  it('refuses a wrong token', () => {
    expect(() => checkToken(request('Bearer nope'), new URLSearchParams(), token)).toThrow(
      'The token is not valid for this server',
    );
  });

  it('generates distinct URL-safe tokens of 32 characters', () => {
    const a = generateToken();
    const b = generateToken();
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });
});
