// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { reachedCriticalStep } from '../../renderer/pages/card/use-card-operation';

describe('reachedCriticalStep', () => {
  it("trusts main's own account of a pulled card over the events seen", () => {
    expect(reachedCriticalStep({ code: 'token-removed', details: { step: 'changing-pin', criticalReached: true } }, false)).toBe(true);
    expect(reachedCriticalStep({ code: 'token-removed', details: { step: 'logging-in', criticalReached: false } }, true)).toBe(false);
  });
  it('falls back to the progress events when the error does not say', () => {
    expect(reachedCriticalStep({ code: 'token-removed' }, true)).toBe(true);
    expect(reachedCriticalStep(new Error('x'), false)).toBe(false);
    expect(reachedCriticalStep(null, false)).toBe(false);
  });
});
