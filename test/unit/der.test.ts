import { describe, expect, it } from 'vitest';
import * as der from '../../main/pki/der';

describe('der', () => {
  it('round-trips OIDs, including large arcs', () => {
    for (const o of ['1.2.840.113549.1.12.10.1.2', '2.5.4.5', '1.3.6.1.4.1.311.20.2.3', '2.999.1']) {
      const node = der.decode(der.oid(o));
      expect(der.readOid(node, 'oid')).toBe(o);
    }
  });
  it('decodes UTF8, BMP and Teletex strings to proper Unicode', () => {
    expect(der.readString(der.decode(der.utf8String('Åsa Öberg')))).toBe('Åsa Öberg');
    expect(der.readString(der.decode(der.bmpString('Ärende ö')))).toBe('Ärende ö');
    expect(der.readString(der.decode(der.tlv(der.Tag.T61_STRING, Buffer.from('Åke', 'latin1'))))).toBe('Åke');
  });
  it('encodes long lengths and integers with sign padding', () => {
    const big = Buffer.alloc(300, 1);
    const node = der.decode(der.octetString(big));
    expect(node.value.equals(big)).toBe(true);
    expect(der.integer(128).toString('hex')).toBe('02020080');
    expect(der.readSmallInt(der.decode(der.integer(600000)), 'n')).toBe(600000);
  });
  it('rejects truncation, indefinite lengths and trailing bytes', () => {
    const good = der.sequence(der.integer(5));
    expect(() => der.decode(good.subarray(0, good.length - 1))).toThrow(der.DerError);
    expect(() => der.decode(Buffer.from([0x30, 0x80, 0, 0]))).toThrow(/indefinite/);
    expect(() => der.decode(Buffer.concat([good, Buffer.from([0])]))).toThrow(/trailing/);
  });
  it('limits nesting depth on hostile input', () => {
    let b = der.nul();
    for (let i = 0; i < 100; i++) b = der.sequence(b);
    let node = der.decode(b);
    expect(() => {
      for (let d = 0; d < 100; d++) node = der.children(node, d)[0];
    }).toThrow(/too deep/);
  });
});
