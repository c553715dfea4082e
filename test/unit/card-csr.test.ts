import { createHash, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as der from '../../main/pki/der';
import { buildCsr, certificationRequestInfo, ecdsaDerToRaw, ecdsaRawToDer, fromPem, parseCsr, parseDn, toPem, verifyCsr } from '../../main/pki/csr';
import { EidError } from '../../main/errors';

/** Decodes a Name into [oid, tag, value] triples in DER order. */
function nameParts(name: Buffer): Array<[string, number, string]> {
  return der.seq(der.decode(name), 'name').flatMap((rdn) =>
    der.children(rdn).map((atv) => {
      const [t, v] = der.seq(atv, 'atv');
      return [der.readOid(t, 'type'), v.tag, der.readString(v)] as [string, number, string];
    }),
  );
}

describe('parseDn', () => {
  it('RFC 4514 order is reversed into DER order, with UTF8String for names and PrintableString for C and serialNumber', () => {
    const name = parseDn('CN=Åsa Öberg,O=Västra Götalandsregionen,serialNumber=SE2321000156-10XX,C=SE');
    expect(nameParts(name)).toEqual([
      ['2.5.4.6', der.Tag.PRINTABLE_STRING, 'SE'],
      ['2.5.4.5', der.Tag.PRINTABLE_STRING, 'SE2321000156-10XX'],
      ['2.5.4.10', der.Tag.UTF8_STRING, 'Västra Götalandsregionen'],
      ['2.5.4.3', der.Tag.UTF8_STRING, 'Åsa Öberg'],
    ]);
  });

  it('OpenSSL slash form keeps the order as written', () => {
    expect(nameParts(parseDn('/C=se/O=Org/OU=IT/CN=Name')).map((p) => p[2])).toEqual(['SE', 'Org', 'IT', 'Name']);
  });

  it('handles escapes, quotes, hex pairs, multi-valued RDNs, e-mail and dotted OIDs', () => {
    const parts = nameParts(parseDn('CN=Öberg\\, Åsa+UID=aob,O="Bolag, AB",OU=\\C3\\85terf\\C3\\B6rs\\C3\\A4ljare,E=a@b.se,2.5.4.97=NTRSE-2321000156'));
    expect(parts).toContainEqual(['2.5.4.3', der.Tag.UTF8_STRING, 'Öberg, Åsa']);
    expect(parts).toContainEqual(['0.9.2342.19200300.100.1.1', der.Tag.UTF8_STRING, 'aob']);
    expect(parts).toContainEqual(['2.5.4.10', der.Tag.UTF8_STRING, 'Bolag, AB']);
    expect(parts).toContainEqual(['2.5.4.11', der.Tag.UTF8_STRING, 'Återförsäljare']);
    expect(parts).toContainEqual(['1.2.840.113549.1.9.1', der.Tag.IA5_STRING, 'a@b.se']);
    expect(parts).toContainEqual(['2.5.4.97', der.Tag.UTF8_STRING, 'NTRSE-2321000156']);
    // CN and UID share one RDN (a SET of two).
    const first = der.seq(der.decode(parseDn('CN=a+UID=b,C=SE')), 'name');
    expect(der.children(first[1])).toHaveLength(2);
  });

  it('refuses what it cannot encode, naming the problem', () => {
    const msg = (dn: string) => {
      try {
        parseDn(dn);
      } catch (e) {
        expect((e as EidError).code).toBe('validation');
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(msg('')).toMatch(/subject is empty/);
    expect(msg('XYZ=1')).toMatch(/Unknown attribute "XYZ"/);
    expect(msg('CN=')).toMatch(/CN in the subject has no value/);
    expect(msg('C=Sweden')).toMatch(/two letters/);
    expect(msg('just text')).toMatch(/not NAME=value/);
    expect(msg('CN="open')).toMatch(/unterminated quote/);
    expect(msg('E=åsa@x.se')).toMatch(/plain ASCII/);
  });
});

describe('PKCS#10 build, parse and verify', () => {
  const subject = parseDn('CN=Åsa Öberg,O=Västra Götalandsregionen,C=SE');

  it('RSA: the callback signs exactly the CertificationRequestInfo; the CSR parses back and verifies', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    let signed: Buffer | undefined;
    const csr = await buildCsr({ subject, spki, signatureAlgorithm: 'sha256WithRSAEncryption' }, (tbs) => {
      signed = tbs;
      return sign('sha256', tbs, privateKey);
    });
    const p = parseCsr(csr);
    expect(p.info.equals(signed!)).toBe(true);
    expect(p.info.equals(certificationRequestInfo(subject, spki))).toBe(true);
    expect(p.version).toBe(0);
    expect(p.subjectRaw.equals(subject)).toBe(true);
    expect(p.subjectDn).toBe('CN=Åsa Öberg, O=Västra Götalandsregionen, C=SE');
    expect(p.subject).toEqual({ C: 'SE', O: 'Västra Götalandsregionen', CN: 'Åsa Öberg' });
    expect(p.spki.equals(spki)).toBe(true);
    expect(p.publicKey).toEqual({ algorithm: 'rsa', bits: 2048, curve: null });
    expect(p.attributes).toEqual([]);
    expect(p.signatureAlgorithm).toBe('1.2.840.113549.1.1.11');
    // sha256WithRSAEncryption carries NULL parameters.
    expect(csr.includes(Buffer.from('06092a864886f70d01010b0500', 'hex'))).toBe(true);
    expect(verifyCsr(csr)).toBe(true);
    // PEM round trip, and the legacy NEW CERTIFICATE REQUEST armour.
    const pem = toPem(csr, 'CERTIFICATE REQUEST');
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\n([A-Za-z0-9+/=]{64}\n)+/);
    expect(parseCsr(pem).der.equals(csr)).toBe(true);
    expect(fromPem(pem.replace(/CERTIFICATE REQUEST/g, 'NEW CERTIFICATE REQUEST'), 'CERTIFICATE REQUEST').equals(csr)).toBe(true);
  });

  it('EC: a raw r||s signature converted to DER verifies; a tampered CSR does not', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    // What a card returns for CKM_ECDSA over the SHA-256 we computed: r || s (IEEE P1363 form).
    let digest: Buffer | undefined;
    const csr = await buildCsr({ subject, spki, signatureAlgorithm: 'ecdsaWithSHA256' }, (tbs) => {
      digest = createHash('sha256').update(tbs).digest();
      return ecdsaRawToDer(sign('sha256', tbs, { key: privateKey, dsaEncoding: 'ieee-p1363' }));
    });
    expect(digest).toHaveLength(32);
    const p = parseCsr(csr);
    expect(p.publicKey).toEqual({ algorithm: 'ec', bits: 256, curve: 'P-256' });
    expect(p.signatureAlgorithm).toBe('1.2.840.10045.4.3.2');
    expect(verifyCsr(p)).toBe(true);
    const tampered = Buffer.from(csr);
    const at = tampered.indexOf(Buffer.from('Åsa', 'utf8'));
    tampered[at + 3] ^= 0x01;
    expect(verifyCsr(tampered)).toBe(false);
  });

  it('extra attributes go inside [0] in DER SET order', () => {
    const a = der.sequence(der.oid('1.2.840.113549.1.9.7'), der.setOf(der.utf8String('b')));
    const b = der.sequence(der.oid('1.2.840.113549.1.9.2'), der.setOf(der.utf8String('a')));
    const info = certificationRequestInfo(subject, Buffer.from('3000', 'hex'), [a, b]);
    const attrs = der.children(der.seq(der.decode(info), 'cri')[3]);
    expect(attrs.map((n) => Buffer.from(n.raw))).toEqual([a, b].sort(Buffer.compare));
  });

  it('rejects garbage with malformed', () => {
    expect(() => parseCsr(Buffer.from('3003020100', 'hex'))).toThrow(EidError);
    try {
      parseCsr(Buffer.from([0x30, 0x82, 0x01]));
    } catch (e) {
      expect((e as EidError).code).toBe('malformed');
    }
  });
});

describe('ECDSA raw <-> DER', () => {
  it('strips leading zeros and adds a sign byte when the high bit is set', () => {
    const r = Buffer.alloc(32, 0);
    r[1] = 0x01; // leading zero byte to strip
    const s = Buffer.alloc(32, 0xff); // high bit set: needs 00
    const d = ecdsaRawToDer(Buffer.concat([r, s]));
    const [ri, si] = der.seq(der.decode(d), 'sig');
    expect(ri.value.length).toBe(31);
    expect(si.value.length).toBe(33);
    expect(si.value[0]).toBe(0);
    expect(ecdsaDerToRaw(d, 32).equals(Buffer.concat([r, s]))).toBe(true);
  });

  it('agrees with node:crypto for many signatures (P-256 and P-384)', () => {
    for (const curve of ['P-256', 'P-384'] as const) {
      const size = curve === 'P-256' ? 32 : 48;
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
      for (let i = 0; i < 40; i++) {
        const data = Buffer.from(`message ${i}`);
        const raw = sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
        expect(raw.length).toBe(2 * size);
        const asDer = ecdsaRawToDer(raw);
        expect(verify('sha256', data, { key: publicKey, dsaEncoding: 'der' }, asDer)).toBe(true);
        expect(verify('sha256', data, { key: createPublicKey(publicKey.export({ type: 'spki', format: 'pem' })), dsaEncoding: 'der' }, asDer)).toBe(true);
        expect(ecdsaDerToRaw(asDer, size).equals(raw)).toBe(true);
      }
    }
  });

  it('refuses odd lengths', () => {
    expect(() => ecdsaRawToDer(Buffer.alloc(63))).toThrow(/odd length/);
    expect(() => ecdsaRawToDer(Buffer.alloc(0))).toThrow(EidError);
  });
});
