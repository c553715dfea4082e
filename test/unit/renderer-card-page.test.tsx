// @vitest-environment jsdom
/**
 * The "Card and PIN" page in jsdom with a fake bridge: what the user sees before typing, the live
 * PIN rules, wrong PINs with their tries left, unblock hidden when the PUK is blocked, the right
 * card acted on when there are two, "do not take the card out" while an operation runs, the card
 * pulled mid-operation, the test signature and orphan keys. The pure parts (rules, card grouping,
 * error sentences) are tested directly.
 */
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { BridgeError } from '../../preload/bridge';
import { setLanguage } from '../../renderer/i18n';
import { describeCertificate } from '../../main/pki/certificate';
import { issueEndEntity, makeTestPki } from '../../dev/test-ca';
import { checkNewPin, lengthRuleKey, pinRules } from '../../renderer/pages/card/pin-rules';
import { cardName, groupCards, locateToken } from '../../renderer/pages/card/cards';
import { cardErrorText, isCardGone } from '../../renderer/pages/card/card-text';
import { removedText } from '../../renderer/pages/card/operation-notices';
import { callsTo, fakeBridge, renderInFluent, resetFakeBridgeEachTest, setUpRendererJsdom } from '../helpers/renderer-jsdom';

// Fake bridge: per-channel handlers, a log of every call, and events the test can fire.
vi.mock('../../renderer/bridge-client', () => import('../helpers/renderer-jsdom').then((m) => m.bridgeClientMock()));
const { handlers, emit } = fakeBridge;

// ---------------------------------------------------------------------------------------------
// Fixtures

const { ca } = makeTestPki();
const subject = [['C', 'SE'], ['O', 'Region Östergötland'], ['CN', 'Örjan Ärlig']] as const;
const cert = describeCertificate(issueEndEntity(ca, { subject, keyUsage: ['nonRepudiation'] }).der);
const eid = (id: string, label: string) => ({
  id, label, holder: 'Örjan Ärlig', organisation: 'Region Östergötland', notBefore: cert.notBefore, notAfter: cert.notAfter,
  validity: 'valid' as const, assuranceLevel: null, identity: null, upn: [], emails: [], purposes: ['signing' as const],
  keyPresent: true, signingCertificate: null, certificate: cert,
});
const pinStatus = (over: Partial<Record<string, unknown>> = {}) => ({
  initialized: true, countLow: false, finalTry: false, locked: false, toBeChanged: false, soLocked: false, triesLeft: null,
  minLength: 6, maxLength: 8, protectedAuthenticationPath: false, ...over,
}) as any;
const token = (key: string, label: string, serial: string, reader: string) => ({
  key, slotId: '01', slotDescription: reader, label, manufacturer: 'Acme', model: 'M', serialNumber: serial, demo: false, pin: pinStatus(), eids: [eid('02', 'Underskrift')],
});
const A = token('/m/a.so#01#AAA111', 'Kort A (Underskrift)', 'AAA111', 'Läsare 1');
const B = token('/m/b.so#02#BBB222', 'Kort B', 'BBB222', 'Läsare 2');
const snapshotOf = (...tokens: Array<ReturnType<typeof token>>) => ({
  scannedAt: new Date().toISOString(),
  modules: tokens.map((t) => ({ path: t.key.split('#')[0], name: 'm', source: 'configured' as const, status: 'ok' as const, error: null, manufacturer: null, description: null, libraryVersion: null, slotCount: 1, tokens: [t] })),
});

/** A pin:status answer. */
function report(tokenKey: string, over: { pin?: Record<string, unknown>; puk?: Record<string, unknown>; unblock?: Record<string, unknown>; change?: Record<string, unknown>; digitsOnly?: boolean } = {}) {
  const tok = [A, B].find((t) => t.key === tokenKey) ?? A;
  return {
    tokenKey, label: tok.label, serialNumber: tok.serialNumber,
    pin: pinStatus(over.pin),
    puk: { countLow: false, finalTry: false, locked: false, toBeChanged: false, triesLeft: null, ...over.puk },
    change: { possible: true, blockedBy: null, ...over.change },
    unblock: { possible: true, blockedBy: null, method: 'so-login-init-pin', secretName: 'PUK', ...over.unblock },
    digitsOnly: over.digitsOnly ?? true,
  };
}

let snapshot = snapshotOf(A);

setUpRendererJsdom();
beforeEach(() => {
  snapshot = snapshotOf(A);
});
resetFakeBridgeEachTest(() => ({
  'token:list': () => snapshot,
  'pin:status': (req) => report(req.tokenKey),
}));

async function renderPage() {
  const { CardPage } = await import('../../renderer/pages/card/card-page');
  await act(async () => {
    renderInFluent(<CardPage />);
  });
  await screen.findAllByTestId('pin-status');
}

async function openDialog(button: string, testId: string, region?: string) {
  const scope = region ? screen.getByRole('region', { name: region }) : document.body;
  await act(async () => {
    fireEvent.click(within(scope).getByRole('button', { name: button }));
  });
  const dialog = await screen.findByTestId(testId);
  await within(dialog).findByTestId('pin-status');
  return dialog;
}

function type(dialog: HTMLElement, testId: string, value: string) {
  fireEvent.change(within(dialog).getByTestId(testId), { target: { value } });
}

/** Fills a change or unblock dialog: the first secret (field `firstId`), then the same new PIN twice. */
function fillNewPin(dialog: HTMLElement, first: string, newPin = '24681357', firstId = 'old-pin') {
  type(dialog, firstId, first);
  type(dialog, 'new-pin', newPin);
  type(dialog, 'confirm-pin', newPin);
}

async function submit(dialog: HTMLElement, name: string | RegExp) {
  await act(async () => {
    fireEvent.click(within(dialog).getByRole('button', { name }));
  });
}

// ---------------------------------------------------------------------------------------------

describe('PIN rules (pure)', () => {
  it('takes lengths from the token info, ignoring 0 and CK_UNAVAILABLE_INFORMATION', () => {
    expect(pinRules({ minLength: 6, maxLength: 8 }, true)).toEqual({ min: 6, max: 8, digitsOnly: true });
    expect(pinRules({ minLength: 0, maxLength: 2 ** 32 - 1 }, false)).toEqual({ min: 1, max: null, digitsOnly: false });
    expect(pinRules({ minLength: 4, maxLength: 2 ** 64 - 1 }, false)).toEqual({ min: 4, max: null, digitsOnly: false });
    expect(lengthRuleKey({ min: 6, max: 6, digitsOnly: true }).key).toBe('exactDigits');
    expect(lengthRuleKey({ min: 4, max: null, digitsOnly: false }).key).toBe('minChars');
  });
  it('checks length in UTF-8 bytes, digits, and the repetition', () => {
    const r = { min: 6, max: 8, digitsOnly: true };
    expect(checkNewPin(r, '123456', '123456').ok).toBe(true);
    expect(checkNewPin(r, '12345', '12345').newPin).toEqual(['too-short']);
    expect(checkNewPin(r, '123456789', '123456789').newPin).toEqual(['too-long']);
    expect(checkNewPin(r, '12345a', '12345a').newPin).toEqual(['not-digits']);
    expect(checkNewPin(r, '123456', '123457').confirm).toEqual(['mismatch']);
    // Typing the repetition: a correct prefix is "not yet", a wrong character is broken at once.
    expect(checkNewPin(r, '123456', '123').rules.match).toBe('pending');
    expect(checkNewPin(r, '123456', '124').rules.match).toBe('broken');
    const any = { min: 4, max: 8, digitsOnly: false };
    expect(checkNewPin(any, 'åäö', 'åäö').ok).toBe(true); // 6 bytes
    expect(checkNewPin(any, 'åäöåä', 'åäöåä').newPin).toEqual(['too-long']); // 10 bytes
    expect(checkNewPin(any, 'abc', 'abc').rules.length).toBe('pending');
    expect(checkNewPin(any, 'abc', 'abc').rules.digits).toBeNull();
  });
});

describe('cards and tokens (pure)', () => {
  it('groups the tokens of one card (one per PIN) by module and serial number', () => {
    const auth = { ...A, key: '/m/a.so#01#AAA111', label: 'Åsa Öberg (Legitimering)' };
    const sign = { ...A, key: '/m/a.so#02#AAA111', label: 'Åsa Öberg (Underskrift)' };
    const snap = { scannedAt: '', modules: [{ ...snapshotOf(A).modules[0], tokens: [auth, sign] }, snapshotOf(B).modules[0]] };
    const cards = groupCards(snap as any);
    expect(cards.map((c) => [c.label, c.tokens.length])).toEqual([['Åsa Öberg', 2], ['Kort B', 1]]);
    expect(cardName(['X (a)', 'Y (b)'])).toBe('X (a)');
  });
  it('finds a token again by key, or by serial number and label in another reader', () => {
    const moved = { ...A, key: '/m/a.so#07#AAA111' };
    expect(locateToken(snapshotOf(moved) as any, A)?.key).toBe(moved.key);
    expect(locateToken(snapshotOf(B) as any, A)).toBeNull();
  });
  it('says what a pulled card means for each operation', () => {
    expect(removedText('test-sign', true)).toBe('card.removed.readOnly');
    expect(removedText('pin-change', false)).toBe('card.removed.nothingChanged');
    expect(removedText('pin-change', true)).toBe('card.removed.pinChange');
    expect(removedText('delete-orphans', true)).toBe('card.removed.deleteKeys');
    // Gone before main found it (token-not-present) is a pulled card too, with nothing done.
    expect(isCardGone('token-not-present') && isCardGone('token-removed') && !isCardGone('pin-incorrect')).toBe(true);
  });
  it('never invents a tries-left count the card did not give', async () => {
    const { default: i18n } = await import('i18next');
    const t = i18n.t.bind(i18n);
    const e = (details: Record<string, unknown>) => new BridgeError('pin-incorrect', 'The PIN is incorrect.', details as any);
    expect(cardErrorText(t, e({ triesLeft: null, countLow: false, finalTry: false }), { secret: 'PUK' })).toBe('Wrong PIN. The card does not say how many tries are left.');
    expect(cardErrorText(t, e({ triesLeft: 1, finalTry: true }), { secret: 'PUK' })).toBe('Wrong PIN. One more wrong try blocks it.');
    expect(cardErrorText(t, e({ triesLeft: null, countLow: true }), { secret: 'PUK' })).toBe('Wrong PIN. Only a few tries are left before it is blocked.');
    expect(cardErrorText(t, new BridgeError('puk-incorrect', 'x', { triesLeft: 2 }), { secret: 'SO PIN' })).toBe('The SO PIN is wrong. 2 tries left before it is blocked.');
    expect(cardErrorText(t, new BridgeError('pin-len-range', 'x', { min: 4, max: 8 }), { secret: 'PUK', rules: { min: 4, max: 8, digitsOnly: true } })).toBe(
      'The card does not accept a PIN of this length: it must be 4–8 digits.',
    );
  });
});

describe('Card and PIN page', () => {
  it('shows the PIN status before typing: final try on the page and as a warning in the dialog', async () => {
    handlers.set('pin:status', (req) => report(req.tokenKey, { pin: { finalTry: true, triesLeft: 1 } }));
    await renderPage();
    const region = screen.getByRole('region', { name: 'Kort A (Underskrift)' });
    expect(within(region).getByTestId('pin-badge').textContent).toBe('Final try');
    expect(within(region).getByTestId('pin-sentence').textContent).toBe('One more wrong PIN blocks it.');
    expect(within(region).getByText('Rules for a new PIN: 6–8 digits')).toBeTruthy();
    const statusCallsBefore = callsTo('pin:status').length;
    const dialog = await openDialog('Change PIN', 'change-pin-dialog');
    // Read fresh for the dialog, and shown with every field still empty.
    expect(callsTo('pin:status').length).toBeGreaterThan(statusCallsBefore);
    expect(within(dialog).getByTestId('final-try').textContent).toContain('Final try: if the current PIN is wrong once more, it is blocked and must be unblocked with the PUK.');
    expect((within(dialog).getByTestId('old-pin') as HTMLInputElement).value).toBe('');
    expect(within(dialog).getByTestId('dialog-card').textContent).toBe('Card: Kort A (Underskrift) · serial number AAA111');
    expect(callsTo('pin:change')).toHaveLength(0);
  });

  it('shows a count only when the card gives one', async () => {
    handlers.set('pin:status', (req) => report(req.tokenKey, { pin: { triesLeft: 3 } }));
    await renderPage();
    expect(screen.getByTestId('pin-sentence').textContent).toBe('3 tries left');
    cleanup();
    handlers.set('pin:status', (req) => report(req.tokenKey));
    await renderPage();
    expect(screen.getByTestId('pin-sentence').textContent).toBe('The card does not report how many tries are left.');
    expect(screen.getByTestId('pin-badge').textContent).toBe('Works');
  });

  it('refuses new PINs that do not match, without asking the card', async () => {
    await renderPage();
    const dialog = await openDialog('Change PIN', 'change-pin-dialog');
    type(dialog, 'old-pin', '123456');
    type(dialog, 'new-pin', '24681357');
    type(dialog, 'confirm-pin', '24681358');
    expect(within(dialog).getByText('The two new PINs are not the same. Type the new PIN again.')).toBeTruthy();
    expect(within(dialog).getByText('Both new PINs are the same').closest('li')?.dataset.state).toBe('broken');
    await submit(dialog, 'Change PIN');
    expect(callsTo('pin:change')).toHaveLength(0);
    type(dialog, 'confirm-pin', '24681357');
    expect(within(dialog).getByText('Both new PINs are the same').closest('li')?.dataset.state).toBe('met');
    expect(within(dialog).queryByText('The two new PINs are not the same. Type the new PIN again.')).toBeNull();
  });

  it('checks the card’s rules live: digits only, length', async () => {
    await renderPage();
    const dialog = await openDialog('Change PIN', 'change-pin-dialog');
    const input = within(dialog).getByTestId('new-pin') as HTMLInputElement;
    expect(input.type).toBe('password');
    expect(input.getAttribute('autocomplete')).toBe('off');
    expect(input.getAttribute('inputmode')).toBe('numeric');
    type(dialog, 'new-pin', '12ab');
    expect(within(dialog).getByText('The new PIN may only contain digits.')).toBeTruthy();
    expect(within(dialog).getByText('Digits only (0–9)').closest('li')?.dataset.state).toBe('broken');
    type(dialog, 'new-pin', '12345');
    // Too short is not shouted while typing...
    expect(within(dialog).queryByText(/too short/)).toBeNull();
    expect(within(within(dialog).getByTestId('pin-rules')).getByText('Length: 6–8 digits').closest('li')?.dataset.state).toBe('pending');
    // The rule is also the new PIN field's description, read with the field.
    expect(within(dialog).getByTestId('new-pin').getAttribute('aria-describedby')).toBeTruthy();
    type(dialog, 'old-pin', '123456');
    type(dialog, 'confirm-pin', '12345');
    await submit(dialog, 'Change PIN');
    // ...but refused on submit, with the rule.
    expect(within(dialog).getByText('The new PIN is too short: it must be 6–8 digits.')).toBeTruthy();
    type(dialog, 'new-pin', '123456789');
    expect(within(dialog).getByText('The new PIN is too long: it must be 6–8 digits.')).toBeTruthy();
    expect(callsTo('pin:change')).toHaveLength(0);
  });

  it('says a wrong current PIN with the tries left, clears the secrets and re-reads the status', async () => {
    handlers.set('pin:change', () => {
      throw new BridgeError('pin-incorrect', 'The PIN is incorrect.', { triesLeft: 2, countLow: true, finalTry: false });
    });
    await renderPage();
    const dialog = await openDialog('Change PIN', 'change-pin-dialog');
    const statusBefore = callsTo('pin:status').length;
    fillNewPin(dialog, '111111');
    await submit(dialog, 'Change PIN');
    await within(dialog).findByText('The current PIN is wrong. 2 tries left before it is blocked.');
    expect(callsTo('pin:change')).toEqual([{ channel: 'pin:change', request: { tokenKey: A.key, oldPin: '111111', newPin: '24681357' } }]);
    for (const id of ['old-pin', 'new-pin', 'confirm-pin']) expect((within(dialog).getByTestId(id) as HTMLInputElement).value).toBe('');
    await waitFor(() => expect(callsTo('pin:status').length).toBeGreaterThan(statusBefore));
    expect(document.activeElement).toBe(within(dialog).getByTestId('old-pin'));
  });

  it('changes the PIN and says so', async () => {
    handlers.set('pin:change', (req) => report(req.tokenKey));
    await renderPage();
    const dialog = await openDialog('Change PIN', 'change-pin-dialog');
    fillNewPin(dialog, '123456');
    // Enter in a field submits (the form's submit button).
    await act(async () => {
      fireEvent.submit(within(dialog).getByTestId('confirm-pin').closest('form')!);
    });
    expect(await within(dialog).findByTestId('change-done')).toBeTruthy();
    expect(within(dialog).getByTestId('change-done').textContent).toBe('The PIN is changed. Use the new PIN from now on.');
    await act(async () => {
      fireEvent.click(within(dialog).getByRole('button', { name: 'Close' }));
    });
    await waitFor(() => expect(screen.queryByTestId('change-pin-dialog')).toBeNull());
    await waitFor(() => expect(document.activeElement?.textContent).toBe('Change PIN'));
  });

  it('hides unblock, with the reason, when the PUK is blocked', async () => {
    handlers.set('pin:status', (req) =>
      report(req.tokenKey, { pin: { locked: true, triesLeft: 0 }, puk: { locked: true, triesLeft: 0 }, change: { possible: false, blockedBy: 'pin-locked' }, unblock: { possible: false, blockedBy: 'puk-locked' } }));
    await renderPage();
    const region = screen.getByRole('region', { name: 'Kort A (Underskrift)' });
    expect(within(region).queryByRole('button', { name: 'Unblock PIN' })).toBeNull();
    expect(within(region).getByTestId('unblock-reason').textContent).toBe('Unblocking is not possible: the PUK is blocked too. Contact the card issuer.');
    expect(within(region).getByTestId('puk-badge').textContent).toBe('Blocked');
    expect(within(region).getByRole('button', { name: 'Change PIN' }).getAttribute('aria-disabled')).toBe('true');
    expect(within(region).getByText('The PIN is blocked: unblock it first.')).toBeTruthy();
  });

  it('unblocks with the secret the card names (SO PIN), and shows unblock when it is possible', async () => {
    handlers.set('pin:status', (req) => report(req.tokenKey, { unblock: { secretName: 'SO PIN' }, digitsOnly: false }));
    handlers.set('pin:unblock', () => {
      throw new BridgeError('puk-incorrect', 'The SO PIN is incorrect.', { triesLeft: null, countLow: false, finalTry: false });
    });
    await renderPage();
    const dialog = await openDialog('Unblock PIN', 'unblock-pin-dialog');
    expect(within(dialog).getByText('Type the token’s SO PIN (security officer PIN) and choose a new PIN.')).toBeTruthy();
    expect(within(dialog).getByTestId('puk').getAttribute('inputmode')).toBeNull();
    expect(within(dialog).getByLabelText(/^SO PIN/)).toBeTruthy();
    fillNewPin(dialog, '00000000', 'abcdef', 'puk');
    await submit(dialog, 'Unblock and set new PIN');
    await within(dialog).findByText('The SO PIN is wrong. The card does not say how many tries are left.');
    expect(callsTo('pin:unblock')[0].request).toEqual({ tokenKey: A.key, puk: '00000000', newPin: 'abcdef' });
  });

  it('acts on the card the user chose when there are two', async () => {
    snapshot = snapshotOf(A, B);
    handlers.set('pin:change', (req) => report(req.tokenKey));
    await renderPage();
    const chooser = screen.getByRole('radiogroup');
    expect(within(chooser).getAllByRole('radio')).toHaveLength(2);
    expect(within(chooser).getByText('serial number BBB222 · reader: Läsare 2 · 1 PIN code')).toBeTruthy();
    expect(screen.getByRole('region', { name: 'Kort A (Underskrift)' })).toBeTruthy();
    await act(async () => {
      fireEvent.click(within(chooser).getByRole('radio', { name: /Kort B/ }));
    });
    await screen.findByRole('region', { name: 'Kort B' });
    expect(screen.queryByRole('region', { name: 'Kort A (Underskrift)' })).toBeNull();
    const dialog = await openDialog('Change PIN', 'change-pin-dialog');
    expect(within(dialog).getByTestId('dialog-card').textContent).toBe('Card: Kort B · serial number BBB222');
    expect(callsTo('pin:status').at(-1)?.request).toEqual({ tokenKey: B.key });
    fillNewPin(dialog, '123456');
    await submit(dialog, 'Change PIN');
    await within(dialog).findByTestId('change-done');
    expect(callsTo('pin:change').map((c) => c.request.tokenKey)).toEqual([B.key]);
  });

  it('says "do not take the card out" while it works, follows the steps, and drops a double submit', async () => {
    let finish: (v: unknown) => void = () => undefined;
    handlers.set('pin:change', () => new Promise((r) => (finish = r)));
    await renderPage();
    const dialog = await openDialog('Change PIN', 'change-pin-dialog');
    fillNewPin(dialog, '123456');
    await submit(dialog, 'Change PIN');
    await submit(dialog, 'Change PIN');
    expect(callsTo('pin:change')).toHaveLength(1);
    const busy = within(dialog).getByTestId('card-busy');
    expect(busy.getAttribute('aria-live')).toBe('assertive');
    expect(busy.textContent).toContain('Do not take the card out of the reader');
    expect(within(busy).getByRole('progressbar')).toBeTruthy();
    expect(within(dialog).getByRole('button', { name: 'Change PIN' }).getAttribute('aria-disabled')).toBe('true');
    expect(within(dialog).getByRole('button', { name: 'Cancel' }).getAttribute('aria-disabled')).toBe('true');
    // Escape does not close the dialog while the card is worked on.
    fireEvent.keyDown(within(dialog).getByTestId('old-pin'), { key: 'Escape' });
    expect(screen.getByTestId('change-pin-dialog')).toBeTruthy();
    // Progress of another card or operation is not ours.
    await act(async () => emit('card:progress', { tokenKey: B.key, operation: 'pin-change', step: 'changing-pin', critical: true }));
    expect(busy.textContent).toContain('Connecting to the card…');
    await act(async () => emit('card:progress', { tokenKey: A.key, operation: 'pin-change', step: 'changing-pin', critical: true }));
    expect(busy.textContent).toContain('Changing the PIN…');
    await act(async () => finish(report(A.key)));
    await within(dialog).findByTestId('change-done');
    expect(busy.textContent).toBe('');
  });

  it('says plainly what a pulled card means, and when it is back', async () => {
    handlers.set('pin:change', async () => {
      emit('card:progress', { tokenKey: A.key, operation: 'pin-change', step: 'login', critical: false });
      throw new BridgeError('token-removed', 'The card was removed.', { operation: 'the PIN change' });
    });
    await renderPage();
    let dialog = await openDialog('Change PIN', 'change-pin-dialog');
    fillNewPin(dialog, '123456');
    snapshot = snapshotOf();
    await submit(dialog, 'Change PIN');
    // The card is gone from the watcher's view too.
    await act(async () => emit('token:changed', snapshotOf()));
    const removed = await within(dialog).findByTestId('card-removed');
    expect(removed.textContent).toBe('The card was taken outNothing was changed on the card. Put the card back in the reader.');
    expect(within(dialog).getByTestId('card-not-present').textContent).toBe('The card “Kort A (Underskrift)” is not in the reader. Put it back to continue.');
    expect(within(dialog).getByRole('button', { name: 'Change PIN' }).getAttribute('aria-disabled')).toBe('true');
    // Back (in another reader: another key), the dialog finds it and says so.
    const moved = { ...A, key: '/m/a.so#09#AAA111' };
    snapshot = snapshotOf(moved);
    await act(async () => emit('token:changed', snapshot));
    await waitFor(() => expect(within(dialog).getByTestId('card-removed').textContent).toContain('The card is back in the reader. You can try again.'));
    expect(within(dialog).queryByTestId('card-not-present')).toBeNull();
    await waitFor(() => expect(callsTo('pin:status').at(-1)?.request).toEqual({ tokenKey: moved.key }));

    // Pulled during the step that changes the PIN: not certain.
    cleanup();
    snapshot = snapshotOf(A);
    handlers.set('pin:change', async () => {
      emit('card:progress', { tokenKey: A.key, operation: 'pin-change', step: 'changing-pin', critical: true });
      throw new BridgeError('token-removed', 'The card was removed.', {});
    });
    await renderPage();
    dialog = await openDialog('Change PIN', 'change-pin-dialog');
    fillNewPin(dialog, '123456');
    await submit(dialog, 'Change PIN');
    expect((await within(dialog).findByTestId('card-removed')).textContent).toContain('so it is not certain whether it changed');
  });

  it('runs a test signature and shows verified, algorithm, key and time', async () => {
    handlers.set('card:test-sign', (req) => ({
      tokenKey: req.tokenKey, id: '02', label: 'Underskrift', holder: 'Örjan Ärlig', verified: true, algorithm: 'sha256WithRSAEncryption', mechanism: 'CKM_SHA256_RSA_PKCS',
      keyType: 'rsa', keyBits: 2048, durationMs: 41.5, signMs: 12.3, certificateFingerprint: 'AA', challenge: '00',
    }));
    await renderPage();
    const dialog = await openDialog('Test signature', 'test-sign-dialog');
    expect((within(dialog).getByRole('combobox', { name: 'e-ID to test' }) as HTMLSelectElement).value).toBe('02');
    await submit(dialog, 'Sign and verify');
    expect(within(dialog).getByText('Type the PIN.')).toBeTruthy();
    expect(callsTo('card:test-sign')).toHaveLength(0);
    type(dialog, 'pin', '123456');
    await submit(dialog, 'Sign and verify');
    const result = await within(dialog).findByTestId('test-sign-result');
    await within(result).findByText('The signature is verified');
    expect(within(result).getByTestId('verified').textContent).toBe('Yes');
    expect(within(result).getByTestId('algorithm').textContent).toBe('RSA with SHA-256 (sha256WithRSAEncryption)');
    expect(within(result).getByTestId('key').textContent).toBe('RSA, 2048 bits');
    expect(within(result).getByTestId('duration').textContent).toBe('41.5 ms in all, of which the card’s signature 12.3 ms');
    expect(callsTo('card:test-sign')[0].request).toEqual({ tokenKey: A.key, eidId: '02', pin: '123456' });
    expect((within(dialog).getByTestId('pin') as HTMLInputElement).value).toBe('');
  });

  it('lists orphan keys, asks for confirmation with the PIN, and removes only those chosen', async () => {
    const orphan = (id: string) => ({ id, label: `enrol-${id}`, keyType: 'rsa', bits: 2048, curve: null, hasPrivateKey: true, hasPublicKey: true, objectCount: 2, generatedOnCard: true, publicKeySha256: 'ab'.repeat(32) });
    handlers.set('card:orphans', (req) => ({ tokenKey: req.tokenKey, orphans: req.pin ? [orphan('4A'), orphan('4B')] : [orphan('4A')], privateKeysVisible: !!req.pin }));
    handlers.set('card:delete-orphans', (req) => ({ tokenKey: req.tokenKey, deleted: req.ids.map((id: string) => ({ id, objects: 2 })), remaining: [orphan('4A')] }));
    await renderPage();
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Keys without certificate' }));
    });
    const dialog = await screen.findByTestId('orphans-dialog');
    await within(dialog).findByRole('checkbox', { name: 'key id 4A · RSA 2048 bits' });
    expect(callsTo('card:orphans')[0].request).toEqual({ tokenKey: A.key });
    expect(within(dialog).getByText('Private keys show only after you type the PIN, so the list may be incomplete.')).toBeTruthy();
    type(dialog, 'orphans-pin', '123456');

    await submit(dialog, 'Search with PIN');
    await within(dialog).findByRole('checkbox', { name: 'key id 4B · RSA 2048 bits' });
    expect(callsTo('card:orphans')[1].request).toEqual({ tokenKey: A.key, pin: '123456' });
    await act(async () => {
      fireEvent.click(within(dialog).getByRole('checkbox', { name: 'key id 4B · RSA 2048 bits' }));
    });
    await submit(dialog, 'Remove selected…');
    const confirm = await screen.findByTestId('orphans-confirm');
    expect(within(confirm).getByText('Remove 1 key?')).toBeTruthy();
    await submit(confirm, 'Remove');
    expect(callsTo('card:delete-orphans')).toHaveLength(0);
    type(confirm, 'confirm-delete-pin', '123456');
    await submit(confirm, 'Remove');
    await within(dialog).findByText('1 key removed.');
    expect(callsTo('card:delete-orphans')[0].request).toEqual({ tokenKey: A.key, pin: '123456', ids: ['4B'] });
    expect(screen.queryByTestId('orphans-confirm')).toBeNull();
    // Focus is back in the list (not left behind in the closed confirmation).
    await waitFor(() => expect(document.activeElement).toBe(within(dialog).getByRole('checkbox', { name: 'key id 4A · RSA 2048 bits' })));
    expect(within(dialog).getAllByRole('checkbox')).toHaveLength(1);
  });

  it('a PIN search that finds no keys keeps the focus in the dialog (on Close)', async () => {
    handlers.set('card:orphans', (req) => ({ tokenKey: req.tokenKey, orphans: [], privateKeysVisible: !!req.pin }));
    await renderPage();
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Keys without certificate' }));
    });
    const dialog = await screen.findByTestId('orphans-dialog');
    await within(dialog).findByTestId('orphans-none');
    type(dialog, 'orphans-pin', '123456');
    await submit(dialog, 'Search with PIN');
    expect(callsTo('card:orphans')[1].request).toEqual({ tokenKey: A.key, pin: '123456' });
    await waitFor(() => expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Close' })));
  });

  it('reads naturally in Swedish', async () => {
    await setLanguage('sv');
    handlers.set('pin:status', (req) => report(req.tokenKey, { pin: { countLow: true } }));
    handlers.set('pin:change', () => {
      throw new BridgeError('pin-incorrect', 'The PIN is incorrect.', { triesLeft: 2, countLow: true, finalTry: false });
    });
    await renderPage();
    expect(screen.getByRole('heading', { level: 1, name: 'Kort och PIN-koder' })).toBeTruthy();
    expect(screen.getByTestId('pin-badge').textContent).toBe('Få försök kvar');
    expect(screen.getByRole('button', { name: 'Lås upp PIN-kod' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Testa signering' })).toBeTruthy();
    const dialog = await openDialog('Byt PIN-kod', 'change-pin-dialog');
    fillNewPin(dialog, '111111');
    await submit(dialog, 'Byt PIN-kod');
    await within(dialog).findByText('Den nuvarande PIN-koden är fel. 2 försök kvar innan den spärras.');
    expect(within(within(dialog).getByTestId('pin-rules')).getByText('Längd: 6–8 siffror')).toBeTruthy();
  });
});
