/**
 * Independent implementations as oracles. The product reads certificates with its own DER walker
 * and PKCS#12 with its own decoder (speed, exact Unicode, native KDFs: see README "Architecture");
 * here two widely used libraries that share no code with ours must agree with what we read and
 * accept what we write:
 * - @peculiar/x509 parses the same certificates (subject by OID — it has no short name for
 *   serialNumber 2.5.4.5 —, serial, key usage, EKU, SAN e-mail);
 * - node-forge opens the temporary PKCS#12 we hand to pk12util / Import-PfxCertificate, and we
 *   open the PKCS#12 files node-forge writes (3DES/SHA-1 and AES-256 with SHA-256 PBKDF2).
 */
import 'reflect-metadata';
import { createPrivateKey, createPublicKey, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { issueEndEntity, makeTestPki } from '../../dev/test-ca';
import { encodeTempPkcs12 } from '../../main/keystore/os-store/temp-p12';
import { decodePkcs12 } from '../../main/pkcs12';
import { describeCertificate } from '../../main/pki/certificate';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const { ca } = makeTestPki();
const holder = issueEndEntity(ca, {
  subject: [['C', 'SE'], ['O', 'Västra Götalandsregionen'], ['serialNumber', 'SE2321000156-10XX'], ['CN', 'Åsa Öberg']],
  keyUsage: ['digitalSignature', 'nonRepudiation'],
  extKeyUsage: ['clientAuth'],
  emails: ['asa.oberg@test.se'],
});
const pkcs8 = holder.privateKey.export({ type: 'pkcs8', format: 'der' });
const spki = (key: Parameters<typeof createPublicKey>[0]) => createPublicKey(key).export({ type: 'spki', format: 'der' }).toString('hex');

describe('@peculiar/x509 reads what our DER walker reads', () => {
  const ours = describeCertificate(holder.der);
  const theirs = new x509.X509Certificate(new Uint8Array(holder.der));

  it('subject attributes by OID, with Å, Ä, Ö intact', () => {
    expect(theirs.subjectName.getField('2.5.4.3')).toEqual([ours.subject.CN]);
    expect(theirs.subjectName.getField('2.5.4.5')).toEqual([ours.subject.serialNumber]);
    expect(theirs.subjectName.getField('2.5.4.10')).toEqual([ours.subject.O]);
    expect(ours.subject.CN).toBe('Åsa Öberg');
  });

  it('serial number, validity, key usage, EKU and SAN e-mail', () => {
    expect(theirs.serialNumber.toUpperCase().replace(/^(00)+/, '')).toBe(ours.serialNumber);
    expect(theirs.notAfter.toISOString()).toBe(ours.notAfter);
    const ku = theirs.getExtension(x509.KeyUsagesExtension)!;
    expect(Boolean(ku.usages & x509.KeyUsageFlags.digitalSignature)).toBe(ours.keyUsage.includes('digitalSignature'));
    expect(Boolean(ku.usages & x509.KeyUsageFlags.nonRepudiation)).toBe(ours.keyUsage.includes('nonRepudiation'));
    expect(Boolean(ku.usages & x509.KeyUsageFlags.keyEncipherment)).toBe(ours.keyUsage.includes('keyEncipherment'));
    expect(theirs.getExtension(x509.ExtendedKeyUsageExtension)!.usages).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(ours.extendedKeyUsage).toEqual(['clientAuth']);
    const san = theirs.getExtension(x509.SubjectAlternativeNameExtension)!;
    expect(san.names.items.filter((n) => n.type === 'email').map((n) => n.value)).toEqual(ours.emails);
  });
});

describe('node-forge and our PKCS#12 code understand each other', () => {
  it('node-forge opens the temporary PKCS#12 we give to the OS stores (PBES2/AES-256, SHA-256 MAC)', () => {
    const file = encodeTempPkcs12({ pkcs8, chain: [holder.der, ca.der], friendlyName: 'Åsa Öberg' }, 'Tmp-9f2c41');
    const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(forge.util.createBuffer(file.toString('binary'))), true, 'Tmp-9f2c41');
    const keyBags = p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag] ?? [];
    const certBags = p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? [];
    expect(keyBags).toHaveLength(1);
    expect(certBags).toHaveLength(2);
    const forgeKeyPem = forge.pki.privateKeyToPem(keyBags[0].key!);
    expect(spki(createPrivateKey(forgeKeyPem))).toBe(spki(holder.privateKey));
    const certsDer = certBags.map((b) => Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(b.cert!)).getBytes(), 'binary').toString('hex'));
    expect(certsDer).toContain(holder.der.toString('hex'));
    expect(certsDer).toContain(ca.der.toString('hex'));
  });

  it.each([
    ['3DES with SHA-1 (forge default)', { algorithm: '3des' as const }],
    ['AES-256 with PBKDF2', { algorithm: 'aes256' as const }],
  ])('we open what node-forge writes: %s', async (_, opts) => {
    const key = forge.pki.privateKeyFromPem(holder.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
    const certs = [holder.der, ca.der].map((d) => forge.pki.certificateFromAsn1(forge.asn1.fromDer(forge.util.createBuffer(d.toString('binary')))));
    const asn1 = forge.pkcs12.toPkcs12Asn1(key, certs, 'Forge-pass-1', { ...opts, friendlyName: 'holder', count: 2048 });
    const file = Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
    const out = await decodePkcs12(file, 'Forge-pass-1');
    expect(out.keys).toHaveLength(1);
    expect(spki(createPrivateKey({ key: out.keys[0].pkcs8, format: 'der', type: 'pkcs8' }))).toBe(spki(holder.privateKey));
    expect(out.certificates.map((c) => c.der.toString('hex'))).toEqual(expect.arrayContaining([holder.der.toString('hex'), ca.der.toString('hex')]));
    await expect(decodePkcs12(file, 'wrong')).rejects.toMatchObject({ code: 'bad-password' });
  });
});
