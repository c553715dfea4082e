// @vitest-environment jsdom
/**
 * The renderer side of e-IDs on file in jsdom: the password and PIN steps on their own, the whole
 * import wizard against a scripted bridge (wrong password, weak PIN, older certificates, one import
 * only, failures returning to the right step, certificates-only), and the E-IDs on file page with
 * its change-PIN and delete dialogs, in English and Swedish.
 */
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { setLanguage } from '../../renderer/i18n';
import { P12_MAX_BYTES } from '../../preload/channels/files';
import { PasswordStep } from '../../renderer/pages/files/steps/password-step';
import { PinStep } from '../../renderer/pages/files/steps/pin-step';
import { HOLDER, IDENTITY, ORGANISATION, RULES, STORE, certificatesOnlyReport, entry, filesHandlers, importResult, older, report } from '../helpers/renderer-files-fixtures';
import { openWizard, pick, typePassword } from '../helpers/renderer-files-wizard';
import { bridgeError, callsTo, fakeBridge, renderInFluent, resetFakeBridgeEachTest, setUpRendererJsdom } from '../helpers/renderer-jsdom';

vi.mock('../../renderer/bridge-client', () => import('../helpers/renderer-jsdom').then((m) => m.bridgeClientMock()));

const { handlers, calls } = fakeBridge;
const PASSWORD = 'K7mQ2xRt';
const p12File = (name = 'Åsa Öberg.p12', bytes = new Uint8Array([0x30, 0x82, 0x01, 0x02])) => new File([bytes], name, { type: 'application/x-pkcs12' });

setUpRendererJsdom();
resetFakeBridgeEachTest(() => filesHandlers());

describe('password step', () => {
  it('is labelled, submits on Enter, empties the field at once and says when spaces will be removed', () => {
    const onSubmit = vi.fn();
    renderInFluent(<PasswordStep fileName="Åsa.p12" busy={false} error={null} trimmed={false} onSubmit={onSubmit} onBack={() => undefined} />);
    const input = screen.getByLabelText('PIN code from the PIN letter') as HTMLInputElement;
    expect(input.type).toBe('password');
    expect(document.activeElement).toBe(input);
    expect(screen.getByText('Type or paste it without spaces.')).toBeTruthy();
    fireEvent.change(input, { target: { value: ` ${PASSWORD}  ` } });
    expect(screen.getByText('Spaces around the code were removed before it was tried.')).toBeTruthy();
    fireEvent.submit(input.closest('form')!);
    expect(onSubmit).toHaveBeenCalledWith(` ${PASSWORD}  `);
    expect(input.value).toBe('');
  });
  it('shows a wrong password in words, and a hint when the code had spaces inside', () => {
    const onSubmit = vi.fn();
    const { rerender } = renderInFluent(<PasswordStep fileName="Åsa.p12" busy={false} error={null} trimmed={false} onSubmit={onSubmit} onBack={() => undefined} />);
    const input = screen.getByLabelText('PIN code from the PIN letter');
    fireEvent.change(input, { target: { value: 'K7mQ 2xRt' } });
    fireEvent.submit(input.closest('form')!);
    rerender(
      <FluentProvider theme={webLightTheme}>
        <PasswordStep fileName="Åsa.p12" busy={false} error={{ code: 'bad-password', message: 'Wrong password' }} trimmed={false} onSubmit={onSubmit} onBack={() => undefined} />
      </FluentProvider>,
    );
    expect(screen.getByText(/^The PIN code does not open the file\./)).toBeTruthy();
    expect(screen.getByText(/contains spaces\. PIN codes in PIN letters have none/)).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByLabelText('PIN code from the PIN letter'));
  });
  it('while opening the file: input and button disabled, progress announced, no second submit', () => {
    const onSubmit = vi.fn();
    renderInFluent(<PasswordStep fileName="Åsa.p12" busy error={null} trimmed={false} onSubmit={onSubmit} onBack={() => undefined} />);
    expect((screen.getByLabelText('PIN code from the PIN letter') as HTMLInputElement).readOnly).toBe(true);
    expect((screen.getByRole('button', { name: 'Opening the file…' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByRole('status').textContent).toBe('Opening the file…');
    fireEvent.submit(screen.getByLabelText('PIN code from the PIN letter').closest('form')!);
    expect(onSubmit).not.toHaveBeenCalled();
  });
});

describe('PIN step', () => {
  it('lists the rules before typing and marks them live; submits both PINs on Enter', () => {
    const onSubmit = vi.fn();
    renderInFluent(<PinStep rules={RULES} rulesError={null} problems={null} refused={null} onSubmit={onSubmit} onBack={() => undefined} />);
    const rules = screen.getByTestId('pin-rules');
    expect(within(rules).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      'At least 6 characters(not met)',
      'At most 128 characters(not met)',
      'Not the same character repeated (such as 111111)(not met)',
      'Not a simple sequence (such as 123456 or abcdef)(not met)',
    ]);
    const pin = screen.getByLabelText('New PIN');
    fireEvent.change(pin, { target: { value: '12345' } });
    const met = () => within(rules).getAllByRole('listitem').map((li) => li.getAttribute('data-met'));
    expect(met()).toEqual(['false', 'true', 'true', 'false']);
    fireEvent.change(pin, { target: { value: 'Blåbär-47' } });
    expect(met()).toEqual(['true', 'true', 'true', 'true']);
    fireEvent.change(screen.getByLabelText('New PIN again'), { target: { value: 'Blåbär-47' } });
    fireEvent.submit(pin.closest('form')!);
    expect(onSubmit).toHaveBeenCalledWith('Blåbär-47', 'Blåbär-47');
  });
  it('shows the machine’s problems on the right field, and main’s refusal with the rule', () => {
    const { rerender } = renderInFluent(<PinStep rules={RULES} rulesError={null} problems={['not-sequence']} refused={null} onSubmit={() => undefined} onBack={() => undefined} />);
    expect(screen.getByText('This PIN is not accepted: not a simple sequence (such as 123456 or abcdef).')).toBeTruthy();
    rerender(
      <FluentProvider theme={webLightTheme}>
        <PinStep rules={RULES} rulesError={null} problems={['mismatch']} refused={{ code: 'pin-invalid', message: 'x', details: { rule: 'not-repeated' } }} onSubmit={() => undefined} onBack={() => undefined} />
      </FluentProvider>,
    );
    expect(screen.getByText('The two PINs are not the same.')).toBeTruthy();
    expect(screen.getByTestId('pin-refused').textContent).toBe('The PIN was not accepted. Choose another one. Not the same character repeated (such as 111111)');
  });
  it('waits for the rules before it can go on', () => {
    renderInFluent(<PinStep rules={null} rulesError={null} problems={null} refused={null} onSubmit={() => undefined} onBack={() => undefined} />);
    expect(screen.getByText('Loading the PIN rules…')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Next' }) as HTMLButtonElement).disabled).toBe(true);
  });
  it('reads naturally in Swedish', async () => {
    await setLanguage('sv');
    renderInFluent(<PinStep rules={RULES} rulesError={null} problems={['min-length']} refused={null} onSubmit={() => undefined} onBack={() => undefined} />);
    expect(screen.getByRole('heading', { name: 'Välj en PIN-kod för e-legitimationen' })).toBeTruthy();
    expect(screen.getByLabelText('Ny PIN-kod igen')).toBeTruthy();
    expect(screen.getByText('PIN-koden godtas inte: minst 6 tecken.')).toBeTruthy();
    expect(screen.getByText(/Det är inte koden från PIN-kodsbrevet\./)).toBeTruthy();
  });
});

async function choosePin(pin: string, confirm = pin) {
  fireEvent.change(await screen.findByLabelText('New PIN'), { target: { value: pin } });
  fireEvent.change(screen.getByLabelText('New PIN again'), { target: { value: confirm } });
  await act(async () => {
    fireEvent.submit(screen.getByLabelText('New PIN').closest('form')!);
  });
}
/** From an empty wizard through the right password, the contents and a good PIN to where to install. */
async function toTargets() {
  await openWizard();
  await pick(p12File());
  await typePassword(PASSWORD);
  fireEvent.click(within(await screen.findByTestId('step-contents')).getByRole('button', { name: 'Next' }));
  await screen.findByTestId('pin-rules');
  await choosePin('Blåbär-47');
  return screen.findByTestId('step-targets');
}

describe('import wizard', () => {
  it('runs the whole import: wrong then right password, weak then good PIN, older certificate removed, one import only', async () => {
    handlers.set('p12:inspect', (r) => {
      if (r.password !== PASSWORD) throw bridgeError('bad-password');
      return report();
    });
    let resolveImport: (v: unknown) => void = () => undefined;
    handlers.set('p12:import', () => new Promise((r) => (resolveImport = r)));
    const { onShow } = await openWizard();
    expect(document.activeElement?.textContent).toBe('Choose the e-ID file');

    await pick(p12File());
    await typePassword('wrong-code');
    expect(await screen.findByText(/^The PIN code does not open the file\./)).toBeTruthy();
    expect(screen.getByTestId('step-password')).toBeTruthy();
    await typePassword(`  ${PASSWORD}\n`);
    // Sent trimmed, as base64 with its name.
    expect(callsTo('p12:inspect').at(-1)!.request).toEqual({ fileName: 'Åsa Öberg.p12', data: 'MIIBAg==', password: PASSWORD });

    const contents = await screen.findByTestId('step-contents');
    expect(within(contents).getByTestId('holder').textContent).toBe(HOLDER);
    expect(within(contents).getByTestId('organisation').textContent).toBe(ORGANISATION);
    expect(within(contents).getByTestId('identity-number').textContent).toBe(IDENTITY);
    expect(within(contents).getByText('Spaces around the code were removed before it was tried.')).toBeTruthy();
    expect(within(contents).getByText('The chain leads to a known issuer')).toBeTruthy();
    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    await act(async () => {
      fireEvent.click(within(contents).getByRole('button', { name: 'Copy HSA-id' }));
    });
    expect(writeText).toHaveBeenCalledWith(IDENTITY);
    fireEvent.click(within(contents).getByRole('button', { name: 'Next' }));

    expect(await screen.findByTestId('pin-rules')).toBeTruthy();
    await choosePin('123456');
    expect(screen.getByText('This PIN is not accepted: not a simple sequence (such as 123456 or abcdef).')).toBeTruthy();
    await choosePin('Blåbär-47', 'Blåbär-48');
    expect(screen.getByText('The two PINs are not the same.')).toBeTruthy();
    await choosePin('Blåbär-47');

    const targets = await screen.findByTestId('step-targets');
    await waitFor(() => expect((within(targets).getByRole('checkbox', { name: 'This computer’s certificate store' }) as HTMLInputElement).checked).toBe(true));
    expect(callsTo('os-store:older')[0].request).toEqual({ certificate: 'MIIB' });
    expect(within(targets).getByTestId('os-store-hint').textContent).toContain(STORE.location);
    fireEvent.click(within(targets).getByRole('checkbox', { name: /Remove this older certificate/ }));
    const install = within(targets).getByRole('button', { name: 'Install' });
    await act(async () => {
      fireEvent.click(install);
      fireEvent.click(install);
    });
    expect(await screen.findByTestId('installing')).toBeTruthy();
    expect(screen.getByRole('status').getAttribute('aria-live')).toBe('polite');
    expect((screen.getByRole('button', { name: 'Install' }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByRole('button', { name: 'Cancel' }) as HTMLButtonElement).disabled).toBe(true);
    expect(callsTo('p12:import')).toHaveLength(1);
    expect(callsTo('p12:import')[0].request).toEqual({
      fileName: 'Åsa Öberg.p12',
      data: 'MIIBAg==',
      password: PASSWORD,
      keystorePin: 'Blåbär-47',
      targets: { keystore: true, osStore: true },
      removeOlder: [older().fingerprintSha256],
    });
    await act(async () => resolveImport(importResult({ removed: [older().fingerprintSha256] })));

    const done = await screen.findByTestId('step-done');
    expect(within(done).getByTestId('installed-keystore').textContent).toBe('In the keystore of eID Desk');
    expect(within(done).getByTestId('installed-os-store').textContent).toBe(`In NSS certificate database (Firefox, Chrome) (${STORE.location})`);
    expect(within(done).getByTestId('removed').textContent).toBe('1 older certificate was removed from the certificate store.');
    // No secret left anywhere a page can reach.
    for (const secret of [PASSWORD, 'Blåbär-47']) {
      expect(JSON.stringify({ ...sessionStorage })).not.toContain(secret);
      expect(JSON.stringify({ ...localStorage })).not.toContain(secret);
      expect(window.location.href).not.toContain(secret);
      expect(document.body.innerHTML).not.toContain(secret);
    }
    fireEvent.click(within(done).getByRole('button', { name: 'Show my e-ID' }));
    expect(onShow).toHaveBeenCalledWith('0123456789abcdef');
  });

  it('refuses a file that is too large or of the wrong type before reading it', async () => {
    const read = vi.spyOn(FileReader.prototype, 'readAsArrayBuffer');
    await openWizard();
    await pick(p12File('huge.p12', new Uint8Array(P12_MAX_BYTES + 1)));
    expect(screen.getByTestId('file-problem').textContent).toBe('The file is far too large to be an e-ID file (at most 1 MB). Check that you chose the right file.');
    await pick(p12File('order.csr'));
    expect(screen.getByTestId('file-problem').textContent).toBe(
      'That is not an e-ID or certificate file. Choose the file ending in .p12 or .pfx, or the certificate ending in .cer, .crt, .pem, .p7b or .p7c.',
    );
    expect(read).not.toHaveBeenCalled();
    // Dropping one works like choosing it.
    await act(async () => {
      fireEvent.drop(screen.getByTestId('drop-zone'), { dataTransfer: { files: [p12File()], types: ['Files'] } });
    });
    expect(await screen.findByTestId('step-password')).toBeTruthy();
    expect(read).toHaveBeenCalledTimes(1);
    read.mockRestore();
  });

  it('a certificates-only file without a key here says where the key is and stops; Back leads to the password again', async () => {
    handlers.set('p12:inspect', () => certificatesOnlyReport());
    await openWizard();
    await pick(p12File());
    await typePassword(PASSWORD);
    const step = await screen.findByTestId('step-certificates-only');
    expect(within(step).getByText(/ordered with a CSR: the key is where the CSR was made\./)).toBeTruthy();
    expect(within(step).getByText('No key for this certificate is in eID Desk’s keystore')).toBeTruthy();
    expect(within(step).getByText(/stays where the certificate request \(CSR\) was made: on that computer, or in the program or server that made it/)).toBeTruthy();
    expect(within(step).getByTestId('identity-number').textContent).toBe(IDENTITY);
    expect(within(step).queryByRole('button', { name: 'Next' })).toBeNull();
    expect(within(step).queryByRole('button', { name: /Pair/ })).toBeNull();
    expect(within(step).getByRole('button', { name: 'Choose another file' })).toBeTruthy();
    fireEvent.click(within(step).getByRole('button', { name: 'Back' }));
    expect((await screen.findByLabelText('PIN code from the PIN letter') as HTMLInputElement).value).toBe('');
  });

  it('a failed import says nothing was installed and returns to the step that fixes it', async () => {
    handlers.set('p12:inspect', () => report());
    handlers.set('p12:import', () => {
      throw bridgeError('pin-invalid', { rule: 'not-repeated' });
    });
    const targets = await toTargets();
    await act(async () => {
      fireEvent.click(within(targets).getByRole('button', { name: 'Install' }));
    });
    const err = await screen.findByTestId('step-error');
    expect(within(err).getByRole('heading', { name: 'The e-ID was not installed' })).toBeTruthy();
    expect(within(err).getByTestId('rollback-state').textContent).toBe('Nothing was installed: everything this attempt added has been taken out again.');
    expect(within(err).getByText('Choose a PIN that follows the rules.')).toBeTruthy();
    fireEvent.click(within(err).getByRole('button', { name: 'Choose another PIN' }));
    expect((await screen.findByTestId('pin-refused')).textContent).toContain('Not the same character repeated');
    expect((screen.getByLabelText('New PIN') as HTMLInputElement).value).toBe('');
  });

  it('an incomplete rollback is said plainly; a store failure returns to where to install', async () => {
    handlers.set('p12:inspect', () => report());
    handlers.set('p12:import', () => {
      throw bridgeError('os-store-failed', { rollback: 'incomplete' });
    });
    const atTargets = await toTargets();
    await act(async () => {
      fireEvent.click(within(atTargets).getByRole('button', { name: 'Install' }));
    });
    const err = await screen.findByTestId('step-error');
    expect(within(err).getByTestId('rollback-state').textContent).toMatch(/did not fully succeed/);
    expect(within(err).getByText('The certificate store refused the change.')).toBeTruthy();
    fireEvent.click(within(err).getByRole('button', { name: 'Back to where to install' }));
    const targets = await screen.findByTestId('step-targets');
    // Password and PIN were kept for this retry: Install is available again.
    expect((within(targets).getByRole('button', { name: 'Install' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('an unavailable certificate store cannot be chosen and says why', async () => {
    handlers.set('p12:inspect', () => report());
    handlers.set('os-store:older', () => ({ ...STORE, available: false, older: [] }));
    const targets = await toTargets();
    await waitFor(() => expect(within(targets).getByTestId('os-store-hint').textContent).toBe('Not available: the tools for NSS certificate database (Firefox, Chrome) are missing on this computer.'));
    const box = within(targets).getByRole('checkbox', { name: 'This computer’s certificate store' }) as HTMLInputElement;
    expect(box.disabled).toBe(true);
    expect(box.checked).toBe(false);
  });
});

describe('E-IDs on file page', () => {
  const soon = new Date(Date.now() + 20 * 86400_000);
  async function openPage() {
    const { FilesPage } = await import('../../renderer/pages/files/files-page');
    await act(async () => {
      renderInFluent(<FilesPage />);
    });
  }

  it('shows an empty state that says what to do', async () => {
    handlers.set('keystore:list', () => ({ dir: '/home/u/.eiddesk/keystore', entries: [], damaged: [] }));
    await openPage();
    const empty = await screen.findByTestId('files-empty');
    expect(within(empty).getByText('No e-ID on file yet')).toBeTruthy();
    expect(within(empty).getByText(/the PIN code from its PIN letter/)).toBeTruthy();
    fireEvent.click(within(empty).getByRole('button', { name: 'Import from file' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Import e-ID from file' })).toBeTruthy();
  });

  it('lists e-IDs with identity, validity states, installs and wrong-PIN state; damaged entries offer deletion', async () => {
    handlers.set('keystore:list', () => ({
      dir: '/ks',
      entries: [entry(), entry({ id: 'aaaaaaaaaaaaaaaa', holder: 'Ärla Öst', pin: { attempts: 5, retryAfterSeconds: 90 } }, soon)],
      damaged: [{ id: 'bbbbbbbbbbbbbbbb', code: 'keystore-corrupt', message: 'damaged' }],
    }));
    handlers.set('keystore:delete', () => {
      throw bridgeError('keystore-corrupt');
    });
    await openPage();
    const cards = await screen.findAllByTestId('file-eid');
    expect(cards).toHaveLength(2);
    expect(within(cards[0]).getByTestId('identity-number').textContent).toBe(IDENTITY);
    expect(within(cards[0]).getByText('Valid')).toBeTruthy();
    expect(within(cards[0]).getByTestId('entry-installed').textContent).toBe(`Keystore of eID DeskNSS certificate database (Firefox, Chrome): ${STORE.location}`);
    expect(within(cards[1]).getByTestId('expires-soon').textContent).toMatch(/^Expires in (19|20) days$/);
    expect(within(cards[1]).getByTestId('pin-state').textContent).toBe('Locked for 90 seconds after wrong PINs');
    const damaged = screen.getByTestId('damaged');
    fireEvent.click(within(damaged).getByRole('button', { name: 'Delete damaged entry bbbbbbbbbbbbbbbb' }));
    const confirm = await screen.findByRole('alertdialog');
    await act(async () => {
      fireEvent.click(within(confirm).getByRole('button', { name: 'Delete' }));
    });
    // The backend cannot delete it yet: the user is told how to remove it by hand.
    expect(await within(confirm).findByText(/Remove the file bbbbbbbbbbbbbbbb\.eid from the keystore folder \/ks by hand/)).toBeTruthy();
  });

  it('change PIN: wrong current PIN with what happens next, then throttled with a countdown, then success', async () => {
    handlers.set('keystore:list', () => ({ dir: '/ks', entries: [entry()], damaged: [] }));
    const answers = [
      () => {
        throw bridgeError('pin-incorrect', { attempts: 1, attemptsBeforeDelay: 2, retryAfterSeconds: 0 });
      },
      () => {
        throw bridgeError('throttled', { retryAfterSeconds: 30, attempts: 4 });
      },
    ];
    handlers.set('keystore:change-pin', () => (answers.shift() ?? (() => ({ id: '0123456789abcdef' })))());
    await openPage();
    fireEvent.click(await screen.findByRole('button', { name: `Change PIN for ${HOLDER}` }));
    const dialog = await screen.findByRole('dialog');
    const fill = (old: string, pin: string) => {
      fireEvent.change(within(dialog).getByLabelText('Current PIN'), { target: { value: old } });
      fireEvent.change(within(dialog).getByLabelText('New PIN'), { target: { value: pin } });
      fireEvent.change(within(dialog).getByLabelText('New PIN again'), { target: { value: pin } });
    };
    const submit = async () => {
      await act(async () => {
        fireEvent.submit(within(dialog).getByLabelText('Current PIN').closest('form')!);
      });
    };
    fill('wrong-1', 'Lingon#2025');
    await submit();
    expect((await within(dialog).findByTestId('change-pin-error')).textContent).toBe('The current PIN is wrong. 2 more wrong PINs are allowed before you have to wait.');
    expect((within(dialog).getByLabelText('Current PIN') as HTMLInputElement).value).toBe('');
    expect(document.activeElement).toBe(within(dialog).getByLabelText('Current PIN'));
    expect(callsTo('keystore:change-pin')[0].request).toEqual({ id: '0123456789abcdef', oldPin: 'wrong-1', newPin: 'Lingon#2025' });

    fill('wrong-2', 'Lingon#2025');
    await submit();
    expect((await within(dialog).findByTestId('throttled')).textContent).toBe('Too many wrong PINs. Wait 30 seconds, then try again.');
    expect((within(dialog).getByRole('button', { name: 'Change PIN' }) as HTMLButtonElement).disabled).toBe(true);
    // Same PIN as the current one is caught here; otherwise nothing is sent while waiting.
    fill('Lingon#2025', 'Lingon#2025');
    await submit();
    expect(callsTo('keystore:change-pin')).toHaveLength(2);
  });

  it('change PIN succeeds and says so; Escape closes the dialog', async () => {
    handlers.set('keystore:list', () => ({ dir: '/ks', entries: [entry()], damaged: [] }));
    handlers.set('keystore:change-pin', () => ({ id: '0123456789abcdef' }));
    await openPage();
    fireEvent.click(await screen.findByRole('button', { name: `Change PIN for ${HOLDER}` }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText('Current PIN'), { target: { value: 'Blåbär-47' } });
    fireEvent.change(within(dialog).getByLabelText('New PIN'), { target: { value: '111111' } });
    fireEvent.change(within(dialog).getByLabelText('New PIN again'), { target: { value: '111111' } });
    await act(async () => {
      fireEvent.submit(within(dialog).getByLabelText('Current PIN').closest('form')!);
    });
    expect(within(dialog).getByText('This PIN is not accepted: not the same character repeated (such as 111111).')).toBeTruthy();
    expect(callsTo('keystore:change-pin')).toHaveLength(0);
    fireEvent.change(within(dialog).getByLabelText('New PIN'), { target: { value: 'Lingon#2025' } });
    fireEvent.change(within(dialog).getByLabelText('New PIN again'), { target: { value: 'Lingon#2025' } });
    await act(async () => {
      fireEvent.click(within(dialog).getByRole('button', { name: 'Change PIN' }));
    });
    expect((await screen.findByTestId('files-notice')).textContent).toBe(`The PIN of ${HOLDER} has been changed.`);
    expect(callsTo('keystore:change-pin')[0].request).toEqual({ id: '0123456789abcdef', oldPin: 'Blåbär-47', newPin: 'Lingon#2025' });
    // Escape closes it without a call.
    fireEvent.click(screen.getByRole('button', { name: `Change PIN for ${HOLDER}` }));
    const again = await screen.findByRole('dialog');
    fireEvent.keyDown(within(again).getByLabelText('Current PIN'), { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(callsTo('keystore:change-pin')).toHaveLength(1);
  });

  it('delete (in Swedish): says where it stays installed; with "also remove" the store goes first, then the keystore', async () => {
    await setLanguage('sv');
    let entries = [entry()];
    handlers.set('keystore:list', () => ({ dir: '/ks', entries, damaged: [] }));
    handlers.set('os-store:remove', () => ({ removed: entries[0].fingerprintSha256 }));
    handlers.set('keystore:delete', (r) => {
      const gone = entries.find((e) => e.id === r.id)!;
      entries = [];
      return { deleted: r.id, stillInstalledIn: gone.installs };
    });
    await openPage();
    fireEvent.click(await screen.findByRole('button', { name: `Ta bort ${HOLDER}` }));
    const confirm = await screen.findByRole('alertdialog', { name: `Ta bort ${HOLDER}?` });
    expect(within(confirm).getByTestId('stays-installed').textContent).toBe(`NSS-certifikatdatabasen (Firefox, Chrome): ${STORE.location}`);
    fireEvent.click(within(confirm).getByRole('checkbox', { name: 'Ta även bort den ur datorns certifikatarkiv' }));
    await act(async () => {
      fireEvent.click(within(confirm).getByRole('button', { name: 'Ta bort' }));
    });
    expect((await screen.findByTestId('files-notice')).textContent).toBe(`${HOLDER} är borttagen ur nyckellagret och ur certifikatarkivet.`);
    expect(calls.map((c) => c.channel).filter((c) => c === 'os-store:remove' || c === 'keystore:delete')).toEqual(['os-store:remove', 'keystore:delete']);
    expect(await screen.findByTestId('files-empty')).toBeTruthy();
  });

  it('delete without removal reports what is still installed', async () => {
    const entries = [entry()];
    handlers.set('keystore:list', () => ({ dir: '/ks', entries, damaged: [] }));
    handlers.set('keystore:delete', (r) => ({ deleted: r.id, stillInstalledIn: entries[0].installs }));
    await openPage();
    fireEvent.click(await screen.findByRole('button', { name: `Delete ${HOLDER}` }));
    const confirm = await screen.findByRole('alertdialog');
    await act(async () => {
      fireEvent.click(within(confirm).getByRole('button', { name: 'Delete' }));
    });
    expect((await screen.findByTestId('files-notice')).textContent).toBe(
      `${HOLDER} has been deleted from the keystore.It is still installed in: NSS certificate database (Firefox, Chrome): ${STORE.location}. Remove it there if you no longer need it.`,
    );
    expect(callsTo('os-store:remove')).toHaveLength(0);
  });

  it('older certificates: preview, confirmation, removal', async () => {
    let olders = [older()];
    handlers.set('keystore:list', () => ({ dir: '/ks', entries: [entry()], damaged: [] }));
    handlers.set('os-store:older', () => ({ ...STORE, older: olders }));
    handlers.set('os-store:remove', (r) => {
      olders = olders.filter((o) => o.fingerprintSha256 !== r.fingerprint);
      return { removed: r.fingerprint };
    });
    await openPage();
    fireEvent.click(await screen.findByRole('button', { name: `Older certificates of ${HOLDER} in the certificate store` }));
    const dialog = await screen.findByTestId('older-dialog');
    expect(await within(dialog).findByText('Expired')).toBeTruthy();
    expect(within(dialog).getByText(/Its private key is removed too\./)).toBeTruthy();
    expect(callsTo('os-store:older')[0].request).toEqual({ id: '0123456789abcdef' });
    fireEvent.click(within(dialog).getByRole('button', { name: /Remove the certificate valid to/ }));
    const confirm = await screen.findByTestId('older-confirm');
    expect(within(confirm).getByText(older().summary)).toBeTruthy();
    await act(async () => {
      fireEvent.click(within(confirm).getByRole('button', { name: 'Remove' }));
    });
    expect(await screen.findByText('The older certificate has been removed.')).toBeTruthy();
    expect(await screen.findByTestId('older-none')).toBeTruthy();
    expect(callsTo('os-store:remove')[0].request).toEqual({ fingerprint: older().fingerprintSha256 });
  });
});
