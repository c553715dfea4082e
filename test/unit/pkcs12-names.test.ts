import { describe, expect, it } from 'vitest';
import { decodePkcs12 } from '../../main/pkcs12';
import { repairWidenedUtf8 } from '../../main/pkcs12/decode';
import * as der from '../../main/pki/der';
import { makeKey } from '../../dev/test-ca';
import { buildP12 } from '../helpers/p12-build';

/** "Åsa Öberg" as GnuTLS certtool 3.7 writes it: each UTF-8 byte widened to one BMPString character. */
const widened = (s: string) => Buffer.from(s, 'utf8').toString('latin1');

describe('friendly names: widened UTF-8 (GnuTLS certtool --p12-name)', () => {
  it('repairs names whose BMPString characters are the bytes of UTF-8', () => {
    expect(widened('Åsa Öberg')).not.toBe('Åsa Öberg');
    expect(repairWidenedUtf8(widened('Åsa Öberg'))).toBe('Åsa Öberg');
    expect(repairWidenedUtf8(widened('Västra Götalandsregionen €'))).toBe('Västra Götalandsregionen €');
  });

  it('leaves proper names alone: ASCII, Latin-1 that is not UTF-8, and anything beyond Latin-1', () => {
    for (const s of ['Asa Oberg', 'Åsa Öberg', 'Ärende Två', 'Łukasz €', '', 'Ã']) expect(repairWidenedUtf8(s)).toBe(s);
  });

  it('the decoder applies it to BMPString friendly names of keys and certificates', async () => {
    const keys = makeKey('ec');
    const pkcs8 = keys.privateKey.export({ type: 'pkcs8', format: 'der' });
    // Any DER blob serves as the certificate here: decoding does not parse certificates.
    const cert = der.sequence(der.integer(1));
    const file = buildP12({ password: 'x', keys: [{ pkcs8, friendlyName: widened('Åsa Öberg') }], certs: [{ der: cert, friendlyName: widened('Åsa Öberg') }] });
    const c = await decodePkcs12(file, 'x');
    expect(c.keys[0].friendlyName).toBe('Åsa Öberg');
    expect(c.certificates[0].friendlyName).toBe('Åsa Öberg');
  });
});
