/**
 * The demo card: a SoftHSM2 token that looks like a SITHS card, so a newcomer running the start
 * command sees a real card view at once. Marked "[DEMO]" in its label; lives in .cache/demo of the
 * checkout; never touches a real card or the user's own SoftHSM2 tokens.
 *
 * Development code only (not packaged).
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_LABEL_MARK } from '../main/card/tokens';
import { issueEndEntity, makeTestPki, toPem } from './test-ca';
import { createToken, makeSoftHsmEnv, SOFTHSM_MODULE, type SoftHsmEnv } from './softhsm';

/** Demo secrets: public by design, printed by the start command. Never used for anything real. */
export const DEMO_PINS = { user: '123456', so: '12345678' } as const;

/** A demo holder like seed 000's SITHS page (Swedish letters on purpose). */
export const DEMO_HOLDER = {
  name: 'Åsa Öberg',
  givenName: 'Åsa',
  surname: 'Öberg',
  organisation: 'Västra Götalandsregionen',
  hsaId: 'SE2321000156-10XX',
  email: 'asa.oberg@test.se',
  upn: 'asa.oberg@test.se',
} as const;

/** The level-3 policy of the test PKI (see main/pki/assurance.ts). */
export const TEST_POLICY_LEVEL3 = '1.3.6.1.4.1.55555.1.3';

/** The SoftHSM2 module on this machine, or undefined when softhsm2 is not installed. */
export function findSoftHsmModule(): string | undefined {
  return SOFTHSM_MODULE.find((p) => existsSync(p));
}

/** Result of ensuring the demo card. */
export interface DemoCard {
  env: SoftHsmEnv;
  modulePath: string;
  created: boolean;
}

/**
 * Makes the demo token if it is not there yet. The card holds an authentication e-ID, a signing
 * e-ID (so "signing certificate: present" shows), and an expired old e-ID (hidden until the user
 * turns on "show invalid e-IDs"). The test root is written next to it for the trust checks.
 */
export function ensureDemoCard(dir: string): DemoCard | undefined {
  const modulePath = findSoftHsmModule();
  if (!modulePath) return undefined;
  const env = makeSoftHsmEnv(dir);
  const hasToken = readdirSync(env.tokenDir).length > 0;
  if (hasToken) return { env, modulePath, created: false };
  try {
    const { root, ca } = makeTestPki();
    const subject = [
      ['C', 'SE'],
      ['O', DEMO_HOLDER.organisation],
      ['GN', DEMO_HOLDER.givenName],
      ['SN', DEMO_HOLDER.surname],
      ['serialNumber', DEMO_HOLDER.hsaId],
      ['CN', DEMO_HOLDER.name],
    ] as const;
    const common = { subject, policies: [TEST_POLICY_LEVEL3], emails: [DEMO_HOLDER.email], upn: [DEMO_HOLDER.upn] };
    const auth = issueEndEntity(ca, { ...common, keyUsage: ['digitalSignature'], extKeyUsage: ['clientAuth', 'smartcardLogon'] });
    const signing = issueEndEntity(ca, { ...common, keyUsage: ['nonRepudiation'] });
    const old = issueEndEntity(ca, {
      ...common,
      keyUsage: ['digitalSignature'],
      notBefore: new Date(Date.now() - 3 * 365 * 86400_000),
      notAfter: new Date(Date.now() - 30 * 86400_000),
    });
    createToken(env, modulePath, {
      label: `${DEMO_HOLDER.name} ${DEMO_LABEL_MARK}`,
      soPin: DEMO_PINS.so,
      userPin: DEMO_PINS.user,
      eids: [
        { id: Buffer.from('01', 'hex'), label: 'Legitimering', certificate: auth.der, privateKey: auth.privateKey },
        { id: Buffer.from('02', 'hex'), label: 'Underskrift', certificate: signing.der, privateKey: signing.privateKey },
        { id: Buffer.from('03', 'hex'), label: 'Legitimering (gammal)', certificate: old.der, privateKey: old.privateKey },
      ],
    });
    mkdirSync(join(dir, 'trust'), { recursive: true });
    writeFileSync(join(dir, 'trust', 'test-root.pem'), toPem(root.der));
    writeFileSync(join(dir, 'trust', 'test-ca.pem'), toPem(ca.der));
    return { env, modulePath, created: true };
  } catch (err) {
    // Leave nothing half-made: a broken demo token would confuse every later start.
    rmSync(env.tokenDir, { recursive: true, force: true });
    throw err;
  }
}
