import { beforeAll, describe, expect, it } from 'vitest';
import { createDecipheriv, createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as der from '../../main/pki/der';
import { describeCertificate } from '../../main/pki/certificate';
import { encodeTempPkcs12, pkcs12Kdf, withTempPkcs12 } from '../../main/keystore/os-store/temp-p12';
import { WindowsMyInstaller, INSTALL_SCRIPT, LIST_SCRIPT, REMOVE_SCRIPT, thumbprint } from '../../main/keystore/os-store/windows';
import { MacosKeychainInstaller } from '../../main/keystore/os-store/macos';
import { NssInstaller, nssKeyId, parseCertutilKeys, parseCertutilList, pemCertificates } from '../../main/keystore/os-store/nss';
import { findOlderIn } from '../../main/keystore/os-store/older';
import { osStoreInstaller } from '../../main/keystore/os-store/index';
import type { InstalledCert } from '../../main/keystore/os-store/types';
import type { CommandSpec } from '../../main/keystore/os-store/runner';
import { makeCa, makeCertificate, makeEid, makeKey, toPem, type TestCa, type TestEid } from '../helpers/keystore-certs';
import { recordingRunner } from '../helpers/keystore-fixtures';

let ca: TestCa;
let eid: TestEid;
let intermediateChain: Buffer[];
beforeAll(() => {
  ca = makeCa();
  eid = makeEid({ ca });
  const sub = makeKey('ec');
  const subName: Array<[string, string]> = [['C', 'SE'], ['O', 'Testutfärdaren AB'], ['CN', 'Test Issuing CA']];
  const subCert = makeCertificate({ subject: subName, issuer: ca.name, subjectSpki: sub.spki, issuerKey: ca.key.privateKey, ca: true });
  const leaf = makeCertificate({ subject: [['CN', 'Leaf']], issuer: subName, subjectSpki: eid.key.spki, issuerKey: sub.privateKey });
  intermediateChain = [leaf, subCert, ca.cert];
});

/** Decodes our temp PFX with an independent walk: checks the MAC and decrypts the key bag. */
function openPfx(pfx: Buffer, password: string): { pkcs8: Buffer; certs: Buffer[]; friendlyName: string } {
  const [version, authSafeCi, macData] = der.seq(der.decode(pfx), 'pfx');
  expect(der.readSmallInt(version, 'v')).toBe(3);
  const authSafeBytes = der.children(der.seq(authSafeCi, 'ci')[1])[0].value;
  const [digestInfo, macSalt, iterNode] = der.seq(macData, 'macData');
  const [, digest] = der.seq(digestInfo, 'digestInfo');
  const macKey = pkcs12Kdf(password, macSalt.value, 3, der.readSmallInt(iterNode, 'iter'), 32);
  expect(createHmac('sha256', macKey).update(authSafeBytes).digest().equals(digest.value)).toBe(true);
  const certs: Buffer[] = [];
  let pkcs8 = Buffer.alloc(0);
  let friendlyName = '';
  for (const ci of der.seq(der.decode(authSafeBytes), 'authSafe')) {
    const safeContents = der.children(der.seq(ci, 'ci')[1])[0].value;
    for (const bag of der.seq(der.decode(safeContents), 'safeContents')) {
      const [bagId, bagValue, attrs] = der.seq(bag, 'bag');
      const oid = der.readOid(bagId, 'bagId');
      if (oid === '1.2.840.113549.1.12.10.1.3') {
        certs.push(der.children(der.seq(der.children(bagValue)[0], 'certBag')[1])[0].value);
      } else {
        const [alg, enc] = der.seq(der.children(bagValue)[0], 'epki');
        const [, pbes2] = der.seq(alg, 'alg');
        const [kdf, scheme] = der.seq(pbes2, 'pbes2');
        const [salt, iter] = der.seq(der.seq(kdf, 'kdf')[1], 'pbkdf2');
        const iv = der.seq(scheme, 'scheme')[1].value;
        const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt.value, der.readSmallInt(iter, 'iter'), 32, 'sha256');
        const d = createDecipheriv('aes-256-cbc', key, iv);
        pkcs8 = Buffer.concat([d.update(enc.value), d.final()]);
        for (const a of der.children(attrs)) {
          const [aid, vals] = der.seq(a, 'attr');
          if (der.readOid(aid, 'aid') === '1.2.840.113549.1.9.20') friendlyName = der.readString(der.children(vals)[0]);
        }
      }
    }
  }
  return { pkcs8, certs, friendlyName };
}

describe('temporary PKCS#12 encoder', () => {
  it('implements the RFC 7292 KDF (vectors from openssl kdf PKCS12KDF, SHA-256)', () => {
    expect(pkcs12Kdf('Åsa-pw', Buffer.from('0102030405060708', 'hex'), 3, 2048, 32).toString('hex')).toBe(
      'ea070138d53c0ab774095af5bbbcd647a778f16f92dec0487cc7d5b55b18c0c9',
    );
    expect(pkcs12Kdf('secret', Buffer.from('a1a2a3a4a5a6a7a8a9', 'hex'), 1, 3, 72).toString('hex')).toBe(
      'b1f677e4c7f41adec3c5cd45f384cf4637f54e9ac1fab26066029d4f0f0154ce' +
        'ca0e8aaa80e90371efb7c4147b77b9bbd429513c5dd0d290f60f8309c8ab841e' +
        '8f2d0671381e5186',
    );
  });

  it('writes a PFX with a valid MAC, the key under PBES2/AES-256 and the chain, friendly name in BMPString', () => {
    const pfx = encodeTempPkcs12({ pkcs8: eid.key.pkcs8, chain: eid.chain, friendlyName: 'Åsa Öberg – jobb' }, 'one-time-pw');
    const opened = openPfx(pfx, 'one-time-pw');
    expect(opened.pkcs8.equals(eid.key.pkcs8)).toBe(true);
    expect(opened.certs.map((c) => c.toString('hex'))).toEqual(eid.chain.map((c) => c.toString('hex')));
    expect(opened.friendlyName).toBe('Åsa Öberg – jobb');
    expect(() => openPfx(pfx, 'wrong')).toThrow();
  });

  it('withTempPkcs12 writes 0600 files in a 0700 directory and removes them afterwards, even on error', async () => {
    let seen: { dir: string; p12: string; passwordFile: string; password: string } | null = null;
    await expect(
      withTempPkcs12({ pkcs8: eid.key.pkcs8, chain: eid.chain, friendlyName: 'x' }, async (f) => {
        seen = f;
        if (process.platform !== 'win32') {
          expect(statSync(f.dir).mode & 0o777).toBe(0o700);
          expect(statSync(f.p12).mode & 0o777).toBe(0o600);
          expect(statSync(f.passwordFile).mode & 0o777).toBe(0o600);
        }
        expect(readFileSync(f.passwordFile, 'utf8')).toBe(`${f.password}\n`);
        expect(f.password).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(openPfx(readFileSync(f.p12), f.password).pkcs8.equals(eid.key.pkcs8)).toBe(true);
        throw new Error('import failed');
      }),
    ).rejects.toThrow('import failed');
    expect(seen).not.toBeNull();
    expect(existsSync((seen as unknown as { dir: string }).dir)).toBe(false);
  });
});

describe('Windows CurrentUser\\My installer', () => {
  it('runs Import-PfxCertificate with the password on stdin only, the PFX path in the environment', async () => {
    const leafThumb = thumbprint(intermediateChain[0]);
    let pfxCheck: { pkcs8: Buffer; certs: Buffer[] } | null = null;
    let caFileContents: Buffer[] = [];
    const runner = recordingRunner((spec) => {
      const password = (spec.stdin ?? '').replace(/\n$/, '');
      pfxCheck = openPfx(readFileSync(spec.env!.EIDDESK_PFX), password);
      caFileContents = spec.env!.EIDDESK_CA_FILES.split('|').filter(Boolean).map((f) => readFileSync(f));
      return { stdout: `${leafThumb}\r\n` };
    });
    const inst = new WindowsMyInstaller({ runner, platform: 'win32' });
    const out = await inst.install({ pkcs8: eid.key.pkcs8, chain: intermediateChain, friendlyName: 'Åsa' });
    expect(runner.calls).toHaveLength(1);
    const call = runner.calls[0];
    expect(call.command).toBe('powershell.exe');
    expect(call.args).toEqual(['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', INSTALL_SCRIPT]);
    expect(INSTALL_SCRIPT).toBe(
      "$ErrorActionPreference = 'Stop'; $p = [Console]::In.ReadLine(); $s = ConvertTo-SecureString -String $p -AsPlainText -Force; $p = $null; " +
        "$c = Import-PfxCertificate -FilePath $env:EIDDESK_PFX -CertStoreLocation 'Cert:\\CurrentUser\\My' -Password $s; " +
        "foreach ($f in ($env:EIDDESK_CA_FILES -split '\\|')) { if ($f) { Import-Certificate -FilePath $f -CertStoreLocation 'Cert:\\CurrentUser\\CA' | Out-Null } }; " +
        '$c | ForEach-Object { $_.Thumbprint }',
    );
    expect(INSTALL_SCRIPT).not.toContain('-Exportable');
    expect(INSTALL_SCRIPT).not.toContain('"');
    const password = call.stdin!.trim();
    expect(password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(call.args.some((a) => a.includes(password))).toBe(false);
    expect(Object.values(call.env!).some((v) => v.includes(password))).toBe(false);
    // The PFX holds only the leaf and its key; the intermediate goes to CurrentUser\CA; the root nowhere.
    const checked = pfxCheck as unknown as { pkcs8: Buffer; certs: Buffer[] };
    expect(checked.pkcs8.equals(eid.key.pkcs8)).toBe(true);
    expect(checked.certs).toHaveLength(1);
    expect(checked.certs[0].equals(intermediateChain[0])).toBe(true);
    expect(caFileContents.map((c) => c.toString('hex'))).toEqual([intermediateChain[1].toString('hex')]);
    expect(existsSync(call.env!.EIDDESK_PFX)).toBe(false);
    expect(out).toMatchObject({ store: 'windows-my', reference: leafThumb, hasPrivateKey: true });
  });

  it('fails with os-store-failed when PowerShell fails or does not report the certificate', async () => {
    const failing = new WindowsMyInstaller({ runner: recordingRunner(() => ({ code: 1, stderr: 'Import-PfxCertificate : The PFX file could not be found.\r\n' })), platform: 'win32' });
    await expect(failing.install({ pkcs8: eid.key.pkcs8, chain: eid.chain, friendlyName: 'x' })).rejects.toMatchObject({ code: 'os-store-failed', message: expect.stringContaining('could not be found') });
    const silent = new WindowsMyInstaller({ runner: recordingRunner(() => ({ stdout: '' })), platform: 'win32' });
    await expect(silent.install({ pkcs8: eid.key.pkcs8, chain: eid.chain, friendlyName: 'x' })).rejects.toMatchObject({ code: 'os-store-failed' });
  });

  it('lists CurrentUser\\My and removes by thumbprint with -DeleteKey', async () => {
    const other = makeEid({ ca });
    const stdout = `True ${eid.leaf.toString('base64')}\r\nFalse ${other.leaf.toString('base64')}\r\n\r\n`;
    const runner = recordingRunner((spec) => (spec.args.includes(LIST_SCRIPT) ? { stdout } : {}));
    const inst = new WindowsMyInstaller({ runner, platform: 'win32' });
    const list = await inst.list();
    expect(list.map((c) => [c.reference, c.hasPrivateKey])).toEqual([
      [thumbprint(eid.leaf), true],
      [thumbprint(other.leaf), false],
    ]);
    await inst.remove(describeCertificate(eid.leaf).fingerprintSha256);
    const rm = runner.calls[runner.calls.length - 1];
    expect(rm.args).toEqual(['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', REMOVE_SCRIPT]);
    expect(rm.env).toEqual({ EIDDESK_THUMBPRINT: thumbprint(eid.leaf) });
    expect(REMOVE_SCRIPT).toContain('-DeleteKey');
    expect(REMOVE_SCRIPT).toContain("-cnotmatch '^[0-9A-F]{40}$'");
    await expect(inst.remove('00:11')).rejects.toMatchObject({ code: 'not-found' });
  });

  it('is available only on Windows', async () => {
    expect(await new WindowsMyInstaller({ runner: recordingRunner(), platform: 'linux' }).available()).toBe(false);
    expect(await new WindowsMyInstaller({ runner: recordingRunner(), platform: 'win32' }).available()).toBe(true);
  });
});

describe('macOS login keychain installer', () => {
  const keychain = '/Users/asa/Library/Keychains/login.keychain-db';

  it('imports non-extractable with a one-time password and trusts the root', async () => {
    let importedOk = false;
    let rootSeen: Buffer | null = null;
    const runner = recordingRunner((spec) => {
      if (spec.args[0] === 'import') importedOk = openPfx(readFileSync(spec.args[1]), spec.args[8]).pkcs8.equals(eid.key.pkcs8);
      if (spec.args[0] === 'add-trusted-cert') rootSeen = readFileSync(spec.args[5]);
      return {};
    });
    const inst = new MacosKeychainInstaller({ runner, keychain, platform: 'darwin' });
    const out = await inst.install({ pkcs8: eid.key.pkcs8, chain: eid.chain, friendlyName: 'Åsa' });
    expect(runner.calls.map((c) => c.command)).toEqual(['/usr/bin/security', '/usr/bin/security']);
    const [imp, trust] = runner.calls;
    expect(imp.args.slice(0, 1)).toEqual(['import']);
    expect(imp.args.slice(2)).toEqual(['-k', keychain, '-f', 'pkcs12', '-x', '-P', imp.args[8]]);
    expect(imp.args[1]).toMatch(/eiddesk-install-.*\/eid\.p12$/);
    expect(imp.args[8]).toMatch(/^[A-Za-z0-9_-]{43}$/); // random one-time password, never a user secret
    expect(imp.stdin ?? '').toBe('');
    expect(importedOk).toBe(true);
    expect(trust.args.slice(0, 5)).toEqual(['add-trusted-cert', '-r', 'trustRoot', '-k', keychain]);
    expect(trust.args[5]).toMatch(/root\.cer$/);
    expect((rootSeen as unknown as Buffer).equals(ca.cert)).toBe(true);
    expect(existsSync(imp.args[1])).toBe(false);
    expect(out).toMatchObject({ store: 'macos-keychain', reference: createHash('sha1').update(eid.leaf).digest('hex').toUpperCase() });
  });

  it('reports a cancelled trust dialog as a partial install', async () => {
    const runner = recordingRunner((spec) => (spec.args[0] === 'add-trusted-cert' ? { code: 1, stderr: 'SecTrustSettingsSetTrustSettings: The authorization was canceled by the user.' } : {}));
    const inst = new MacosKeychainInstaller({ runner, keychain, platform: 'darwin' });
    await expect(inst.install({ pkcs8: eid.key.pkcs8, chain: eid.chain, friendlyName: 'x' })).rejects.toMatchObject({ code: 'os-store-failed', details: { partial: true } });
  });

  it('lists with find-certificate/find-identity and removes with delete-identity or delete-certificate', async () => {
    const old = makeEid({ ca, notBefore: new Date(Date.now() - 800 * 86400_000), notAfter: new Date(Date.now() - 30 * 86400_000) });
    const sha = (d: Buffer) => createHash('sha1').update(d).digest('hex').toUpperCase();
    const runner = recordingRunner((spec) => {
      if (spec.args[0] === 'find-certificate') return { stdout: `SHA-1 hash: x\n${toPem(eid.leaf)}${toPem(old.leaf)}${toPem(ca.cert)}` };
      if (spec.args[0] === 'find-identity') return { stdout: `Policy: X.509 Basic\n  Matching identities\n  1) ${sha(old.leaf)} "Åsa Öberg"\n     1 identities found\n` };
      return {};
    });
    const inst = new MacosKeychainInstaller({ runner, keychain, platform: 'darwin' });
    const list = await inst.list();
    expect(list.map((c) => c.hasPrivateKey)).toEqual([false, true, false]);
    const older = await inst.findOlder(describeCertificate(eid.leaf));
    expect(older.map((o) => o.certificate.reference)).toEqual([sha(old.leaf)]);
    expect(older[0].preview).toMatchObject({ store: 'macos-keychain', location: keychain, expired: true, removesPrivateKey: true, holder: 'Åsa Öberg' });
    await inst.remove(describeCertificate(old.leaf).fingerprintSha256);
    expect(runner.calls.at(-1)!.args).toEqual(['delete-identity', '-Z', sha(old.leaf), '-t', keychain]);
    await inst.remove(describeCertificate(ca.cert).fingerprintSha256);
    expect(runner.calls.at(-1)!.args).toEqual(['delete-certificate', '-Z', sha(ca.cert), '-t', keychain]);
    expect(runner.calls.filter((c) => c.args[0] === 'find-certificate').every((c) => c.args.join(' ') === `find-certificate -a -p ${keychain}`)).toBe(true);
  });
});

describe('NSS parsing helpers', () => {
  it('parses certutil -L tables, nicknames with spaces and Å, empty trust', () => {
    const out = [
      '',
      'Certificate Nickname                                         Trust Attributes',
      '                                                             SSL,S/MIME,JAR/XPI',
      '',
      'Åsa Öberg (jobb)                                           u,u,u',
      'Test Root CA Ö - Testutfärdaren AB                         ,,   ',
      'Åsa Öberg (jobb)                                           u,u,u',
      'Some CA                                                      CT,C,C',
      '',
    ].join('\n');
    expect(parseCertutilList(out)).toEqual(['Åsa Öberg (jobb)', 'Test Root CA Ö - Testutfärdaren AB', 'Some CA']);
  });

  it('parses certutil -K key ids', () => {
    const out = 'certutil: Checking token "NSS Certificate DB" in slot "NSS User Private Key and Certificate Services"\n< 0> rsa      ac073bc0f6ac5ba2d7e8d721db39484e7261b2c8   Anna old\n< 1> ec       06186e14153351d8d233ee4b70eb075e4536b754   Åsa\n';
    expect([...parseCertutilKeys(out)]).toEqual(['ac073bc0f6ac5ba2d7e8d721db39484e7261b2c8', '06186e14153351d8d233ee4b70eb075e4536b754']);
  });

  it('computes NSS key ids: SHA-1 of the RSA modulus and of the EC point', () => {
    const rsa = makeKey('rsa');
    const jwk = rsa.privateKey.export({ format: 'jwk' });
    const modulus = Buffer.from(jwk.n as string, 'base64url');
    expect(nssKeyId(rsa.spki)).toBe(createHash('sha1').update(modulus).digest('hex'));
    const ec = makeKey('ec');
    const ejwk = ec.privateKey.export({ format: 'jwk' });
    const point = Buffer.concat([Buffer.from([4]), Buffer.from(ejwk.x as string, 'base64url'), Buffer.from(ejwk.y as string, 'base64url')]);
    expect(nssKeyId(ec.spki)).toBe(createHash('sha1').update(point).digest('hex'));
    expect(nssKeyId(makeKey('ed25519').spki)).toBeNull();
  });

  it('reads PEM blocks', () => {
    expect(pemCertificates(`junk\n${toPem(eid.leaf)}more\n${toPem(ca.cert)}`).map((b) => b.toString('hex'))).toEqual([eid.leaf.toString('hex'), ca.cert.toString('hex')]);
  });

  it('never passes a password on argv (DB password goes in a file)', async () => {
    const runner = recordingRunner((spec: CommandSpec) => (spec.args[0] === '-K' ? { code: 255, stderr: 'no keys found' } : {}));
    const inst = new NssInstaller({ dir: '/nonexistent/nssdb', runner, dbPassword: 'Hemligt-DB-lösen' });
    expect(await inst.list()).toEqual([]); // no DB there: nothing listed, nothing run
    expect(runner.calls).toEqual([]);
  });
});

describe('finding older certificates of the same identity', () => {
  const day = 86400_000;
  const mk = (e: TestEid): InstalledCert => ({ store: 'nss', fingerprintSha256: describeCertificate(e.leaf).fingerprintSha256, reference: 'n', hasPrivateKey: true, info: describeCertificate(e.leaf) });

  it('matches by identity number or subject, only older ones, never CAs or the certificate itself', () => {
    const now = Date.now();
    const current = makeEid({ ca, notBefore: new Date(now - day) });
    const renamedOld = makeEid({ ca, cn: 'Åsa Öberg-Lind', notBefore: new Date(now - 700 * day), notAfter: new Date(now - 5 * day) });
    const sameDnOld = makeEid({ ca, serialNumber: 'SE5566778899-0001', notBefore: new Date(now - 300 * day) });
    const otherPerson = makeEid({ ca, cn: 'Bo Ek', serialNumber: 'SE5566778899-0099', notBefore: new Date(now - 300 * day) });
    const newer = makeEid({ ca, notBefore: new Date(now + day) });
    const caCert: InstalledCert = { store: 'nss', fingerprintSha256: describeCertificate(ca.cert).fingerprintSha256, reference: 'ca', hasPrivateKey: false, info: describeCertificate(ca.cert) };
    const list = [mk(current), mk(renamedOld), mk(sameDnOld), mk(otherPerson), mk(newer), caCert];
    const older = findOlderIn(list, describeCertificate(current.leaf), '/home/u/.pki/nssdb', new Date(now));
    expect(older.map((o) => [o.certificate.info.subject.CN, o.reason])).toEqual([
      ['Åsa Öberg-Lind', 'same-identity-number'],
      ['Åsa Öberg', 'same-identity-number'],
    ]);
    expect(older[0].preview.expired).toBe(true);
    expect(older[1].preview.expired).toBe(false);
    expect(older[0].preview.summary).toMatch(/^Remove the certificate for Åsa Öberg-Lind issued by Test Root CA Ö, valid .* \(expired\) and its private key, from the NSS database \/home\/u\/\.pki\/nssdb\.$/);
  });

  it('falls back to the subject DN when there is no identity number', () => {
    const noSerial = (nb: number) => {
      const key = makeKey('ec');
      return makeCertificate({ subject: [['CN', 'Server X'], ['O', 'Ö AB']], issuer: ca.name, subjectSpki: key.spki, issuerKey: ca.key.privateKey, notBefore: new Date(nb) });
    };
    const a = noSerial(Date.now() - 100 * day);
    const b = noSerial(Date.now() - day);
    const inst = (d: Buffer): InstalledCert => ({ store: 'nss', fingerprintSha256: describeCertificate(d).fingerprintSha256, reference: 'n', hasPrivateKey: null, info: describeCertificate(d) });
    const older = findOlderIn([inst(a), inst(b)], describeCertificate(b), 'x');
    expect(older.map((o) => [o.certificate.fingerprintSha256, o.reason])).toEqual([[describeCertificate(a).fingerprintSha256, 'same-subject']]);
    expect(older[0].preview.summary).toContain('(and its private key, if the store holds it)');
  });
});

describe('platform choice', () => {
  it('picks the user store of each OS', () => {
    expect(osStoreInstaller('win32').kind).toBe('windows-my');
    expect(osStoreInstaller('darwin').kind).toBe('macos-keychain');
    expect(osStoreInstaller('linux', { dir: '/tmp/x' })).toMatchObject({ kind: 'nss', location: '/tmp/x' });
  });
});

