import { ECDH } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { issue, makeKey, makeTestPki } from '../../dev/test-ca';
import * as der from '../../main/pki/der';
import { describePkcs12 } from '../../main/pkcs12';

/** The certificate with its SubjectPublicKeyInfo replaced (signature left as it was: describing does not verify it). */
function withSpki(certDer: Buffer, spki: Buffer): Buffer {
  const [tbs, alg, sig] = der.seq(der.decode(certDer), 'certificate');
  const items = der.seq(tbs, 'tbs').map((n) => n.raw);
  items[6] = spki; // version, serial, signature, issuer, validity, subject, spki
  return der.sequence(der.sequence(...items), alg.raw, sig.raw);
}

describe('describePkcs12: pairing keys with certificates', () => {
  const { ca } = makeTestPki();
  const subject = [['C', 'SE'], ['serialNumber', 'SE2321000156-10XX'], ['CN', 'Åsa Öberg']] as const;

  it('pairs on the SPKI bytes as written, and still pairs when the certificate encodes the same key differently', () => {
    const keys = makeKey('ec');
    const pkcs8 = keys.privateKey.export({ type: 'pkcs8', format: 'der' });
    const cert = issue({ subject, publicKey: keys.publicKey, issuer: ca }).der;
    const plain = describePkcs12({ certificates: [{ der: ca.der }, { der: cert }], keys: [{ pkcs8 }], macAlgorithm: null, macIterations: null, encryption: [] });
    expect(plain.pairs).toEqual([{ keyIndex: 0, certificateIndex: 1 }]);

    // The same public key with a compressed EC point, as some CAs write it.
    const point = keys.publicKey.export({ format: 'jwk' });
    const uncompressed = Buffer.concat([Buffer.from([4]), Buffer.from(point.x!, 'base64url'), Buffer.from(point.y!, 'base64url')]);
    const compressed = ECDH.convertKey(uncompressed, 'prime256v1', undefined, undefined, 'compressed') as Buffer;
    const spki = der.sequence(der.sequence(der.oid('1.2.840.10045.2.1'), der.oid('1.2.840.10045.3.1.7')), der.bitString(compressed));
    const odd = withSpki(cert, spki);
    const r = describePkcs12({ certificates: [{ der: ca.der }, { der: odd }], keys: [{ pkcs8 }], macAlgorithm: null, macIterations: null, encryption: [] });
    expect(r.pairs).toEqual([{ keyIndex: 0, certificateIndex: 1 }]);
    expect(r.keyMismatch).toBe(false);
    expect(r.leaf?.subject.CN).toBe('Åsa Öberg');
  });

  it('a key of another pair matches nothing: keyMismatch', () => {
    const keys = makeKey('ec');
    const other = makeKey('ec').privateKey.export({ type: 'pkcs8', format: 'der' });
    const cert = issue({ subject, publicKey: keys.publicKey, issuer: ca }).der;
    const r = describePkcs12({ certificates: [{ der: cert }], keys: [{ pkcs8: other }], macAlgorithm: null, macIterations: null, encryption: [] });
    expect(r.pairs).toEqual([]);
    expect(r.keyMismatch).toBe(true);
  });
});
