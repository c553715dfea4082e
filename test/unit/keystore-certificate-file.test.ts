/**
 * Certificate files delivered for a CSR: DER and PEM certificates, certs-only PKCS#7 in DER,
 * PEM and bare base64 (EST), and hostile input, each giving the right code in bounded time.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { EidError } from '../../main/errors';
import { MAX_CERTIFICATES, MAX_CERTIFICATE_FILE_BYTES, looksLikePkcs12, readCertificateFile } from '../../main/keystore/certificate-file';
import { makeCa, makeEid, makeKey, toPem, type TestEid } from '../helpers/keystore-certs';
import { encodeCertsOnly } from '../helpers/keystore-p12';
import { pkcs7CertsOnly, pkcs7Pem } from '../helpers/keystore-pairing';

let eid: TestEid;
beforeAll(() => {
  eid = makeEid({ ca: makeCa('Rot Å'), cn: 'Åsa Öberg' });
});

function failure(data: Buffer): EidError {
  const started = Date.now();
  try {
    readCertificateFile(data);
  } catch (err) {
    expect(Date.now() - started).toBeLessThan(1000);
    expect(err).toBeInstanceOf(EidError);
    return err as EidError;
  }
  throw new Error('accepted a bad file');
}

const same = (a: Buffer[], b: Buffer[]) => a.length === b.length && a.every((x, i) => x.equals(b[i]));

describe('readCertificateFile', () => {
  it('reads a DER certificate (.cer)', () => {
    const f = readCertificateFile(eid.leaf);
    expect(f.kind).toBe('der-certificate');
    expect(same(f.certificates, [eid.leaf])).toBe(true);
  });

  it('reads PEM with several blocks, CRLF line ends, text before and a key block in between (ignored)', () => {
    const text = `Bag Attributes\r\n    friendlyName: Åsa\r\n${toPem(eid.leaf).replace(/\n/g, '\r\n')}${toPem(makeKey('ec').pkcs8, 'PRIVATE KEY')}${toPem(eid.chain[1], 'X509 CERTIFICATE')}`;
    const f = readCertificateFile(Buffer.from(text, 'utf8'));
    expect(f.kind).toBe('pem');
    expect(same(f.certificates, eid.chain)).toBe(true);
  });

  it('reads certs-only PKCS#7 as DER (.p7b), PEM and bare base64 (EST simpleenroll)', () => {
    const p7 = pkcs7CertsOnly(eid.chain);
    const der = readCertificateFile(p7);
    expect(der.kind).toBe('pkcs7-der');
    expect(same(der.certificates, eid.chain)).toBe(true);
    const pem = readCertificateFile(Buffer.from(pkcs7Pem(p7)));
    expect(pem.kind).toBe('pkcs7-pem');
    expect(same(pem.certificates, eid.chain)).toBe(true);
    const est = readCertificateFile(Buffer.from(`${p7.toString('base64').replace(/(.{76})/g, '$1\r\n')}\r\n`));
    expect(est.kind).toBe('pkcs7-base64');
    expect(same(est.certificates, eid.chain)).toBe(true);
  });

  it('names a PKCS#12 file handed in as a certificate file', () => {
    const p12 = encodeCertsOnly(eid.chain, 'lösen');
    expect(looksLikePkcs12(p12)).toBe(true);
    expect(looksLikePkcs12(eid.leaf)).toBe(false);
    expect(looksLikePkcs12(pkcs7CertsOnly(eid.chain))).toBe(false);
    const e = failure(p12);
    expect(e.code).toBe('malformed');
    expect(e.details).toMatchObject({ kind: 'pkcs12' });
    expect(e.message).toContain('.p12');
  });

  it('hostile and wrong files: malformed, no-certificate or too-large, quickly', () => {
    expect(failure(Buffer.alloc(0)).code).toBe('malformed');
    expect(failure(randomBytes(4096)).code).toBe('malformed');
    expect(failure(Buffer.concat([Buffer.from([0x30]), randomBytes(4095)])).code).toBe('malformed');
    expect(failure(Buffer.from([0x30, 0x80, 0x30, 0x80, 0, 0, 0, 0])).code).toBe('malformed'); // indefinite lengths (BER)
    expect(failure(Buffer.from([0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x02])).code).toBe('malformed'); // a length far past the end
    for (let n = 1; n < eid.leaf.length; n += 13) expect(failure(eid.leaf.subarray(0, n)).code).toBe('malformed');
    const p7 = pkcs7CertsOnly(eid.chain);
    for (let n = 1; n < p7.length; n += 29) expect(failure(p7.subarray(0, n)).code).toBe('malformed');
    expect(failure(Buffer.from('-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n')).code).toBe('malformed');
    expect(failure(Buffer.from(toPem(randomBytes(300)))).code).toBe('malformed');
    expect(failure(Buffer.from(toPem(eid.leaf.subarray(0, 400)))).code).toBe('malformed');
    expect(failure(Buffer.from('just some text, not a certificate')).code).toBe('malformed');
    expect(failure(Buffer.from(toPem(makeKey('ec').pkcs8, 'PRIVATE KEY'))).code).toBe('no-certificate');
    expect(failure(pkcs7CertsOnly([])).code).toBe('no-certificate');
    const enveloped = failure(pkcs7CertsOnly(eid.chain, '1.2.840.113549.1.7.3'));
    expect(enveloped.code).toBe('malformed');
    expect(enveloped.message).toContain('1.2.840.113549.1.7.3');
    // A "certificate" inside PKCS#7 that is garbage.
    expect(failure(pkcs7CertsOnly([Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01])])).code).toBe('malformed');
  });

  it('bounds size and count before decoding', () => {
    const big = failure(Buffer.alloc(MAX_CERTIFICATE_FILE_BYTES + 1, 0x30));
    expect(big).toMatchObject({ code: 'too-large', details: { limit: MAX_CERTIFICATE_FILE_BYTES } });
    const many = Array.from({ length: MAX_CERTIFICATES + 1 }, () => eid.leaf);
    expect(failure(pkcs7CertsOnly(many)).code).toBe('too-large');
    expect(failure(Buffer.from(many.map((c) => toPem(c)).join(''))).code).toBe('too-large');
    // Thousands of tiny blocks stop at the count bound, fast.
    const tiny = '-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n'.repeat(15000);
    expect(tiny.length).toBeLessThan(MAX_CERTIFICATE_FILE_BYTES);
    expect(failure(Buffer.from(tiny)).code).toBe('too-large');
    expect(readCertificateFile(pkcs7CertsOnly(many.slice(0, MAX_CERTIFICATES))).certificates).toHaveLength(MAX_CERTIFICATES);
  });
});
