import { describe, expect, it } from 'vitest';
import { EidError } from '../../main/errors';
import { FORMAT_VERSION, Layer, aadFor, decodeEntryFile, encodeBound, encodeEntryFile, type BoundPart } from '../../main/keystore/format';

const bound: BoundPart = {
  id: '0123456789abcdef',
  fingerprintSha256: 'AA:BB',
  chain: [Buffer.from('cert').toString('base64')],
  holder: 'Åsa Öberg',
  organisation: 'Ärende AB',
  identityNumber: 'SE5566778899-0001',
  identityKind: 'hsa-id',
  notBefore: '2026-01-01T00:00:00.000Z',
  notAfter: '2028-01-01T00:00:00.000Z',
  keyAlgorithm: 'ec-P-256',
  createdAt: '2026-01-15T09:00:00.000Z',
  source: 'pkcs12-file',
  kdf: { name: 'scrypt', salt: 'c2FsdA==', N: 1024, r: 8, p: 1 },
  cipher: 'aes-256-gcm',
};

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as EidError).code;
  }
  return 'no error';
}

describe('entry file format v1', () => {
  const boundJson = encodeBound(bound);
  const meta = { label: 'Lön Å', installs: [{ kind: 'nss' as const, location: '/x', reference: 'Åsa', installedAt: '2026-01-16T00:00:00.000Z' }] };
  const blob = Buffer.from('private-bytes');
  const file = encodeEntryFile(boundJson, meta, Layer.PIN_AND_OS, blob);

  it('round-trips every part, and the AAD is exactly magic + version + bound', () => {
    const f = decodeEntryFile(file, bound.id);
    expect(f.bound).toEqual(bound);
    expect(f.meta).toEqual(meta);
    expect(f.layer).toBe(Layer.PIN_AND_OS);
    expect(f.privateBlob.equals(blob)).toBe(true);
    expect(f.aad.equals(aadFor(boundJson))).toBe(true);
    expect(f.aad.equals(file.subarray(0, 14 + boundJson.length))).toBe(true);
    expect(file.readUInt16BE(8)).toBe(FORMAT_VERSION);
  });

  it('rejects truncation at every length with keystore-corrupt', () => {
    for (let n = 0; n < file.length; n += 7) expect(code(() => decodeEntryFile(file.subarray(0, n)))).toBe('keystore-corrupt');
  });

  it('rejects any single flipped byte', () => {
    for (let i = 0; i < file.length; i += 5) {
      const b = Buffer.from(file);
      b[i] ^= 0x40;
      expect(code(() => decodeEntryFile(b))).toBe('keystore-corrupt');
    }
  });

  it('rejects unknown versions, naming the version', () => {
    const b = Buffer.from(file);
    b.writeUInt16BE(7, 8);
    try {
      decodeEntryFile(b);
      throw new Error('accepted');
    } catch (e) {
      expect((e as EidError).code).toBe('keystore-corrupt');
      expect((e as EidError).details).toMatchObject({ version: 7 });
      expect((e as EidError).message).toContain('version 7');
    }
  });

  it('rejects a bound part with missing fields or an unknown source, and an id that differs from the file name', () => {
    const noChain = encodeEntryFile(Buffer.from(JSON.stringify({ ...bound, chain: [] })), meta, Layer.PIN_ONLY, blob);
    expect(code(() => decodeEntryFile(noChain))).toBe('keystore-corrupt');
    const badSource = encodeEntryFile(Buffer.from(JSON.stringify({ ...bound, source: 'usb-stick' })), meta, Layer.PIN_ONLY, blob);
    expect(code(() => decodeEntryFile(badSource))).toBe('keystore-corrupt');
    expect(code(() => decodeEntryFile(file, 'ffffffffffffffff'))).toBe('keystore-corrupt');
    const badLayer = Buffer.from(encodeEntryFile(boundJson, meta, Layer.PIN_ONLY, blob));
    expect(decodeEntryFile(badLayer).layer).toBe(Layer.PIN_ONLY);
  });
});
