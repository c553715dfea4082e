// @vitest-environment jsdom
import { act, fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { en } from '../../renderer/i18n/en';
import { sv } from '../../renderer/i18n/sv';
import { STRINGS, errorText, initI18n, setLanguage, systemLanguage } from '../../renderer/i18n';
import { describeCertificate } from '../../main/pki/certificate';
import { issueEndEntity, makeTestPki } from '../../dev/test-ca';
import { fakeBridge, renderInFluent, setUpRendererJsdom } from '../helpers/renderer-jsdom';

vi.mock('../../renderer/bridge-client', () => import('../helpers/renderer-jsdom').then((m) => m.bridgeClientMock()));

const { ca } = makeTestPki();
const subject = [['C', 'SE'], ['O', 'Västra Götalandsregionen'], ['serialNumber', 'SE2321000156-10XX'], ['CN', 'Åsa Öberg']] as const;
const mk = (id: string, ku: string[], notAfter?: Date) => {
  const certificate = describeCertificate(issueEndEntity(ca, { subject, keyUsage: ku, upn: ['asa@test.se'], policies: ['1.3.6.1.4.1.55555.1.3'], notAfter, notBefore: notAfter ? new Date(notAfter.getTime() - 86400_000) : undefined }).der);
  return {
    id, label: id, holder: 'Åsa Öberg', organisation: 'Västra Götalandsregionen', notBefore: certificate.notBefore, notAfter: certificate.notAfter,
    validity: notAfter ? ('expired' as const) : ('valid' as const), assuranceLevel: 3, identity: certificate.identity, upn: certificate.upn, emails: [],
    purposes: certificate.purposes, keyPresent: true, signingCertificate: ku.includes('nonRepudiation') ? null : ('missing' as const), certificate,
  };
};
const snapshot = {
  scannedAt: new Date().toISOString(),
  modules: [
    { path: '/bad.so', name: 'x', source: 'configured' as const, status: 'error' as const, error: { code: 'module-load-failed', message: 'Could not load PKCS#11 module /bad.so: the file does not exist.' }, manufacturer: null, description: null, libraryVersion: null, tokens: [], slotCount: 0 },
    {
      path: '/ok.so', name: 'SoftHSM2', source: 'detected' as const, status: 'ok' as const, error: null, manufacturer: 'm', description: 'd', libraryVersion: '2.6', slotCount: 2,
      tokens: [{
        key: 'k1', slotId: '01', slotDescription: 'Reader 1', label: 'SITHS-kort', manufacturer: 'Acme', model: 'M', serialNumber: '123', demo: false,
        pin: { initialized: true, countLow: false, finalTry: true, locked: false, toBeChanged: false, soLocked: false, triesLeft: 1, minLength: 6, maxLength: 8, protectedAuthenticationPath: false },
        eids: [mk('01', ['digitalSignature']), mk('03', ['digitalSignature'], new Date('2024-01-01'))],
      }],
    },
  ],
};

// Only the card list answers; any other channel fails with code 'internal'.
fakeBridge.handlers.set('token:list', () => snapshot);
setUpRendererJsdom();

function deepKeys(o: object, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' ? deepKeys(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

describe('renderer strings', () => {
  it('Swedish and English have the same keys and no empty strings', () => {
    expect(deepKeys(sv).sort()).toEqual(deepKeys(en).sort());
    // With every feature's strings merged in, too.
    expect(deepKeys(STRINGS.sv).sort()).toEqual(deepKeys(STRINGS.en).sort());
    for (const lang of [en, sv, STRINGS.en, STRINGS.sv]) for (const k of deepKeys(lang)) expect(k.split('.').reduce((o: any, p) => o[p], lang)).not.toBe('');
  });
  it('feature strings merge into the shell strings; a key defined twice is refused', async () => {
    const { mergeStrings } = await import('../../renderer/i18n/merge');
    expect(mergeStrings([{ a: { b: 'x' } }, { a: { c: 'y' } }])).toEqual({ a: { b: 'x', c: 'y' } });
    expect(() => mergeStrings([{ a: { b: 'x' } }, { a: { b: 'z' } }])).toThrow('UI string a.b is defined twice');
  });
  it('maps the OS language to Swedish or English', () => {
    expect(systemLanguage(['sv-SE', 'en-US'])).toBe('sv');
    expect(systemLanguage(['de-DE', 'en-GB'])).toBe('en');
    expect(systemLanguage(['fi-FI'])).toBe('en');
  });
  it('translates errors by code and falls back to the message from main', async () => {
    const i18n = initI18n('sv');
    await setLanguage('sv');
    expect(errorText(i18n.t, { code: 'pin-incorrect', message: 'The PIN is incorrect.' })).toBe('Fel PIN-kod.');
    expect(errorText(i18n.t, { code: 'some-new-code', message: 'English detail' })).toBe('English detail');
    await setLanguage('en');
  });
});

describe('My e-IDs page', () => {
  it('shows tokens, fields, module errors, hides invalid e-IDs until asked, and opens details', async () => {
    const { MyEidsPage } = await import('../../renderer/pages/my-eids/my-eids-page');
    await act(async () => {
      renderInFluent(<MyEidsPage />);
    });
    expect(await screen.findByText('SITHS-kort')).toBeTruthy();
    expect(screen.getByText('Could not use /bad.so')).toBeTruthy();
    expect(screen.getByText('Final PIN try')).toBeTruthy();
    expect(screen.getAllByTestId('eid')).toHaveLength(1);
    expect(screen.getByTestId('identity').textContent).toBe('SE2321000156-10XX');
    expect(screen.getByTestId('signing-certificate').textContent).toBe('Missing');
    expect(screen.getByText('1 invalid e-ID hidden')).toBeTruthy();
    fireEvent.click(screen.getByRole('switch', { name: 'Show invalid e-IDs' }));
    expect(screen.getAllByTestId('eid')).toHaveLength(2);
    expect(screen.getByText('Expired')).toBeTruthy();
    fireEvent.click(screen.getAllByRole('button', { name: /Details for Åsa Öberg/ })[0]);
    const details = await screen.findByTestId('eid-details');
    expect(within(details).getByText(/CN=Åsa Öberg/)).toBeTruthy();
  });
});
