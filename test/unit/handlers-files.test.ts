/**
 * The file e-ID channels through `dispatch`, as the app and the preview call them: a real
 * keystore in a temp dir, an in-memory OS store with failure injection, PKCS#12 files made in
 * process (Å, Ä, Ö in names and passwords).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../main/pkcs12';
import { parseCertificate } from '../../main/pki/certificate';
import { P12_MAX_BYTES } from '../../preload/channels/files';
import { filesDispatch, filesWorld, type FilesWorld } from '../helpers/files-dispatch';
import { encodeKeyOnly, encodeP12, type FakeOsStore } from '../helpers/files-fakes';
import { makeCa, makeCertificate, makeEid, makeKey, type TestEid } from '../helpers/keystore-certs';
import { encodeCertsOnly } from '../helpers/keystore-p12';

const PASSWORD = 'Åsa-Öberg-ä1';
const PIN = 'Ärlig-4711';
const b64 = (b: Buffer) => b.toString('base64');

let tmp: FilesWorld['tmp'];
let store: FakeOsStore;
let services: FilesWorld['services'];
let eid: TestEid;
let file: Buffer;

// No secret ever comes back, whatever the error.
const { ok, fails } = filesDispatch(() => services, [PASSWORD, PIN, 'wrong-Öberg', 'Nytt-PIN-77']);

const importReq = (over: Record<string, unknown> = {}) => ({
  fileName: 'åsa.p12',
  data: b64(file),
  password: PASSWORD,
  keystorePin: PIN,
  targets: { keystore: true, osStore: true },
  ...over,
});

beforeEach(() => {
  ({ tmp, store, services } = filesWorld('eiddesk-files-'));
  eid = makeEid({ cn: 'Åsa Öberg', org: 'Västra Götalandsregionen', serialNumber: 'SE2321000156-10XX', keyKind: 'ec' });
  file = encodeP12(eid.key.pkcs8, eid.chain, PASSWORD);
});
afterEach(() => tmp.cleanup());

describe('p12:inspect', () => {
  it('describes holder, organisation, identity, validity, chain, pairs and returns the leaf, with a non-ASCII password', async () => {
    const r = await ok('p12:inspect', { fileName: 'åsa.p12', data: b64(file), password: PASSWORD });
    expect(r.fileName).toBe('åsa.p12');
    expect(r.leaf.subject.CN).toBe('Åsa Öberg');
    expect(r.leaf.subject.O).toBe('Västra Götalandsregionen');
    expect(r.leaf.identity).toEqual({ kind: 'hsa-id', value: 'SE2321000156-10XX', organisationNumber: '232100-0156' });
    expect(r.leaf.validity).toBe('valid');
    expect(r.leaf.hasKey).toBe(true);
    expect(r.keys).toBe(1);
    expect(r.pairs).toEqual([{ keyIndex: 0, certificateIndex: r.leaf.index }]);
    expect(r.certificatesOnly).toBe(false);
    expect(r.keyOnly).toBe(false);
    expect(r.keyMismatch).toBe(false);
    // The test root is not a shipped anchor: the chain ends at a root we do not trust.
    expect(r.chain.status).toBe('untrusted-root');
    expect(r.chain.links.map((l: { subjectDn: string }) => l.subjectDn)[0]).toContain('CN=Åsa Öberg');
    expect(Buffer.from(r.leafDer, 'base64').equals(eid.leaf)).toBe(true);
    expect(r.inKeystore).toBeNull();
    expect(JSON.stringify(r)).not.toContain(b64(eid.key.pkcs8).slice(0, 40));
    expect(r.keyDetails[0]).toMatchObject({ algorithm: 'ec', curve: 'prime256v1', certificateIndex: r.leaf.index });
  });

  it('a wrong password is bad-password; spaces around the right one are forgiven', async () => {
    const e = await fails('p12:inspect', { fileName: 'a.p12', data: b64(file), password: 'wrong-Öberg' });
    expect(e.code).toBe('bad-password');
    const r = await ok('p12:inspect', { fileName: 'a.p12', data: b64(file), password: `  ${PASSWORD} ` });
    expect(r.leaf.subject.CN).toBe('Åsa Öberg');
  });

  it('hostile or wrong files get their own codes', async () => {
    expect((await fails('p12:inspect', { fileName: 'r.p12', data: b64(randomBytes(3000)), password: 'x' })).code).toBe('malformed');
    expect((await fails('p12:inspect', { fileName: 'e.p12', data: '', password: 'x' })).code).toBe('malformed');
    const pem = Buffer.from(`-----BEGIN CERTIFICATE-----\n${b64(eid.leaf)}\n-----END CERTIFICATE-----\n`);
    expect((await fails('p12:inspect', { fileName: 'cert.p12', data: b64(pem), password: 'x' })).code).toBe('malformed');
  });

  it('flags a certificates-only file (ordered with a CSR) and a key-only file instead of failing', async () => {
    const certsOnly = await ok('p12:inspect', { fileName: 'csr.p12', data: b64(encodeCertsOnly(eid.chain, PASSWORD)), password: PASSWORD });
    expect(certsOnly).toMatchObject({ certificatesOnly: true, keyOnly: false, keys: 0 });
    expect(certsOnly.leaf.subject.CN).toBe('Åsa Öberg');
    const keyOnly = await ok('p12:inspect', { fileName: 'key.p12', data: b64(encodeKeyOnly(eid.key.pkcs8, PASSWORD)), password: PASSWORD });
    expect(keyOnly).toMatchObject({ certificatesOnly: false, keyOnly: true, keys: 1, leaf: null, leafDer: null, chain: null });
  });

  it('the size bound is the decoder limit: just over it is too-large, far over it never reaches main', async () => {
    expect(P12_MAX_BYTES).toBe(DEFAULT_LIMITS.maxBytes);
    const over = await fails('p12:inspect', { fileName: 'big.p12', data: b64(Buffer.alloc(DEFAULT_LIMITS.maxBytes + 1)), password: 'x' });
    expect(over.code).toBe('too-large');
    expect(over.details).toMatchObject({ limit: DEFAULT_LIMITS.maxBytes });
    const huge = await fails('p12:inspect', { fileName: 'huge.p12', data: b64(Buffer.alloc(DEFAULT_LIMITS.maxBytes + 4096)), password: 'x' });
    expect(huge.code).toBe('validation');
    expect((await fails('p12:inspect', { fileName: 'x.p12', data: 'not base64!', password: 'x' })).code).toBe('validation');
  });

  it('says when the e-ID is already in the keystore', async () => {
    await ok('p12:import', importReq({ targets: { keystore: true, osStore: false } }));
    const r = await ok('p12:inspect', { fileName: 'a.p12', data: b64(file), password: PASSWORD });
    expect(r.inKeystore).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('p12:import', () => {
  it('imports into the keystore and the OS store; the entry opens with its PIN and records the install', async () => {
    const r = await ok('p12:import', importReq({ label: 'Min fil-e-legitimation' }));
    expect(r.imported).toHaveLength(1);
    const [imp] = r.imported;
    expect(imp).toMatchObject({ holder: 'Åsa Öberg', identity: { kind: 'hsa-id', value: 'SE2321000156-10XX' }, osStore: { kind: 'nss', location: '/fake/nssdb', reference: 'Åsa Öberg' } });
    expect(imp.keystoreId).toMatch(/^[0-9a-f]{16}$/);
    expect(store.certs.map((c) => c.info.subject.CN)).toEqual(['Åsa Öberg', 'Test Root CA Ö']);
    const list = await ok('keystore:list', {});
    expect(list.dir).toBe(services.keystore.dir);
    expect(list.entries).toHaveLength(1);
    expect(list.entries[0]).toMatchObject({ id: imp.keystoreId, label: 'Min fil-e-legitimation', holder: 'Åsa Öberg', organisation: 'Västra Götalandsregionen', validity: 'valid', source: 'pkcs12-file', pin: { attempts: 0, retryAfterSeconds: 0 } });
    expect(list.entries[0].identity).toMatchObject({ kind: 'hsa-id', value: 'SE2321000156-10XX' });
    expect(list.entries[0].installs).toEqual([expect.objectContaining({ kind: 'nss', location: '/fake/nssdb', reference: 'Åsa Öberg' })]);
    expect(list.entries[0].chain).toHaveLength(2);
    const handle = await services.keystore.unlock(imp.keystoreId, PIN);
    expect(handle.selfTest().ok).toBe(true);
    await expect(services.keystore.unlock(imp.keystoreId, 'Fel-PIN-123')).rejects.toMatchObject({ code: 'pin-incorrect' });
  });

  it('can install into the OS store only, without a keystore PIN', async () => {
    const r = await ok('p12:import', importReq({ keystorePin: undefined, targets: { keystore: false, osStore: true } }));
    expect(r.imported[0]).toMatchObject({ keystoreId: null, osStore: { kind: 'nss' } });
    expect((await ok('keystore:list', {})).entries).toHaveLength(0);
    expect(store.certs.some((c) => c.fingerprintSha256 === r.imported[0].fingerprintSha256)).toBe(true);
  });

  it('an OS store that fails leaves the keystore and the store as they were', async () => {
    store.failInstall = 'before';
    const e = await fails('p12:import', importReq());
    expect(e.code).toBe('os-store-failed');
    expect((await ok('keystore:list', {})).entries).toEqual([]);
    expect(store.certs).toEqual([]);
  });

  it('an OS store that fails half way is cleaned up, but certificates that were there before stay', async () => {
    const before = store.seed(eid.ca.cert, false);
    const other = store.seed(makeEid({ cn: 'Bertil Ek', serialNumber: 'SE2321000156-20YY' }).leaf);
    store.failInstall = 'after';
    const e = await fails('p12:import', importReq());
    expect(e.code).toBe('os-store-failed');
    expect(e.details?.rollback).toBeUndefined();
    expect(store.certs.map((c) => c.fingerprintSha256).sort()).toEqual([before.fingerprintSha256, other.fingerprintSha256].sort());
    expect((await ok('keystore:list', {})).entries).toEqual([]);
  });

  it('says so when undoing did not fully succeed', async () => {
    store.failInstall = 'after';
    store.failRemove.add(parseCertificate(eid.leaf).info.fingerprintSha256);
    const e = await fails('p12:import', importReq());
    expect(e.code).toBe('os-store-failed');
    expect(e.details?.rollback).toBe('incomplete');
    expect(e.message).toMatch(/Undoing the import did not fully succeed/);
    // The keystore part was still undone.
    expect((await ok('keystore:list', {})).entries).toEqual([]);
  });

  it('refuses a weak PIN, an e-ID already stored and a file without a key before touching any store', async () => {
    const weak = await fails('p12:import', importReq({ keystorePin: '123456' }));
    expect(weak).toMatchObject({ code: 'pin-invalid', details: { rule: 'not-sequence' } });
    expect(store.calls).toEqual([]);
    await ok('p12:import', importReq({ targets: { keystore: true, osStore: false } }));
    store.calls.length = 0;
    const again = await fails('p12:import', importReq());
    expect(again.code).toBe('already-exists');
    expect(store.calls.filter((c) => c !== 'list')).toEqual([]);
    expect(store.certs).toEqual([]);
    const csr = await fails('p12:import', importReq({ data: b64(encodeCertsOnly(eid.chain, PASSWORD)) }));
    expect(csr.code).toBe('no-private-key');
    const keyOnly = await fails('p12:import', importReq({ data: b64(encodeKeyOnly(eid.key.pkcs8, PASSWORD)) }));
    expect(keyOnly.code).toBe('no-certificate');
    expect((await ok('keystore:list', {})).entries).toHaveLength(1);
  });

  it('a wrong file password changes nothing', async () => {
    expect((await fails('p12:import', importReq({ password: 'wrong-Öberg' }))).code).toBe('bad-password');
    expect((await ok('keystore:list', {})).entries).toEqual([]);
    expect(store.certs).toEqual([]);
  });

  it('an unavailable OS store is refused up front', async () => {
    store.isAvailable = false;
    expect((await fails('p12:import', importReq())).code).toBe('unavailable');
    expect((await ok('keystore:list', {})).entries).toEqual([]);
  });

  it('validates targets and the PIN requirement', async () => {
    expect((await fails('p12:import', importReq({ targets: { keystore: false, osStore: false } }))).code).toBe('validation');
    expect((await fails('p12:import', importReq({ keystorePin: undefined }))).code).toBe('validation');
    expect((await fails('p12:import', importReq({ removeOlder: ['nope'] }))).code).toBe('validation');
  });

  it('offers older certificates of the same identity with a preview and removes only those asked for', async () => {
    const day = 24 * 3600 * 1000;
    const oldKey = makeKey('ec');
    const oldLeaf = makeCertificate({
      subject: [['C', 'SE'], ['O', 'Västra Götalandsregionen'], ['serialNumber', 'SE2321000156-10XX'], ['CN', 'Åsa Öberg']],
      issuer: eid.ca.name,
      subjectSpki: oldKey.spki,
      issuerKey: eid.ca.key.privateKey,
      notBefore: new Date(Date.now() - 800 * day),
      notAfter: new Date(Date.now() - 70 * day),
    });
    const old = store.seed(oldLeaf);
    const stranger = store.seed(makeEid({ cn: 'Bertil Ek', serialNumber: 'SE2321000156-20YY' }).leaf);

    const info = await ok('os-store:info', {});
    expect(info).toEqual({ kind: 'nss', location: '/fake/nssdb', available: true });
    const inspect = await ok('p12:inspect', { fileName: 'a.p12', data: b64(file), password: PASSWORD });
    const offered = await ok('os-store:older', { certificate: inspect.leafDer });
    expect(offered.older).toHaveLength(1);
    expect(offered.older[0]).toMatchObject({
      reason: 'same-identity-number',
      fingerprintSha256: old.fingerprintSha256,
      holder: 'Åsa Öberg',
      identityNumber: 'SE2321000156-10XX',
      expired: true,
      removesPrivateKey: true,
      location: '/fake/nssdb',
    });
    expect(offered.older[0].summary).toMatch(/^Remove the certificate for Åsa Öberg/);

    const r = await ok('p12:import', importReq({ removeOlder: [old.fingerprintSha256.toLowerCase(), stranger.fingerprintSha256] }));
    expect(r.removed).toEqual([old.fingerprintSha256]);
    expect(r.removeFailed).toEqual([expect.objectContaining({ fingerprintSha256: stranger.fingerprintSha256, code: 'not-found' })]);
    expect(r.older).toEqual([]);
    expect(store.certs.some((c) => c.fingerprintSha256 === old.fingerprintSha256)).toBe(false);
    expect(store.certs.some((c) => c.fingerprintSha256 === stranger.fingerprintSha256)).toBe(true);
  });

  it('imports every pair of a file with two e-IDs, and undoes both when the second fails', async () => {
    const ca = makeCa('Gemensam rot Å');
    const a = makeEid({ cn: 'Åsa Öberg', ca });
    const b = makeEid({ cn: 'Örjan Ärlig', serialNumber: 'SE2321000156-30ZZ', ca });
    const { buildTwo } = await import('../helpers/files-two-pairs');
    file = buildTwo([a, b], PASSWORD);
    const r = await ok('p12:import', importReq());
    expect(r.imported.map((x: { holder: string }) => x.holder).sort()).toEqual(['Åsa Öberg', 'Örjan Ärlig']);
    expect((await ok('keystore:list', {})).entries).toHaveLength(2);

    // A fresh store and keystore: the second install fails, the first is undone too.
    tmp.cleanup();
    ({ tmp, store, services } = filesWorld('eiddesk-files-'));
    let installs = 0;
    const install = store.install.bind(store);
    store.install = async (m) => {
      if (++installs === 2) throw new Error('disk full');
      return install(m);
    };
    const e = await fails('p12:import', importReq());
    expect(e.code).toBe('internal');
    expect((await ok('keystore:list', {})).entries).toEqual([]);
    expect(store.certs).toEqual([]);
  });
});

describe('keystore:*', () => {
  async function imported(): Promise<string> {
    const r = await ok('p12:import', importReq());
    return r.imported[0].keystoreId;
  }

  it('pin-rules lists the rules by id with the limits', async () => {
    const r = await ok('keystore:pin-rules', {});
    expect(r.rules.map((x: { id: string }) => x.id)).toEqual(['min-length', 'max-length', 'not-repeated', 'not-sequence']);
    expect(r).toMatchObject({ minLength: 6, maxLength: 128 });
  });

  it('change-pin: the new PIN opens the e-ID, the old one no longer does', async () => {
    const id = await imported();
    expect(await ok('keystore:change-pin', { id, oldPin: PIN, newPin: 'Nytt-PIN-77' })).toEqual({ id });
    expect((await services.keystore.unlock(id, 'Nytt-PIN-77')).selfTest().ok).toBe(true);
    await expect(services.keystore.unlock(id, PIN)).rejects.toMatchObject({ code: 'pin-incorrect' });
  });

  it('change-pin: a weak new PIN names the rule; wrong old PINs are counted, then throttled with the wait', async () => {
    const id = await imported();
    expect(await fails('keystore:change-pin', { id, oldPin: PIN, newPin: '111111' })).toMatchObject({ code: 'pin-invalid', details: { rule: 'not-repeated' } });
    for (let i = 1; i <= 3; i++) {
      const e = await fails('keystore:change-pin', { id, oldPin: 'wrong-Öberg', newPin: 'Nytt-PIN-77' });
      expect(e).toMatchObject({ code: 'pin-incorrect', details: { attempts: i } });
    }
    const throttled = await fails('keystore:change-pin', { id, oldPin: PIN, newPin: 'Nytt-PIN-77' });
    expect(throttled.code).toBe('throttled');
    expect(throttled.details?.retryAfterSeconds).toBeGreaterThan(0);
    const list = await ok('keystore:list', {});
    expect(list.entries[0].pin.attempts).toBe(3);
    expect(list.entries[0].pin.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('delete removes the entry and says where it is still installed; unknown ids are not-found', async () => {
    const id = await imported();
    const r = await ok('keystore:delete', { id });
    expect(r.deleted).toBe(id);
    expect(r.stillInstalledIn).toEqual([expect.objectContaining({ kind: 'nss', location: '/fake/nssdb' })]);
    expect((await ok('keystore:list', {})).entries).toEqual([]);
    expect((await fails('keystore:delete', { id })).code).toBe('not-found');
    expect((await fails('keystore:delete', { id: '../../etc/passwd' })).code).toBe('validation');
  });
});

describe('keystore:delete of a damaged entry', () => {
  it('a file that can no longer be read is listed as damaged and can still be deleted', async () => {
    const r = await ok('p12:import', importReq());
    const id = r.imported[0].keystoreId;
    const path = join(tmp.dir, `${id}.eid`);
    const bytes = readFileSync(path);
    bytes[bytes.length - 5] ^= 0xff;
    writeFileSync(path, bytes);
    const list = await ok('keystore:list', {});
    expect(list.entries).toEqual([]);
    expect(list.damaged).toEqual([expect.objectContaining({ id, code: 'keystore-corrupt' })]);
    expect(await ok('keystore:delete', { id })).toEqual({ deleted: id, stillInstalledIn: [] });
    expect(existsSync(path)).toBe(false);
    expect((await ok('keystore:list', {})).damaged).toEqual([]);
  });
});

describe('os-store:*', () => {
  it('older by keystore id and by fingerprint; remove takes one certificate out', async () => {
    const r = await ok('p12:import', importReq());
    const { keystoreId, fingerprintSha256 } = r.imported[0];
    const day = 24 * 3600 * 1000;
    const oldKey = makeKey('ec');
    const old = store.seed(
      makeCertificate({
        subject: [['C', 'SE'], ['O', 'Västra Götalandsregionen'], ['serialNumber', 'SE2321000156-10XX'], ['CN', 'Åsa Öberg']],
        issuer: eid.ca.name,
        subjectSpki: oldKey.spki,
        issuerKey: eid.ca.key.privateKey,
        notBefore: new Date(Date.now() - 400 * day),
        notAfter: new Date(Date.now() + 10 * day),
      }),
    );
    const byId = await ok('os-store:older', { id: keystoreId });
    const byFp = await ok('os-store:older', { fingerprint: fingerprintSha256 });
    expect(byId.older.map((o: { fingerprintSha256: string }) => o.fingerprintSha256)).toEqual([old.fingerprintSha256]);
    expect(byFp.older).toEqual(byId.older);
    expect(byId.older[0].expired).toBe(false);
    expect((await fails('os-store:older', { fingerprint: '00:'.repeat(31) + '00' })).code).toBe('not-found');
    expect(await ok('os-store:remove', { fingerprint: old.fingerprintSha256 })).toEqual({ removed: old.fingerprintSha256 });
    expect((await ok('os-store:older', { id: keystoreId })).older).toEqual([]);
    expect((await fails('os-store:remove', { fingerprint: old.fingerprintSha256 })).code).toBe('not-found');
  });

  it('an unavailable store reports itself instead of failing the question', async () => {
    store.isAvailable = false;
    const r = await ok('os-store:older', { certificate: b64(eid.leaf) });
    expect(r).toMatchObject({ available: false, older: [] });
    expect((await fails('os-store:remove', { fingerprint: parseCertificate(eid.leaf).info.fingerprintSha256 })).code).toBe('unavailable');
  });
});
