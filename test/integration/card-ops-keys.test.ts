import { createPublicKey } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PINS } from '../../dev/demo-card';
import { issue, issueEndEntity, makeTestPki, toPem, type IssuedCert } from '../../dev/test-ca';
import { parseCertificate } from '../../main/pki/certificate';
import { parseCsr } from '../../main/pki/csr';
import { makeCardFixture, openssl, type CardFixture } from '../helpers/card-fixtures';
import { eidRejection } from '../helpers/rejection';

const PIN = '314159';
const SO = '27182818';
const DEMO = 'Åsa Öberg [DEMO]';

let fx: CardFixture;
let ca: IssuedCert;
let ecAuth: IssuedCert;
let rsaAuth: IssuedCert;

const holder = [
  ['C', 'SE'],
  ['O', 'Västra Götalandsregionen'],
  ['serialNumber', 'SE2321000156-10XY'],
  ['CN', 'Örjan Ågren'],
] as const;

beforeAll(() => {
  ({ ca } = makeTestPki());
  ecAuth = issueEndEntity(ca, { subject: holder, keyKind: 'ec', keyUsage: ['digitalSignature'], extKeyUsage: ['clientAuth'] });
  rsaAuth = issueEndEntity(ca, { subject: holder, keyUsage: ['digitalSignature'], extKeyUsage: ['clientAuth'] });
  fx = makeCardFixture([
    { label: 'EC card', userPin: PIN, soPin: SO, eids: [{ id: Buffer.from('0A', 'hex'), label: 'EC auth', certificate: ecAuth.der, privateKey: ecAuth.privateKey }] },
    { label: 'Enrol', userPin: PIN, soPin: SO, eids: [{ id: Buffer.from('01', 'hex'), label: 'Legitimering', certificate: rsaAuth.der, privateKey: rsaAuth.privateKey }] },
    { label: 'Orphans', userPin: PIN, soPin: SO },
  ]);
});
afterAll(() => fx?.close());

/** pkcs11-tool's view of the private key objects (PIN via the environment, never argv). */
function listObjects(label: string, type?: string): string {
  const r = fx.pkcs11Tool(['--token-label', label, '--login', '--pin', 'env:TEST_PIN', '--list-objects', ...(type ? ['--type', type] : [])], { TEST_PIN: PIN });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

/** The block pkcs11-tool prints for the object with this id. */
function objectBlock(listing: string, kind: 'Private Key' | 'Public Key' | 'Certificate', idHex: string): string | undefined {
  return listing
    .split(/\n(?=\S)/)
    .find((b) => b.startsWith(kind) && new RegExp(`ID:\\s+${idHex}\\b`, 'i').test(b));
}

describe('test signature', () => {
  it("signs with the demo card's signing e-ID and verifies with its certificate", async () => {
    const key = await fx.keyOf(DEMO);
    const snap = await fx.service.snapshot();
    const eid = snap.modules[0].tokens.find((t) => t.key === key)!.eids.find((e) => e.id === '02')!;
    const steps: string[] = [];
    const r = await fx.ops.testSign(key, { pin: DEMO_PINS.user, id: '02' }, { onProgress: (p) => void steps.push(p.step) });
    expect(r).toMatchObject({ verified: true, id: '02', label: 'Underskrift', algorithm: 'sha256WithRSAEncryption', mechanism: 'CKM_SHA256_RSA_PKCS', keyType: 'rsa', keyBits: 2048 });
    expect(r.certificateFingerprint).toBe(eid.certificate.fingerprintSha256);
    expect(r.durationMs).toBeGreaterThan(0);
    expect(r.durationMs).toBeGreaterThanOrEqual(r.signMs);
    expect(r.challenge).toMatch(/^[0-9a-f]{64}$/);
    expect(steps).toEqual(['login', 'signing', 'done']);
    expect(JSON.stringify(r)).not.toContain(DEMO_PINS.user);
  });

  it('without --id picks the valid signing e-ID', async () => {
    const r = await fx.ops.testSign(await fx.keyOf(DEMO), { pin: DEMO_PINS.user });
    expect(r.id).toBe('02');
    expect(r.verified).toBe(true);
  });

  it('EC keys: CKM_ECDSA over SHA-256, raw r||s converted to DER, verifies', async () => {
    const r = await fx.ops.testSign(await fx.keyOf('EC card'), { pin: PIN, id: '0a' });
    expect(r).toMatchObject({ verified: true, id: '0A', algorithm: 'ecdsaWithSHA256', mechanism: 'CKM_ECDSA', keyType: 'ec', keyBits: 256 });
  });

  it('a wrong PIN is pin-incorrect; an unknown id is not-found', async () => {
    const key = await fx.keyOf(DEMO);
    const err = await eidRejection(fx.ops.testSign(key, { pin: '000000', id: '02' }));
    expect(err.code).toBe('pin-incorrect');
    expect(err.details?.countLow).toBe(true);
    const nf = await eidRejection(fx.ops.testSign(key, { pin: DEMO_PINS.user, id: '7F' }));
    expect(nf.code).toBe('not-found');
    expect(nf.message).toMatch(/01 \(Legitimering\), 02 \(Underskrift\), 03/);
    // The good PIN still works and clears the low count.
    expect((await fx.ops.testSign(key, { pin: DEMO_PINS.user, id: '01' })).verified).toBe(true);
  });
});

describe('key generation and CSR on the card', () => {
  it('RSA 2048 with a given subject: openssl req -verify passes, UTF-8 names intact, key sensitive and never extractable', async () => {
    const key = await fx.keyOf('Enrol');
    const steps: string[] = [];
    const r = await fx.ops.generateKey(
      key,
      { pin: PIN, algorithm: 'rsa2048', subject: 'CN=Åsa Öberg,O=Västra Götalandsregionen,serialNumber=SE2321000156-10XX,C=SE', label: 'Underskrift 2026' },
      { onProgress: (p) => void steps.push(`${p.step}${p.critical ? '!' : ''}`) },
    );
    expect(steps).toEqual(['login', 'generating-key!', 'signing-request!', 'done']);
    expect(r.id).toMatch(/^[0-9A-F]{16}$/);
    expect(r.label).toBe('Underskrift 2026');
    expect(r.objects).toEqual({ privateKey: true, publicKey: true, certificate: false });
    expect(r.protection).toEqual({ sensitive: true, extractable: false, neverExtractable: true, local: true });
    expect(r.subjectDn).toBe('CN=Åsa Öberg, O=Västra Götalandsregionen, serialNumber=SE2321000156-10XX, C=SE');

    const file = join(fx.dir, 'rsa2048.csr');
    writeFileSync(file, r.csrPem);
    const verify = openssl(['req', '-verify', '-in', file, '-noout']);
    expect(verify.status, verify.stderr).toBe(0);
    expect(`${verify.stdout}${verify.stderr}`).toMatch(/verify OK/i);
    const text = openssl(['req', '-in', file, '-noout', '-text', '-nameopt', 'utf8,sep_comma_plus_space']);
    expect(text.stdout).toMatch(/Subject: C=SE, serialNumber=SE2321000156-10XX, O=Västra Götalandsregionen, CN=Åsa Öberg/);
    expect(text.stdout).toMatch(/Public-Key: \(2048 bit\)/);
    expect(text.stdout).toMatch(/Signature Algorithm: sha256WithRSAEncryption/);

    const listing = listObjects('Enrol');
    const priv = objectBlock(listing, 'Private Key', r.id);
    expect(priv, listing).toBeDefined();
    expect(priv).toMatch(/label:\s+Underskrift 2026/);
    expect(priv).toMatch(/Access:\s+.*\bsensitive\b.*never extractable/);
    expect(priv).toMatch(/Usage:.*\bsign\b/);
    expect(objectBlock(listing, 'Public Key', r.id)).toBeDefined();
  });

  it('EC P-256 with the subject of the card\'s current authentication e-ID', async () => {
    const key = await fx.keyOf('Enrol');
    const r = await fx.ops.generateKey(key, { pin: PIN, algorithm: 'ec-p256' });
    const csr = parseCsr(r.csrPem);
    expect(csr.subjectRaw.equals(parseCertificate(rsaAuth.der).subjectRaw)).toBe(true);
    expect(csr.publicKey).toEqual({ algorithm: 'ec', bits: 256, curve: 'P-256' });
    expect(csr.signatureAlgorithm).toBe('1.2.840.10045.4.3.2');
    const file = join(fx.dir, 'ec.csr');
    writeFileSync(file, r.csrPem);
    const verify = openssl(['req', '-verify', '-in', file, '-noout']);
    expect(verify.status, verify.stderr).toBe(0);
    expect(objectBlock(listObjects('Enrol'), 'Private Key', r.id)).toMatch(/never extractable/);
  });

  it('RSA 3072 with a chosen id; an id already in use is refused before any key is made', async () => {
    const key = await fx.keyOf('Enrol');
    const r = await fx.ops.generateKey(key, { pin: PIN, algorithm: 'rsa3072', id: 'c0:ff:ee', subject: '/C=SE/O=Test/CN=Tre tusen' });
    expect(r.id).toBe('C0FFEE');
    expect(parseCsr(r.csrPem).publicKey.bits).toBe(3072);
    expect(parseCsr(r.csrPem).subjectDn).toBe('CN=Tre tusen, O=Test, C=SE');
    const before = listObjects('Enrol');
    const dup = await eidRejection(fx.ops.generateKey(key, { pin: PIN, algorithm: 'ec-p256', id: '01', subject: 'CN=x' }));
    expect(dup.code).toBe('already-exists');
    expect(listObjects('Enrol')).toBe(before);
    const bad = await eidRejection(fx.ops.generateKey(key, { pin: PIN, algorithm: 'ec-p256', subject: 'XX=nope' }));
    expect(bad.code).toBe('validation');
  });

  it('a wrong PIN fails before any key is made', async () => {
    const key = await fx.keyOf('Orphans');
    const err = await eidRejection(fx.ops.generateKey(key, { pin: '999999', algorithm: 'ec-p256', subject: 'CN=x' }));
    expect(err.code).toBe('pin-incorrect');
    expect((await fx.ops.listOrphans(key, { pin: PIN })).orphans).toEqual([]);
  });
});

describe('writing an issued certificate, and orphan keys', () => {
  it('a generated key is an orphan until its certificate is written next to it', async () => {
    const key = await fx.keyOf('Orphans');
    const gen = await fx.ops.generateKey(key, { pin: PIN, algorithm: 'rsa2048', subject: 'CN=Åsa Öberg,O=Västra Götalandsregionen,C=SE', label: 'Åsa signing' });

    const list = await fx.ops.listOrphans(key, { pin: PIN });
    expect(list.privateKeysVisible).toBe(true);
    expect(list.orphans).toEqual([
      { id: gen.id, label: 'Åsa signing', keyType: 'rsa', bits: 2048, curve: null, hasPrivateKey: true, hasPublicKey: true, objectCount: 2, generatedOnCard: true, publicKeySha256: gen.publicKeySha256 },
    ]);
    // Without the PIN, SoftHSM2 still shows the public key object.
    const pub = await fx.ops.listOrphans(key);
    expect(pub.privateKeysVisible).toBe(false);
    expect(pub.orphans.map((o) => [o.id, o.hasPrivateKey, o.hasPublicKey])).toEqual([[gen.id, false, true]]);

    // The CA issues a certificate for the CSR's key.
    const csr = parseCsr(gen.csrPem);
    const cert = issue({ subject: [['C', 'SE'], ['O', 'Västra Götalandsregionen'], ['CN', 'Åsa Öberg']], publicKey: createPublicKey({ key: csr.spki, format: 'der', type: 'spki' }), issuer: ca, keyUsage: ['nonRepudiation'] });
    const steps: string[] = [];
    const w = await fx.ops.writeCertificate(key, { pin: PIN, certificate: toPem(cert.der) }, { onProgress: (p) => void steps.push(`${p.step}${p.critical ? '!' : ''}`) });
    expect(steps).toEqual(['login', 'writing-certificate!', 'done']);
    expect(w).toMatchObject({ id: gen.id, label: 'Åsa signing', validity: 'valid', replaced: 0, objects: { privateKey: true, publicKey: true, certificate: true } });

    // Read back: the card view shows a signing e-ID with that id and its key; no orphan is left.
    const snap = await fx.service.snapshot();
    const eid = snap.modules[0].tokens.find((t) => t.key === key)!.eids.find((e) => e.id === gen.id)!;
    expect(eid).toMatchObject({ label: 'Åsa signing', holder: 'Åsa Öberg', purposes: ['signing'], keyPresent: true });
    expect(eid.certificate.fingerprintSha256).toBe(w.fingerprintSha256);
    expect((await fx.ops.listOrphans(key, { pin: PIN })).orphans).toEqual([]);
    const certs = listObjects('Orphans', 'cert');
    expect(objectBlock(certs, 'Certificate', gen.id)).toMatch(/label:\s+Åsa signing/);
    // And the key really signs for this certificate.
    expect((await fx.ops.testSign(key, { pin: PIN, id: gen.id })).verified).toBe(true);

    // The same certificate again: already there.
    const again = await eidRejection(fx.ops.writeCertificate(key, { pin: PIN, certificate: cert.der }));
    expect(again.code).toBe('already-exists');
    // A renewal for the same key replaces only with replace: true.
    const renewed = issue({ subject: [['C', 'SE'], ['CN', 'Åsa Öberg']], publicKey: createPublicKey({ key: csr.spki, format: 'der', type: 'spki' }), issuer: ca, keyUsage: ['nonRepudiation'] });
    expect((await eidRejection(fx.ops.writeCertificate(key, { pin: PIN, certificate: renewed.der }))).code).toBe('already-exists');
    const rw = await fx.ops.writeCertificate(key, { pin: PIN, certificate: renewed.der, replace: true, label: 'Förnyad' });
    expect(rw).toMatchObject({ id: gen.id, label: 'Förnyad', replaced: 1 });
    const after = (await fx.service.snapshot()).modules[0].tokens.find((t) => t.key === key)!.eids.filter((e) => e.id === gen.id);
    expect(after.map((e) => e.certificate.fingerprintSha256)).toEqual([rw.fingerprintSha256]);
  });

  it('an EC certificate finds its key through the public key object', async () => {
    const key = await fx.keyOf('Orphans');
    const gen = await fx.ops.generateKey(key, { pin: PIN, algorithm: 'ec-p256', subject: 'CN=EC user' });
    const cert = issue({ subject: [['CN', 'EC user']], publicKey: createPublicKey({ key: parseCsr(gen.csrPem).spki, format: 'der', type: 'spki' }), issuer: ca, keyUsage: ['digitalSignature'] });
    const w = await fx.ops.writeCertificate(key, { pin: PIN, certificate: cert.der });
    expect(w.id).toBe(gen.id);
    expect((await fx.ops.testSign(key, { pin: PIN, id: gen.id })).verified).toBe(true);
  });

  it('refuses a certificate that matches no key on the card (key-mismatch), writing nothing', async () => {
    const key = await fx.keyOf('Orphans');
    const stranger = issueEndEntity(ca, { subject: [['CN', 'Someone else']] });
    const before = listObjects('Orphans');
    const err = await eidRejection(fx.ops.writeCertificate(key, { pin: PIN, certificate: stranger.der }));
    expect(err.code).toBe('key-mismatch');
    expect(err.message).toMatch(/does not belong to any key on the card "Orphans"/);
    expect(listObjects('Orphans')).toBe(before);
    const junk = await eidRejection(fx.ops.writeCertificate(key, { pin: PIN, certificate: Buffer.from('not a certificate') }));
    expect(junk.code).toBe('malformed');
  });

  it('deletes orphans only when asked, and never a key that has a certificate', async () => {
    const key = await fx.keyOf('Orphans');
    const a = await fx.ops.generateKey(key, { pin: PIN, algorithm: 'ec-p256', subject: 'CN=a' });
    const b = await fx.ops.generateKey(key, { pin: PIN, algorithm: 'ec-p256', subject: 'CN=b' });
    const ids = (await fx.ops.listOrphans(key, { pin: PIN })).orphans.map((o) => o.id);
    expect(ids.sort()).toEqual([a.id, b.id].sort());

    // An e-ID's key (it has a certificate) is not an orphan: refused, and nothing at all is deleted.
    const eidId = (await fx.service.snapshot()).modules[0].tokens.find((t) => t.key === key)!.eids[0].id;
    const refused = await eidRejection(fx.ops.deleteOrphans(key, { pin: PIN, ids: [a.id, eidId] }));
    expect(refused.code).toBe('not-found');
    expect((await fx.ops.listOrphans(key, { pin: PIN })).orphans).toHaveLength(2);

    const wrongPin = await eidRejection(fx.ops.deleteOrphans(key, { pin: '000000', ids: [a.id] }));
    expect(wrongPin.code).toBe('pin-incorrect');

    const steps: string[] = [];
    const d = await fx.ops.deleteOrphans(key, { pin: PIN, ids: [a.id.toLowerCase()] }, { onProgress: (p) => void steps.push(p.step) });
    expect(steps).toEqual(['login', 'deleting-keys', 'done']);
    expect(d.deleted).toEqual([{ id: a.id, objects: 2 }]);
    expect(d.remaining.map((o) => o.id)).toEqual([b.id]);
    const listing = listObjects('Orphans');
    expect(objectBlock(listing, 'Private Key', a.id)).toBeUndefined();
    expect(objectBlock(listing, 'Public Key', a.id)).toBeUndefined();
    expect(objectBlock(listing, 'Private Key', b.id)).toBeDefined();
    expect(objectBlock(listing, 'Certificate', eidId) ?? objectBlock(listObjects('Orphans', 'cert'), 'Certificate', eidId)).toBeDefined();
    await fx.ops.deleteOrphans(key, { pin: PIN, ids: [b.id] });
    expect((await fx.ops.listOrphans(key, { pin: PIN })).orphans).toEqual([]);
  });
});
