/**
 * `certificate:inspect` through `dispatch`, as the app and the preview call it: a certificate file
 * delivered for a CSR (PEM, DER, PKCS#7 DER/PEM/bare base64) described in the shape of
 * `p12:inspect`'s report, by the same code (a certs-only .p12 of the same chain reads the same),
 * with the key here it belongs to (`pairable`), whether it is already an e-ID (`inKeystore`), and
 * hostile files refused with stable codes in bounded time, touching nothing. A real keystore in a
 * temp dir, the in-memory OS store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { MAX_CERTIFICATES, MAX_CERTIFICATE_FILE_BYTES } from '../../main/keystore/certificate-file';
import { parseCertificate } from '../../main/pki/certificate';
import { filesDispatch, filesWorld, type FilesWorld } from '../helpers/files-dispatch';
import { encodeP12, type FakeOsStore } from '../helpers/files-fakes';
import { makeCa, makeEid, toPem, type TestCa } from '../helpers/keystore-certs';
import { encodeCertsOnly } from '../helpers/keystore-p12';
import { issueFor, pkcs7CertsOnly, pkcs7Pem } from '../helpers/keystore-pairing';

const PIN = 'Ärlig-4711';
const PASSWORD = 'Åsa-Öberg-ä1';
const SUBJECT = 'CN=Märta Ödegård,serialNumber=5561234567,O=Vårdcentralen Åre AB,C=SE';
const b64 = (b: Buffer) => b.toString('base64');
const DAY = 24 * 3600 * 1000;

let tmp: FilesWorld['tmp'];
let store: FakeOsStore;
let services: FilesWorld['services'];
let ca: TestCa;

const { ok, fails } = filesDispatch(() => services);
const inspect = (data: Buffer, fileName = 'certifikat.pem') => ok('certificate:inspect', { fileName, data: b64(data) });
const inspectFails = (data: Buffer, fileName = 'certifikat.pem') => fails('certificate:inspect', { fileName, data: b64(data) });

async function request(subject = SUBJECT, label = 'Märta – beställning 7') {
  const r = await ok('keystore:create-request', { alg: 'ec-p256', subject, pin: PIN, label });
  return { ...r, csr: Buffer.from(r.csrPem) };
}

beforeEach(() => {
  ({ tmp, store, services } = filesWorld('eiddesk-cert-inspect-'));
  ca = makeCa('Testutfärdare Å');
});
afterEach(() => tmp.cleanup());

describe('certificate:inspect', () => {
  it('describes a PEM chain delivered for a key request: the leaf, its chain, the request it belongs to; nothing is stored', async () => {
    const r = await request();
    const leaf = issueFor(r, ca);
    const info = parseCertificate(leaf).info;
    // CA first, as some issuers send it: the leaf is still the end-entity certificate.
    const rep = await inspect(Buffer.from(toPem(ca.cert) + toPem(leaf)), 'Märta Ödegård.pem');
    expect(rep).toMatchObject({
      fileName: 'Märta Ödegård.pem',
      keys: 0,
      keyDetails: [],
      pairs: [],
      certificatesOnly: true,
      keyOnly: false,
      keyMismatch: false,
      protection: { macAlgorithm: null, macIterations: null, encryption: [] },
      inKeystore: null,
      pairable: [{ kind: 'request', id: r.id, label: 'Märta – beställning 7' }],
    });
    expect(rep.certificates).toHaveLength(2);
    expect(rep.certificates.map((c: { hasKey: boolean }) => c.hasKey)).toEqual([false, false]);
    expect(rep.leaf).toMatchObject({ index: 1, fingerprintSha256: info.fingerprintSha256, validity: 'valid', hasKey: false, subject: { CN: 'Märta Ödegård', O: 'Vårdcentralen Åre AB' } });
    expect(rep.leaf.identity).toEqual(info.identity);
    expect(rep.leafDer).toBe(b64(leaf));
    // The test root is in the file but not a trust anchor of the app.
    expect(rep.chain).toMatchObject({ status: 'untrusted-root', links: [{ fingerprintSha256: info.fingerprintSha256, source: 'file' }, { source: 'file' }] });
    expect(JSON.stringify(rep)).not.toMatch(/PRIVATE|pkcs8/);
    // Looking changed nothing: the request is there, untouched; no entry, no store call.
    expect((await ok('keystore:requests', {})).requests).toEqual([expect.objectContaining({ id: r.id, pin: { attempts: 0, retryAfterSeconds: 0 } })]);
    expect((await ok('keystore:list', {})).entries).toEqual([]);
    expect(store.calls).toEqual([]);
  });

  it('reads exactly as p12:inspect does for a certificates-only .p12 of the same chain (same description code)', async () => {
    const r = await request();
    const chain = [issueFor(r, ca), ca.cert];
    const fromFile = await inspect(pkcs7CertsOnly(chain), 'c.p7b');
    const fromP12 = await ok('p12:inspect', { fileName: 'c.p12', data: b64(encodeCertsOnly(chain, PASSWORD)), password: PASSWORD });
    // Only what a PKCS#12 has and a certificate file has not differs: its name and its protection.
    expect(fromP12.protection.macAlgorithm).not.toBeNull();
    const same = { fileName: 'x', protection: null };
    expect({ ...fromFile, ...same }).toEqual({ ...fromP12, ...same });
  });

  it('reads DER, PKCS#7 DER, PKCS#7 PEM and bare base64 (EST) the same', async () => {
    const r = await request();
    const leaf = issueFor(r, ca);
    const fp = parseCertificate(leaf).info.fingerprintSha256;
    const p7 = pkcs7CertsOnly([leaf, ca.cert]);
    for (const [data, name, count, status] of [
      [leaf, 'c.cer', 1, 'incomplete'],
      [p7, 'c.p7b', 2, 'untrusted-root'],
      [Buffer.from(pkcs7Pem(p7)), 'c.p7c', 2, 'untrusted-root'],
      [Buffer.from(b64(p7).replace(/(.{76})/g, '$1\r\n')), 'c.p7b', 2, 'untrusted-root'],
    ] as const) {
      const rep = await inspect(data, name);
      expect(rep.certificates, name).toHaveLength(count);
      expect(rep.leaf.fingerprintSha256, name).toBe(fp);
      expect(rep.chain.status, name).toBe(status);
      expect(rep.pairable, name).toEqual([{ kind: 'request', id: r.id, label: 'Märta – beställning 7' }]);
    }
  });

  it('a certificate for a key made elsewhere has nothing to pair with; an expired one says so', async () => {
    await request();
    const stranger = makeEid({ ca, cn: 'Någon Annan' });
    const rep = await inspect(Buffer.from(toPem(stranger.leaf) + toPem(ca.cert)));
    expect(rep).toMatchObject({ pairable: [], inKeystore: null, leaf: { subject: { CN: 'Någon Annan' } } });
    const old = makeEid({ ca, notBefore: new Date(Date.now() - 800 * DAY), notAfter: new Date(Date.now() - 30 * DAY) });
    expect((await inspect(old.leaf, 'old.cer')).leaf.validity).toBe('expired');
  });

  it('once paired, the same certificate is in the keystore; a renewal for the key names the e-ID', async () => {
    const r = await request();
    const leaf = issueFor(r, ca, { notAfter: new Date(Date.now() + 30 * DAY) });
    const paired = await ok('keystore:pair', { source: { kind: 'certificate', fileName: 'c.pem', data: b64(leaf) }, pin: PIN, targets: { keystore: true, osStore: false } });
    expect(await inspect(leaf, 'c.cer')).toMatchObject({ inKeystore: paired.entryId, pairable: [] });
    const renewal = await inspect(pkcs7CertsOnly([issueFor(r, ca), ca.cert]), 'ny.p7b');
    expect(renewal).toMatchObject({ inKeystore: null, pairable: [{ kind: 'entry', id: paired.entryId }] });
  });

  it('hostile files get stable codes, quickly, and touch nothing', async () => {
    const r = await request();
    const leaf = issueFor(r, ca);
    const started = Date.now();
    for (const bad of [
      randomBytes(2000),
      Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x01]),
      leaf.subarray(0, 100),
      Buffer.concat([leaf.subarray(0, 200), randomBytes(50)]),
      Buffer.from(toPem(randomBytes(64))),
      Buffer.from('-----BEGIN CERTIFICATE-----\n!!!not base64!!!\n-----END CERTIFICATE-----\n'),
      Buffer.from('hej'),
      Buffer.alloc(0),
      pkcs7CertsOnly([leaf], '1.2.840.113549.1.7.1'),
    ]) {
      const e = await inspectFails(bad);
      expect(e.code).toBe('malformed');
      expect(e.message).toMatch(/Download the certificate again|certificate file/);
    }
    // A PKCS#12 under a certificate's name is named as such.
    expect(await inspectFails(encodeCertsOnly([leaf], PASSWORD), 'c.cer')).toMatchObject({ code: 'malformed', details: { kind: 'pkcs12' } });
    expect(await inspectFails(encodeP12(makeEid({ ca }).key.pkcs8, [leaf], PASSWORD), 'c.crt')).toMatchObject({ code: 'malformed', details: { kind: 'pkcs12' } });
    // Nothing in it: no certificate. A PEM with only a key or a CSR holds none either.
    expect((await inspectFails(pkcs7CertsOnly([]), 'c.p7b')).code).toBe('no-certificate');
    expect((await inspectFails(Buffer.from(r.csrPem), 'c.pem')).code).toBe('no-certificate');
    // Too many certificates, or over the size limit by a byte (still within the bridge's bound).
    const many = Array.from({ length: MAX_CERTIFICATES + 1 }, () => toPem(ca.cert)).join('');
    expect(await inspectFails(Buffer.from(many))).toMatchObject({ code: 'too-large', details: { limit: MAX_CERTIFICATES } });
    expect(await inspectFails(pkcs7CertsOnly(Array.from({ length: MAX_CERTIFICATES + 1 }, () => ca.cert)), 'c.p7b')).toMatchObject({ code: 'too-large' });
    const over = Buffer.concat([Buffer.from(toPem(leaf)), Buffer.alloc(MAX_CERTIFICATE_FILE_BYTES + 1 - toPem(leaf).length, 0x0a)]);
    expect(await inspectFails(over)).toMatchObject({ code: 'too-large', details: { size: MAX_CERTIFICATE_FILE_BYTES + 1, limit: MAX_CERTIFICATE_FILE_BYTES } });
    expect(Date.now() - started).toBeLessThan(5000);
    // Refused by the contract before main reads a byte: far too large, not base64, wrong fields.
    expect((await fails('certificate:inspect', { fileName: 'big.pem', data: b64(Buffer.alloc(MAX_CERTIFICATE_FILE_BYTES + 3000)) })).code).toBe('validation');
    expect((await fails('certificate:inspect', { fileName: 'c.pem', data: 'åäö not base64' })).code).toBe('validation');
    expect((await fails('certificate:inspect', { fileName: 'c.pem', data: b64(leaf), password: PASSWORD })).code).toBe('validation');
    expect((await fails('certificate:inspect', { data: b64(leaf) })).code).toBe('validation');
    expect((await fails('certificate:inspect', { fileName: 'x'.repeat(300), data: b64(leaf) })).code).toBe('validation');
    // None of it touched the request or the stores.
    expect((await ok('keystore:requests', {})).requests).toEqual([expect.objectContaining({ id: r.id, pin: { attempts: 0, retryAfterSeconds: 0 } })]);
    expect((await ok('keystore:list', {})).entries).toEqual([]);
    expect(store.calls).toEqual([]);
  });
});
