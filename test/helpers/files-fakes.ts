/**
 * Fixtures for the file e-ID handlers (p12:*, keystore:*, os-store:*): an in-memory OS store
 * with failure injection, a key-only PKCS#12, and a Services object with a real keystore in a
 * temp directory and traps for everything else.
 */
import { createHmac, randomBytes } from 'node:crypto';
import * as der from '../../main/pki/der';
import { parseCertificate } from '../../main/pki/certificate';
import { Keystore } from '../../main/keystore/keystore';
import { encodeTempPkcs12, pkcs12Kdf } from '../../main/keystore/os-store/temp-p12';
import { findOlderIn } from '../../main/keystore/os-store/older';
import type { InstallMaterial, InstalledCert, OsStoreInstaller } from '../../main/keystore/os-store/types';
import { EidError } from '../../main/errors';
import type { Services } from '../../main/services';
import { FAST_KDF } from './keystore-fixtures';

/** An OS store in memory. `failInstall`: 'before' fails without a trace, 'after' fails once the chain is in. */
export interface FakeOsStore extends OsStoreInstaller {
  certs: InstalledCert[];
  failInstall: null | 'before' | 'after';
  failRemove: Set<string>;
  isAvailable: boolean;
  calls: string[];
  /** Puts a certificate in as if installed earlier by someone else. */
  seed(certDer: Buffer, hasPrivateKey?: boolean): InstalledCert;
}

/** Makes a fake OS store (kind 'nss', location '/fake/nssdb'). */
export function fakeOsStore(): FakeOsStore {
  const store: FakeOsStore = {
    kind: 'nss',
    location: '/fake/nssdb',
    certs: [],
    failInstall: null,
    failRemove: new Set(),
    isAvailable: true,
    calls: [],
    seed(certDer, hasPrivateKey = true) {
      const info = parseCertificate(certDer).info;
      const c: InstalledCert = { store: 'nss', fingerprintSha256: info.fingerprintSha256, reference: info.subject.CN ?? 'cert', hasPrivateKey: info.isCA ? false : hasPrivateKey, info };
      if (!store.certs.some((x) => x.fingerprintSha256 === c.fingerprintSha256)) store.certs.push(c);
      return c;
    },
    async available() {
      return store.isAvailable;
    },
    async install(material: InstallMaterial) {
      store.calls.push('install');
      if (store.failInstall === 'before') throw new EidError('os-store-failed', 'Importing into the NSS database failed (fake).');
      const leaf = store.seed(material.chain[0]);
      for (const c of material.chain.slice(1)) store.seed(c, false);
      if (store.failInstall === 'after') throw new EidError('os-store-failed', 'The NSS database accepted the import but does not list the certificate afterwards (fake).');
      return leaf;
    },
    async list() {
      store.calls.push('list');
      return [...store.certs];
    },
    async remove(fingerprint: string) {
      store.calls.push(`remove ${fingerprint.slice(0, 8)}`);
      if (store.failRemove.has(fingerprint)) throw new EidError('os-store-failed', 'Removal failed (fake).');
      const before = store.certs.length;
      store.certs = store.certs.filter((c) => c.fingerprintSha256 !== fingerprint);
      if (store.certs.length === before) throw new EidError('not-found', 'not in the store');
    },
    async findOlder(target) {
      return findOlderIn(store.certs, target, store.location);
    },
  };
  return store;
}

/** A PKCS#12 with one unencrypted private key and no certificate (SHA-256 MAC). */
export function encodeKeyOnly(pkcs8: Buffer, password: string): Buffer {
  const data = '1.2.840.113549.1.7.1';
  const ci = (content: Buffer) => der.sequence(der.oid(data), der.context(0, true, der.octetString(content)));
  const keyBag = der.sequence(der.oid('1.2.840.113549.1.12.10.1.1'), der.context(0, true, pkcs8));
  const authSafe = der.sequence(ci(der.sequence(keyBag)));
  const salt = randomBytes(16);
  const mac = createHmac('sha256', pkcs12Kdf(password, salt, 3, 2048, 32)).update(authSafe).digest();
  const macData = der.sequence(der.sequence(der.sequence(der.oid('2.16.840.1.101.3.4.2.1'), der.nul()), der.octetString(mac)), der.octetString(salt), der.integer(2048));
  return der.sequence(der.integer(3), ci(authSafe), macData);
}

/** A regular e-ID file: key and chain, PBES2/AES-256 with a SHA-256 MAC. */
export function encodeP12(pkcs8: Buffer, chain: Buffer[], password: string, friendlyName = 'Åsa Öberg'): Buffer {
  return encodeTempPkcs12({ pkcs8, chain, friendlyName }, password);
}

/** Services with a real keystore in `dir` (fast KDF), the given OS store, and traps elsewhere. */
export function fileServices(dir: string, osStore: OsStoreInstaller): Services & { keystore: Keystore } {
  const trap = new Proxy({}, { get: () => { throw new Error('this service must not be used by file handlers'); } });
  return { options: { host: 'cli' }, settings: trap, cards: trap, cardOps: trap, keystore: new Keystore({ dir, kdf: FAST_KDF }), osStore, close() {} } as unknown as Services & { keystore: Keystore };
}
