/**
 * Orphan keys: key pairs that never got their certificate (an enrolment that failed after the key
 * was made, a card pulled mid-download). They use card memory and confuse middleware that pairs
 * keys and certificates by CKA_ID. We list them with enough to recognise them, and delete them
 * only when asked, one id at a time, after checking again in the same session that each is still
 * an orphan.
 */
import { EidError } from '../errors';
import { listKeys, spkiOf, spkiSha256, type KeyObjectInfo } from './keys';
import { loginUser, normaliseId, onToken, type OperationOptions, type TokenRef, type TokenSession } from './session';
import { readCertificates } from './tokens';

/** One orphan, grouped by CKA_ID. */
export interface OrphanKey {
  /** CKA_ID in hex; '' for keys without an id (they can never be paired with a certificate). */
  id: string;
  label: string;
  keyType: 'rsa' | 'ec' | 'other';
  bits: number | null;
  curve: string | null;
  hasPrivateKey: boolean;
  hasPublicKey: boolean;
  /** Number of key objects that deleting this orphan removes. */
  objectCount: number;
  /** CKA_LOCAL: generated on the card (as our key generation does). */
  generatedOnCard: boolean | null;
  /** SHA-256 of the public key, when the card shows it: compare with a CSR's. */
  publicKeySha256: string | null;
}

/** The list, and whether private keys could be seen (needs the PIN on most cards). */
export interface OrphanList {
  tokenKey: string;
  orphans: OrphanKey[];
  /** False when listed without the PIN: private keys were not visible, the list may be short. */
  privateKeysVisible: boolean;
}

/** Groups key objects without a certificate of the same CKA_ID (pure, unit-tested). */
export function findOrphans(keys: readonly KeyObjectInfo[], certificateIds: ReadonlySet<string>): OrphanKey[] {
  const groups = new Map<string, KeyObjectInfo[]>();
  for (const k of keys) {
    if (certificateIds.has(k.id) && k.id !== '') continue;
    groups.set(k.id, [...(groups.get(k.id) ?? []), k]);
  }
  return [...groups.entries()]
    .map(([id, objs]) => {
      const priv = objs.find((o) => o.cls === 'private');
      const withNumbers = objs.find((o) => o.publicNumbers);
      const main = priv ?? objs[0];
      return {
        id,
        label: objs.find((o) => o.label)?.label ?? '',
        keyType: main.keyType,
        bits: objs.find((o) => o.bits)?.bits ?? null,
        curve: objs.find((o) => o.curve)?.curve ?? null,
        hasPrivateKey: !!priv,
        hasPublicKey: objs.some((o) => o.cls === 'public'),
        objectCount: objs.length,
        generatedOnCard: main.local,
        publicKeySha256: withNumbers?.publicNumbers ? spkiSha256(spkiOf(withNumbers.publicNumbers)) : null,
      };
    })
    .sort((a, b) => a.id.localeCompare(b.id));
}

function scan(ts: TokenSession, withPrivate: boolean): { orphans: OrphanKey[]; keys: KeyObjectInfo[] } {
  const certIds = new Set(readCertificates(ts.ref.module, ts.session).map((c) => c.id));
  const keys = [...(withPrivate ? listKeys(ts, 'private') : []), ...listKeys(ts, 'public')];
  return { orphans: findOrphans(keys, certIds), keys };
}

/** Lists orphan keys. Without a PIN only public key objects are seen. */
export async function listOrphans(ref: TokenRef, req: { pin?: string }, opts: OperationOptions = {}): Promise<OrphanList> {
  return onToken(ref, { rw: false, what: 'listing orphan keys', onProgress: opts.onProgress }, async (ts) => {
    if (req.pin !== undefined) {
      await ts.progress('login');
      loginUser(ts, req.pin);
    }
    return { tokenKey: ref.key, orphans: scan(ts, req.pin !== undefined).orphans, privateKeysVisible: req.pin !== undefined };
  });
}

/** The outcome of a deletion. */
export interface DeleteOrphansResult {
  tokenKey: string;
  deleted: Array<{ id: string; objects: number }>;
  /** What is still orphaned afterwards (normally the ones not asked for). */
  remaining: OrphanKey[];
}

/**
 * Deletes the orphans with the given ids (private and public objects). Every id must be an orphan
 * right now, or nothing is deleted: a key that got its certificate in the meantime is an e-ID.
 */
export async function deleteOrphans(ref: TokenRef, req: { pin: string; ids: readonly string[] }, opts: OperationOptions = {}): Promise<DeleteOrphansResult> {
  const ids = [...new Set(req.ids.map((i) => (i === '' ? '' : normaliseId(i))))];
  if (!ids.length) throw new EidError('validation', 'Name the orphan keys to delete.');
  return onToken(ref, { rw: true, what: 'deleting orphan keys', onProgress: opts.onProgress }, async (ts) => {
    await ts.progress('login');
    loginUser(ts, req.pin);
    const { orphans, keys } = scan(ts, true);
    const missing = ids.filter((id) => !orphans.some((o) => o.id === id));
    if (missing.length) {
      throw new EidError('not-found', `No orphan key with id ${missing.join(', ')} on the card (it may have a certificate, or be gone). Nothing was deleted.`, { ids: missing.join(',') });
    }
    await ts.progress('deleting-keys');
    const deleted: DeleteOrphansResult['deleted'] = [];
    for (const id of ids) {
      const objs = keys.filter((k) => k.id === id);
      for (const k of objs) ts.api.C_DestroyObject(ts.session, k.handle);
      deleted.push({ id, objects: objs.length });
    }
    await ts.progress('done');
    return { tokenKey: ref.key, deleted, remaining: scan(ts, true).orphans };
  });
}
