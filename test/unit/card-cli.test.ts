import { describe, expect, it } from 'vitest';
import { main } from '../../main/cli';
import { exitCodeFor, pickToken, pinWarning } from '../../main/cli/card-target';
import { EidError } from '../../main/errors';
import type { CardSnapshot, ModuleView, TokenView } from '../../main/card/types';
import { fakeIo } from '../helpers/card-cli-io';

async function run(args: string[], env: Record<string, string> = {}) {
  const f = fakeIo({ env });
  const code = await main(args, f.io);
  return { code, out: f.out(), err: f.err() };
}

describe('eiddesk pin / card argument handling (no card touched)', () => {
  it('help goes to stdout with exit 0', async () => {
    const p = await run(['pin', '--help']);
    expect(p.code).toBe(0);
    expect(p.out).toMatch(/eiddesk pin change\s+--token LABEL/);
    expect(p.out).toContain('EIDDESK_PUK');
    const c = await run(['card', 'help']);
    expect(c.code).toBe(0);
    expect(c.out).toMatch(/eiddesk card keygen\s+--token LABEL --alg rsa2048\|rsa3072\|ec-p256 --csr-out FILE/);
  });

  it('usage errors exit 2 and point at the help', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['pin'], /eiddesk pin: status, change or unblock\?/],
      [['pin', 'reset', '--token', 'x'], /unknown subcommand 'reset'/],
      [['pin', 'status'], /--token LABEL is required/],
      [['pin', 'status', '--token', 'x', 'extra'], /unexpected argument 'extra'/],
      [['card', 'keygen', '--token', 'x', '--alg', 'dsa', '--csr-out', 'f'], /--alg must be one of rsa2048, rsa3072, ec-p256/],
      [['card', 'keygen', '--token', 'x', '--alg', 'rsa2048'], /--csr-out FILE is required/],
      [['card', 'write-cert', '--token', 'x'], /give the certificate file/],
      [['card', 'test-sign', '--token', 'x', '--delete'], /--delete belongs to eiddesk card orphans/],
      [['card', 'sign'], /unknown subcommand 'sign'/],
      [['card', 'test-sign', '--token'], /--token needs a value/],
    ];
    for (const [args, msg] of cases) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(msg);
      expect(r.err).toMatch(/\(see eiddesk (pin|card) --help\)/);
    }
  });

  it('secrets are never taken from argv', async () => {
    for (const opt of ['--pin', '--puk', '--new-pin', '--so-pin']) {
      const r = await run(['pin', 'change', '--token', 'x', opt, '123456']);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`unknown option ${opt}`);
      expect(r.err).not.toContain('123456');
    }
  });
});

function token(label: string, serial: string, pin: Partial<TokenView['pin']> = {}): TokenView {
  return {
    key: `/m.so#01#${serial}`,
    slotId: '01',
    slotDescription: '',
    label,
    manufacturer: '',
    model: '',
    serialNumber: serial,
    demo: false,
    pin: { initialized: true, countLow: false, finalTry: false, locked: false, toBeChanged: false, soLocked: false, triesLeft: null, minLength: 6, maxLength: 8, protectedAuthenticationPath: false, ...pin },
    eids: [],
  };
}

function snap(tokens: TokenView[], failed: string[] = []): CardSnapshot {
  const ok: ModuleView = { path: '/m.so', name: 'M', source: 'configured', status: 'ok', error: null, manufacturer: null, description: null, libraryVersion: null, tokens, slotCount: tokens.length };
  const bad = failed.map<ModuleView>((path) => ({ ...ok, path, status: 'error', tokens: [], error: { code: 'module-load-failed', message: `Could not load PKCS#11 module ${path}: the file does not exist.` } }));
  return { modules: [ok, ...bad], scannedAt: '2026-01-01T00:00:00.000Z' };
}

describe('--token LABEL', () => {
  const catchErr = (f: () => unknown): EidError => {
    try {
      f();
    } catch (e) {
      return e as EidError;
    }
    throw new Error('expected an error');
  };

  it('matches the trimmed label exactly', () => {
    const s = snap([token('Åsa Öberg (Legitimering)', 'A1'), token('Åsa Öberg (Underskrift)', 'A2')]);
    expect(pickToken(s, ' Åsa Öberg (Underskrift) ').serialNumber).toBe('A2');
    const e = catchErr(() => pickToken(s, 'Åsa Öberg'));
    expect(e.code).toBe('not-found');
    expect(e.message).toBe('No token labelled "Åsa Öberg". Tokens found: "Åsa Öberg (Legitimering)", "Åsa Öberg (Underskrift)".');
  });

  it('two tokens with one label: error with the serials, --serial chooses', () => {
    const s = snap([token('Kort', '111'), token('Kort', '222')]);
    const e = catchErr(() => pickToken(s, 'Kort'));
    expect(e.code).toBe('validation');
    expect(e.message).toBe('More than one token is labelled "Kort": "Kort" (serial 111), "Kort" (serial 222). Add --serial to choose.');
    expect(pickToken(s, 'Kort', '222').serialNumber).toBe('222');
    expect(catchErr(() => pickToken(s, 'Kort', '333')).message).toMatch(/with serial 333\. Tokens found: "Kort" \(serial 111\), "Kort" \(serial 222\)\./);
  });

  it('nothing found while a module failed: exit 3 with the module reason', () => {
    const e = catchErr(() => pickToken(snap([], ['/opt/missing.so']), 'Kort'));
    expect(e.code).toBe('module-load-failed');
    expect(e.message).toBe('No token labelled "Kort". No tokens found: insert the card and check the reader. Could not load PKCS#11 module /opt/missing.so: the file does not exist.');
    expect(exitCodeFor(e)).toBe(3);
  });

  it('exit codes: 4 for wrong or blocked secrets, 1 otherwise', () => {
    for (const c of ['pin-incorrect', 'pin-locked', 'puk-incorrect', 'puk-locked'] as const) expect(exitCodeFor(new EidError(c, 'x'))).toBe(4);
    expect(exitCodeFor(new EidError('token-removed', 'x'))).toBe(1);
    expect(exitCodeFor(new Error('x'))).toBe(1);
  });

  it('warns before the prompt when the card says tries are low', () => {
    expect(pinWarning(token('a', '1'))).toBeNull();
    expect(pinWarning(token('a', '1', { countLow: true }))).toMatch(/few tries/);
    expect(pinWarning(token('a', '1', { countLow: true, finalTry: true, triesLeft: 1 }))).toMatch(/one try is left/);
    expect(pinWarning(token('a', '1', { toBeChanged: true }))).toMatch(/changed/);
  });
});
