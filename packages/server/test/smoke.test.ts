import { describe, expect, it } from 'vitest';
import { coreVersion } from '@piagraph/server';
describe('smoke', () => { it('resolves workspace sources', () => { expect(coreVersion).toBe('0.1.0'); }); });
