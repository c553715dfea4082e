/**
 * The file e-ID channels through `dispatch`, as the app and the preview call them, for the handler
 * tests (handlers-files*, handlers-certificate-inspect): a fresh world per test (a real keystore in
 * a temp dir, the in-memory OS store) and `ok` / `fails` that unwrap dispatch's envelope.
 */
import { expect } from 'vitest';
import { dispatch } from '../../main/ipc/dispatch';
import type { Keystore } from '../../main/keystore/keystore';
import type { Services } from '../../main/services';
import { fakeOsStore, fileServices, type FakeOsStore } from './files-fakes';
import { tempDir } from './keystore-fixtures';

/** A refusal as dispatch sends it back. */
export interface DispatchError {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}
type Envelope<T> = { ok: true; value: T } | { ok: false; error: DispatchError };

/** What a handler test runs against. */
export interface FilesWorld {
  tmp: ReturnType<typeof tempDir>;
  store: FakeOsStore;
  services: Services & { keystore: Keystore };
}

/** A real keystore (fast KDF) in a new temp dir named `prefix…`, the fake OS store, and services over both. */
export function filesWorld(prefix: string): FilesWorld {
  const tmp = tempDir(prefix);
  const store = fakeOsStore();
  return { tmp, store, services: fileServices(tmp.dir, store) };
}

/**
 * `ok` (the value, or a throw naming the error) and `fails` (the error, or a throw if it
 * succeeded) for `dispatch` against `services()`, read at every call so a test can start a new
 * world halfway. `fails` also checks that no one of `secrets` comes back, whatever the error.
 */
export function filesDispatch(services: () => Services, secrets: readonly string[] = []) {
  const call = async <T>(channel: string, request: unknown) => (await dispatch(services(), channel, request)) as Envelope<T>;
  return {
    async ok<T = any>(channel: string, request: unknown): Promise<T> {
      const env = await call<T>(channel, request);
      if (!env.ok) throw new Error(`${channel} failed: ${env.error.code} ${env.error.message}`);
      return env.value;
    },
    async fails(channel: string, request: unknown): Promise<DispatchError> {
      const env = await call(channel, request);
      if (env.ok) throw new Error(`${channel} succeeded, expected an error`);
      for (const s of secrets) expect(JSON.stringify(env.error)).not.toContain(s);
      return env.error;
    },
  };
}
