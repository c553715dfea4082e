import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonFileStore, policyFilePath, SettingsService } from '../../main/settings/settings';
import { mergedStore, parseRegQuery } from '../../main/settings/registry-policy';
import { DEFAULT_SETTINGS } from '../../main/settings/schema';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'eiddesk-settings-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('settings: defaults < user < policy', () => {
  it('merges the layers with policy winning and reports locked keys', () => {
    const s = new SettingsService({ user: { read: () => ({ language: 'en', pkcs11Modules: ['/u.so'] }) }, policy: { read: () => ({ language: 'sv' }) } });
    expect(s.view()).toEqual({ values: { ...DEFAULT_SETTINGS, language: 'sv', pkcs11Modules: ['/u.so'] }, locked: ['language'], issues: [] });
  });

  it('refuses to change a locked key and leaves the user file as it was', () => {
    const d = tmp();
    const file = join(d, 'settings.json');
    writeFileSync(file, JSON.stringify({ autoDetectModules: false }));
    const s = new SettingsService({ user: jsonFileStore(file), policy: { read: () => ({ pkcs11Modules: ['/corp/p11.so'] }) } });
    expect(() => s.update({ pkcs11Modules: ['/mine.so'] })).toThrow(expect.objectContaining({ code: 'locked-by-policy' }));
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ autoDetectModules: false });
    expect(s.update({ language: 'en' }).values).toMatchObject({ language: 'en', autoDetectModules: false, pkcs11Modules: ['/corp/p11.so'] });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ autoDetectModules: false, language: 'en' });
  });

  it('keeps the valid keys of a damaged layer and reports the rest; a broken file is not fatal', () => {
    const d = tmp();
    writeFileSync(join(d, 'bad.json'), '{ not json');
    const s = new SettingsService({ user: jsonFileStore(join(d, 'bad.json')), policy: { read: () => ({ language: 'de', autoDetectModules: false, extra: 1 }) } });
    const v = s.view();
    expect(v.values).toMatchObject({ language: 'system', autoDetectModules: false });
    expect(v.locked).toEqual(['autoDetectModules']);
    expect(v.issues.map((i) => i.layer).sort()).toEqual(['policy', 'policy', 'user']);
  });

  it('rejects invalid updates before writing', () => {
    const s = new SettingsService({ user: { read: () => ({}), write: () => { throw new Error('must not write'); } } });
    expect(() => s.update({ language: 'klingon' } as never)).toThrow();
  });

  it('knows where machine policy lives on each OS', () => {
    expect(policyFilePath('win32', { ProgramData: 'D:\\PD' })).toBe('D:\\PD\\eID Desk\\policy.json');
    expect(policyFilePath('linux', {})).toBe('/etc/eiddesk/policy.json');
    expect(policyFilePath('darwin', {})).toMatch(/^\/Library\/Application Support\//);
  });
});

describe('registry policy', () => {
  it('parses reg.exe output: strings, DWORD booleans and multi-strings', () => {
    const out = [
      '',
      'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\eID Desk',
      '    language    REG_SZ    sv',
      '    autoDetectModules    REG_DWORD    0x0',
      '    pkcs11Modules    REG_MULTI_SZ    C:\\Windows\\System32\\eTPKCS11.dll\\0D:\\p11\\x.dll',
      '',
    ].join('\r\n');
    expect(parseRegQuery(out)).toEqual({ language: 'sv', autoDetectModules: false, pkcs11Modules: ['C:\\Windows\\System32\\eTPKCS11.dll', 'D:\\p11\\x.dll'] });
    expect(parseRegQuery('ERROR: The system was unable to find the specified registry key')).toEqual({});
  });

  it('registry wins over the policy file', () => {
    const store = mergedStore(() => ({ language: 'en', autoDetectModules: true }), () => ({ language: 'sv' }));
    expect(store.read()).toEqual({ language: 'sv', autoDetectModules: true });
  });
});
