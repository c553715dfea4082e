import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken, makeSoftHsmEnv, type SoftHsmEnv } from '../../dev/softhsm';
import { findSoftHsmModule } from '../../dev/demo-card';
import { issueEndEntity, makeTestPki } from '../../dev/test-ca';
import { ensureBuilt, root } from '../helpers/build';

const dir = mkdtempSync(join(tmpdir(), 'eiddesk-cli-tokens-'));
let env: SoftHsmEnv;
let modulePath: string;

function cli(args: string[], extraEnv: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'eiddesk.cjs'), ...args], {
    env: { ...process.env, SOFTHSM2_CONF: env.conf, XDG_CONFIG_HOME: join(dir, 'config'), ...extraEnv },
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  await ensureBuilt('cli');
  modulePath = findSoftHsmModule()!;
  env = makeSoftHsmEnv(dir);
  const { ca } = makeTestPki();
  const cert = issueEndEntity(ca, {
    subject: [['C', 'SE'], ['O', 'Region Skåne'], ['serialNumber', 'SE2321000156-10XX'], ['CN', 'Åsa Öberg']],
    keyUsage: ['digitalSignature'],
    notBefore: new Date('2025-01-01T00:00:00Z'),
    notAfter: new Date('2030-12-31T23:59:59Z'),
  });
  createToken(env, modulePath, { label: 'Testkort', soPin: '12345678', userPin: '123456', eids: [{ id: Buffer.from([1]), label: 'Legitimering', certificate: cert.der, privateKey: cert.privateKey }] });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('eiddesk tokens', () => {
  it('--json prints the holder and HSA-id exactly, with validity and purpose', () => {
    const r = cli(['tokens', '--json', '--module', modulePath]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(true);
    const eid = out.modules[0].tokens[0].eids[0];
    expect(out.modules[0].tokens[0].label).toBe('Testkort');
    expect(eid.holder).toBe('Åsa Öberg');
    expect(eid.certificate.subject.CN).toBe('Åsa Öberg');
    expect(eid.certificate.subject.serialNumber).toBe('SE2321000156-10XX');
    expect(eid.identity).toEqual({ kind: 'hsa-id', value: 'SE2321000156-10XX', organisationNumber: '232100-0156' });
    expect(eid.organisation).toBe('Region Skåne');
    expect(eid.notBefore).toBe('2025-01-01T00:00:00.000Z');
    expect(eid.notAfter).toBe('2030-12-31T23:59:59.000Z');
    expect(eid.validity).toBe('valid');
    expect(eid.purposes).toEqual(['authentication']);
    // The raw bytes are UTF-8 without mojibake.
    expect(r.stdout).toContain('"Åsa Öberg"');
    expect(r.stdout).not.toMatch(/Ã/);
  });

  it('prints a readable listing by default', () => {
    const r = cli(['tokens', '--module', modulePath]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Token "Testkort"');
    expect(r.stdout).toContain('Åsa Öberg, Region Skåne');
    expect(r.stdout).toContain('HSA-id: SE2321000156-10XX');
  });

  it('a module path that does not exist: exit 3 and a one-line reason naming it', () => {
    const r = cli(['tokens', '--module', '/nonexistent/libfoo.so']);
    expect(r.code).toBe(3);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toContain('/nonexistent/libfoo.so: the file does not exist');
  });

  it('a file that is not a PKCS#11 module: exit 3 and the reason; other modules still listed', () => {
    const notModule = join(dir, 'not-a-module.so');
    writeFileSync(notModule, 'this is not a shared library');
    const r = cli(['tokens', '--json', '--module', notModule, '--module', modulePath]);
    expect(r.code).toBe(3);
    const out = JSON.parse(r.stdout);
    expect(out.modules[0]).toMatchObject({ status: 'error', error: { code: 'module-load-failed' } });
    expect(out.modules[0].error.message).toMatch(/not-a-module\.so: it is not a loadable library/);
    expect(out.modules[1].tokens[0].eids[0].holder).toBe('Åsa Öberg');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    const libc = cli(['tokens', '--module', '/lib/x86_64-linux-gnu/libc.so.6']);
    expect(libc.code).toBe(3);
    expect(libc.stdout).toMatch(/not a PKCS#11 module \(no C_GetFunctionList\)/);
  });

  it('usage errors exit 2', () => {
    expect(cli(['tokens', '--bogus']).code).toBe(2);
    expect(cli(['tokens', 'extra']).code).toBe(2);
    expect(cli(['nonsense']).code).toBe(2);
    expect(cli([]).code).toBe(2);
  });
});
