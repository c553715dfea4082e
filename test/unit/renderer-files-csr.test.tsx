// @vitest-environment jsdom
/**
 * Orders made with a CSR, in the renderer (jsdom, scripted bridge): pairing a delivered
 * certificate with its key in the import wizard (a certificates-only .p12 naming its key request;
 * a .p7b/.pem/.cer inspected before any PIN and shown like a .p12's contents, naming its key, or
 * saying there is none here, that it is already an e-ID, or that it would be refused; the key's
 * PIN wrong, then throttled; a key gone before pairing), the subject rules of a key request, and the "Create key request (CSR)" dialog and
 * the list of key requests on the E-IDs on file page (copy, save, show, delete), in English and
 * Swedish.
 */
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setLanguage } from '../../renderer/i18n';
import { EMPTY_SUBJECT, escapeDnValue, fieldOfAttribute, subjectDn, subjectProblems } from '../../renderer/pages/files/request-subject';
import { csrFileName } from '../../renderer/pages/files/csr-actions';
import {
  CSR_PEM,
  HOLDER,
  IDENTITY,
  ORGANISATION,
  PAIRABLE,
  REQUEST_ID,
  REQUEST_LABEL,
  STORE,
  certificateFileReport,
  certificatesOnlyReport,
  createdRequest,
  entry,
  filesHandlers,
  keyRequest,
  older,
  pairResponse,
} from '../helpers/renderer-files-fixtures';
import { openWizard, pick, typePassword } from '../helpers/renderer-files-wizard';
import { bridgeError, callsTo, fakeBridge, renderInFluent, resetFakeBridgeEachTest, setUpRendererJsdom } from '../helpers/renderer-jsdom';

vi.mock('../../renderer/bridge-client', () => import('../helpers/renderer-jsdom').then((m) => m.bridgeClientMock()));

const { handlers, calls } = fakeBridge;
const PASSWORD = 'K7mQ2xRt';
const KEY_PIN = 'Hallon-83';
const file = (name: string, bytes = new Uint8Array([0x30, 0x82, 0x01, 0x02])) => new File([bytes], name);
const requests = (list = [keyRequest()]) => ({ requests: list, damaged: [] });

// Registered first, so it runs after the helper's cleanup (after-hooks run last-registered first).
afterEach(() => {
  vi.useRealTimers();
});
setUpRendererJsdom();
resetFakeBridgeEachTest(() => filesHandlers(() => [keyRequest()]));

async function typeKeyPin(value: string, label = 'PIN of the key') {
  const input = await screen.findByLabelText(label);
  fireEvent.change(input, { target: { value } });
  await act(async () => {
    fireEvent.submit(input.closest('form')!);
  });
}
async function clickPair() {
  const targets = await screen.findByTestId('step-targets');
  await waitFor(() => expect(within(targets).getByTestId('os-store-hint').textContent).toContain(STORE.location));
  await act(async () => {
    fireEvent.click(within(targets).getByRole('button', { name: 'Pair' }));
  });
}

describe('pairing a certificates-only .p12 with its key request', () => {
  it('names the key request, asks its PIN, keeps the keystore on, pairs once, removes the older certificate, and says what was paired', async () => {
    handlers.set('p12:inspect', () => certificatesOnlyReport([PAIRABLE]));
    handlers.set('keystore:requests', () => requests([keyRequest({ pin: { attempts: 1, retryAfterSeconds: 0 } })]));
    let resolvePair: (v: unknown) => void = () => undefined;
    handlers.set('keystore:pair', () => new Promise((r) => (resolvePair = r)));
    handlers.set('os-store:remove', (r) => ({ removed: r.fingerprint }));
    const { onShow } = await openWizard();
    await pick(file('Åsa Öberg.p12'));
    await typePassword(PASSWORD);

    const step = await screen.findByTestId('step-certificates-only');
    expect(within(step).getByText('The key for this certificate is in eID Desk’s keystore')).toBeTruthy();
    const key = within(step).getByTestId('pair-with');
    // Named with what the user recognises: label, subject, when it was made, its wrong-PIN state.
    await waitFor(() => expect(within(key).getByTestId('request-subject').textContent).toBe(keyRequest().subjectDn));
    expect(within(key).getByRole('heading', { name: REQUEST_LABEL })).toBeTruthy();
    expect(within(key).getByText('Key request')).toBeTruthy();
    expect(within(key).getByText('RSA 2048')).toBeTruthy();
    expect(within(key).getByText(/4 Mar 2025/)).toBeTruthy();
    expect(within(key).getByTestId('pin-state').textContent).toBe('1 wrong PIN');
    fireEvent.click(within(step).getByRole('button', { name: 'Pair with the key made for this order' }));

    const pinStep = await screen.findByTestId('step-pair-pin');
    expect(within(pinStep).getByText(`The certificate is paired with the key of the key request “${REQUEST_LABEL}”. Type the PIN you chose when you made that request.`)).toBeTruthy();
    const pin = within(pinStep).getByLabelText('PIN of the key') as HTMLInputElement;
    expect(pin.type).toBe('password');
    expect(document.activeElement).toBe(pin);
    // Empty is refused on the step, without a call.
    await typeKeyPin('');
    expect(within(pinStep).getByText('Type a PIN.')).toBeTruthy();
    // An existing PIN is not judged by the rules for new ones: it goes on as typed.
    await typeKeyPin(KEY_PIN);

    const targets = await screen.findByTestId('step-targets');
    const keystore = within(targets).getByRole('checkbox', { name: 'The keystore of eID Desk' }) as HTMLInputElement;
    expect(keystore.checked).toBe(true);
    expect(keystore.disabled).toBe(true);
    expect(within(targets).getByText(/The key is there already\. The certificate joins it/)).toBeTruthy();
    await waitFor(() => expect((within(targets).getByRole('checkbox', { name: 'This computer’s certificate store' }) as HTMLInputElement).checked).toBe(true));
    expect(callsTo('os-store:older')[0].request).toEqual({ certificate: 'MIIB' });
    fireEvent.click(within(targets).getByRole('checkbox', { name: /Remove this older certificate/ }));
    const pair = within(targets).getByRole('button', { name: 'Pair' });
    await act(async () => {
      fireEvent.click(pair);
      fireEvent.click(pair);
    });
    expect(await screen.findByTestId('installing')).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Pairing the certificate with its key…' })).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Pair' }) as HTMLButtonElement).disabled).toBe(true);
    expect(callsTo('keystore:pair')).toHaveLength(1);
    expect(callsTo('keystore:pair')[0].request).toEqual({
      source: { kind: 'p12', fileName: 'Åsa Öberg.p12', data: 'MIIBAg==', password: PASSWORD },
      pin: KEY_PIN,
      targets: { keystore: true, osStore: true },
      // The key the page named is the key main must pair with.
      target: { kind: 'request', id: 'feedc0de12345678' },
    });
    await act(async () => resolvePair(pairResponse({ older: [older()] })));

    const done = await screen.findByTestId('step-done');
    expect(within(done).getByRole('heading', { name: 'The certificate is paired with its key' })).toBeTruthy();
    expect(within(done).getByTestId('installed-keystore').textContent).toBe('In the keystore of eID Desk');
    expect(within(done).getByTestId('installed-os-store').textContent).toBe(`In NSS certificate database (Firefox, Chrome) (${STORE.location})`);
    expect(within(done).getByTestId('paired-request').textContent).toBe(`The key request “${REQUEST_LABEL}” is now this e-ID, so it is no longer listed under key requests.`);
    expect(within(done).getByTestId('removed').textContent).toBe('1 older certificate was removed from the certificate store.');
    // Removed only after the pairing, and only what main listed as older.
    expect(calls.map((c) => c.channel).filter((c) => c === 'keystore:pair' || c === 'os-store:remove')).toEqual(['keystore:pair', 'os-store:remove']);
    expect(callsTo('os-store:remove')[0].request).toEqual({ fingerprint: older().fingerprintSha256 });
    for (const secret of [PASSWORD, KEY_PIN]) expect(document.body.innerHTML).not.toContain(secret);
    fireEvent.click(within(done).getByRole('button', { name: 'Show my e-ID' }));
    expect(onShow).toHaveBeenCalledWith('0123456789abcdef');
  });

  it('a wrong PIN comes back to the PIN with what happens next; then throttled, counting down with Next off', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    handlers.set('p12:inspect', () => certificatesOnlyReport([PAIRABLE]));
    const answers = [
      () => {
        throw bridgeError('pin-incorrect', { attempts: 1, attemptsBeforeDelay: 2, retryAfterSeconds: 0 });
      },
      () => {
        throw bridgeError('throttled', { retryAfterSeconds: 30, attempts: 4 });
      },
    ];
    handlers.set('keystore:pair', () => answers.shift()!());
    await openWizard();
    await pick(file('Åsa Öberg.p12'));
    await typePassword(PASSWORD);
    fireEvent.click(await screen.findByRole('button', { name: 'Pair with the key made for this order' }));
    await typeKeyPin('Fel-PIN-1');
    await clickPair();

    const pinStep = await screen.findByTestId('step-pair-pin');
    expect(within(pinStep).getByTestId('pair-pin-error').textContent).toBe('The PIN is wrong. 2 more wrong PINs are allowed before you have to wait.');
    expect((within(pinStep).getByLabelText('PIN of the key') as HTMLInputElement).value).toBe('');
    // The keystore is read again: the request's count is fresh.
    expect(callsTo('keystore:requests').length).toBeGreaterThanOrEqual(2);
    await typeKeyPin('Fel-PIN-2');
    await clickPair();

    const again = await screen.findByTestId('step-pair-pin');
    expect(within(again).getByTestId('throttled').textContent).toBe('Too many wrong PINs for this key. Wait 30 seconds, then try again.');
    const next = within(again).getByRole('button', { name: 'Next' }) as HTMLButtonElement;
    expect(next.disabled).toBe(true);
    // Enter while waiting sends nothing.
    fireEvent.change(within(again).getByLabelText('PIN of the key'), { target: { value: KEY_PIN } });
    await act(async () => {
      fireEvent.submit(within(again).getByLabelText('PIN of the key').closest('form')!);
    });
    expect(screen.getByTestId('step-pair-pin')).toBeTruthy();
    for (let i = 0; i < 5; i++) {
      await act(async () => {
        vi.advanceTimersByTime(1000);
      });
    }
    expect(within(again).getByTestId('throttled').textContent).toMatch(/Wait 2[56] seconds/);
    for (let i = 0; i < 26; i++) {
      await act(async () => {
        vi.advanceTimersByTime(1000);
      });
    }
    expect(within(again).queryByTestId('throttled')).toBeNull();
    expect((within(again).getByRole('button', { name: 'Next' }) as HTMLButtonElement).disabled).toBe(false);
    expect(callsTo('keystore:pair')).toHaveLength(2);
  });

  it('a throttled key says so before anyone types', async () => {
    handlers.set('p12:inspect', () => certificatesOnlyReport([PAIRABLE]));
    handlers.set('keystore:requests', () => requests([keyRequest({ pin: { attempts: 5, retryAfterSeconds: 120 } })]));
    await openWizard();
    await pick(file('Åsa Öberg.p12'));
    await typePassword(PASSWORD);
    fireEvent.click(await screen.findByRole('button', { name: 'Pair with the key made for this order' }));
    const pinStep = await screen.findByTestId('step-pair-pin');
    await waitFor(() => expect(within(pinStep).getByTestId('throttled').textContent).toBe('Too many wrong PINs for this key. Wait 2 minutes, then try again.'));
    expect(within(pinStep).getByTestId('pin-state').textContent).toBe('Locked for 2 minutes after wrong PINs');
    expect((within(pinStep).getByRole('button', { name: 'Next' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('a renewal of an e-ID’s key names the e-ID (Swedish)', async () => {
    await setLanguage('sv');
    const renewed = entry({ id: 'aaaaaaaaaaaaaaaa', label: 'Åsa 2024' });
    handlers.set('p12:inspect', () => certificatesOnlyReport([{ kind: 'entry', id: renewed.id, label: renewed.label }]));
    handlers.set('keystore:list', () => ({ dir: '/ks', entries: [renewed], damaged: [] }));
    handlers.set('keystore:pair', () => pairResponse({ replacedRequest: false, renewalOf: renewed.id, osStore: null }));
    const { ImportWizard } = await import('../../renderer/pages/files/import-wizard');
    renderInFluent(<ImportWizard onClose={() => undefined} onShow={() => undefined} />);
    await act(async () => {
      fireEvent.change(screen.getByLabelText('Fil med e-legitimation (.p12, .pfx) eller certifikat (.cer, .crt, .pem, .p7b)'), { target: { files: [file('Åsa.p12')] } });
    });
    const pw = await screen.findByLabelText('PIN-kod från PIN-kodsbrevet');
    fireEvent.change(pw, { target: { value: PASSWORD } });
    await act(async () => {
      fireEvent.submit(pw.closest('form')!);
    });
    const step = await screen.findByTestId('step-certificates-only');
    expect(within(step).getByText('E-legitimation på fil: certifikatet förnyar den med samma nyckel')).toBeTruthy();
    fireEvent.click(within(step).getByRole('button', { name: 'Para ihop med nyckeln som skapades för beställningen' }));
    expect(await screen.findByText('Certifikatet förnyar e-legitimationen ”Åsa 2024” med samma nyckel. Skriv e-legitimationens PIN-kod.')).toBeTruthy();
    await typeKeyPin(KEY_PIN, 'E-legitimationens PIN-kod');
    const targets = await screen.findByTestId('step-targets');
    fireEvent.click(await within(targets).findByRole('checkbox', { name: 'Datorns certifikatarkiv' }));
    await act(async () => {
      fireEvent.click(within(targets).getByRole('button', { name: 'Para ihop' }));
    });
    const done = await screen.findByTestId('step-done');
    expect(within(done).getByRole('heading', { name: 'Certifikatet är ihopparat med sin nyckel' })).toBeTruthy();
    expect(within(done).getByTestId('paired-renewal').textContent).toBe('Det här förnyar Åsa 2024 med samma nyckel. Den tidigare e-legitimationen finns kvar i nyckellagret tills du tar bort den.');
    expect(within(done).queryByTestId('installed-os-store')).toBeNull();
    expect(callsTo('keystore:pair')[0].request.targets).toEqual({ keystore: true, osStore: false });
  });
});

describe('pairing a certificate file (.p7b, .pem, .cer)', () => {
  it('shows what the file holds and the key it belongs to before any PIN, then PIN, places with the older certificate, pairs with that key', async () => {
    handlers.set('certificate:inspect', () => certificateFileReport([PAIRABLE]));
    handlers.set('keystore:requests', () => requests([keyRequest(), keyRequest({ id: '1111222233334444', label: 'Server cert', subjectDn: 'CN=www.example.se,O=Exempel AB,C=SE', algorithm: 'ec-p256' })]));
    handlers.set('keystore:pair', () => pairResponse({ older: [older()] }));
    handlers.set('os-store:remove', (r) => ({ removed: r.fingerprint }));
    await openWizard();
    await pick(file('certifikat.p7b'));

    // No password: inspected at once, as a certificate file, and shown on the contents step.
    const step = await screen.findByTestId('step-certificates-only');
    expect(callsTo('certificate:inspect').map((c) => c.request)).toEqual([{ fileName: 'certifikat.p7b', data: 'MIIBAg==' }]);
    expect(callsTo('p12:inspect')).toHaveLength(0);
    expect(within(step).getByRole('heading', { name: 'What is in the certificate file' })).toBeTruthy();
    expect(within(step).getByText('A certificate file holds no private key. Check below that this is the certificate you ordered, and not an old one.')).toBeTruthy();
    // The same details as a .p12's contents: holder, identity number with copy, validity, purpose, chain.
    expect(within(step).getByTestId('holder').textContent).toBe(HOLDER);
    expect(within(step).getByTestId('organisation').textContent).toBe(ORGANISATION);
    expect(within(step).getByTestId('identity-number').textContent).toBe(IDENTITY);
    expect(within(step).getByTestId('validity').textContent).toMatch(/\d{4}.* to .*\d{4}/);
    expect(within(step).getByText('Authentication')).toBeTruthy();
    expect(within(step).getByTestId('chain').textContent).toContain('The chain leads to a known issuer');
    expect(within(step).getByTestId('file-holds').textContent).toBe('The file holds 1 certificate and no private key.');
    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    await act(async () => {
      fireEvent.click(within(step).getByRole('button', { name: 'Copy HSA-id' }));
    });
    expect(writeText).toHaveBeenCalledWith(IDENTITY);
    // The key it belongs to, named from `pairable`, and no PIN field yet.
    expect(within(step).getByTestId('certificates-only').getAttribute('data-pairable')).toBe('true');
    expect(within(step).getByText('The key for this certificate is in eID Desk’s keystore')).toBeTruthy();
    const key = within(step).getByTestId('pair-with');
    await waitFor(() => expect(within(key).getByTestId('request-subject').textContent).toBe(keyRequest().subjectDn));
    expect(within(key).getByRole('heading', { name: REQUEST_LABEL })).toBeTruthy();
    expect(within(step).queryByLabelText('PIN of the key')).toBeNull();
    expect(within(screen.getByRole('list', { name: 'Steps' })).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['1File', '2Contents', '3Key PIN', '4Where', '5Pairing', '6Done']);
    fireEvent.click(within(step).getByRole('button', { name: 'Pair with the key made for this order' }));

    const pinStep = await screen.findByTestId('step-pair-pin');
    expect(within(pinStep).getByText(`The certificate is paired with the key of the key request “${REQUEST_LABEL}”. Type the PIN you chose when you made that request.`)).toBeTruthy();
    await typeKeyPin(KEY_PIN);

    // Where: the older certificate of the same identity, asked about the file's own leaf.
    const targets = await screen.findByTestId('step-targets');
    await waitFor(() => expect(callsTo('os-store:older')).toHaveLength(1));
    expect(callsTo('os-store:older')[0].request).toEqual({ certificate: 'MIIB' });
    fireEvent.click(await within(targets).findByRole('checkbox', { name: /Remove this older certificate/ }));
    await clickPair();
    expect(callsTo('keystore:pair')).toHaveLength(1);
    expect(callsTo('keystore:pair')[0].request).toEqual({
      source: { kind: 'certificate', fileName: 'certifikat.p7b', data: 'MIIBAg==' },
      pin: KEY_PIN,
      targets: { keystore: true, osStore: true },
      target: { kind: 'request', id: REQUEST_ID },
    });
    const done = await screen.findByTestId('step-done');
    expect(within(done).getByTestId('paired-request').textContent).toBe(`The key request “${REQUEST_LABEL}” is now this e-ID, so it is no longer listed under key requests.`);
    expect(within(done).getByTestId('removed').textContent).toBe('1 older certificate was removed from the certificate store.');
    expect(callsTo('os-store:remove').map((c) => c.request)).toEqual([{ fingerprint: older().fingerprintSha256 }]);
    expect(document.body.innerHTML).not.toContain(KEY_PIN);
  });

  it('no key here: said on the contents step with where the key may be and the requests still waiting; no PIN is asked', async () => {
    handlers.set('certificate:inspect', () => certificateFileReport([]));
    handlers.set('keystore:requests', () => requests([keyRequest(), keyRequest({ id: '1111222233334444', label: 'Server cert', algorithm: 'ec-p256' })]));
    await openWizard();
    await pick(file('server.cer'));
    const step = await screen.findByTestId('step-certificates-only');
    const notice = within(step).getByTestId('certificates-only');
    expect(notice.getAttribute('data-refusal')).toBe('no-key-here');
    expect(within(notice).getByText('No key for this certificate is in eID Desk’s keystore')).toBeTruthy();
    expect(notice.textContent).toMatch(/stays where the certificate request \(CSR\) was made: on that computer, or in the program or server that made it/);
    expect(within(step).getByText(/has since been deleted, its key is gone/)).toBeTruthy();
    const waiting = await within(step).findByTestId('waiting-requests');
    expect(within(waiting).getByText('2 key requests in eID Desk are waiting for a certificate, but this certificate was not issued for any of them')).toBeTruthy();
    expect(within(waiting).getAllByRole('heading').map((h) => h.textContent)).toEqual([REQUEST_LABEL, 'Server cert']);
    // The certificate itself is still shown, so the user sees which one it is.
    expect(within(step).getByTestId('holder').textContent).toBe(HOLDER);
    expect(within(step).queryByRole('button', { name: /Pair/ })).toBeNull();
    expect(within(step).queryByLabelText('PIN of the key')).toBeNull();
    fireEvent.click(within(step).getByRole('button', { name: 'Choose another file' }));
    expect(await screen.findByTestId('step-pick')).toBeTruthy();
    expect(callsTo('keystore:pair')).toHaveLength(0);
  });

  it('already an e-ID here: says so and offers to show it, with no PIN', async () => {
    handlers.set('certificate:inspect', () => certificateFileReport([], { inKeystore: '0123456789abcdef' }));
    const { onShow } = await openWizard();
    await pick(file('paired.pem'));
    const step = await screen.findByTestId('step-certificates-only');
    expect(within(step).getByText('This certificate is already an e-ID in eID Desk’s keystore')).toBeTruthy();
    expect(within(step).queryByText('No key for this certificate is in eID Desk’s keystore')).toBeNull();
    fireEvent.click(within(step).getByRole('button', { name: 'Show my e-ID' }));
    expect(onShow).toHaveBeenCalledWith('0123456789abcdef');
  });

  it('a key here that main would refuse pairing (expired) is said before the PIN, in Swedish', async () => {
    await setLanguage('sv');
    const r = certificateFileReport([PAIRABLE]);
    handlers.set('certificate:inspect', () => ({ ...r, leaf: { ...r.leaf!, validity: 'expired' } }));
    const { ImportWizard } = await import('../../renderer/pages/files/import-wizard');
    renderInFluent(<ImportWizard onClose={() => undefined} onShow={() => undefined} />);
    await act(async () => {
      fireEvent.change(screen.getByLabelText('Fil med e-legitimation (.p12, .pfx) eller certifikat (.cer, .crt, .pem, .p7b)'), { target: { files: [file('cert.pem')] } });
    });
    const step = await screen.findByTestId('step-certificates-only');
    expect(within(step).getByRole('heading', { name: 'Det här finns i certifikatfilen' })).toBeTruthy();
    const notice = within(step).getByTestId('certificates-only');
    expect(within(notice).getByText('Nyckeln till certifikatet finns här, men certifikatet kan inte paras ihop')).toBeTruthy();
    expect(notice.textContent).toContain('Certifikatet har gått ut. Ihopparat skulle det bli en e-legitimation som inte går att använda: beställ ett nytt certifikat.');
    expect(within(step).queryByRole('button', { name: /Para ihop/ })).toBeNull();
    expect(within(step).getByRole('button', { name: 'Välj en annan fil' })).toBeTruthy();
    expect(within(screen.getByRole('list', { name: 'Steg' })).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['1Fil', '2Innehåll', '3Nyckelns PIN-kod', '4Var', '5Parar ihop', '6Klart']);
  });

  it('a file main cannot read is refused in words for a certificate, and leads to another file', async () => {
    handlers.set('certificate:inspect', () => {
      throw bridgeError('malformed', { kind: 'pkcs12' });
    });
    await openWizard();
    await pick(file('e-id.crt'));
    const err = await screen.findByTestId('step-error');
    expect(within(err).getByRole('heading', { name: 'The file could not be opened' })).toBeTruthy();
    expect(within(err).getByText('This is a PKCS#12 file (.p12 or .pfx), not a certificate file. Give it the ending .p12 and choose it again: it is opened with its password.')).toBeTruthy();
    expect(within(err).getByText(/^Download the certificate again from the issuer/)).toBeTruthy();
    expect(within(err).getByTestId('rollback-state').textContent).toBe('Nothing was stored.');
    fireEvent.click(within(err).getByRole('button', { name: 'Choose another file' }));
    expect(await screen.findByTestId('step-pick')).toBeTruthy();
    expect(callsTo('keystore:pair')).toHaveLength(0);
  });

  it('a key gone between looking and pairing: no-matching-key says where the key is, nothing changed', async () => {
    handlers.set('certificate:inspect', () => certificateFileReport([PAIRABLE]));
    handlers.set('keystore:pair', () => {
      throw bridgeError('no-matching-key');
    });
    await openWizard();
    await pick(file('certifikat.p7b'));
    fireEvent.click(await screen.findByRole('button', { name: 'Pair with the key made for this order' }));
    await typeKeyPin(KEY_PIN);
    await clickPair();
    const err = await screen.findByTestId('step-error');
    expect(within(err).getByRole('heading', { name: 'The certificate was not paired' })).toBeTruthy();
    expect(within(err).getByTestId('wizard-error').getAttribute('data-code')).toBe('no-matching-key');
    expect(within(err).getByText('No key in eID Desk’s keystore belongs to this certificate.')).toBeTruthy();
    expect(within(err).getByText(/stays on the computer or in the program where the certificate request \(CSR\) was made: pair the certificate there/)).toBeTruthy();
    expect(within(err).getByTestId('rollback-state').textContent).toBe('Nothing was changed: the key and the keystore are as they were, and nothing was installed.');
    fireEvent.click(within(err).getByRole('button', { name: 'Choose another file' }));
    expect(await screen.findByTestId('step-pick')).toBeTruthy();
  });
});

describe('refusals in words', () => {
  it('names a PKCS#12 handed in as a certificate, and dates a not-yet-valid one', async () => {
    const { reasonText } = await import('../../renderer/pages/files/text');
    const { default: i18next } = await import('i18next');
    const t = i18next.t.bind(i18next);
    expect(reasonText(t, 'en', { code: 'malformed', message: 'm', details: { kind: 'pkcs12' } })).toBe(
      'This is a PKCS#12 file (.p12 or .pfx), not a certificate file. Give it the ending .p12 and choose it again: it is opened with its password.',
    );
    expect(reasonText(t, 'en', { code: 'validation', message: 'm', details: { reason: 'not-yet-valid', notBefore: '2031-05-06T10:00:00.000Z' } })).toBe(
      'The certificate is not valid yet (from 6 May 2031). Pair it from then on; the key stays safe in the keystore until then.',
    );
    expect(reasonText(t, 'en', { code: 'malformed', message: 'm' })).toBeNull();
    expect(reasonText(t, 'en', { code: 'validation', message: 'm', details: { reason: 'something-new' } })).toBeNull();
  });
});

describe('the subject of a key request', () => {
  it('needs a CN, two letters for C, and at most 64 characters in CN, O and serialNumber', () => {
    expect(subjectProblems(EMPTY_SUBJECT)).toEqual({ cn: { problem: 'required' } });
    expect(subjectProblems({ ...EMPTY_SUBJECT, cn: '   ' })).toEqual({ cn: { problem: 'required' } });
    expect(subjectProblems({ cn: 'Å'.repeat(64), o: 'Ö'.repeat(65), serialNumber: '1'.repeat(65), c: 'Sverige' })).toEqual({
      o: { problem: 'too-long', max: 64 },
      serialNumber: { problem: 'too-long', max: 64 },
      c: { problem: 'country' },
    });
    // Empty C is allowed (left out); lower case is fine (written upper case).
    expect(subjectProblems({ ...EMPTY_SUBJECT, cn: 'x', c: '' })).toEqual({});
    expect(subjectProblems({ ...EMPTY_SUBJECT, cn: 'x', c: 'fi' })).toEqual({});
  });
  it('writes the DN most specific first, escaping what RFC 4514 reserves, leaving empty fields out', () => {
    expect(subjectDn({ cn: ' Åsa Öberg ', o: 'Åkerö, Berg & Co', serialNumber: '5567891234', c: 'se' })).toBe('CN=Åsa Öberg,serialNumber=5567891234,O=Åkerö\\, Berg & Co,C=SE');
    expect(subjectDn({ cn: '1234567-8', o: '', serialNumber: '', c: '' })).toBe('CN=1234567-8');
    expect(escapeDnValue('#1 "a+b" <x>; c\\d=e')).toBe('\\#1 \\"a\\+b\\" \\<x\\>\\; c\\\\d\\=e');
    expect(fieldOfAttribute('O')).toBe('o');
    expect(fieldOfAttribute('OU')).toBeNull();
  });
  it('names the CSR file after the request, safe for every file system', () => {
    expect(csrFileName('Åsa Öberg – order 2025')).toBe('Åsa Öberg – order 2025.csr');
    expect(csrFileName('a/b:c*?"<>|d')).toBe('a_b_c_d.csr');
    expect(csrFileName('  ..  ')).toBe('key-request.csr');
  });
});

describe('key requests on the E-IDs on file page', () => {
  async function openPage() {
    const { FilesPage } = await import('../../renderer/pages/files/files-page');
    await act(async () => {
      renderInFluent(<FilesPage />);
    });
  }
  let blobs: Blob[] = [];
  beforeEach(() => {
    blobs = [];
    (URL as any).createObjectURL = vi.fn((b: Blob) => {
      blobs.push(b);
      return `blob:test/${blobs.length}`;
    });
    (URL as any).revokeObjectURL = vi.fn();
  });

  it('create key request: subject and PIN checked before sending, one request only, then the CSR with copy, save and what to do next', async () => {
    let list = [] as ReturnType<typeof keyRequest>[];
    handlers.set('keystore:requests', () => requests(list));
    let resolveCreate: (v: unknown) => void = () => undefined;
    handlers.set('keystore:create-request', () => new Promise((r) => (resolveCreate = r)));
    await openPage();
    expect((await screen.findByTestId('key-requests-none')).textContent).toMatch(/^No key request is waiting\./);
    fireEvent.click(screen.getByRole('button', { name: 'Create key request (CSR)' }));
    const dialog = await screen.findByRole('dialog', { name: 'Create key request (CSR)' });
    // A browser puts focus in the first field (autoFocus); jsdom leaves it on the surface, and
    // Fluent's focus trap then hides the dialog from role queries. Do what the browser does.
    (within(dialog).getByLabelText(/^Name \(CN\)/) as HTMLInputElement).focus();
    expect((within(dialog).getByLabelText('RSA 2048 (accepted by every issuer)') as HTMLInputElement).checked).toBe(true);
    expect((within(dialog).getByLabelText('Country (C)') as HTMLInputElement).value).toBe('SE');
    expect(await within(dialog).findByTestId('pin-rules')).toBeTruthy();
    const submit = async () => {
      await act(async () => {
        fireEvent.submit(within(dialog).getByLabelText(/^Name \(CN\)/).closest('form')!);
      });
    };
    const type = (label: string | RegExp, value: string) => fireEvent.change(within(dialog).getByLabelText(label), { target: { value } });

    // Nothing typed: the CN is asked for, and nothing is sent.
    await submit();
    expect(within(dialog).getByText('Type the name (CN): the issuer names the certificate by it.')).toBeTruthy();
    expect(within(dialog).getByText('Type a PIN.')).toBeTruthy();
    type(/^Name \(CN\)/, 'x'.repeat(65));
    // A message goes once its field is edited.
    expect(within(dialog).queryByText('Type the name (CN): the issuer names the certificate by it.')).toBeNull();
    expect(within(dialog).getByText('Type a PIN.')).toBeTruthy();
    type('Country (C)', 'S');
    await submit();
    expect(within(dialog).getByText('At most 64 characters.')).toBeTruthy();
    expect(within(dialog).getByText('Two letters, such as SE.')).toBeTruthy();
    // The keystore PIN rules, live, then a weak PIN and a mismatch.
    type(/^Name \(CN\)/, HOLDER);
    type('Country (C)', 'se');
    type('Organisation (O)', ORGANISATION);
    type('Organisation number or business ID (serialNumber)', IDENTITY);
    type('Name in eID Desk (optional)', REQUEST_LABEL);
    type('PIN for the key', '123456');
    expect(within(dialog).queryByText('Type a PIN.')).toBeNull();
    type('PIN for the key again', '123456');
    expect([...within(dialog).getByTestId('pin-rules').querySelectorAll('li')].map((li) => li.getAttribute('data-met'))).toEqual(['true', 'true', 'true', 'false']);
    await submit();
    expect(within(dialog).getByText('This PIN is not accepted: not a simple sequence (such as 123456 or abcdef).')).toBeTruthy();
    type('PIN for the key', KEY_PIN);
    type('PIN for the key again', 'Hallon-84');
    await submit();
    expect(within(dialog).getByText('The two PINs are not the same.')).toBeTruthy();
    expect(callsTo('keystore:create-request')).toHaveLength(0);
    fireEvent.click(within(dialog).getByLabelText('EC P-256'));
    type('PIN for the key again', KEY_PIN);
    await submit();
    await submit();
    expect(callsTo('keystore:create-request')).toHaveLength(1);
    expect(callsTo('keystore:create-request')[0].request).toEqual({
      alg: 'ec-p256',
      subject: `CN=${HOLDER},serialNumber=${IDENTITY},O=${ORGANISATION},C=SE`,
      label: REQUEST_LABEL,
      pin: KEY_PIN,
    });
    expect(within(dialog).getByRole('status').textContent).toBe('Making the key and the request…');
    expect((within(dialog).getByRole('button', { name: 'Create key request' }) as HTMLButtonElement).disabled).toBe(true);
    expect((within(dialog).getByLabelText('PIN for the key') as HTMLInputElement).value).toBe('');

    list = [keyRequest({ algorithm: 'ec-p256', keyAlgorithm: 'EC P-256' })];
    await act(async () => resolveCreate(createdRequest({ algorithm: 'ec-p256' })));
    const created = await screen.findByTestId('request-created');
    expect(within(created).getByRole('heading', { name: 'The key request is made' })).toBeTruthy();
    expect((within(created).getByLabelText('Certificate request (CSR)') as HTMLTextAreaElement).value).toBe(CSR_PEM);
    expect(within(created).getByTestId('created-subject').textContent).toBe(keyRequest().subjectDn);
    expect(within(created).getByText('EC P-256')).toBeTruthy();
    expect(within(created).getByTestId('request-next').textContent).toMatch(/Send the CSR to the issuer.*When the certificate arrives.*choose “Import from file” here/);
    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    await act(async () => {
      fireEvent.click(within(created).getByRole('button', { name: `Copy the CSR of ${REQUEST_LABEL}` }));
    });
    expect(writeText).toHaveBeenCalledWith(CSR_PEM);
    expect(within(created).getByRole('button', { name: `Copy the CSR of ${REQUEST_LABEL}` }).textContent).toBe('Copied');
    const save = within(created).getByRole('link', { name: `Save the CSR of ${REQUEST_LABEL} as a file` });
    expect(save.getAttribute('download')).toBe(`${REQUEST_LABEL}.csr`);
    expect(save.getAttribute('href')).toMatch(/^blob:test\//);
    const blob = blobs[Number(save.getAttribute('href')!.split('/').pop()) - 1];
    expect(blob.type).toBe('application/pkcs10');
    expect(await blob.text()).toBe(CSR_PEM);
    expect(document.body.innerHTML).not.toContain(KEY_PIN);

    fireEvent.click(within(created).getByRole('button', { name: 'Close' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    // The page now lists the new request.
    const card = await screen.findByTestId('key-request');
    expect(within(card).getByText(REQUEST_LABEL).tagName).toBe('H3');
    expect(within(card).getByTestId('request-subject').textContent).toBe(keyRequest().subjectDn);
    // The dialog's Blob URL went with it.
    expect(URL.revokeObjectURL).toHaveBeenCalledWith(save.getAttribute('href'));
  });

  it('main’s refusal of a subject lands on the field it names', async () => {
    handlers.set('keystore:create-request', () => {
      throw bridgeError('validation', { attribute: 'O', limit: 64 });
    });
    await openPage();
    fireEvent.click(screen.getByRole('button', { name: 'Create key request (CSR)' }));
    const dialog = await screen.findByRole('dialog');
    await within(dialog).findByTestId('pin-rules');
    fireEvent.change(within(dialog).getByLabelText(/^Name \(CN\)/), { target: { value: 'Åsa' } });
    fireEvent.change(within(dialog).getByLabelText('PIN for the key'), { target: { value: KEY_PIN } });
    fireEvent.change(within(dialog).getByLabelText('PIN for the key again'), { target: { value: KEY_PIN } });
    await act(async () => {
      fireEvent.click(within(dialog).getByRole('button', { name: 'Create key request' }));
    });
    const o = within(dialog).getByLabelText('Organisation (O)');
    expect(o.getAttribute('aria-invalid')).toBe('true');
    expect(within(dialog).getByText('At most 64 characters.')).toBeTruthy();
  });

  it('lists requests with subject, key, created and wrong-PIN state; shows the CSR; deletes after a confirmation that says the key is gone', async () => {
    let list = [keyRequest({ pin: { attempts: 2, retryAfterSeconds: 0 } })];
    handlers.set('keystore:requests', () => ({ requests: list, damaged: [{ id: 'bbbbbbbbbbbbbbbb', code: 'keystore-corrupt', message: 'damaged' }] }));
    handlers.set('keystore:delete-request', (r) => {
      list = list.filter((x) => x.id !== r.id);
      return { deleted: r.id };
    });
    await openPage();
    const section = await screen.findByTestId('key-requests');
    expect(within(section).getByRole('heading', { level: 2, name: 'Key requests waiting for a certificate' })).toBeTruthy();
    const card = within(section).getByRole('region', { name: REQUEST_LABEL });
    expect(within(card).getByTestId('request-subject').textContent).toBe(keyRequest().subjectDn);
    expect(within(card).getByText('RSA 2048')).toBeTruthy();
    expect(within(card).getByTestId('pin-state').textContent).toBe('2 wrong PINs');
    expect(within(section).getByTestId('damaged-request').textContent).toMatch(/damaged \(id bbbbbbbbbbbbbbbb\)/);
    fireEvent.click(within(card).getByRole('button', { name: `Show the CSR of ${REQUEST_LABEL}` }));
    expect(within(card).getByTestId('request-csr').textContent).toBe(CSR_PEM);
    expect(within(card).getByRole('button', { name: `Hide the CSR of ${REQUEST_LABEL}` }).getAttribute('aria-expanded')).toBe('true');
    expect(within(card).getByRole('link', { name: `Save the CSR of ${REQUEST_LABEL} as a file` }).getAttribute('download')).toBe(`${REQUEST_LABEL}.csr`);

    fireEvent.click(within(card).getByRole('button', { name: `Delete the key request ${REQUEST_LABEL}` }));
    const confirm = await screen.findByRole('alertdialog', { name: `Delete the key request ${REQUEST_LABEL}?` });
    expect(within(confirm).getByText(/Its private key is deleted for good\. A certificate issued for this request can then never be used/)).toBeTruthy();
    // Cancel first: nothing is deleted.
    fireEvent.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(callsTo('keystore:delete-request')).toHaveLength(0);
    fireEvent.click(within(card).getByRole('button', { name: `Delete the key request ${REQUEST_LABEL}` }));
    await act(async () => {
      fireEvent.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Delete key request' }));
    });
    expect(callsTo('keystore:delete-request')[0].request).toEqual({ id: REQUEST_ID });
    expect((await screen.findByTestId('files-notice')).textContent).toBe(`The key request ${REQUEST_LABEL} has been deleted.`);
    await waitFor(() => expect(screen.queryByTestId('key-request')).toBeNull());
  });

  it('reads naturally in Swedish', async () => {
    await setLanguage('sv');
    await openPage();
    const section = await screen.findByTestId('key-requests');
    expect(within(section).getByRole('heading', { name: 'Nyckelbegäranden som väntar på ett certifikat' })).toBeTruthy();
    const card = within(section).getByRole('region', { name: REQUEST_LABEL });
    expect(within(card).getByRole('button', { name: `Kopiera CSR:en för ${REQUEST_LABEL}` }).textContent).toBe('Kopiera CSR');
    expect(within(card).getByRole('link', { name: `Spara CSR:en för ${REQUEST_LABEL} som fil` }).textContent).toBe('Spara CSR');
    fireEvent.click(screen.getByRole('button', { name: 'Skapa nyckelbegäran (CSR)' }));
    const dialog = await screen.findByRole('dialog', { name: 'Skapa nyckelbegäran (CSR)' });
    expect(within(dialog).getByLabelText('Organisationsnummer (serialNumber)')).toBeTruthy();
    expect(within(dialog).getByLabelText('PIN-kod för nyckeln igen')).toBeTruthy();
    expect(within(dialog).getByText(/Du får en certifikatbegäran \(CSR\) att skicka till utfärdaren\./)).toBeTruthy();
  });
});
