// @vitest-environment jsdom
/**
 * The two key dialogs of the Card and PIN page in jsdom with a fake bridge: "Create key and
 * certificate request (CSR)" (key type, subject from the card's e-ID or typed, PIN, "do not take
 * the card out" while the card works, the CSR to copy or save, what to do next) and "Write
 * certificate to card" (pick a file, see whom it is for, PIN, write; no matching key in plain
 * words). In English and Swedish.
 */
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { issueEndEntity, makeTestPki } from '../../dev/test-ca';
import { describeCertificate } from '../../main/pki/certificate';
import { setLanguage } from '../../renderer/i18n';
import { currentEidOf } from '../../renderer/pages/card/cards';
import { removedText } from '../../renderer/pages/card/operation-notices';
import { bridgeError, callsTo, fakeBridge, renderInFluent, resetFakeBridgeEachTest, setUpRendererJsdom } from '../helpers/renderer-jsdom';

vi.mock('../../renderer/bridge-client', () => import('../helpers/renderer-jsdom').then((m) => m.bridgeClientMock()));
const { handlers, emit } = fakeBridge;

// Test-only PIN.
const PIN = '135790';
const { ca } = makeTestPki();
const issued = issueEndEntity(ca, { subject: [['C', 'SE'], ['O', 'Region Gävleborg'], ['CN', 'Märta Ödman']], keyUsage: ['digitalSignature'] });
const cert = describeCertificate(issued.der);
const KEY = '/m/k.so#01#KEY123';
const pin = { initialized: true, countLow: false, finalTry: false, locked: false, toBeChanged: false, soLocked: false, triesLeft: null, minLength: 6, maxLength: 8, protectedAuthenticationPath: false };
const cardEid = { id: '01', label: 'Legitimering', holder: 'Märta Ödman', organisation: 'Region Gävleborg', notBefore: cert.notBefore, notAfter: cert.notAfter, validity: 'valid' as const, assuranceLevel: null, identity: null, upn: [], emails: [], purposes: ['authentication' as const], keyPresent: true, signingCertificate: null, certificate: cert };
const tok = (eids: Array<typeof cardEid>) => ({ key: KEY, slotId: '01', slotDescription: 'Läsare', label: 'Märtas kort', manufacturer: 'Acme', model: 'M', serialNumber: 'KEY123', demo: false, pin, eids });
let eids: Array<typeof cardEid> = [cardEid];
const snapshot = () => ({ scannedAt: new Date().toISOString(), modules: [{ path: '/m/k.so', name: 'm', source: 'configured' as const, status: 'ok' as const, error: null, manufacturer: null, description: null, libraryVersion: null, slotCount: 1, tokens: [tok(eids)] }] });
const pinReport = () => ({ tokenKey: KEY, label: 'Märtas kort', serialNumber: 'KEY123', pin, puk: { countLow: false, finalTry: false, locked: false, toBeChanged: false, triesLeft: null }, change: { possible: true, blockedBy: null }, unblock: { possible: true, blockedBy: null, method: 'so-login-init-pin', secretName: 'PUK' }, digitsOnly: true });
const CSR = '-----BEGIN CERTIFICATE REQUEST-----\nMIIBfake\n-----END CERTIFICATE REQUEST-----\n';
const keygenAnswer = (req: { algorithm: string; subject?: string }) => ({ tokenKey: KEY, id: '5E1A0C0FFEE00001', label: 'eID Desk ec-p256 2026-12-01', algorithm: req.algorithm, subjectDn: req.subject ?? cert.subjectDn, csrPem: CSR, publicKeySha256: 'ab'.repeat(32) });

setUpRendererJsdom();
resetFakeBridgeEachTest(() => {
  eids = [cardEid];
  return { 'token:list': () => snapshot(), 'pin:status': () => pinReport() };
});

async function open(button: RegExp, testId: string): Promise<HTMLElement> {
  const { CardPage } = await import('../../renderer/pages/card/card-page');
  await act(async () => {
    renderInFluent(<CardPage />);
  });
  await screen.findAllByTestId('pin-status');
  await act(async () => {
    fireEvent.click(screen.getByRole('button', { name: button }));
  });
  return screen.findByTestId(testId);
}

async function click(scope: HTMLElement, name: RegExp) {
  await act(async () => {
    fireEvent.click(within(scope).getByRole('button', { name }));
  });
}

const typePin = (dialog: HTMLElement, value = PIN) => fireEvent.change(within(dialog).getByLabelText(/^PIN/), { target: { value } });

describe('Create key and certificate request', () => {
  it("takes the subject from the card's e-ID, says not to take the card out while it works, and shows the CSR to copy or save", async () => {
    let finish!: () => void;
    handlers.set('card:keygen', (req) => new Promise((resolve) => (finish = () => resolve(keygenAnswer(req)))));
    const dialog = await open(/Create key and certificate request \(CSR\)/, 'keygen-dialog');
    await within(dialog).findByTestId('pin-status');
    expect(within(dialog).getByTestId('keygen-card-subject').textContent).toContain('Märta Ödman');
    await act(async () => {
      fireEvent.click(within(dialog).getByRole('radio', { name: /EC P-256/ }));
    });
    typePin(dialog);
    await click(dialog, /Create key and CSR/);
    expect(callsTo('card:keygen').map((c) => c.request)).toEqual([{ tokenKey: KEY, algorithm: 'ec-p256', pin: PIN }]);
    // The PIN field is emptied as soon as it is sent.
    expect((within(dialog).getByLabelText(/^PIN/) as HTMLInputElement).value).toBe('');
    await act(async () => emit('card:progress', { tokenKey: KEY, operation: 'keygen', step: 'generating-key', critical: true }));
    expect(within(dialog).getByTestId('card-busy').textContent).toMatch(/Do not take the card out of the reader.*Making the key/);
    await act(async () => finish());
    const result = await within(dialog).findByTestId('keygen-result');
    expect((within(result).getByTestId('keygen-csr') as HTMLTextAreaElement).value).toBe(CSR);
    expect(within(result).getByRole('button', { name: /Copy/ })).toBeTruthy();
    expect(within(result).getByRole('link', { name: /Save/ }).getAttribute('download')).toMatch(/\.csr$/);
    expect(within(result).getByTestId('keygen-next').textContent).toMatch(/send the request to your certificate issuer.*Write certificate to card/);
    expect(dialog.textContent).not.toContain(PIN);
  });

  it('a typed subject must not be empty and is sent as typed', async () => {
    handlers.set('card:keygen', (req) => keygenAnswer(req));
    const dialog = await open(/Create key and certificate request/, 'keygen-dialog');
    await within(dialog).findByTestId('pin-status');
    await act(async () => {
      fireEvent.click(within(dialog).getByRole('checkbox', { name: /Type another subject/ }));
    });
    typePin(dialog);
    await click(dialog, /Create key and CSR/);
    expect(within(dialog).getByText('Type whom the request is for.')).toBeTruthy();
    expect(callsTo('card:keygen')).toEqual([]);
    fireEvent.change(within(dialog).getByRole('textbox', { name: /Subject/ }), { target: { value: ' CN=Test Testsson, C=SE ' } });
    await click(dialog, /Create key and CSR/);
    expect(callsTo('card:keygen').map((c) => c.request)).toEqual([{ tokenKey: KEY, algorithm: 'rsa2048', subject: 'CN=Test Testsson, C=SE', pin: PIN }]);
    expect((await within(dialog).findByTestId('keygen-subject')).textContent).toBe('CN=Test Testsson, C=SE');
  });

  it('without a valid e-ID on the card the subject must be typed; a wrong PIN is said at the field with the tries left', async () => {
    eids = [{ ...cardEid, validity: 'expired' as never }];
    handlers.set('card:keygen', () => {
      throw bridgeError('pin-incorrect', { triesLeft: 2, countLow: true, finalTry: false });
    });
    const dialog = await open(/Create key and certificate request/, 'keygen-dialog');
    await within(dialog).findByTestId('pin-status');
    expect(within(dialog).queryByTestId('keygen-card-subject')).toBeNull();
    fireEvent.change(within(dialog).getByRole('textbox', { name: /Subject/ }), { target: { value: 'CN=Märta Ödman' } });
    typePin(dialog, '000000');
    await click(dialog, /Create key and CSR/);
    await waitFor(() => expect(dialog.textContent).toContain('Wrong PIN. 2 tries left before it is blocked.'));
    expect(dialog.textContent).not.toContain('000000');
    expect(within(dialog).queryByTestId('keygen-result')).toBeNull();
  });

  it('the current e-ID is a valid non-CA one, authentication first, the longest valid', () => {
    const later = { ...cardEid, id: '09', purposes: ['signing' as never], notAfter: '2099-01-01T00:00:00Z' };
    const ca = { ...cardEid, id: '0A', purposes: ['ca' as never], notAfter: '2099-06-01T00:00:00Z' };
    expect(currentEidOf(tok([later, ca, cardEid]))?.id).toBe('01');
    expect(currentEidOf(tok([later, ca]))?.id).toBe('09');
    expect(currentEidOf(tok([ca]))).toBeUndefined();
  });
});

describe('Write certificate to card', () => {
  const pemFile = () => new File([`-----BEGIN CERTIFICATE-----\n${issued.der.toString('base64')}\n-----END CERTIFICATE-----\n`], 'märta.pem', { type: 'application/x-pem-file' });
  const inspect = () => ({ leaf: { ...cert, index: 0, validity: 'valid', hasKey: false }, certificates: [] });

  async function pick(dialog: HTMLElement, file: File) {
    await act(async () => {
      fireEvent.change(within(dialog).getByLabelText('Certificate file'), { target: { files: [file] } });
    });
  }

  it('shows whom the picked certificate is for before the PIN, writes it with the PIN, and says it is done', async () => {
    handlers.set('certificate:inspect', () => inspect());
    handlers.set('card:write-cert', () => ({ tokenKey: KEY, id: '5E1A0C0FFEE00001', label: 'Märta Ödman', subjectDn: cert.subjectDn, fingerprintSha256: cert.fingerprintSha256, notAfter: cert.notAfter, validity: 'valid' }));
    const dialog = await open(/Write certificate to card/, 'write-cert-dialog');
    expect(within(dialog).queryByLabelText(/^PIN/)).toBeNull();
    await pick(dialog, pemFile());
    const picked = await within(dialog).findByTestId('write-cert-picked');
    expect(picked.textContent).toContain('Märta Ödman');
    expect(picked.textContent).toContain('märta.pem');
    const sent = callsTo('certificate:inspect')[0].request;
    expect(sent.fileName).toBe('märta.pem');
    expect(Buffer.from(sent.data, 'base64').toString()).toContain('BEGIN CERTIFICATE');
    await within(dialog).findByTestId('pin-status');
    typePin(dialog);
    await click(dialog, /Write to card/);
    expect(callsTo('card:write-cert').map((c) => c.request)).toEqual([{ tokenKey: KEY, fileName: 'märta.pem', data: sent.data, pin: PIN }]);
    expect((await within(dialog).findByTestId('write-cert-result')).textContent).toContain('The certificate is on the card with key “Märta Ödman”');
  });

  it('no matching key on the card is said in plain words; the form stays to try another file', async () => {
    handlers.set('certificate:inspect', () => inspect());
    handlers.set('card:write-cert', () => {
      throw bridgeError('key-mismatch', { subject: cert.subjectDn });
    });
    const dialog = await open(/Write certificate to card/, 'write-cert-dialog');
    await pick(dialog, pemFile());
    await within(dialog).findByTestId('pin-status');
    typePin(dialog);
    await click(dialog, /Write to card/);
    expect((await within(dialog).findByTestId('dialog-error')).textContent).toBe('No key on this card belongs to this certificate, so nothing was written. Check that it is the certificate issued for a request made on this card.');
    expect(within(dialog).getByRole('button', { name: /Choose another file/ })).toBeTruthy();
    expect(dialog.textContent).not.toContain(PIN);
  });

  it('a file that is not a certificate file is refused before anything is read', async () => {
    const dialog = await open(/Write certificate to card/, 'write-cert-dialog');
    await pick(dialog, new File(['x'], 'märta.p12'));
    expect((await within(dialog).findByTestId('file-problem')).textContent).toBe('Pick a certificate file: .cer, .crt or .pem.');
    expect(callsTo('certificate:inspect')).toEqual([]);
  });

  it('pulling the card while writing says it may not be there', () => {
    expect(removedText('write-cert', true)).toBe('card.removed.writeCert');
    expect(removedText('keygen', true)).toBe('card.removed.keygen');
    expect(removedText('keygen', false)).toBe('card.removed.nothingChanged');
  });
});

describe('in Swedish', () => {
  it('the actions and the dialogs speak Swedish', async () => {
    await setLanguage('sv');
    const dialog = await open(/Skapa nyckel och certifikatbegäran \(CSR\)/, 'keygen-dialog');
    await within(dialog).findByTestId('pin-status');
    expect(within(dialog).getByRole('button', { name: 'Skapa nyckel och CSR' })).toBeTruthy();
    expect(within(dialog).getByTestId('keygen-card-subject').textContent).toMatch(/^Begäran gäller: .*Märta Ödman/);
    expect(screen.getByRole('button', { name: 'Skriv certifikat till kortet' })).toBeTruthy();
  });
});
