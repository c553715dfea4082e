import { describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { describeCertificate, parseCertificate, validityState } from '../../main/pki/certificate';
import { classifyIdentity, luhnValid } from '../../main/pki/identity';
import { assuranceLevel } from '../../main/pki/assurance';
import { issue, issueEndEntity, makeKey, makeTestPki } from '../../dev/test-ca';

const { root, ca } = makeTestPki();

describe('certificate description', () => {
  const cert = issueEndEntity(ca, {
    subject: [['C', 'SE'], ['O', 'Västra Götalandsregionen'], ['GN', 'Åsa'], ['SN', 'Öberg'], ['serialNumber', 'SE2321000156-10XX'], ['CN', 'Åsa Öberg']],
    keyUsage: ['digitalSignature'],
    extKeyUsage: ['clientAuth', 'smartcardLogon'],
    policies: ['1.3.6.1.4.1.55555.1.3'],
    emails: ['asa.oberg@test.se'],
    upn: ['asa@test.se'],
  });
  const info = describeCertificate(cert.der);

  it('decodes UTF8String names to proper Unicode and builds an RFC 4514 DN', () => {
    expect(info.subject).toMatchObject({ CN: 'Åsa Öberg', O: 'Västra Götalandsregionen', GN: 'Åsa', SN: 'Öberg', serialNumber: 'SE2321000156-10XX', C: 'SE' });
    expect(info.subjectDn).toBe('CN=Åsa Öberg, serialNumber=SE2321000156-10XX, SN=Öberg, GN=Åsa, O=Västra Götalandsregionen, C=SE');
    expect(info.issuer.CN).toBe('eID Desk Test Person HSA-id 3 CA v1');
  });

  it('agrees with OpenSSL (through node:crypto) on serial, validity and fingerprint', () => {
    const x = new X509Certificate(cert.der);
    expect(info.serialNumber).toBe(x.serialNumber.replace(/^(00)+/, ''));
    expect(info.fingerprintSha256).toBe(x.fingerprint256);
    expect(new Date(info.notAfter).getTime()).toBe(new Date(x.validTo).getTime());
    expect(info.subject.CN).toBe(x.subject.split('\n').find((l) => l.startsWith('CN='))!.slice(3));
  });

  it('reads key usage, EKU, policies, SAN with UPN and e-mail, purpose, identity and level', () => {
    expect(info.keyUsage).toEqual(['digitalSignature']);
    expect(info.extendedKeyUsage).toEqual(['clientAuth', 'smartcardLogon']);
    expect(info.policies).toEqual(['1.3.6.1.4.1.55555.1.3']);
    expect(info.upn).toEqual(['asa@test.se']);
    expect(info.emails).toEqual(['asa.oberg@test.se']);
    expect(info.purposes).toEqual(['authentication']);
    expect(info.identity).toEqual({ kind: 'hsa-id', value: 'SE2321000156-10XX', organisationNumber: '232100-0156' });
    expect(info.assuranceLevel).toBe(3);
    expect(info.publicKey).toEqual({ algorithm: 'rsa', bits: 2048, curve: null });
    expect(info.extensions.find((e) => e.name === 'keyUsage')).toMatchObject({ critical: true, value: 'digitalSignature' });
  });

  it('tells signing from authentication by nonRepudiation, and knows CAs', () => {
    const sign = issueEndEntity(ca, { subject: [['CN', 'S']], keyUsage: ['nonRepudiation'] });
    expect(describeCertificate(sign.der).purposes).toEqual(['signing']);
    expect(describeCertificate(root.der)).toMatchObject({ isCA: true, purposes: ['ca'], selfIssued: true });
    // CA:true (as `openssl req -x509` sets it) but no keyCertSign: it cannot sign certificates, so
    // key usage decides, as for any e-ID.
    const k = makeKey();
    const selfMade = issue({ subject: [['CN', 'Åsa Öberg']], publicKey: k.publicKey, ca: true, keyUsage: ['digitalSignature'] }, k.privateKey);
    expect(describeCertificate(selfMade.der)).toMatchObject({ isCA: true, purposes: ['authentication'] });
    const selfCa = issue({ subject: [['CN', 'CA']], publicKey: k.publicKey, ca: true, keyUsage: ['digitalSignature', 'keyCertSign'] }, k.privateKey);
    expect(describeCertificate(selfCa.der).purposes).toEqual(['ca']);
    const ec = issueEndEntity(ca, { subject: [['CN', 'EC']], keyKind: 'ec', keyUsage: ['digitalSignature', 'keyAgreement'] });
    expect(describeCertificate(ec.der)).toMatchObject({ publicKey: { algorithm: 'ec', curve: 'P-256', bits: 256 }, purposes: ['authentication', 'encryption'] });
  });

  it('validity window', () => {
    const k = makeKey('ec');
    const old = issue({ subject: [['CN', 'old']], publicKey: k.publicKey, issuer: ca, notBefore: new Date('2020-01-01'), notAfter: new Date('2021-01-01') });
    const i = describeCertificate(old.der);
    expect(validityState(i, new Date('2022-01-01'))).toBe('expired');
    expect(validityState(i, new Date('2019-01-01'))).toBe('not-yet-valid');
    expect(validityState(i, new Date('2020-06-01'))).toBe('valid');
  });

  it('rejects damaged DER with a DerError, never a crash of another kind', () => {
    expect(() => parseCertificate(cert.der.subarray(0, 100))).toThrow(/truncated|missing|expected/);
    expect(() => parseCertificate(Buffer.from('not a certificate'))).toThrow();
  });
});

describe('identity numbers and assurance levels', () => {
  it('classifies HSA-ids, organisation and personal numbers', () => {
    expect(classifyIdentity('TSTNMT2321000156-10XX')).toMatchObject({ kind: 'hsa-id' });
    expect(classifyIdentity('556016-0680')).toEqual({ kind: 'organisation-number', value: '556016-0680' });
    expect(classifyIdentity('165560160680')).toEqual({ kind: 'organisation-number', value: '165560160680' });
    expect(classifyIdentity('191212121212')).toEqual({ kind: 'personal-number', value: '191212121212' });
    expect(classifyIdentity('121212-1212')).toEqual({ kind: 'personal-number', value: '121212-1212' });
    expect(classifyIdentity('ABC 123')).toEqual({ kind: 'other', value: 'ABC 123' });
    expect(classifyIdentity('')).toBeNull();
    expect(luhnValid('5560160680')).toBe(true);
    expect(luhnValid('5560160681')).toBe(false);
  });

  it('reads the level from the policy OID first, then the issuing CA', () => {
    expect(assuranceLevel(['1.2.752.74.8.512'], 'x')).toBe(3);
    expect(assuranceLevel([], 'SITHS e-id Person HSA-id 2 CA v1')).toBe(2);
    expect(assuranceLevel([], 'SITHS e-id Person ID 3 CA v1')).toBe(3);
    expect(assuranceLevel(['2.5.29.32.0'], 'Some CA')).toBeNull();
  });
});
