import { expect } from 'vitest';
import { EidError } from '../../main/errors';

/**
 * The EidError a promise rejects with. Fails the test when it resolves, or rejects with anything
 * else: a test that expects a stable error code must not pass on a crash or on success.
 */
export async function eidRejection(p: Promise<unknown>): Promise<EidError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(EidError);
    return err as EidError;
  }
  throw new Error('expected a rejection');
}
