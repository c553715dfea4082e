/**
 * Interoperability corpus: PKCS#12 files made at test time by the real producers (OpenSSL 3 in
 * its default, legacy and hand-picked modes, Java keytool, NSS pk12util, GnuTLS certtool), each
 * opened by the decoder in this process AND by the whole `eiddesk p12 inspect --json` process,
 * and compared with what went in: the same certificates byte for byte, the same private keys
 * (public keys derived from the decoded PKCS#8), names with Å/Ä/Ö exact, the HSA-id, key count,
 * friendly names, and the protection the tool is documented to use.
 *
 * Every file is made once (beforeAll). A missing tool fails its cases with the package to
 * install; nothing is skipped.
 */
import { X509Certificate, createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePkcs12, describePkcs12 } from '../../main/pkcs12';
import { bmpPassword, pkcs12Kdf, type HashName } from '../../main/pkcs12/kdf';
import { ensureBuilt } from '../helpers/build';
import {
  TOOL_PACKAGES,
  cliInspect,
  gnutlsP12,
  hasTool,
  keytoolExportCert,
  keytoolGenerate,
  keytoolImport,
  makeCorpusPki,
  missingToolError,
  nssP12,
  opensslP12,
  runTool,
  spkiOf,
  type CorpusPki,
} from '../helpers/p12-tools';

/** The PIN-letter password: non-ASCII, so PBKDF2 gets UTF-8 and the PKCS#12 KDF a BMPString, in one file. */
const PW = 'Lösenord-Åäö€';
/** keytool refuses non-ASCII passwords for PBES2 ("Password is not ASCII"), so Java files get this one. */
const JAVA_PW = 'Hemligt-Java-17';
const NAME = 'Åsa Öberg';

const PBES2_AES256 = 'pbes2-pbkdf2-hmac-sha256-aes-256-cbc';
const PBES2_AES128 = 'pbes2-pbkdf2-hmac-sha256-aes-128-cbc';

/** One key/certificate pair that went in, with the friendly name the tool should have written. */
interface PairIn {
  cert: Buffer;
  spki: Buffer;
  friendlyName?: string;
}

/** What a file must decode to. */
interface Expected {
  certs: Buffer[];
  pairs: PairIn[];
  /** The holder's certificate (the report's leaf). */
  leaf: Buffer;
  mac: string | null;
  macIterations: number | null;
  encryption: string[];
}

interface Case {
  id: string;
  tool: keyof typeof TOOL_PACKAGES;
  what: string;
  password: string;
  make: (file: string) => Expected;
}

let work: string;
let pki: CorpusPki;

const chainOf = (...c: Buffer[]) => [...c, pki.ca.der, pki.root.der];
const rsaPair = (friendlyName?: string): PairIn => ({ cert: pki.rsa.cert.der, spki: pki.rsa.spki, friendlyName });

const CASES: Case[] = [
  {
    id: 'openssl-default',
    tool: 'openssl',
    what: 'OpenSSL 3 default: PBES2 AES-256-CBC, SHA-256 MAC, 2,048 iterations, non-ASCII password',
    password: PW,
    make: (file) => {
      opensslP12(pki, file, { password: PW, name: NAME });
      return { certs: chainOf(pki.rsa.cert.der), pairs: [rsaPair(NAME)], leaf: pki.rsa.cert.der, mac: 'hmac-sha256', macIterations: 2048, encryption: [PBES2_AES256] };
    },
  },
  {
    id: 'openssl-legacy',
    tool: 'openssl',
    what: 'OpenSSL -legacy: RC2-40 certificates, 3DES key, SHA-1 MAC, non-ASCII password as BMPString',
    password: PW,
    make: (file) => {
      opensslP12(pki, file, { password: PW, name: NAME, args: ['-legacy'] });
      return { certs: chainOf(pki.rsa.cert.der), pairs: [rsaPair(NAME)], leaf: pki.rsa.cert.der, mac: 'hmac-sha1', macIterations: 2048, encryption: ['pbe-sha1-rc2-40', 'pbe-sha1-3des'] };
    },
  },
  {
    id: 'openssl-3des-sha1',
    tool: 'openssl',
    what: 'OpenSSL -keypbe/-certpbe PBE-SHA1-3DES -macalg sha1',
    password: PW,
    make: (file) => {
      opensslP12(pki, file, { password: PW, name: NAME, args: ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1'] });
      return { certs: chainOf(pki.rsa.cert.der), pairs: [rsaPair(NAME)], leaf: pki.rsa.cert.der, mac: 'hmac-sha1', macIterations: 2048, encryption: ['pbe-sha1-3des'] };
    },
  },
  {
    id: 'openssl-certs-unencrypted',
    tool: 'openssl',
    what: 'OpenSSL -certpbe NONE: certificates in plain data, key PBES2',
    password: PW,
    make: (file) => {
      opensslP12(pki, file, { password: PW, name: NAME, args: ['-certpbe', 'NONE'] });
      return { certs: chainOf(pki.rsa.cert.der), pairs: [rsaPair(NAME)], leaf: pki.rsa.cert.der, mac: 'hmac-sha256', macIterations: 2048, encryption: [PBES2_AES256] };
    },
  },
  {
    id: 'openssl-unencrypted',
    tool: 'openssl',
    what: 'OpenSSL -keypbe NONE -certpbe NONE: a plain keyBag, only the MAC uses the password',
    password: PW,
    make: (file) => {
      opensslP12(pki, file, { password: PW, name: NAME, args: ['-keypbe', 'NONE', '-certpbe', 'NONE'] });
      return { certs: chainOf(pki.rsa.cert.der), pairs: [rsaPair(NAME)], leaf: pki.rsa.cert.der, mac: 'hmac-sha256', macIterations: 2048, encryption: [] };
    },
  },
  {
    id: 'openssl-nomac',
    tool: 'openssl',
    what: 'OpenSSL -nomac: no integrity MAC, the password is judged by decryption alone',
    password: PW,
    make: (file) => {
      opensslP12(pki, file, { password: PW, name: NAME, args: ['-nomac'] });
      return { certs: chainOf(pki.rsa.cert.der), pairs: [rsaPair(NAME)], leaf: pki.rsa.cert.der, mac: null, macIterations: null, encryption: [PBES2_AES256] };
    },
  },
  {
    id: 'openssl-ec',
    tool: 'openssl',
    what: 'OpenSSL default with an EC P-256 key',
    password: PW,
    make: (file) => {
      opensslP12(pki, file, { password: PW, name: NAME, holder: pki.ec });
      return { certs: chainOf(pki.ec.cert.der), pairs: [{ cert: pki.ec.cert.der, spki: pki.ec.spki, friendlyName: NAME }], leaf: pki.ec.cert.der, mac: 'hmac-sha256', macIterations: 2048, encryption: [PBES2_AES256] };
    },
  },
  {
    id: 'openssl-sha512-mac',
    tool: 'openssl',
    what: 'OpenSSL -macalg sha512 -keypbe AES-128-CBC (SHA-512 in the PKCS#12 KDF)',
    password: PW,
    make: (file) => {
      opensslP12(pki, file, { password: PW, name: NAME, args: ['-macalg', 'sha512', '-keypbe', 'AES-128-CBC'] });
      return { certs: chainOf(pki.rsa.cert.der), pairs: [rsaPair(NAME)], leaf: pki.rsa.cert.der, mac: 'hmac-sha512', macIterations: 2048, encryption: [PBES2_AES256, PBES2_AES128] };
    },
  },
  {
    id: 'openssl-empty-password',
    tool: 'openssl',
    what: 'OpenSSL default with an empty password',
    password: '',
    make: (file) => {
      opensslP12(pki, file, { password: '', name: NAME });
      return { certs: chainOf(pki.rsa.cert.der), pairs: [rsaPair(NAME)], leaf: pki.rsa.cert.der, mac: 'hmac-sha256', macIterations: 2048, encryption: [PBES2_AES256] };
    },
  },
  {
    id: 'openssl-legacy-empty-password',
    tool: 'openssl',
    what: 'OpenSSL -legacy with an empty password (the BMPString is then just its terminator)',
    password: '',
    make: (file) => {
      opensslP12(pki, file, { password: '', name: NAME, args: ['-legacy'] });
      return { certs: chainOf(pki.rsa.cert.der), pairs: [rsaPair(NAME)], leaf: pki.rsa.cert.der, mac: 'hmac-sha1', macIterations: 2048, encryption: ['pbe-sha1-rc2-40', 'pbe-sha1-3des'] };
    },
  },
  {
    id: 'openssl-600k',
    tool: 'openssl',
    what: 'OpenSSL -iter 600000 (PBKDF2 and MAC both at 600,000 iterations)',
    password: PW,
    make: (file) => {
      opensslP12(pki, file, { password: PW, name: NAME, args: ['-iter', '600000'] });
      return { certs: chainOf(pki.rsa.cert.der), pairs: [rsaPair(NAME)], leaf: pki.rsa.cert.der, mac: 'hmac-sha256', macIterations: 600_000, encryption: [PBES2_AES256] };
    },
  },
  {
    id: 'keytool-genkeypair',
    tool: 'keytool',
    what: 'Java keytool -genkeypair -storetype PKCS12 (Java makes key and certificate; alias lower-cased by keytool)',
    password: JAVA_PW,
    make: (file) => {
      keytoolGenerate(file, { password: JAVA_PW, alias: NAME, dname: 'CN=Åsa Öberg, O=Västra Götalandsregionen, SERIALNUMBER=SE2321000156-10XX, C=SE' });
      // What went in is Java's own certificate: read it back with keytool, not with eID Desk.
      const cert = keytoolExportCert(file, JAVA_PW, NAME, `${file}.cer`);
      // X509Certificate is Node's own parser, independent of main/pki.
      const spki = spkiOf(new X509Certificate(cert).publicKey);
      return { certs: [cert], pairs: [{ cert, spki, friendlyName: 'åsa öberg' }], leaf: cert, mac: 'hmac-sha256', macIterations: 10_000, encryption: [PBES2_AES256] };
    },
  },
  {
    id: 'keytool-importkeystore-two-pairs',
    tool: 'keytool',
    what: 'Java keytool -importkeystore of two OpenSSL files (RSA with chain, EC) into one keystore: two key/certificate pairs',
    password: JAVA_PW,
    make: (file) => {
      const rsaSrc = opensslP12(pki, `${file}.rsa-src.p12`, { password: 'src-1', name: NAME });
      const ecSrc = opensslP12(pki, `${file}.ec-src.p12`, { password: 'src-2', name: `${NAME} EC`, holder: pki.ec, chain: false });
      keytoolImport(rsaSrc, 'src-1', file, JAVA_PW);
      keytoolImport(ecSrc, 'src-2', file, JAVA_PW);
      return {
        certs: [...chainOf(pki.rsa.cert.der), pki.ec.cert.der],
        pairs: [rsaPair('åsa öberg'), { cert: pki.ec.cert.der, spki: pki.ec.spki, friendlyName: 'åsa öberg ec' }],
        leaf: pki.rsa.cert.der,
        mac: 'hmac-sha256',
        macIterations: 10_000,
        encryption: [PBES2_AES256],
      };
    },
  },
  {
    id: 'nss-pk12util',
    tool: 'pk12util',
    what: 'NSS pk12util -o defaults: PBKDF2 600,000 iterations, AES-256 key, AES-128 certificates, SHA-256 MAC at 600,000',
    password: PW,
    make: (file) => {
      nssP12(pki, file, { password: PW, nickname: NAME });
      return { certs: chainOf(pki.rsa.cert.der), pairs: [rsaPair(NAME)], leaf: pki.rsa.cert.der, mac: 'hmac-sha256', macIterations: 600_000, encryption: [PBES2_AES256, PBES2_AES128] };
    },
  },
  {
    id: 'gnutls-certtool',
    tool: 'certtool',
    what: 'GnuTLS certtool --to-p12 defaults: PBES2 AES-128, SHA-256 MAC, 600,000 iterations; --p12-name with Å/Ö',
    password: PW,
    make: (file) => {
      gnutlsP12(pki, file, { password: PW, name: NAME });
      // certtool takes one CA certificate (--load-ca-certificate reads the first).
      return { certs: [pki.rsa.cert.der, pki.ca.der], pairs: [rsaPair(NAME)], leaf: pki.rsa.cert.der, mac: 'hmac-sha256', macIterations: 600_000, encryption: [PBES2_AES128] };
    },
  },
  {
    id: 'gnutls-3des-sha512',
    tool: 'certtool',
    what: 'GnuTLS certtool --pkcs-cipher 3des-pkcs12 --hash SHA512, EC key: legacy PBE and a SHA-512 MAC at 600,000 iterations (five PKCS#12 KDF chains at once)',
    password: PW,
    make: (file) => {
      gnutlsP12(pki, file, { password: PW, name: NAME, holder: pki.ec, args: ['--pkcs-cipher', '3des-pkcs12', '--hash', 'SHA512'] });
      return { certs: [pki.ec.cert.der, pki.ca.der], pairs: [{ cert: pki.ec.cert.der, spki: pki.ec.spki, friendlyName: NAME }], leaf: pki.ec.cert.der, mac: 'hmac-sha512', macIterations: 600_000, encryption: ['pbe-sha1-3des'] };
    },
  },
];

const made = new Map<string, { file: string; expected: Expected } | { error: Error }>();

beforeAll(async () => {
  await ensureBuilt('cli');
  work = mkdtempSync(path.join(os.tmpdir(), 'eiddesk-p12-interop-'));
  pki = makeCorpusPki(path.join(work, 'pki'));
  for (const c of CASES) {
    const file = path.join(work, `${c.id}.p12`);
    try {
      if (!hasTool(c.tool)) throw missingToolError(c.tool);
      made.set(c.id, { file, expected: c.make(file) });
    } catch (err) {
      made.set(c.id, { error: err as Error });
    }
  }
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function fileOf(id: string): { file: string; expected: Expected } {
  const m = made.get(id);
  if (!m) throw new Error(`${id} was not made`);
  if ('error' in m) throw m.error;
  return m;
}

const hex = (b: Buffer) => b.toString('hex');
const fingerprint = (der: Buffer) =>
  createHash('sha256')
    .update(der)
    .digest('hex')
    .toUpperCase()
    .replace(/(..)(?!$)/g, '$1:');

describe('PKCS#12 producers are installed', () => {
  it.each(Object.keys(TOOL_PACKAGES))('%s', (tool) => {
    if (!hasTool(tool)) throw missingToolError(tool);
  });
});

describe.each(CASES.map((c) => [c.id, c] as const))('%s', (_, c) => {
  it(`decoder: ${c.what}`, async () => {
    const { file, expected } = fileOf(c.id);
    const contents = await decodePkcs12(readFileSync(file), c.password);

    expect(contents.certificates.map((x) => hex(x.der)).sort()).toEqual(expected.certs.map(hex).sort());
    expect(contents.keys).toHaveLength(expected.pairs.length);
    expect(contents.keys.map((k) => hex(spkiOf(k.pkcs8))).sort()).toEqual(expected.pairs.map((p) => hex(p.spki)).sort());
    for (const pair of expected.pairs) {
      const key = contents.keys.find((k) => spkiOf(k.pkcs8).equals(pair.spki));
      const cert = contents.certificates.find((x) => x.der.equals(pair.cert));
      expect(key && cert).toBeTruthy();
      // Every one of these tools ties key and certificate with the same localKeyId.
      expect(key?.localKeyId).toMatch(/^[0-9A-F]+$/);
      expect(cert?.localKeyId).toBe(key?.localKeyId);
      if (pair.friendlyName !== undefined) {
        expect(cert?.friendlyName).toBe(pair.friendlyName);
        expect(key?.friendlyName).toBe(pair.friendlyName);
      }
    }
    expect(contents.macAlgorithm).toBe(expected.mac);
    expect(contents.macIterations).toBe(expected.macIterations);
    expect([...contents.encryption].sort()).toEqual([...expected.encryption].sort());

    const report = describePkcs12(contents);
    expect(report.leaf?.fingerprintSha256).toBe(fingerprint(expected.leaf));
    expect(report.leaf?.subject).toMatchObject({ CN: 'Åsa Öberg', O: 'Västra Götalandsregionen', serialNumber: 'SE2321000156-10XX', C: 'SE' });
    expect(report.leaf?.identity).toMatchObject({ kind: 'hsa-id', value: 'SE2321000156-10XX' });
    expect(report.pairs).toHaveLength(expected.pairs.length);
    expect(report.keyMismatch).toBe(false);
  });

  it('whole process: eiddesk p12 inspect --json, password from EIDDESK_P12_PASSWORD', async () => {
    const { file, expected } = fileOf(c.id);
    const run = await cliInspect(file, c.password, ['--require-key']);
    expect(run.json.error).toBeUndefined();
    expect(run.status).toBe(0);
    const r = run.json;
    expect(r.ok).toBe(true);
    expect(r.keys).toBe(expected.pairs.length);
    expect(r.certificates?.map((x) => x.fingerprintSha256).sort()).toEqual(expected.certs.map(fingerprint).sort());
    expect(r.leaf?.fingerprintSha256).toBe(fingerprint(expected.leaf));
    expect(r.leaf?.hasKey).toBe(true);
    // Exact names, byte for byte through stdout: no mojibake, no escapes.
    expect(r.leaf?.subject.CN).toBe('Åsa Öberg');
    expect(r.leaf?.subject.O).toBe('Västra Götalandsregionen');
    expect(run.stdout).toContain('"CN": "Åsa Öberg"');
    expect(r.leaf?.identity?.value).toBe('SE2321000156-10XX');
    expect(r.pairs).toHaveLength(expected.pairs.length);
    for (const pair of expected.pairs) {
      const ci = r.certificates?.findIndex((x) => x.fingerprintSha256 === fingerprint(pair.cert)) ?? -1;
      expect(r.pairs?.some((p) => p.certificateIndex === ci)).toBe(true);
      if (pair.friendlyName !== undefined) expect(r.certificates?.[ci]?.friendlyName).toBe(pair.friendlyName);
    }
    expect(r.protection).toEqual({ macAlgorithm: expected.mac, macIterations: expected.macIterations, encryption: expect.arrayContaining(expected.encryption) });
    expect(r.protection?.encryption).toHaveLength(expected.encryption.length);
    if (c.password) expect(run.stdout + run.stderr).not.toContain(c.password);
  });
});

describe('the PKCS#12 KDF against OpenSSL\'s own (openssl kdf PKCS12KDF), at run time', () => {
  // Every hash, each purpose id, multi-block output, the 512-iteration slice boundary of the
  // WebAssembly loops, the BMPString of a non-ASCII password and the empty password.
  const cases: Array<[HashName, 1 | 2 | 3, number, number, string]> = [
    ['sha1', 1, 2048, 24, PW],
    ['sha1', 2, 513, 8, PW],
    ['sha224', 3, 1000, 28, PW],
    ['sha256', 3, 10_000, 32, PW],
    ['sha256', 1, 512, 40, ''],
    ['sha384', 3, 2049, 48, PW],
    ['sha512', 3, 10_000, 64, PW],
    ['sha512', 1, 511, 72, ''],
  ];
  it.each(cases)('%s, id %i, %i iterations, %i bytes, password %j', (hash, id, iterations, length, password) => {
    if (!hasTool('openssl')) throw missingToolError('openssl');
    const salt = Buffer.from('0a58cf64530d823f', 'hex');
    const bmp = bmpPassword(password);
    const args = ['kdf', '-keylen', String(length), '-kdfopt', `digest:${hash.toUpperCase()}`, '-kdfopt', `hexpass:${bmp.toString('hex')}`];
    args.push('-kdfopt', `hexsalt:${salt.toString('hex')}`, '-kdfopt', `iter:${iterations}`, '-kdfopt', `id:${id}`, 'PKCS12KDF');
    const theirs = runTool('openssl', args).toString().trim().replace(/:/g, '').toLowerCase();
    expect(pkcs12Kdf({ hash, id, iterations, length, salt, password: bmp }).toString('hex')).toBe(theirs);
  });
});

describe('wrong passwords against real producers', () => {
  it.each([
    ['openssl-default', 'Lösenord-Aao€'],
    ['openssl-legacy', 'lösenord-åäö€'],
    ['openssl-nomac', PW.slice(0, -1)],
    ['openssl-empty-password', ' '],
    ['keytool-genkeypair', 'hemligt-java-17'],
  ])('%s refuses %j with bad-password', async (id, wrong) => {
    const { file } = fileOf(id);
    await expect(decodePkcs12(readFileSync(file), wrong)).rejects.toMatchObject({ code: 'bad-password' });
  });
});
