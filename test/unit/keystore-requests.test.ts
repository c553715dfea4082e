/**
 * Key requests and pairing in the keystore: CSRs made here, the key kept encrypted like an
 * entry, certificates paired back (request and renewal), every refusal with its code, wrong
 * PINs throttled, crash recovery on open, and the request record format next to unchanged v1
 * entry files.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCipheriv, createHash, createHmac, createPublicKey, randomBytes, scryptSync, verify } from 'node:crypto';
import { copyFileSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { EidError } from '../../main/errors';
import { Keystore } from '../../main/keystore/keystore';
import { FORMAT_VERSION, MAGIC, REQUEST_MAGIC, REQUEST_FORMAT_VERSION, decodeEntryFile, decodeRequestFile } from '../../main/keystore/format';
import * as der from '../../main/pki/der';
import { describeCertificate } from '../../main/pki/certificate';
import { parseCsr, verifyCsr } from '../../main/pki/csr';
import { makeCa, makeEid, makeKey, type TestCa } from '../helpers/keystore-certs';
import { FAST_KDF, fakeProtector, manualClock, tempDir } from '../helpers/keystore-fixtures';
import { issueFor } from '../helpers/keystore-pairing';
import { eidRejection } from '../helpers/rejection';

const PIN = 'Vero-Nyckel-7';
const SUBJECT = 'CN=1234567-8,O=Åkerö Ärende AB,C=FI';
const DAY = 24 * 3600 * 1000;
const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function store(opts: Partial<ConstructorParameters<typeof Keystore>[0]> = {}) {
  const t = tempDir('eiddesk-req-');
  cleanups.push(t.cleanup);
  const clock = manualClock(Date.now());
  const ks = new Keystore({ dir: t.dir, clock: clock.now, kdf: FAST_KDF, ...opts });
  return { ks, dir: t.dir, clock };
}

/** The string tag of each attribute in a DER Name, by OID. */
function nameTags(name: Buffer): Record<string, number> {
  const out: Record<string, number> = {};
  for (const rdn of der.seq(der.decode(name), 'name')) {
    for (const atv of der.children(rdn)) {
      const [t, v] = der.seq(atv, 'atv');
      out[der.readOid(t, 'oid')] = v.tag;
    }
  }
  return out;
}

let ca: TestCa;
beforeAll(() => {
  ca = makeCa('Testutfärdare CA Ö');
});

describe('createRequest', () => {
  it('makes an RSA-2048 key and a CSR signed by it; the subject round-trips with Å, Ä, Ö as UTF8String', async () => {
    const { ks } = store();
    const r = await ks.createRequest({ alg: 'rsa2048', subject: SUBJECT }, PIN);
    expect(r.id).toMatch(/^[0-9a-f]{16}$/);
    expect(r.algorithm).toBe('rsa2048');
    expect(r.keyAlgorithm).toBe('rsa-2048');
    expect(r.label).toBe('1234567-8');
    expect(r.subjectDn).toBe('CN=1234567-8, O=Åkerö Ärende AB, C=FI');
    expect(r.csrPem).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE REQUEST-----\n$/);
    const csr = parseCsr(r.csr);
    expect(verifyCsr(csr)).toBe(true);
    expect(csr.subject).toEqual({ C: 'FI', O: 'Åkerö Ärende AB', CN: '1234567-8' });
    expect(csr.publicKey).toEqual({ algorithm: 'rsa', bits: 2048, curve: null });
    const tags = nameTags(csr.subjectRaw);
    expect(tags['2.5.4.10']).toBe(der.Tag.UTF8_STRING);
    expect(tags['2.5.4.6']).toBe(der.Tag.PRINTABLE_STRING);
    // DER order is C, O, CN, as in every certificate.
    expect(der.seq(der.decode(csr.subjectRaw), 'n').map((rdn) => der.readOid(der.seq(der.children(rdn)[0], 'a')[0], 'o'))).toEqual(['2.5.4.6', '2.5.4.10', '2.5.4.3']);
    // The id and fingerprint are the SPKI's.
    const spkiHash = createHash('sha256').update(csr.spki).digest();
    expect(r.id).toBe(spkiHash.toString('hex').slice(0, 16));
    expect(r.spkiFingerprint).toBe(spkiHash.toString('hex').toUpperCase().match(/../g)!.join(':'));
  });

  it('makes RSA-3072 and P-256 keys; the slash form of the subject works too; labels are kept', async () => {
    const { ks } = store();
    const rsa = await ks.createRequest({ alg: 'rsa3072', subject: '/C=SE/O=Skåne Läns Ärende AB/CN=Lönesystem API', label: 'Lön 2026' }, PIN);
    expect(parseCsr(rsa.csr).publicKey.bits).toBe(3072);
    expect(rsa.label).toBe('Lön 2026');
    expect(rsa.subjectDn).toBe('CN=Lönesystem API, O=Skåne Läns Ärende AB, C=SE');
    const ec = await ks.createRequest({ alg: 'ec-p256', subject: 'CN=Åsa Öberg,C=SE' }, PIN);
    const csr = parseCsr(ec.csr);
    expect(csr.publicKey).toMatchObject({ algorithm: 'ec', bits: 256, curve: 'P-256' });
    expect(csr.signatureAlgorithm).toBe('1.2.840.10045.4.3.2');
    expect(verify('sha256', csr.info, { key: createPublicKey({ key: csr.spki, format: 'der', type: 'spki' }), dsaEncoding: 'der' }, csr.signature)).toBe(true);
    expect(ec.keyAlgorithm).toBe('ec-P-256');
    const list = await ks.listRequests();
    expect(list.map((x) => x.id).sort()).toEqual([rsa.id, ec.id].sort());
    const got = list.find((x) => x.id === rsa.id)!;
    expect(got).toMatchObject({ label: 'Lön 2026', subjectDn: rsa.subjectDn, algorithm: 'rsa3072', spkiFingerprint: rsa.spkiFingerprint, createdAt: rsa.createdAt, protectedByOs: false });
    expect(got.csr.equals(rsa.csr)).toBe(true);
  });

  it('refuses bad subjects, algorithms and weak PINs before any key or file is made', async () => {
    const { ks, dir } = store();
    const cases: Array<[string, string, string]> = [
      ['O=Ingen CN AB,C=SE', 'validation', 'CN'],
      ['CN=Namn,C=SWE', 'validation', 'two letters'],
      [`CN=${'x'.repeat(65)},C=SE`, 'validation', 'at most 64'],
      ['CN=A,CN=B', 'validation', 'more than one CN'],
      ['', 'validation', 'empty'],
      ['CN=Namn,XX=1', 'validation', 'Unknown attribute'],
      ['CN=Namn,E=åsa@exempel.se', 'validation', 'ASCII'],
    ];
    for (const [subject, code, text] of cases) {
      const e = await eidRejection(ks.createRequest({ alg: 'rsa2048', subject }, PIN));
      expect(e.code, subject).toBe(code);
      expect(e.message).toContain(text);
    }
    expect((await eidRejection(ks.createRequest({ alg: 'dsa1024' as never, subject: SUBJECT }, PIN))).code).toBe('validation');
    expect(await eidRejection(ks.createRequest({ alg: 'rsa2048', subject: SUBJECT }, '123456'))).toMatchObject({ code: 'pin-invalid', details: { rule: 'not-sequence' } });
    expect(readdirSync(dir).filter((n) => n.endsWith('.req'))).toEqual([]);
  });

  it('stores the key encrypted: the file is a request record, the CSR public, no API gives the key', async () => {
    const { ks, dir } = store();
    const r = await ks.createRequest({ alg: 'ec-p256', subject: SUBJECT }, PIN);
    const bytes = readFileSync(path.join(dir, `${r.id}.req`));
    expect(bytes.subarray(0, 8).equals(REQUEST_MAGIC)).toBe(true);
    expect(bytes.readUInt16BE(8)).toBe(REQUEST_FORMAT_VERSION);
    const file = decodeRequestFile(bytes, r.id);
    expect(Object.keys(file.bound).sort()).toEqual(['algorithm', 'cipher', 'createdAt', 'csr', 'id', 'kdf', 'keyAlgorithm', 'kind', 'spki', 'spkiFingerprint', 'subjectDn']);
    expect(file.bound.kdf).toMatchObject({ name: 'scrypt', ...FAST_KDF });
    expect(JSON.stringify(r)).not.toMatch(/pkcs8|private/i);
    expect(Object.getOwnPropertyNames(Keystore.prototype).filter((n) => /export|key(?!store)/i.test(n))).toEqual([]);
    // The entry reader does not take a request file for an entry of another version.
    expect(() => decodeEntryFile(bytes)).toThrow(/not a keystore file/);
  });

  it('with an OS protector the request is wrapped twice; without it there, pairing says where to do it', async () => {
    const protector = fakeProtector();
    const { ks, dir } = store({ protector });
    const r = await ks.createRequest({ alg: 'ec-p256', subject: SUBJECT }, PIN);
    expect(r.protectedByOs).toBe(true);
    expect(protector.calls.protect).toBe(1);
    const cli = new Keystore({ dir, kdf: FAST_KDF });
    const e = await eidRejection(cli.pair([issueFor(r, ca)], PIN));
    expect(e.code).toBe('keystore-locked');
    expect(e.message).toContain('Pair the certificate in eID Desk');
    const paired = await ks.pair([issueFor(r, ca)], PIN);
    expect(paired.entry.protectedByOs).toBe(true);
    expect((await ks.unlock(paired.entryId, PIN)).selfTest().ok).toBe(true);
  });

  it('deletes a request and its wrong-PIN state; unknown ids are not-found', async () => {
    const { ks, dir } = store();
    const r = await ks.createRequest({ alg: 'ec-p256', subject: SUBJECT }, PIN);
    await eidRejection(ks.pair([issueFor(r, ca)], 'Fel-PIN-0000'));
    expect(readdirSync(dir)).toContain(`${r.id}.req.pin`);
    expect(await ks.resolveRequestId(r.id.slice(0, 5))).toBe(r.id);
    await ks.deleteRequest(r.id);
    expect(readdirSync(dir).filter((n) => !n.startsWith('.'))).toEqual([]);
    expect((await eidRejection(ks.deleteRequest(r.id))).code).toBe('not-found');
    expect((await eidRejection(ks.deleteRequest('../../etc/passwd'))).code).toBe('not-found');
    expect((await eidRejection(ks.getRequest(r.id))).code).toBe('not-found');
  });
});

describe('pair', () => {
  it('turns a request into an e-ID: chain leaf + CA, same PIN, label carried, request gone; the key signs', async () => {
    const { ks, dir } = store();
    const r = await ks.createRequest({ alg: 'rsa2048', subject: SUBJECT, label: 'Tulorekisteri' }, PIN);
    const leaf = issueFor(r, ca);
    const res = await ks.pair([ca.cert, leaf], PIN);
    expect(res).toMatchObject({ replacedRequest: true, requestId: r.id, renewalOf: null });
    expect(res.entryId).toBe(describeCertificate(leaf).fingerprintSha256.replace(/:/g, '').toLowerCase().slice(0, 16));
    expect(res.entry).toMatchObject({ source: 'csr-pairing', label: 'Tulorekisteri', holder: '1234567-8', organisation: 'Åkerö Ärende AB', keyAlgorithm: 'rsa-2048' });
    expect(res.entry.chain.map((c) => c.equals(leaf) || c.equals(ca.cert))).toEqual([true, true]);
    expect(res.entry.chain[0].equals(leaf)).toBe(true);
    expect(await ks.listRequests()).toEqual([]);
    expect(readdirSync(dir).filter((n) => n.includes('.req'))).toEqual([]);
    const h = await ks.unlock(res.entryId, PIN);
    const challenge = randomBytes(32);
    expect(verify('sha256', challenge, createPublicKey({ key: parseCsr(r.csr).spki, format: 'der', type: 'spki' }), h.sign(challenge))).toBe(true);
    h.lock();
    // A restart sees the same.
    const again = new Keystore({ dir, kdf: FAST_KDF });
    expect((await again.list()).map((e) => e.id)).toEqual([res.entryId]);
    expect(await again.listRequests()).toEqual([]);
  });

  it('a renewal for the key of an entry becomes a new entry and keeps the old one', async () => {
    const { ks } = store();
    const r = await ks.createRequest({ alg: 'ec-p256', subject: SUBJECT, label: 'API' }, PIN);
    const first = await ks.pair([issueFor(r, ca, { notBefore: new Date(Date.now() - 700 * DAY), notAfter: new Date(Date.now() + 20 * DAY) })], PIN);
    const renewal = issueFor(r, ca, { notAfter: new Date(Date.now() + 750 * DAY) });
    expect(await ks.pairable(renewal)).toEqual([{ kind: 'entry', id: first.entryId, label: 'API' }]);
    const second = await ks.pair([renewal, ca.cert], PIN);
    expect(second).toMatchObject({ replacedRequest: false, requestId: null, renewalOf: first.entryId });
    expect(second.entryId).not.toBe(first.entryId);
    expect(second.entry.label).toBe('API');
    expect((await ks.list()).map((e) => e.id).sort()).toEqual([first.entryId, second.entryId].sort());
    for (const id of [first.entryId, second.entryId]) expect((await ks.unlock(id, PIN)).selfTest().ok).toBe(true);
    // The same certificate again: nothing to pair.
    expect(await eidRejection(ks.pair([renewal], PIN))).toMatchObject({ code: 'already-exists', details: { id: second.entryId } });
    expect(await ks.pairable(renewal)).toEqual([{ kind: 'entry', id: first.entryId, label: 'API' }]);
  });

  it('an e-ID imported from a .p12 can be paired with a renewal for its key too', async () => {
    const { ks } = store();
    const eid = makeEid({ ca });
    const id = await ks.add({ pkcs8: eid.key.pkcs8, chain: eid.chain, source: 'pkcs12-file', label: 'Från fil' }, PIN);
    const renewal = issueFor({ csr: fakeCsrFor(eid.key.spki) }, ca);
    const res = await ks.pair([renewal], PIN);
    expect(res).toMatchObject({ renewalOf: id, replacedRequest: false, entry: { label: 'Från fil', source: 'csr-pairing' } });
  });

  it('no key for the certificate: no-matching-key, saying where the key is', async () => {
    const { ks } = store();
    await ks.createRequest({ alg: 'ec-p256', subject: SUBJECT }, PIN);
    const stranger = makeEid({ ca, cn: 'Någon Annan' });
    const e = await eidRejection(ks.pair(stranger.chain, PIN));
    expect(e.code).toBe('no-matching-key');
    expect(e.message).toContain('computer');
    expect(e.message).toContain('certificate request (CSR) was made');
    expect(e.details).toMatchObject({ fingerprintSha256: describeCertificate(stranger.leaf).fingerprintSha256 });
    expect(await ks.pairable(stranger.leaf)).toEqual([]);
    expect(await ks.listRequests()).toHaveLength(1);
  });

  it('refuses a CA certificate, an expired one and one not yet valid, keeping the request', async () => {
    const { ks } = store();
    const r = await ks.createRequest({ alg: 'ec-p256', subject: SUBJECT }, PIN);
    expect(await eidRejection(ks.pair([issueFor(r, ca, { ca: true })], PIN))).toMatchObject({ code: 'validation', details: { reason: 'ca-certificate' } });
    const expired = issueFor(r, ca, { notBefore: new Date(Date.now() - 800 * DAY), notAfter: new Date(Date.now() - DAY) });
    expect(await eidRejection(ks.pair([expired], PIN))).toMatchObject({ code: 'validation', details: { reason: 'expired' } });
    const future = issueFor(r, ca, { notBefore: new Date(Date.now() + 2 * DAY) });
    expect(await eidRejection(ks.pair([future], PIN))).toMatchObject({ code: 'validation', details: { reason: 'not-yet-valid' } });
    // A CA clock a minute ahead is not a reason to refuse.
    const skewed = issueFor(r, ca, { notBefore: new Date(Date.now() + 60_000) });
    expect((await ks.pair([skewed], PIN)).replacedRequest).toBe(true);
  });

  it('refuses several certificates for several keys in one go, and damaged certificates', async () => {
    const { ks } = store();
    const a = await ks.createRequest({ alg: 'ec-p256', subject: 'CN=A,C=SE' }, PIN);
    const b = await ks.createRequest({ alg: 'ec-p256', subject: 'CN=B,C=SE' }, PIN);
    expect(await eidRejection(ks.pair([issueFor(a, ca), issueFor(b, ca)], PIN))).toMatchObject({ code: 'validation', details: { reason: 'several-certificates' } });
    const broken = Buffer.from(issueFor(a, ca));
    broken[broken.length - 300] ^= 0xff;
    const e = await eidRejection(ks.pair([broken.subarray(0, 200)], PIN));
    expect(e.code).toBe('malformed');
    expect((await eidRejection(ks.pair([], PIN))).code).toBe('no-certificate');
    expect((await eidRejection(ks.pair(new Array(40).fill(ca.cert), PIN))).code).toBe('too-large');
    expect(await ks.listRequests()).toHaveLength(2);
  });

  it('wrong PINs are counted on the request and throttled; the right PIN works once the wait is over', async () => {
    const { ks, clock } = store();
    const r = await ks.createRequest({ alg: 'ec-p256', subject: SUBJECT }, PIN);
    const cert = issueFor(r, ca);
    for (let i = 1; i <= 3; i++) expect(await eidRejection(ks.pair([cert], `Fel-PIN-${i}xyz`))).toMatchObject({ code: 'pin-incorrect', details: { attempts: i } });
    expect(await ks.requestPinStatus(r.id)).toMatchObject({ attempts: 3, retryAfterSeconds: 30 });
    const t = await eidRejection(ks.pair([cert], PIN));
    expect(t).toMatchObject({ code: 'throttled', details: { retryAfterSeconds: 30 } });
    expect(await ks.list()).toEqual([]);
    clock.advance(31_000);
    const res = await ks.pair([cert], PIN);
    expect(res.replacedRequest).toBe(true);
    expect((await ks.pinStatus(res.entryId)).attempts).toBe(0);
  });

  it('a failing beforeCommit (the OS store) takes the new entry out and keeps the request; a retry works', async () => {
    const { ks, dir } = store();
    const r = await ks.createRequest({ alg: 'ec-p256', subject: SUBJECT }, PIN);
    const cert = issueFor(r, ca);
    let seen: string | null = null;
    const e = await eidRejection(
      ks.pair([cert], PIN, {
        beforeCommit: async (entry) => {
          seen = entry.id;
          expect((await ks.list()).map((x) => x.id)).toEqual([entry.id]);
          throw new EidError('os-store-failed', 'fake store failure');
        },
      }),
    );
    expect(e.code).toBe('os-store-failed');
    expect(seen).toMatch(/^[0-9a-f]{16}$/);
    expect(await ks.list()).toEqual([]);
    expect((await ks.listRequests()).map((x) => x.id)).toEqual([r.id]);
    expect(readdirSync(dir).filter((n) => n.endsWith('.eid'))).toEqual([]);
    const ok = await ks.pair([cert], PIN, { beforeCommit: async () => undefined });
    expect(ok.entryId).toBe(seen);
  });

  it('if the request vanished meanwhile (another process swept it), a failing beforeCommit keeps the entry: the key is never dropped', async () => {
    const { ks, dir } = store();
    const r = await ks.createRequest({ alg: 'ec-p256', subject: SUBJECT }, PIN);
    const e = await eidRejection(
      ks.pair([issueFor(r, ca)], PIN, {
        beforeCommit: async () => {
          await new Keystore({ dir, kdf: FAST_KDF }).list(); // its open sweeps the "already paired" request
          throw new EidError('os-store-failed', 'fake');
        },
      }),
    );
    expect(e.code).toBe('os-store-failed');
    const [entry] = await ks.list();
    expect((await ks.unlock(entry.id, PIN)).selfTest().ok).toBe(true);
    expect(await ks.listRequests()).toEqual([]);
  });

  it('crash recovery: a request whose key is already an entry is removed on open, nothing else is', async () => {
    const { ks, dir } = store();
    const r = await ks.createRequest({ alg: 'ec-p256', subject: SUBJECT }, PIN);
    const other = await ks.createRequest({ alg: 'ec-p256', subject: 'CN=Kvar,C=SE' }, PIN);
    const saved = path.join(dir, 'saved.bin');
    copyFileSync(path.join(dir, `${r.id}.req`), saved);
    const res = await ks.pair([issueFor(r, ca)], PIN);
    // As if killed between writing the entry and removing the request:
    copyFileSync(saved, path.join(dir, `${r.id}.req`));
    writeFileSync(path.join(dir, `${r.id}.req.pin`), JSON.stringify({ failures: 1, lastFailureAt: 1 }));
    writeFileSync(path.join(dir, 'ffffffffffffffff.req.pin'), '{}'); // orphan sidecar
    const reopened = new Keystore({ dir, kdf: FAST_KDF });
    expect((await reopened.listRequests()).map((x) => x.id)).toEqual([other.id]);
    expect(readdirSync(dir).sort()).toEqual([`${other.id}.req`, `${res.entryId}.eid`, 'saved.bin'].sort());
    expect((await reopened.unlock(res.entryId, PIN)).selfTest().ok).toBe(true);
  });

  it('damaged request files are listed apart and can be deleted; they never stop the store from opening', async () => {
    const { ks, dir } = store();
    const r = await ks.createRequest({ alg: 'ec-p256', subject: SUBJECT }, PIN);
    const file = path.join(dir, `${r.id}.req`);
    const b = readFileSync(file);
    b[40] ^= 0x01;
    writeFileSync(file, b);
    const again = new Keystore({ dir, kdf: FAST_KDF });
    expect(await again.listRequests()).toEqual([]);
    expect(await again.damagedRequests()).toEqual([expect.objectContaining({ id: r.id, code: 'keystore-corrupt' })]);
    expect(await again.list()).toEqual([]);
    await again.deleteRequest(r.id);
    expect(await again.damagedRequests()).toEqual([]);
  });
});

describe('request record format next to v1 entries', () => {
  it('rejects truncation, flipped bytes, unknown versions (named) and a renamed file', async () => {
    const { ks, dir } = store();
    const r = await ks.createRequest({ alg: 'ec-p256', subject: SUBJECT }, PIN);
    const bytes = readFileSync(path.join(dir, `${r.id}.req`));
    const code = (b: Buffer, id?: string) => {
      try {
        decodeRequestFile(b, id);
        return 'ok';
      } catch (e) {
        return (e as EidError).code;
      }
    };
    expect(code(bytes, r.id)).toBe('ok');
    for (let n = 0; n < bytes.length; n += 11) expect(code(bytes.subarray(0, n))).toBe('keystore-corrupt');
    for (let i = 0; i < bytes.length; i += 9) {
      const b = Buffer.from(bytes);
      b[i] ^= 0x20;
      expect(code(b)).toBe('keystore-corrupt');
    }
    const v9 = Buffer.from(bytes);
    v9.writeUInt16BE(9, 8);
    expect(() => decodeRequestFile(v9)).toThrow(/version 9/);
    expect(code(bytes, 'ffffffffffffffff')).toBe('keystore-corrupt');
  });

  it('an entry file laid out by hand as version 1 (the format before requests existed) still opens and signs', async () => {
    const { ks, dir } = store();
    const eid = makeEid({ ca, cn: 'Gammal Fil Å' });
    const info = describeCertificate(eid.leaf);
    const id = info.fingerprintSha256.replace(/:/g, '').toLowerCase().slice(0, 16);
    // An independent v1 writer: scrypt -> enc key + HMAC verifier; AES-256-GCM with the AAD = magic|version|len|bound.
    const salt = randomBytes(16);
    const out = scryptSync(Buffer.from(PIN), salt, 64, { N: FAST_KDF.N, r: FAST_KDF.r, p: FAST_KDF.p });
    const verifier = createHmac('sha256', out.subarray(32)).update('eiddesk keystore pin check v1').digest().subarray(0, 16);
    const bound = Buffer.from(
      JSON.stringify({
        id,
        fingerprintSha256: info.fingerprintSha256,
        chain: eid.chain.map((c) => c.toString('base64')),
        holder: 'Gammal Fil Å',
        organisation: null,
        identityNumber: null,
        identityKind: null,
        notBefore: info.notBefore,
        notAfter: info.notAfter,
        keyAlgorithm: 'ec-P-256',
        createdAt: '2025-06-01T00:00:00.000Z',
        source: 'pkcs12-file',
        kdf: { name: 'scrypt', salt: salt.toString('base64'), ...FAST_KDF },
        cipher: 'aes-256-gcm',
      }),
    );
    const u32 = (n: number) => {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(n);
      return b;
    };
    const v = Buffer.alloc(2);
    v.writeUInt16BE(1);
    const aad = Buffer.concat([MAGIC, v, u32(bound.length), bound]);
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', out.subarray(0, 32), iv);
    c.setAAD(aad);
    const ct = Buffer.concat([c.update(eid.key.pkcs8), c.final()]);
    const inner = Buffer.concat([verifier, iv, c.getAuthTag(), ct]);
    const meta = Buffer.from(JSON.stringify({ label: 'Gammal', installs: [] }));
    const body = Buffer.concat([aad, u32(meta.length), meta, Buffer.from([0]), u32(inner.length), inner]);
    writeFileSync(path.join(dir, `${id}.eid`), Buffer.concat([body, createHash('sha256').update(body).digest()]));

    expect(FORMAT_VERSION).toBe(1);
    const r = await ks.createRequest({ alg: 'ec-p256', subject: SUBJECT }, PIN);
    expect((await ks.list()).map((e) => [e.id, e.label])).toEqual([[id, 'Gammal']]);
    expect((await ks.unlock(id, PIN)).selfTest().ok).toBe(true);
    await ks.setLabel(id, 'Omdöpt');
    expect((await new Keystore({ dir, kdf: FAST_KDF }).unlock(id, PIN)).selfTest().ok).toBe(true);
    expect(readFileSync(path.join(dir, `${id}.eid`)).readUInt16BE(8)).toBe(1);
    // The request sits next to it, and pairing writes a v1 entry.
    const paired = await ks.pair([issueFor(r, ca)], PIN);
    expect(readFileSync(path.join(dir, `${paired.entryId}.eid`)).readUInt16BE(8)).toBe(1);
  });

  it('a certificate for a key that is nowhere here (another key type) is no-matching-key', async () => {
    const { ks } = store();
    await ks.createRequest({ alg: 'ec-p256', subject: SUBJECT }, PIN);
    const ed = makeKey('ed25519');
    expect((await eidRejection(ks.pair([issueFor({ csr: fakeCsrFor(ed.spki) }, ca)], PIN))).code).toBe('no-matching-key');
  });
});

/** A CSR-shaped blob carrying just a subject and an SPKI, enough for issueFor (the signature is not checked there). */
function fakeCsrFor(spki: Buffer): Buffer {
  const name = der.sequence(der.setOf(der.sequence(der.oid('2.5.4.3'), der.utf8String('Förnyad'))));
  const info = der.sequence(der.integer(0), name, spki, der.context(0, true));
  return der.sequence(info, der.sequence(der.oid('1.2.840.10045.4.3.2')), der.bitString(Buffer.from([0x30, 0x00])));
}
