/**
 * "Card and PIN" end to end in the preview (Debian Chromium, real SoftHSM2 behind the host).
 *
 * The spec makes its own token (user PIN 654321, SO PIN 87654321, an e-ID whose certificate has
 * Swedish letters) so the shared demo card stays as it is, and removes it at the end. Then, with
 * two cards in the readers, it chooses its own and: changes the PIN (a wrong current PIN first),
 * signs with the new PIN, unblocks with the SO PIN and proves the newest PIN signs (and the
 * previous one no longer does), and cleans up a key left without certificate by a key generation.
 * One part runs in English, one in Swedish; a screenshot of each is saved under test-results/.
 * SoftHSM2 reports no count of tries left, only CKF_USER_PIN_COUNT_LOW / CKF_SO_PIN_COUNT_LOW after
 * a wrong try: the UI must say exactly that, never invent a number.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';

const root = fileURLToPath(new URL('../..', import.meta.url));
const url = () => process.env.EIDDESK_E2E_URL!;

const LABEL = 'Testkort Ärlig';
const PINS = { user: '654321', so: '87654321', changed: '24681357', unblocked: '13572468' } as const;

/** The SoftHSM2 set-up of the preview host (global-setup.ts). */
function softHsm() {
  const conf = process.env.EIDDESK_E2E_SOFTHSM2_CONF!;
  return { dir: join(conf, '..'), conf, tokenDir: join(conf, '..', 'tokens') };
}

/** Records every text the "do not take the card out" region shows (operations may be fast). */
async function recordBusyTexts(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __busy: string[] }).__busy = seen;
    new MutationObserver(() => {
      document.querySelectorAll('[data-testid="card-busy"]').forEach((el) => {
        const text = el.textContent ?? '';
        if (text && seen[seen.length - 1] !== text) seen.push(text);
      });
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
}
/** A field's label exactly ("New PIN", not "New PIN again"); Fluent adds a required mark to the label's text. */
const exactly = (name: string) => new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*\\*?$`);
const busyTexts = (page: Page) => page.evaluate(() => (window as unknown as { __busy: string[] }).__busy.slice());

async function openCardPage(page: Page, lang: 'en' | 'sv'): Promise<void> {
  await recordBusyTexts(page);
  await page.goto(url());
  await page.getByRole('combobox', { name: /Language|Språk/ }).selectOption(lang);
  await page.getByRole('tab', { name: lang === 'en' ? 'Card and PIN' : 'Kort och PIN' }).click();
  await expect(page.getByRole('heading', { level: 1, name: lang === 'en' ? 'Card and PIN codes' : 'Kort och PIN-koder' })).toBeVisible();
  // Two cards: the shared demo card and ours. Choose ours.
  const chooser = page.getByRole('radiogroup');
  await expect(chooser.getByRole('radio')).toHaveCount(2, { timeout: 5000 });
  await chooser.getByRole('radio', { name: new RegExp(LABEL) }).check();
  await expect(page.getByRole('region', { name: LABEL })).toBeVisible();
  await expect(page.getByRole('region', { name: /Åsa Öberg/ })).toHaveCount(0);
}

test.describe.serial('Card and PIN in the preview', () => {
  let made: string[] = [];

  test.beforeAll(() => {
    const dev = createRequire(import.meta.url)(join(root, 'dist', 'dev.cjs'));
    const env = softHsm();
    const before = new Set(readdirSync(env.tokenDir));
    const { ca } = dev.makeTestPki();
    const cert = dev.issueEndEntity(ca, {
      subject: [['C', 'SE'], ['O', 'Region Östergötland'], ['serialNumber', 'SE2321000032-1234'], ['CN', 'Örjan Ärlig']],
      keyUsage: ['nonRepudiation'],
    });
    dev.createToken(env, dev.findSoftHsmModule(), {
      label: LABEL,
      soPin: PINS.so,
      userPin: PINS.user,
      eids: [{ id: Buffer.from([0x21]), label: 'Underskrift', certificate: cert.der, privateKey: cert.privateKey }],
    });
    made = readdirSync(env.tokenDir).filter((d) => !before.has(d));
    expect(made).toHaveLength(1);
  });

  /** Where the token directory goes while the card is "out of the reader". */
  const pulled = (d: string) => join(softHsm().dir, `pulled-${d}`);

  test.afterAll(() => {
    for (const d of made) {
      rmSync(join(softHsm().tokenDir, d), { recursive: true, force: true });
      rmSync(pulled(d), { recursive: true, force: true });
    }
  });

  test('English: the status before typing, a wrong current PIN, the change, a test signature with the new PIN', async ({ page }) => {
    await openCardPage(page, 'en');
    const region = page.getByRole('region', { name: LABEL });
    await expect(region.getByTestId('pin-badge')).toHaveText('Works');
    // SoftHSM2 has no retry counter: no count is invented.
    await expect(region.getByTestId('pin-sentence')).toHaveText('The card does not report how many tries are left.');
    await expect(region.getByText('SO PIN', { exact: true })).toBeVisible();
    await expect(region.getByTestId('puk-badge')).toHaveText('Not blocked');
    await expect(region.getByText('Rules for a new PIN: 4–255 characters')).toBeVisible();
    await page.screenshot({ path: 'test-results/card-page-en.png', fullPage: true });

    const changeButton = region.getByRole('button', { name: 'Change PIN' });
    await changeButton.click();
    const dialog = page.getByRole('dialog', { name: 'Change PIN' });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByTestId('dialog-card')).toHaveText(/^Card: Testkort Ärlig · serial number \S+$/);
    const oldPin = dialog.getByLabel('Current PIN');
    await expect(oldPin).toBeFocused();
    await expect(oldPin).toHaveAttribute('type', 'password');
    await expect(oldPin).toHaveAttribute('autocomplete', 'off');

    // Labelled for screen readers (getByLabel above); the required mark is not part of the name.
    await expect(dialog.getByTestId('new-pin')).toHaveAccessibleName('New PIN');
    await expect(dialog.getByTestId('confirm-pin')).toHaveAccessibleName('New PIN again');
    // Wrong current PIN first (Enter submits).
    await oldPin.fill('111111');
    await dialog.getByLabel(exactly('New PIN')).fill(PINS.changed);
    await dialog.getByLabel('New PIN again').fill(PINS.changed);
    await expect(dialog.getByTestId('pin-rules').locator('li[data-state="met"]')).toHaveCount(2);
    await page.keyboard.press('Enter');
    // SoftHSM2 now raises "count low" (it gives no number): said at the field and in the status.
    await expect(dialog.getByText('The current PIN is wrong. Only a few tries are left before it is blocked.')).toBeVisible();
    await expect(dialog.getByTestId('pin-badge')).toHaveText('Few tries left');
    await expect(oldPin).toHaveValue('');
    await expect(dialog.getByLabel(exactly('New PIN'))).toHaveValue('');
    await expect(oldPin).toBeFocused();

    // A mismatch is caught before the card sees anything.
    await oldPin.fill(PINS.user);
    await dialog.getByLabel(exactly('New PIN')).fill(PINS.changed);
    await dialog.getByLabel('New PIN again').fill('24681358');
    await expect(dialog.getByText('The two new PINs are not the same. Type the new PIN again.')).toBeVisible();
    await dialog.getByLabel('New PIN again').fill(PINS.changed);
    await dialog.getByRole('button', { name: 'Change PIN' }).click();
    await expect(dialog.getByTestId('change-done')).toHaveText('The PIN is changed. Use the new PIN from now on.');
    expect((await busyTexts(page)).some((t) => t.startsWith('Do not take the card out of the reader'))).toBe(true);
    await page.screenshot({ path: 'test-results/card-pin-en.png', fullPage: true });
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(dialog).toBeHidden();
    await expect(changeButton).toBeFocused();

    // A test signature with the new PIN.
    await region.getByRole('button', { name: 'Test signature' }).click();
    const sign = page.getByRole('dialog', { name: 'Test signature' });
    await expect(sign.getByRole('combobox', { name: 'e-ID to test' })).toHaveValue('21');
    await expect(sign.getByRole('combobox', { name: 'e-ID to test' }).locator('option')).toHaveText(['Örjan Ärlig – Underskrift (Signing)']);
    await expect(sign.getByLabel(exactly('PIN code'))).toBeFocused();
    await sign.getByLabel(exactly('PIN code')).fill(PINS.changed);
    await page.keyboard.press('Enter');
    const result = sign.getByTestId('test-sign-result');
    await expect(result.getByText('The signature is verified')).toBeVisible();
    await expect(result.getByTestId('verified')).toHaveText('Yes');
    await expect(result.getByTestId('algorithm')).toHaveText('RSA with SHA-256 (sha256WithRSAEncryption)');
    await expect(result.getByTestId('key')).toHaveText('RSA, 2048 bits');
    await expect(result.getByTestId('duration')).toHaveText(/^[\d.,]+ ms in all, of which the card’s signature [\d.,]+ ms$/);
    await expect(sign.getByLabel(exactly('PIN code'))).toHaveValue('');
    await page.screenshot({ path: 'test-results/card-test-sign-en.png', fullPage: true });
    await page.keyboard.press('Escape');
    await expect(sign).toBeHidden();
  });

  test('Swedish: unblock with the SO PIN (a wrong one first), then only the new PIN signs', async ({ page }) => {
    await openCardPage(page, 'sv');
    const region = page.getByRole('region', { name: LABEL });
    await expect(region.getByTestId('pin-badge')).toHaveText('Fungerar');
    await expect(region.getByTestId('pin-sentence')).toHaveText('Kortet visar inte hur många försök som är kvar.');
    await page.screenshot({ path: 'test-results/card-page-sv.png', fullPage: true });
    await region.getByRole('button', { name: 'Lås upp PIN-kod' }).click();
    const dialog = page.getByRole('dialog', { name: 'Lås upp PIN-kod' });
    await expect(dialog.getByText('Skriv tokens SO-PIN (säkerhetsansvarigs PIN-kod) och välj en ny PIN-kod.')).toBeVisible();
    const so = dialog.getByLabel('SO-PIN');
    await expect(so).toBeFocused();
    await so.fill('11111111');
    await dialog.getByLabel(exactly('Ny PIN-kod')).fill(PINS.unblocked);
    await dialog.getByLabel('Upprepa ny PIN-kod').fill(PINS.unblocked);
    await page.keyboard.press('Enter');
    await expect(dialog.getByText('SO-PIN-koden är fel. Bara några få försök är kvar innan den spärras.')).toBeVisible();
    await expect(dialog.getByTestId('puk-badge')).toHaveText('Få försök kvar');
    await so.fill(PINS.so);
    await dialog.getByLabel(exactly('Ny PIN-kod')).fill(PINS.unblocked);
    await dialog.getByLabel('Upprepa ny PIN-kod').fill(PINS.unblocked);
    // Hold main's answer back (the card has done its work; its progress events have come) to see
    // the dialog while it waits: the message, the progress bar, buttons off, no second request.
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    let unblockRequests = 0;
    await page.route('**/api/call', async (route) => {
      if ((route.request().postDataJSON() as { channel?: string } | null)?.channel !== 'pin:unblock') return route.continue();
      unblockRequests++;
      const response = await route.fetch();
      await held;
      await route.fulfill({ response });
    });
    const submit = dialog.getByRole('button', { name: 'Lås upp och sätt ny PIN-kod' });
    await submit.click();
    const busy = dialog.getByTestId('card-busy');
    await expect(busy).toContainText('Ta inte ut kortet ur läsaren');
    await expect(busy.getByRole('progressbar', { name: 'Arbetar med kortet' })).toBeVisible();
    await expect(submit).toHaveAttribute('aria-disabled', 'true');
    await expect(dialog.getByRole('button', { name: 'Avbryt' })).toHaveAttribute('aria-disabled', 'true');
    // A second click (forced: Playwright will not click an aria-disabled button, a user can), Enter, Escape.
    await submit.click({ force: true });
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
    await expect(dialog).toBeVisible();
    await page.screenshot({ path: 'test-results/card-busy-sv.png', fullPage: true });
    release();
    await expect(dialog.getByTestId('unblock-done')).toHaveText('PIN-koden är upplåst och den nya PIN-koden gäller.');
    expect(unblockRequests).toBe(1);
    await page.unroute('**/api/call');
    await expect(busy).toHaveText('');
    expect((await busyTexts(page)).some((t) => t.startsWith('Ta inte ut kortet ur läsaren'))).toBe(true);
    await page.screenshot({ path: 'test-results/card-pin-sv.png', fullPage: true });
    await dialog.getByRole('button', { name: 'Stäng' }).click();
    await expect(dialog).toBeHidden();

    await region.getByRole('button', { name: 'Testa signering' }).click();
    const sign = page.getByRole('dialog', { name: 'Testa signering' });
    const pin = sign.getByLabel(exactly('PIN-kod'));
    // The PIN from before the unblock no longer works...
    await pin.fill(PINS.changed);
    await page.keyboard.press('Enter');
    await expect(sign.getByText('Fel PIN-kod. Bara några få försök är kvar innan den spärras.')).toBeVisible();
    // ...the one set by the unblock does.
    await pin.fill(PINS.unblocked);
    await sign.getByRole('button', { name: 'Signera och kontrollera' }).click();
    await expect(sign.getByTestId('test-sign-result').getByText('Signaturen är kontrollerad')).toBeVisible();
    await expect(sign.getByTestId('verified')).toHaveText('Ja');
    await expect(sign.getByTestId('key')).toHaveText('RSA, 2048 bitar');
    await expect(sign.getByTestId('duration')).toHaveText(/ms totalt, varav kortets signering [\d,]+ ms$/);
    await page.screenshot({ path: 'test-results/card-test-sign-sv.png', fullPage: true });
    await sign.getByRole('button', { name: 'Stäng' }).click();
    await expect(sign).toBeHidden();
  });

  test('English: the card pulled during a PIN change: nothing changed, said plainly; back again, the old PIN still signs', async ({ page }) => {
    await openCardPage(page, 'en');
    const region = page.getByRole('region', { name: LABEL });
    await region.getByRole('button', { name: 'Change PIN' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change PIN' });
    await dialog.getByLabel('Current PIN').fill(PINS.unblocked);
    await dialog.getByLabel(exactly('New PIN')).fill(PINS.changed);
    await dialog.getByLabel('New PIN again').fill(PINS.changed);
    // Hold the request on its way to main, pull the card, then let it go.
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    await page.route('**/api/call', async (route) => {
      if ((route.request().postDataJSON() as { channel?: string } | null)?.channel !== 'pin:change') return route.continue();
      await held;
      await route.continue();
    });
    await page.keyboard.press('Enter');
    await expect(dialog.getByTestId('card-busy')).toContainText('Do not take the card out of the reader');
    renameSync(join(softHsm().tokenDir, made[0]), pulled(made[0]));
    await expect(dialog.getByTestId('card-not-present')).toHaveText('The card “Testkort Ärlig” is not in the reader. Put it back to continue.', { timeout: 5000 });
    release();
    await expect(dialog.getByTestId('card-removed')).toHaveText('The card was taken outNothing was changed on the card. Put the card back in the reader.');
    await expect(dialog.getByRole('button', { name: 'Change PIN' })).toHaveAttribute('aria-disabled', 'true');
    await page.unroute('**/api/call');
    await page.screenshot({ path: 'test-results/card-removed-en.png', fullPage: true });
    // Back in the reader: the dialog finds the card again and reads its status.
    renameSync(pulled(made[0]), join(softHsm().tokenDir, made[0]));
    await expect(dialog.getByTestId('card-removed')).toContainText('The card is back in the reader. You can try again.', { timeout: 5000 });
    await expect(dialog.getByTestId('card-not-present')).toHaveCount(0);
    await expect(dialog.getByTestId('pin-badge')).toHaveText('Works');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId('card-presence')).toContainText('The card “Testkort Ärlig” is back in the reader.');
    // Nothing changed: the PIN from before still signs.
    await region.getByRole('button', { name: 'Test signature' }).click();
    const sign = page.getByRole('dialog', { name: 'Test signature' });
    await sign.getByLabel(exactly('PIN code')).fill(PINS.unblocked);
    await page.keyboard.press('Enter');
    await expect(sign.getByTestId('verified')).toHaveText('Yes');
    await page.keyboard.press('Escape');
    await expect(sign).toBeHidden();
  });

  test("English: a test signature with the demo card's signing e-ID verifies (issue 4 acceptance)", async ({ page }) => {
    await page.goto(url());
    await page.getByRole('combobox', { name: /Language|Språk/ }).selectOption('en');
    await page.getByRole('tab', { name: 'Card and PIN' }).click();
    const chooser = page.getByRole('radiogroup');
    await expect(chooser.getByRole('radio')).toHaveCount(2, { timeout: 5000 });
    await chooser.getByRole('radio', { name: /Åsa Öberg \[DEMO\]/ }).check();
    const region = page.getByRole('region', { name: 'Åsa Öberg [DEMO]' });
    await region.getByRole('button', { name: 'Test signature' }).click();
    const sign = page.getByRole('dialog', { name: 'Test signature' });
    // The signing e-ID is chosen by default; the expired one is not offered as the default.
    const choice = sign.getByRole('combobox', { name: 'e-ID to test' });
    await expect(choice.locator('option:checked')).toHaveText(/Åsa Öberg.*\(Signing\)/);
    await sign.getByLabel(exactly('PIN code')).fill('123456');
    await page.keyboard.press('Enter');
    const result = sign.getByTestId('test-sign-result');
    await expect(result.getByText('The signature is verified')).toBeVisible();
    await expect(result.getByTestId('verified')).toHaveText('Yes');
    await page.keyboard.press('Escape');
    await expect(sign).toBeHidden();
  });

  test('English: a key left without certificate by a key generation is listed and removed after confirmation', async ({ page }) => {
    // An enrolment that stopped after the key was made: `eiddesk card keygen` without write-cert.
    const tmp = mkdtempSync(join(tmpdir(), 'eiddesk-e2e-csr-'));
    try {
      const dev = createRequire(import.meta.url)(join(root, 'dist', 'dev.cjs'));
      execFileSync(process.execPath, [join(root, 'bin', 'eiddesk.cjs'), 'card', 'keygen', '--token', LABEL, '--alg', 'ec-p256', '--label', 'enrolment', '--csr-out', join(tmp, 'req.csr'), '--module', dev.findSoftHsmModule()], {
        env: { ...process.env, SOFTHSM2_CONF: softHsm().conf, EIDDESK_PIN: PINS.unblocked, EIDDESK_STATE_DIR: join(tmp, 'state') },
        stdio: 'pipe',
      });
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    await openCardPage(page, 'en');
    const region = page.getByRole('region', { name: LABEL });
    await region.getByRole('button', { name: 'Keys without certificate' }).click();
    const dialog = page.getByRole('dialog', { name: 'Keys without certificate' });
    await expect(dialog.getByText('Private keys show only after you type the PIN, so the list may be incomplete.')).toBeVisible();
    await dialog.getByLabel(exactly('PIN code')).fill(PINS.unblocked);
    await dialog.getByRole('button', { name: 'Search with PIN' }).click();
    const key = dialog.getByRole('checkbox', { name: /^key id [0-9A-F]+ · EC / });
    await expect(key).toHaveCount(1);
    await expect(dialog.getByText('enrolment', { exact: true })).toBeVisible();
    await expect(dialog.getByText('made on the card')).toBeVisible();
    await expect(dialog.getByText('private and public key')).toBeVisible();
    await expect(dialog.getByText(/^[0-9a-f]{64}$/i)).toBeVisible();
    await key.check();
    await dialog.getByRole('button', { name: 'Remove selected…' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Remove 1 key?' });
    await expect(confirm).toBeVisible();
    await expect(confirm.getByLabel(exactly('PIN code'))).toBeFocused();
    await page.screenshot({ path: 'test-results/card-orphans-confirm-en.png', fullPage: true });
    await confirm.getByLabel(exactly('PIN code')).fill(PINS.unblocked);
    await page.keyboard.press('Enter');
    await expect(confirm).toBeHidden();
    await expect(dialog.getByText('1 key removed.')).toBeVisible();
    await expect(dialog.getByText('No keys without certificate were found.')).toBeVisible();
    await page.screenshot({ path: 'test-results/card-orphans-en.png', fullPage: true });
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(dialog).toBeHidden();
  });
});
