/**
 * The CSR channels through `dispatch`, as the app and the preview call them: keystore:create-
 * request, keystore:requests, keystore:delete-request, keystore:pair (certs-only PKCS#12, PEM,
 * DER, PKCS#7; into the keystore and optionally the OS store, all or nothing) and p12:inspect's
 * `pairable`. A real keystore in a temp dir, the in-memory OS store with failure injection.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { MAX_CERTIFICATE_FILE_BYTES } from '../../main/keystore/certificate-file';
import { parseCertificate } from '../../main/pki/certificate';
import { parseCsr, verifyCsr } from '../../main/pki/csr';
import { CERTIFICATE_FILE_MAX_BYTES } from '../../preload/channels/files';
import { filesDispatch, filesWorld, type FilesWorld } from '../helpers/files-dispatch';
import { encodeP12, type FakeOsStore } from '../helpers/files-fakes';
import { makeCa, makeEid, toPem, type TestCa } from '../helpers/keystore-certs';
import { encodeCertsOnly } from '../helpers/keystore-p12';
import { issueFor, pkcs7CertsOnly, pkcs7Pem } from '../helpers/keystore-pairing';

const PIN = 'Ärlig-4711';
const PASSWORD = 'Åsa-Öberg-ä1';
const SUBJECT = 'CN=1234567-8,O=Åkerö Ärende AB,C=FI';
const b64 = (b: Buffer) => b.toString('base64');
const DAY = 24 * 3600 * 1000;

let tmp: FilesWorld['tmp'];
let store: FakeOsStore;
let services: FilesWorld['services'];
let ca: TestCa;

const { ok, fails } = filesDispatch(() => services, [PIN, PASSWORD, 'Fel-PIN-0000']);

async function request(subject = SUBJECT, label?: string) {
  const r = await ok('keystore:create-request', { alg: 'ec-p256', subject, pin: PIN, ...(label ? { label } : {}) });
  return { ...r, csr: Buffer.from(r.csrPem) };
}

const pairReq = (source: Record<string, unknown>, over: Record<string, unknown> = {}) => ({ source, pin: PIN, targets: { keystore: true, osStore: false }, ...over });
const certSource = (data: Buffer, fileName = 'cert.pem') => ({ kind: 'certificate', fileName, data: b64(data) });

beforeEach(() => {
  ({ tmp, store, services } = filesWorld('eiddesk-pair-'));
  ca = makeCa('Testutfärdare Å');
});
afterEach(() => tmp.cleanup());

describe('keystore:create-request / requests / delete-request', () => {
  it('creates a request: a verifiable CSR with the subject intact, listed with its PIN state; the key never appears', async () => {
    const r = await ok('keystore:create-request', { alg: 'rsa2048', subject: SUBJECT, label: 'Tulorekisteri', pin: PIN });
    expect(r).toMatchObject({ subjectDn: 'CN=1234567-8, O=Åkerö Ärende AB, C=FI', algorithm: 'rsa2048', label: 'Tulorekisteri' });
    expect(r.id).toMatch(/^[0-9a-f]{16}$/);
    expect(r.spkiFingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const csr = parseCsr(r.csrPem);
    expect(verifyCsr(csr)).toBe(true);
    expect(csr.subject.O).toBe('Åkerö Ärende AB');
    expect(csr.publicKey.bits).toBe(2048);
    const list = await ok('keystore:requests', {});
    expect(list.damaged).toEqual([]);
    expect(list.requests).toEqual([
      expect.objectContaining({ id: r.id, label: 'Tulorekisteri', subjectDn: r.subjectDn, algorithm: 'rsa2048', keyAlgorithm: 'rsa-2048', spkiFingerprint: r.spkiFingerprint, csrPem: r.csrPem, protectedByOs: false, pin: { attempts: 0, retryAfterSeconds: 0 } }),
    ]);
    expect(JSON.stringify(list)).not.toMatch(/pkcs8|PRIVATE/);
    expect((await ok('keystore:list', {})).entries).toEqual([]);
  });

  it('refuses weak PINs, bad subjects and unknown algorithms with their codes', async () => {
    expect(await fails('keystore:create-request', { alg: 'ec-p256', subject: SUBJECT, pin: '111111' })).toMatchObject({ code: 'pin-invalid', details: { rule: 'not-repeated' } });
    const noCn = await fails('keystore:create-request', { alg: 'ec-p256', subject: 'O=Yritys Oy,C=FI', pin: PIN });
    expect(noCn).toMatchObject({ code: 'validation', details: { attribute: 'CN' } });
    expect((await fails('keystore:create-request', { alg: 'ec-p256', subject: 'CN=x,C=Finland', pin: PIN })).code).toBe('validation');
    expect((await fails('keystore:create-request', { alg: 'rsa1024', subject: SUBJECT, pin: PIN })).code).toBe('validation');
    expect((await fails('keystore:create-request', { alg: 'ec-p256', subject: 'x'.repeat(2000), pin: PIN })).code).toBe('validation');
    expect((await ok('keystore:requests', {})).requests).toEqual([]);
  });

  it('deletes a request; unknown and malformed ids are refused', async () => {
    const r = await request();
    expect(await ok('keystore:delete-request', { id: r.id })).toEqual({ deleted: r.id });
    expect((await ok('keystore:requests', {})).requests).toEqual([]);
    expect((await fails('keystore:delete-request', { id: r.id })).code).toBe('not-found');
    expect((await fails('keystore:delete-request', { id: '../x' })).code).toBe('validation');
  });
});

describe('p12:inspect pairable', () => {
  it('a certificates-only file for a request here says which request can take it', async () => {
    const r = await request(SUBJECT, 'API-nyckel');
    const leaf = issueFor(r, ca);
    const file = encodeCertsOnly([leaf, ca.cert], PASSWORD);
    const rep = await ok('p12:inspect', { fileName: 'cert.p12', data: b64(file), password: PASSWORD });
    expect(rep).toMatchObject({ certificatesOnly: true, keys: 0, inKeystore: null });
    expect(rep.pairable).toEqual([{ kind: 'request', id: r.id, label: 'API-nyckel' }]);
    // A file for a key that is not here: nothing to pair with.
    const stranger = makeEid({ ca, cn: 'Någon Annan' });
    const other = await ok('p12:inspect', { fileName: 's.p12', data: b64(encodeCertsOnly(stranger.chain, PASSWORD)), password: PASSWORD });
    expect(other.pairable).toEqual([]);
    // An ordinary e-ID file: its fields are as before, pairable empty.
    const normal = await ok('p12:inspect', { fileName: 'n.p12', data: b64(encodeP12(stranger.key.pkcs8, stranger.chain, PASSWORD)), password: PASSWORD });
    expect(normal).toMatchObject({ certificatesOnly: false, keys: 1, pairable: [] });
  });

  it('after pairing, a renewal for the same key is offered for the e-ID', async () => {
    const r = await request();
    const first = await ok('keystore:pair', pairReq(certSource(Buffer.from(toPem(issueFor(r, ca, { notAfter: new Date(Date.now() + 30 * DAY) }))))));
    const renewal = encodeCertsOnly([issueFor(r, ca)], PASSWORD);
    const rep = await ok('p12:inspect', { fileName: 'ny.p12', data: b64(renewal), password: PASSWORD });
    expect(rep.pairable).toEqual([{ kind: 'entry', id: first.entryId, label: '1234567-8' }]);
    const second = await ok('keystore:pair', pairReq({ kind: 'p12', fileName: 'ny.p12', data: b64(renewal), password: PASSWORD }));
    expect(second).toMatchObject({ replacedRequest: false, requestId: null, renewalOf: first.entryId });
    expect((await ok('keystore:list', {})).entries).toHaveLength(2);
    // Two e-IDs now hold the key: the one the user chose is the one renewed, not main's first pick.
    const third = encodeCertsOnly([issueFor(r, ca, { notAfter: new Date(Date.now() + 400 * DAY) })], PASSWORD);
    const chosen = await ok('keystore:pair', pairReq({ kind: 'p12', fileName: 'tredje.p12', data: b64(third), password: PASSWORD }, { target: { kind: 'entry', id: second.entryId } }));
    expect(chosen.renewalOf).toBe(second.entryId);
    // A chosen key that does not hold the certificate's key is no match (nothing else is tried).
    const fourth = encodeCertsOnly([issueFor(r, ca, { notAfter: new Date(Date.now() + 500 * DAY) })], PASSWORD);
    const wrong = await fails('keystore:pair', pairReq({ kind: 'p12', fileName: 'fjarde.p12', data: b64(fourth), password: PASSWORD }, { target: { kind: 'request', id: r.id } }));
    expect(wrong.code).toBe('no-matching-key');
  });

  it('the answer names the key request that became the e-ID', async () => {
    const r = await request();
    const res = await ok('keystore:pair', pairReq(certSource(issueFor(r, ca)), { target: { kind: 'request', id: r.id } }));
    expect(res).toMatchObject({ replacedRequest: true, requestId: r.id, renewalOf: null });
  });
});

describe('keystore:pair', () => {
  it('pairs a certificates-only .p12: the request becomes an e-ID on file that opens with its PIN', async () => {
    const r = await request();
    const leaf = issueFor(r, ca);
    const res = await ok('keystore:pair', pairReq({ kind: 'p12', fileName: 'cert.p12', data: b64(encodeCertsOnly([leaf, ca.cert], PASSWORD)), password: PASSWORD }));
    const info = parseCertificate(leaf).info;
    expect(res).toMatchObject({ holder: '1234567-8', notAfter: info.notAfter, fingerprintSha256: info.fingerprintSha256, replacedRequest: true, renewalOf: null, osStore: null, older: [] });
    const list = await ok('keystore:list', {});
    expect(list.entries).toEqual([expect.objectContaining({ id: res.entryId, source: 'csr-pairing', holder: '1234567-8', organisation: 'Åkerö Ärende AB' })]);
    expect(list.entries[0].chain).toHaveLength(2);
    expect((await ok('keystore:requests', {})).requests).toEqual([]);
    expect((await services.keystore.unlock(res.entryId, PIN)).selfTest().ok).toBe(true);
    expect(store.calls).toEqual([]);
  });

  it('pairs PEM, DER and PKCS#7 (DER and PEM) certificate files', async () => {
    const files: Array<(leaf: Buffer) => [Buffer, string]> = [
      (leaf) => [Buffer.from(toPem(leaf) + toPem(ca.cert)), 'cert.pem'],
      (leaf) => [leaf, 'cert.cer'],
      (leaf) => [pkcs7CertsOnly([ca.cert, leaf]), 'cert.p7b'],
      (leaf) => [Buffer.from(pkcs7Pem(pkcs7CertsOnly([leaf, ca.cert]))), 'cert.p7c'],
    ];
    for (const make of files) {
      const r = await request(`CN=Nyckel ${Math.random()},C=SE`);
      const [data, name] = make(issueFor(r, ca));
      const res = await ok('keystore:pair', pairReq(certSource(data, name)));
      expect(res.replacedRequest, name).toBe(true);
      const entry = (await ok('keystore:list', {})).entries.find((e: { id: string }) => e.id === res.entryId);
      expect(entry.chain.length, name).toBe(name === 'cert.cer' ? 1 : 2);
    }
    expect((await ok('keystore:requests', {})).requests).toEqual([]);
    expect((await ok('keystore:list', {})).entries).toHaveLength(4);
  });

  it('with the OS store: installed after pairing, recorded on the entry', async () => {
    const r = await request();
    const leaf = issueFor(r, ca);
    const res = await ok('keystore:pair', pairReq(certSource(pkcs7CertsOnly([leaf, ca.cert]), 'c.p7b'), { targets: { keystore: true, osStore: true } }));
    expect(res.osStore).toEqual({ kind: 'nss', location: '/fake/nssdb', reference: '1234567-8' });
    expect(store.certs.map((c) => c.fingerprintSha256).sort()).toEqual([parseCertificate(leaf).info.fingerprintSha256, parseCertificate(ca.cert).info.fingerprintSha256].sort());
    const [entry] = (await ok('keystore:list', {})).entries;
    expect(entry.installs).toEqual([expect.objectContaining({ kind: 'nss', location: '/fake/nssdb' })]);
  });

  it('an OS store that fails (before or half way) leaves the request, no entry and the store as it was', async () => {
    const r = await request();
    const before = store.seed(makeEid({ ca, cn: 'Fanns Förut' }).leaf);
    for (const mode of ['before', 'after'] as const) {
      store.failInstall = mode;
      const e = await fails('keystore:pair', pairReq(certSource(Buffer.from(toPem(issueFor(r, ca)) + toPem(ca.cert))), { targets: { keystore: true, osStore: true } }));
      expect(e.code, mode).toBe('os-store-failed');
      expect(e.details?.rollback).toBeUndefined();
      expect(store.certs.map((c) => c.fingerprintSha256)).toEqual([before.fingerprintSha256]);
      expect((await ok('keystore:list', {})).entries).toEqual([]);
      expect((await ok('keystore:requests', {})).requests.map((x: { id: string }) => x.id)).toEqual([r.id]);
    }
    // And once the store works, the same request pairs.
    store.failInstall = null;
    const res = await ok('keystore:pair', pairReq(certSource(issueFor(r, ca)), { targets: { keystore: true, osStore: true } }));
    expect(res.replacedRequest).toBe(true);
  });

  it('says so when undoing the OS store did not fully succeed; the key stays in its request', async () => {
    const r = await request();
    const leaf = issueFor(r, ca);
    store.failInstall = 'after';
    store.failRemove.add(parseCertificate(leaf).info.fingerprintSha256);
    const e = await fails('keystore:pair', pairReq(certSource(leaf), { targets: { keystore: true, osStore: true } }));
    expect(e).toMatchObject({ code: 'os-store-failed', details: { rollback: 'incomplete' } });
    expect((await ok('keystore:requests', {})).requests).toHaveLength(1);
    expect((await ok('keystore:list', {})).entries).toEqual([]);
  });

  it('an unavailable OS store is refused before the PIN is tried', async () => {
    const r = await request();
    store.isAvailable = false;
    expect((await fails('keystore:pair', pairReq(certSource(issueFor(r, ca)), { pin: 'Fel-PIN-0000', targets: { keystore: true, osStore: true } }))).code).toBe('unavailable');
    expect((await ok('keystore:requests', {})).requests[0].pin.attempts).toBe(0);
  });

  it('no key here: no-matching-key; the same certificate twice: already-exists', async () => {
    const r = await request();
    const stranger = makeEid({ ca, cn: 'Någon Annan' });
    const e = await fails('keystore:pair', pairReq(certSource(Buffer.from(toPem(stranger.leaf)))));
    expect(e.code).toBe('no-matching-key');
    expect(e.message).toMatch(/computer/);
    const leaf = issueFor(r, ca);
    await ok('keystore:pair', pairReq(certSource(leaf)));
    expect((await fails('keystore:pair', pairReq(certSource(leaf)))).code).toBe('already-exists');
  });

  it('wrong PINs are counted on the request, then throttled', async () => {
    const r = await request();
    const src = certSource(issueFor(r, ca));
    for (let i = 1; i <= 3; i++) expect(await fails('keystore:pair', pairReq(src, { pin: 'Fel-PIN-0000' }))).toMatchObject({ code: 'pin-incorrect', details: { attempts: i } });
    const t = await fails('keystore:pair', pairReq(src));
    expect(t.code).toBe('throttled');
    expect(t.details?.retryAfterSeconds).toBeGreaterThan(0);
    expect((await ok('keystore:requests', {})).requests[0].pin).toMatchObject({ attempts: 3 });
    expect((await ok('keystore:list', {})).entries).toEqual([]);
  });

  it('refuses wrong passwords, files with a key, hostile certificate files, and bad requests', async () => {
    const r = await request();
    const leaf = issueFor(r, ca);
    const p12 = encodeCertsOnly([leaf], PASSWORD);
    expect((await fails('keystore:pair', pairReq({ kind: 'p12', fileName: 'c.p12', data: b64(p12), password: 'fel' }))).code).toBe('bad-password');
    const eid = makeEid({ ca });
    const withKey = await fails('keystore:pair', pairReq({ kind: 'p12', fileName: 'e.p12', data: b64(encodeP12(eid.key.pkcs8, eid.chain, PASSWORD)), password: PASSWORD }));
    expect(withKey).toMatchObject({ code: 'validation', details: { reason: 'has-private-key' } });
    const asCert = await fails('keystore:pair', pairReq(certSource(p12, 'c.p12')));
    expect(asCert).toMatchObject({ code: 'malformed', details: { kind: 'pkcs12' } });
    for (const bad of [randomBytes(2000), Buffer.alloc(0), leaf.subarray(0, 100), Buffer.from(toPem(randomBytes(64))), Buffer.from('hej')]) {
      expect((await fails('keystore:pair', pairReq(certSource(bad)))).code).toBe('malformed');
    }
    expect((await fails('keystore:pair', pairReq(certSource(pkcs7CertsOnly([]))))).code).toBe('no-certificate');
    expect((await fails('keystore:pair', pairReq(certSource(leaf), { targets: { keystore: false, osStore: true } }))).code).toBe('validation');
    expect((await fails('keystore:pair', { source: { kind: 'usb', data: '' }, pin: PIN, targets: { keystore: true, osStore: false } })).code).toBe('validation');
    expect((await fails('keystore:pair', pairReq({ kind: 'certificate', fileName: 'x', data: b64(leaf), password: PASSWORD }))).code).toBe('validation');
    expect((await fails('keystore:pair', pairReq(certSource(Buffer.alloc(CERTIFICATE_FILE_MAX_BYTES + 3000))))).code).toBe('validation');
    // Nothing above touched the request.
    expect((await ok('keystore:requests', {})).requests).toEqual([expect.objectContaining({ id: r.id, pin: { attempts: 0, retryAfterSeconds: 0 } })]);
    expect(CERTIFICATE_FILE_MAX_BYTES).toBe(MAX_CERTIFICATE_FILE_BYTES);
  });
});
