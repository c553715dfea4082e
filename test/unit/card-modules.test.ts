import { describe, expect, it } from 'vitest';
import { knownModulePaths, resolveModules } from '../../main/card/modules';
import { profileFor } from '../../main/card/profiles';
import { markSigningCertificates } from '../../main/card/tokens';
import type { CardEid } from '../../main/card/types';

describe('module discovery', () => {
  it('knows where SITHS eID, Net iD, OpenSC and SoftHSM2 install on each OS', () => {
    const win = knownModulePaths('win32', { SystemRoot: 'C:\\Windows', ProgramFiles: 'C:\\Program Files' });
    expect(win).toContain('C:\\Windows\\System32\\eTPKCS11.dll');
    expect(win.some((p) => p.endsWith('iidp11.dll'))).toBe(true);
    expect(win.some((p) => p.endsWith('opensc-pkcs11.dll'))).toBe(true);
    expect(knownModulePaths('linux', {})).toContain('/usr/lib/softhsm/libsofthsm2.so');
    expect(knownModulePaths('darwin', {}).length).toBeGreaterThan(3);
  });

  it('puts configured modules first (even missing ones, so the user sees why), then existing detected ones, once each', () => {
    const exists = (p: string) => p === '/usr/lib/softhsm/libsofthsm2.so' || p === '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so';
    const realpath = (p: string) => (p.includes('softhsm') ? '/usr/lib/softhsm/libsofthsm2.so' : p);
    const r = resolveModules({ configured: ['/opt/missing.so'], autoDetect: true, platform: 'linux', env: {}, exists, realpath });
    expect(r).toEqual([
      { path: '/opt/missing.so', name: 'PKCS#11 module', source: 'configured' },
      { path: '/usr/lib/softhsm/libsofthsm2.so', name: 'SoftHSM2', source: 'detected' },
    ]);
    expect(resolveModules({ configured: [], autoDetect: false, exists, realpath })).toEqual([]);
  });

  it('profiles: SoftHSM2 rescans by re-initialising; unknown modules get the standard unblock', () => {
    expect(profileFor('/usr/lib/softhsm/libsofthsm2.so')).toMatchObject({ id: 'softhsm2', rescanNeedsReinitialize: true });
    expect(profileFor('C:\\Windows\\System32\\eTPKCS11.dll').id).toBe('safenet');
    expect(profileFor('/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so').id).toBe('opensc');
    expect(profileFor('/opt/vendor/libfoo.so')).toMatchObject({ id: 'generic', unblock: 'so-login-init-pin' });
  });
});

describe('signing certificate present (Finns / Saknas)', () => {
  const eid = (purposes: CardEid['purposes'], id: string | null, dn = 'CN=x'): CardEid =>
    ({ purposes, identity: id ? { kind: 'hsa-id', value: id } : null, certificate: { subjectDn: dn }, signingCertificate: null }) as unknown as CardEid;
  it('marks authentication e-IDs by whether the same holder has a signing certificate', () => {
    const a1 = eid(['authentication'], 'SE1-1');
    const s1 = eid(['signing'], 'SE1-1');
    const a2 = eid(['authentication'], 'SE1-2');
    markSigningCertificates([a1, s1, a2]);
    expect([a1.signingCertificate, s1.signingCertificate, a2.signingCertificate]).toEqual(['present', null, 'missing']);
    const byDn = [eid(['authentication'], null, 'CN=A'), eid(['signing'], null, 'CN=A')];
    markSigningCertificates(byDn);
    expect(byDn[0].signingCertificate).toBe('present');
  });
});
