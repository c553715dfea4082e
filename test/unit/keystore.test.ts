import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { X509Certificate, verify } from 'node:crypto';
import { promises as fsp, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { EidError } from '../../main/errors';
import { Keystore, DEFAULT_SCRYPT } from '../../main/keystore/keystore';
import { decodeEntryFile, encodeEntryFile, MAGIC } from '../../main/keystore/format';
import type { InstallMaterial, OsStoreInstaller } from '../../main/keystore/os-store/types';
import { describeCertificate } from '../../main/pki/certificate';
import { makeCa, makeEid, type TestCa, type TestEid } from '../helpers/keystore-certs';
import { FAST_KDF, fakeProtector, manualClock, tempDir } from '../helpers/keystore-fixtures';

const PIN = 'Sommar-2026';
const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function store(opts: Partial<ConstructorParameters<typeof Keystore>[0]> = {}) {
  const t = tempDir();
  cleanups.push(t.cleanup);
  const clock = manualClock();
  const ks = new Keystore({ dir: t.dir, clock: clock.now, kdf: FAST_KDF, ...opts });
  return { ks, dir: t.dir, clock };
}

async function codeOf(p: Promise<unknown>): Promise<{ code: string; details: Record<string, unknown> | undefined; message: string }> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(EidError);
    const e = err as EidError;
    return { code: e.code, details: e.details as Record<string, unknown> | undefined, message: e.message };
  }
  throw new Error('expected a rejection');
}

let ca: TestCa;
let eidEc: TestEid;
let eidRsa: TestEid;
let eidEd: TestEid;
beforeAll(() => {
  ca = makeCa();
  eidEc = makeEid({ ca });
  eidRsa = makeEid({ ca, keyKind: 'rsa', cn: 'Örjan Ärlig', serialNumber: 'SE5566778899-0002' });
  eidEd = makeEid({ ca, keyKind: 'ed25519', cn: 'Ed Key', serialNumber: 'SE5566778899-0003' });
});

describe('Keystore add / list / get', () => {
  it('stores an e-ID whose public part reads back without the PIN, names intact', async () => {
    const { ks } = store();
    const id = await ks.add({ pkcs8: eidEc.key.pkcs8, chain: eidEc.chain, source: 'pkcs12-file' }, PIN);
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    const info = describeCertificate(eidEc.leaf);
    expect(id).toBe(info.fingerprintSha256.replace(/:/g, '').toLowerCase().slice(0, 16));
    const list = await ks.list();
    expect(list.map((e) => e.id)).toEqual([id]);
    const e = await ks.get(id);
    expect(e.holder).toBe('Åsa Öberg');
    expect(e.label).toBe('Åsa Öberg');
    expect(e.organisation).toBe('Åkerö Ärende AB');
    expect(e.identityNumber).toBe('SE5566778899-0001');
    expect(e.identityKind).toBe('hsa-id');
    expect(e.notAfter).toBe(info.notAfter);
    expect(e.fingerprintSha256).toBe(info.fingerprintSha256);
    expect(e.keyAlgorithm).toBe('ec-P-256');
    expect(e.source).toBe('pkcs12-file');
    expect(e.createdAt).toBe('2026-01-15T09:00:00.000Z');
    expect(e.protectedByOs).toBe(false);
    expect(e.installs).toEqual([]);
    expect(e.chain.map((c) => c.toString('hex'))).toEqual(eidEc.chain.map((c) => c.toString('hex')));
  });

  it('keeps a chosen label and cleans control characters out of it', async () => {
    const { ks } = store();
    const id = await ks.add({ pkcs8: eidRsa.key.pkcs8, chain: eidRsa.chain, source: 'order-portal', label: '  Lön\u0007 och  HR  ' }, PIN);
    expect((await ks.get(id)).label).toBe('Lön och HR');
    await ks.setLabel(id, 'Ekonomi Å');
    expect((await ks.get(id)).label).toBe('Ekonomi Å');
    expect((await codeOf(ks.setLabel(id, '   '))).code).toBe('validation');
  });

  it('never writes the private key in clear', async () => {
    const { ks, dir } = store();
    const id = await ks.add({ pkcs8: eidRsa.key.pkcs8, chain: eidRsa.chain, source: 'pkcs12-file' }, PIN);
    const file = readFileSync(path.join(dir, `${id}.eid`));
    expect(file.subarray(0, 8).equals(MAGIC)).toBe(true);
    // Neither the PKCS#8 nor any 32-byte window of it (e.g. the RSA modulus' private parts) appears.
    const pk = eidRsa.key.pkcs8;
    for (let i = 0; i + 32 <= pk.length; i += 16) expect(file.includes(pk.subarray(i, i + 32))).toBe(false);
    expect(file.includes(Buffer.from(PIN))).toBe(false);
  });

  it('refuses a key that does not belong to the certificate', async () => {
    const { ks } = store();
    const r = await codeOf(ks.add({ pkcs8: eidRsa.key.pkcs8, chain: eidEc.chain, source: 'pkcs12-file' }, PIN));
    expect(r.code).toBe('key-mismatch');
    expect(await ks.list()).toEqual([]);
  });

  it('refuses the same certificate twice with already-exists', async () => {
    const { ks } = store();
    const id = await ks.add({ pkcs8: eidEc.key.pkcs8, chain: eidEc.chain, source: 'pkcs12-file' }, PIN);
    const r = await codeOf(ks.add({ pkcs8: eidEc.key.pkcs8, chain: [eidEc.leaf], source: 'pkcs12-file' }, 'Annan-PIN-77'));
    expect(r.code).toBe('already-exists');
    expect(r.details?.id).toBe(id);
    // The first one still opens with its own PIN.
    (await ks.unlock(id, PIN)).lock();
  });

  it('refuses an empty chain, an unreadable certificate and an unreadable key', async () => {
    const { ks } = store();
    expect((await codeOf(ks.add({ pkcs8: eidEc.key.pkcs8, chain: [], source: 'pkcs12-file' }, PIN))).code).toBe('no-certificate');
    expect((await codeOf(ks.add({ pkcs8: eidEc.key.pkcs8, chain: [Buffer.from('nope')], source: 'pkcs12-file' }, PIN))).code).toBe('malformed');
    expect((await codeOf(ks.add({ pkcs8: Buffer.from('3003020100', 'hex'), chain: eidEc.chain, source: 'pkcs12-file' }, PIN))).code).toBe('malformed');
  });

  it('checks the PIN rules before anything else', async () => {
    const { ks } = store();
    for (const [pin, rule] of [
      ['12345', 'min-length'],
      ['aaaaaaa', 'not-repeated'],
      ['234567', 'not-sequence'],
      ['FEDCBA', 'not-sequence'],
    ] as const) {
      const r = await codeOf(ks.add({ pkcs8: eidEc.key.pkcs8, chain: eidEc.chain, source: 'pkcs12-file' }, pin));
      expect(r.code).toBe('pin-invalid');
      expect(r.details?.rule).toBe(rule);
      expect(r.message).not.toContain(pin);
    }
    expect(await ks.list()).toEqual([]);
  });

  it('resolves unique id prefixes and reports ambiguity and absence', async () => {
    const { ks } = store();
    const a = await ks.add({ pkcs8: eidEc.key.pkcs8, chain: eidEc.chain, source: 'pkcs12-file' }, PIN);
    await ks.add({ pkcs8: eidRsa.key.pkcs8, chain: eidRsa.chain, source: 'pkcs12-file' }, PIN);
    expect(await ks.resolveId(a)).toBe(a);
    expect(await ks.resolveId(a.slice(0, 6).toUpperCase())).toBe(a);
    expect((await codeOf(ks.resolveId('abc'))).code).toBe('not-found');
    expect((await codeOf(ks.get('0123456789abcdef'))).code).toBe('not-found');
    expect((await codeOf(ks.get('../etc/passwd'))).code).toBe('not-found');
  });

  it('uses the strong scrypt cost by default', async () => {
    const { ks, dir } = store({ kdf: undefined });
    const t0 = performance.now();
    const id = await ks.add({ pkcs8: eidEc.key.pkcs8, chain: eidEc.chain, source: 'pkcs12-file' }, PIN);
    const ms = performance.now() - t0;
    const f = decodeEntryFile(readFileSync(path.join(dir, `${id}.eid`)), id);
    expect({ N: f.bound.kdf.N, r: f.bound.kdf.r, p: f.bound.kdf.p }).toEqual({ ...DEFAULT_SCRYPT });
    expect(DEFAULT_SCRYPT.N).toBe(2 ** 17);
    expect(Buffer.from(f.bound.kdf.salt, 'base64')).toHaveLength(16);
    expect(ms).toBeGreaterThan(50); // a real KDF ran (2^17 x 8 takes ~0.35 s here)
  });
});

describe('Keystore unlock and signing', () => {
  it('unlocks with the PIN and signs with EC, RSA (PKCS#1 and PSS) and Ed25519 keys', async () => {
    const { ks } = store();
    for (const eid of [eidEc, eidRsa, eidEd]) {
      const id = await ks.add({ pkcs8: eid.key.pkcs8, chain: eid.chain, source: 'pkcs12-file' }, PIN);
      const h = await ks.unlock(id, PIN);
      const data = Buffer.from('test-funktion Å');
      const pub = new X509Certificate(eid.leaf).publicKey;
      if (eid.key.kind === 'ed25519') {
        expect(verify(null, data, pub, h.sign(data))).toBe(true);
      } else if (eid.key.kind === 'ec') {
        expect(verify('sha384', data, pub, h.sign(data, 'sha384'))).toBe(true);
        expect((() => { try { h.sign(data, 'rsa-pss-sha256'); return 'signed'; } catch (e) { return (e as EidError).code; } })()).toBe('unsupported');
      } else {
        expect(verify('sha256', data, pub, h.sign(data))).toBe(true);
        const pss = h.sign(data, 'rsa-pss-sha256');
        expect(verify('sha256', data, { key: pub, padding: 6, saltLength: 32 }, pss)).toBe(true);
      }
      expect(h.selfTest()).toMatchObject({ ok: true, algorithm: 'sha256' });
      h.lock();
      expect(() => h.sign(data)).toThrow(/locked/);
    }
  });

  it('the handle exposes no key material', async () => {
    const { ks } = store();
    const id = await ks.add({ pkcs8: eidRsa.key.pkcs8, chain: eidRsa.chain, source: 'pkcs12-file' }, PIN);
    const h = await ks.unlock(id, PIN);
    const seen = JSON.stringify(h) + Object.getOwnPropertyNames(h).join(',') + Object.getOwnPropertyNames(Object.getPrototypeOf(h)).join(',');
    expect(seen).not.toMatch(/pkcs8|privateKey|export/i);
    for (const v of Object.values(h)) expect(v && typeof v === 'object' && 'asymmetricKeyType' in (v as object)).toBe(false);
    expect(Object.getOwnPropertyNames(Keystore.prototype).filter((n) => /export|key(?!store)/i.test(n))).toEqual([]);
  });

  it('survives a restart: a new instance on the same directory opens the e-ID', async () => {
    const { ks, dir } = store();
    const id = await ks.add({ pkcs8: eidEc.key.pkcs8, chain: eidEc.chain, source: 'pkcs12-file' }, PIN);
    const again = new Keystore({ dir });
    expect((await again.list()).map((e) => e.id)).toEqual([id]);
    expect((await again.unlock(id, PIN)).selfTest().ok).toBe(true);
  });

  it('accepts the PIN in either Unicode normalisation form', async () => {
    const { ks } = store();
    const id = await ks.add({ pkcs8: eidEc.key.pkcs8, chain: eidEc.chain, source: 'pkcs12-file' }, 'Ångström1'.normalize('NFC'));
    (await ks.unlock(id, 'Ångström1'.normalize('NFD'))).lock();
  });
});

describe('Keystore wrong PINs and throttling', () => {
  it('counts wrong PINs, then delays 30 s, 60 s, 120 s; a correct PIN resets', async () => {
    const { ks, clock, dir } = store();
    const id = await ks.add({ pkcs8: eidEc.key.pkcs8, chain: eidEc.chain, source: 'pkcs12-file' }, PIN);
    for (let i = 1; i <= 2; i++) {
      const r = await codeOf(ks.unlock(id, 'fel-pin-1'));
      expect(r.code).toBe('pin-incorrect');
      expect(r.details).toMatchObject({ attempts: i, attemptsBeforeDelay: 3 - i, retryAfterSeconds: 0 });
      expect(r.message).not.toContain('fel-pin-1');
    }
    const third = await codeOf(ks.unlock(id, 'fel-pin-1'));
    expect(third).toMatchObject({ code: 'pin-incorrect', details: { attempts: 3, retryAfterSeconds: 30 } });
    // Even the right PIN is refused while the delay runs, without running the KDF.
    const blocked = await codeOf(ks.unlock(id, PIN));
    expect(blocked).toMatchObject({ code: 'throttled', details: { retryAfterSeconds: 30 } });
    clock.advance(20_000);
    expect((await codeOf(ks.unlock(id, PIN))).details?.retryAfterSeconds).toBe(10);
    expect(await ks.pinStatus(id)).toEqual({ attempts: 3, retryAfterSeconds: 10 });
    clock.advance(10_000);
    expect(await codeOf(ks.unlock(id, 'fel-pin-2'))).toMatchObject({ code: 'pin-incorrect', details: { attempts: 4, retryAfterSeconds: 60 } });
    // Persisted: another instance (a restart) sees the same delay.
    const restarted = new Keystore({ dir, clock: clock.now, kdf: FAST_KDF });
    expect(await codeOf(restarted.unlock(id, PIN))).toMatchObject({ code: 'throttled', details: { retryAfterSeconds: 60, attempts: 4 } });
    clock.advance(60_000);
    expect(await codeOf(restarted.unlock(id, 'fel-pin-3'))).toMatchObject({ code: 'pin-incorrect', details: { attempts: 5, retryAfterSeconds: 120 } });
    clock.advance(119_000);
    expect((await codeOf(restarted.unlock(id, PIN))).code).toBe('throttled');
    clock.advance(1_000);
    (await restarted.unlock(id, PIN)).lock();
    expect(await ks.pinStatus(id)).toEqual({ attempts: 0, retryAfterSeconds: 0 });
    expect(readdirSync(dir).filter((n) => n.endsWith('.pin'))).toEqual([]);
    // Back to three free attempts.
    expect((await codeOf(ks.unlock(id, 'fel-pin-4'))).details).toMatchObject({ attempts: 1, retryAfterSeconds: 0 });
  });

  it('throttles each e-ID separately', async () => {
    const { ks } = store();
    const a = await ks.add({ pkcs8: eidEc.key.pkcs8, chain: eidEc.chain, source: 'pkcs12-file' }, PIN);
    const b = await ks.add({ pkcs8: eidRsa.key.pkcs8, chain: eidRsa.chain, source: 'pkcs12-file' }, PIN);
    for (let i = 0; i < 3; i++) await codeOf(ks.unlock(a, 'fel-pin-9'));
    expect((await codeOf(ks.unlock(a, PIN))).code).toBe('throttled');
    (await ks.unlock(b, PIN)).lock();
  });

  it('serialises concurrent wrong attempts on one e-ID so none goes uncounted', async () => {
    const { ks } = store();
    const id = await ks.add({ pkcs8: eidEc.key.pkcs8, chain: eidEc.chain, source: 'pkcs12-file' }, PIN);
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map(() => ks.unlock(id, 'fel-pin-5')));
    const codes = results.map((r) => (r.status === 'rejected' ? (r.reason as EidError).code : 'ok'));
    expect(codes).toEqual(['pin-incorrect', 'pin-incorrect', 'pin-incorrect', 'throttled', 'throttled']);
    expect((await ks.pinStatus(id)).attempts).toBe(3);
  });
});

describe('Keystore change PIN and delete', () => {
  it('changes the PIN: old PIN checked (and counted), new PIN checked against the rules', async () => {
    const { ks } = store();
    const id = await ks.add({ pkcs8: eidEc.key.pkcs8, chain: eidEc.chain, source: 'pkcs12-file' }, PIN);
    expect((await codeOf(ks.changePin(id, 'fel-pin-1', 'Ny-PIN-2026'))).code).toBe('pin-incorrect');
    expect((await ks.pinStatus(id)).attempts).toBe(1);
    expect((await codeOf(ks.changePin(id, PIN, '000000'))).code).toBe('pin-invalid');
    await ks.setLabel(id, 'Behåll namnet');
    await ks.changePin(id, PIN, 'Ny-PIN-2026');
    expect((await ks.pinStatus(id)).attempts).toBe(0);
    expect((await codeOf(ks.unlock(id, PIN))).code).toBe('pin-incorrect');
    const h = await ks.unlock(id, 'Ny-PIN-2026');
    expect(h.selfTest().ok).toBe(true);
    expect(h.entry.label).toBe('Behåll namnet');
  });

  it('deletes an e-ID and its wrong-PIN state', async () => {
    const { ks, dir } = store();
    const id = await ks.add({ pkcs8: eidEc.key.pkcs8, chain: eidEc.chain, source: 'pkcs12-file' }, PIN);
    await codeOf(ks.unlock(id, 'fel-pin-1'));
    expect(readdirSync(dir).sort()).toEqual([`${id}.eid`, `${id}.pin`]);
    await ks.delete(id);
    expect(readdirSync(dir)).toEqual([]);
    expect((await codeOf(ks.get(id))).code).toBe('not-found');
    expect((await codeOf(ks.delete(id))).code).toBe('not-found');
    // It can be imported again afterwards, with fresh attempts.
    await ks.add({ pkcs8: eidEc.key.pkcs8, chain: eidEc.chain, source: 'pkcs12-file' }, PIN);
    expect((await ks.pinStatus(id)).attempts).toBe(0);
  });
});

describe('Keystore integrity', () => {
  it('a flipped byte in the public part makes the entry corrupt (listed as damaged, not as an e-ID)', async () => {
    const { ks, dir } = store();
    const id = await ks.add({ pkcs8: eidEc.key.pkcs8, chain: eidEc.chain, source: 'pkcs12-file' }, PIN);
    const good = await ks.add({ pkcs8: eidRsa.key.pkcs8, chain: eidRsa.chain, source: 'pkcs12-file' }, PIN);
    const file = path.join(dir, `${id}.eid`);
    const buf = readFileSync(file);
    const at = buf.indexOf(Buffer.from('"holder"')) + 12;
    buf[at] ^= 0x01;
    writeFileSync(file, buf);
    expect((await codeOf(ks.get(id))).code).toBe('keystore-corrupt');
    expect((await codeOf(ks.unlock(id, PIN))).code).toBe('keystore-corrupt');
    expect((await ks.list()).map((e) => e.id)).toEqual([good]);
    const damaged = await ks.damaged();
    expect(damaged.map((d) => d.id)).toEqual([id]);
    expect(damaged[0].code).toBe('keystore-corrupt');
  });

  it('swapping the certificate chain (checksum recomputed) is caught by the AAD on unlock', async () => {
    const { ks, dir } = store();
    const id = await ks.add({ pkcs8: eidEc.key.pkcs8, chain: eidEc.chain, source: 'pkcs12-file' }, PIN);
    const file = path.join(dir, `${id}.eid`);
    const f = decodeEntryFile(readFileSync(file), id);
    const forged = { ...f.bound, chain: [eidRsa.leaf.toString('base64')], holder: 'Mallory' };
    writeFileSync(file, encodeEntryFile(Buffer.from(JSON.stringify(forged)), f.meta, f.layer, f.privateBlob));
    expect((await ks.get(id)).holder).toBe('Mallory'); // readable, but...
    const r = await codeOf(ks.unlock(id, PIN));
    expect(r.code).toBe('keystore-corrupt');
    expect((await ks.pinStatus(id)).attempts).toBe(0); // tampering is not a wrong PIN
    // A forged AAD with a wrong PIN is still reported as a wrong PIN (the verifier does not depend on it).
    expect((await codeOf(ks.unlock(id, 'fel-pin-1'))).code).toBe('pin-incorrect');
  });

  it('a file moved to another id is refused', async () => {
    const { ks, dir } = store();
    const id = await ks.add({ pkcs8: eidEc.key.pkcs8, chain: eidEc.chain, source: 'pkcs12-file' }, PIN);
    await fsp.rename(path.join(dir, `${id}.eid`), path.join(dir, 'aaaaaaaaaaaaaaaa.eid'));
    expect((await codeOf(ks.get('aaaaaaaaaaaaaaaa'))).code).toBe('keystore-corrupt');
  });

  it('an unknown format version is refused with keystore-corrupt and a clear message, and left untouched', async () => {
    const { ks, dir } = store();
    const id = await ks.add({ pkcs8: eidEc.key.pkcs8, chain: eidEc.chain, source: 'pkcs12-file' }, PIN);
    const file = path.join(dir, `${id}.eid`);
    const buf = readFileSync(file);
    buf.writeUInt16BE(2, 8);
    writeFileSync(file, buf);
    const r = await codeOf(ks.get(id));
    expect(r.code).toBe('keystore-corrupt');
    expect(r.details).toMatchObject({ version: 2 });
    expect(r.message).toMatch(/version 2.*Update eID Desk/);
    expect((await codeOf(ks.unlock(id, PIN))).code).toBe('keystore-corrupt');
    expect(readFileSync(file).equals(buf)).toBe(true);
  });

  it('refuses absurd KDF parameters from a file before running anything', async () => {
    const { ks, dir } = store();
    const id = await ks.add({ pkcs8: eidEc.key.pkcs8, chain: eidEc.chain, source: 'pkcs12-file' }, PIN);
    const file = path.join(dir, `${id}.eid`);
    const f = decodeEntryFile(readFileSync(file), id);
    const forged = { ...f.bound, kdf: { ...f.bound.kdf, N: 2 ** 30 } };
    writeFileSync(file, encodeEntryFile(Buffer.from(JSON.stringify(forged)), f.meta, f.layer, f.privateBlob));
    const t0 = performance.now();
    expect((await codeOf(ks.unlock(id, PIN))).code).toBe('keystore-corrupt');
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('sweeps temp files of dead writers and orphan sidecars on open, keeps live ones', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const dead = path.join(t.dir, '.0123456789abcdef.eid.999999999.aaaaaaaaaaaa.tmp');
    const live = path.join(t.dir, `.0123456789abcdef.eid.${process.pid}.bbbbbbbbbbbb.tmp`);
    const orphan = path.join(t.dir, '0123456789abcdef.pin');
    for (const f of [dead, live, orphan]) writeFileSync(f, 'half');
    const ks = new Keystore({ dir: t.dir, kdf: FAST_KDF });
    expect(await ks.list()).toEqual([]);
    expect(readdirSync(t.dir)).toEqual([path.basename(live)]);
  });
});

describe('Keystore with the OS layer (safeStorage stand-in)', () => {
  it('wraps the private part; opening needs the same OS account', async () => {
    const protector = fakeProtector();
    const { ks, dir } = store({ protector });
    const id = await ks.add({ pkcs8: eidEc.key.pkcs8, chain: eidEc.chain, source: 'pkcs12-file' }, PIN);
    expect((await ks.get(id)).protectedByOs).toBe(true);
    expect(protector.calls.protect).toBe(1);
    (await ks.unlock(id, PIN)).lock();
    expect(protector.calls.unprotect).toBe(1);
    // The CLI (no protector) can still list, but not open.
    const cli = new Keystore({ dir, kdf: FAST_KDF });
    expect((await cli.list()).map((e) => e.id)).toEqual([id]);
    expect((await codeOf(cli.unlock(id, PIN))).code).toBe('keystore-locked');
    // Another OS account's protector cannot open it either.
    const other = new Keystore({ dir, kdf: FAST_KDF, protector: fakeProtector() });
    expect((await codeOf(other.unlock(id, PIN))).code).toBe('keystore-locked');
    // None of that counted as a wrong PIN.
    expect((await ks.pinStatus(id)).attempts).toBe(0);
    // An unavailable protector at add time means PIN-only.
    protector.enabled = false;
    const id2 = await ks.add({ pkcs8: eidRsa.key.pkcs8, chain: eidRsa.chain, source: 'pkcs12-file' }, PIN);
    expect((await ks.get(id2)).protectedByOs).toBe(false);
  });

  it('upgrades a PIN-only entry to the OS layer when it is unlocked where the layer exists', async () => {
    const { ks, dir } = store();
    const id = await ks.add({ pkcs8: eidEc.key.pkcs8, chain: eidEc.chain, source: 'pkcs12-file' }, PIN);
    const app = new Keystore({ dir, kdf: FAST_KDF, protector: fakeProtector() });
    const h = await app.unlock(id, PIN);
    expect(h.entry.protectedByOs).toBe(true);
    expect((await ks.get(id)).protectedByOs).toBe(true);
    (await app.unlock(id, PIN)).lock();
  });
});

describe('Keystore.installToOsStore', () => {
  it('hands key and chain to the installer, wipes the key afterwards and records the install', async () => {
    const { ks } = store();
    const id = await ks.add({ pkcs8: eidEc.key.pkcs8, chain: eidEc.chain, source: 'pkcs12-file', label: 'Åsa jobb' }, PIN);
    let given: InstallMaterial | null = null;
    let keyAtCall = '';
    const installer: OsStoreInstaller = {
      kind: 'nss',
      location: '/home/u/.pki/nssdb',
      available: async () => true,
      install: async (m) => {
        given = m;
        keyAtCall = m.pkcs8.toString('hex');
        const info = describeCertificate(m.chain[0]);
        return { store: 'nss', fingerprintSha256: info.fingerprintSha256, reference: m.friendlyName, hasPrivateKey: true, info };
      },
      list: async () => [],
      remove: async () => undefined,
      findOlder: async () => [],
    };
    const installed = await ks.installToOsStore(id, PIN, installer);
    expect(installed.reference).toBe('Åsa jobb');
    expect(given).not.toBeNull();
    const m = given as unknown as InstallMaterial;
    expect(keyAtCall).toBe(eidEc.key.pkcs8.toString('hex'));
    expect(m.pkcs8.every((b) => b === 0)).toBe(true);
    expect(m.chain.map((c) => c.toString('hex'))).toEqual(eidEc.chain.map((c) => c.toString('hex')));
    const e = await ks.get(id);
    expect(e.installs).toEqual([{ kind: 'nss', location: '/home/u/.pki/nssdb', reference: 'Åsa jobb', installedAt: '2026-01-15T09:00:00.000Z' }]);
    // A wrong PIN never reaches the installer.
    given = null;
    expect((await codeOf(ks.installToOsStore(id, 'fel-pin-1', installer))).code).toBe('pin-incorrect');
    expect(given).toBeNull();
    // Re-installing replaces the record instead of piling up.
    await ks.installToOsStore(id, PIN, installer);
    expect((await ks.get(id)).installs).toHaveLength(1);
  });
});

describe('Keystore file checksum', () => {
  it('matches SHA-256 of the body', async () => {
    const { ks, dir } = store();
    const id = await ks.add({ pkcs8: eidEc.key.pkcs8, chain: eidEc.chain, source: 'pkcs12-file' }, PIN);
    const buf = readFileSync(path.join(dir, `${id}.eid`));
    expect(createHash('sha256').update(buf.subarray(0, -32)).digest().equals(buf.subarray(-32))).toBe(true);
  });
});
