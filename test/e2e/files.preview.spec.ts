/**
 * E-IDs on file, end to end in the preview (Debian Chromium, the real services): a real .p12 made
 * by `openssl pkcs12 -export` from a key and certificate of the test CA is imported through the
 * wizard in English (a wrong file type, a wrong PIN code, then the right one with stray spaces; a
 * weak and a mismatched PIN, then a good one; keystore and the NSS database, with an older
 * certificate of the same identity removed), checked with certutil, shown on the E-IDs on file
 * page; then, in Swedish, its PIN is changed (a wrong current PIN first) and it is deleted with
 * confirmation, also from NSS. The keystore and the NSS database end as they started.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';

const root = fileURLToPath(new URL('../..', import.meta.url));
const url = () => process.env.EIDDESK_E2E_URL!;
const nssDir = () => process.env.EIDDESK_E2E_NSS_DIR!;
const nssDb = () => `sql:${nssDir()}`;

const HOLDER = 'Örjan Åström';
const ORGANISATION = 'Skolverket Åtvidaberg Ängelholm';
const IDENTITY = 'SE5567891234-0042';
const FILE_PASSWORD = 'K7mQ2xRt';
const KEYSTORE_PIN = 'Blåbär-47';
const NEW_PIN = 'Lingon#2025';
// What an earlier install would have called it. NSS gives every certificate of one subject the
// same nickname, so the new one joins it: checks below go by fingerprint, not by name.
const OLD_NICKNAME = HOLDER;

let dir = '';
let p12 = '';
let nssBefore: string[] = [];
let leafFingerprint = '';
let oldFingerprint = '';

const fingerprint = (der: Buffer) =>
  createHash('sha256')
    .update(der)
    .digest('hex')
    .toUpperCase()
    .replace(/(..)(?!$)/g, '$1:');

/** Nicknames in the preview's NSS database (none if it does not exist yet). */
function nssNicknames(): string[] {
  if (!existsSync(join(nssDir(), 'cert9.db'))) return [];
  const out = execFileSync('certutil', ['-L', '-d', nssDb()], { encoding: 'utf8' });
  // Lines after the header: "<nickname padded>  <trust flags>".
  return out
    .split('\n')
    .slice(4)
    .map((l) => l.replace(/\s+[A-Za-z]*,[A-Za-z]*,[A-Za-z]*\s*$/, '').trim())
    .filter(Boolean);
}

/** SHA-256 fingerprints of every certificate in the NSS database, read with certutil -L -a. */
function nssFingerprints(): string[] {
  const out: string[] = [];
  for (const n of nssNicknames()) {
    const pem = execFileSync('certutil', ['-L', '-d', nssDb(), '-n', n, '-a'], { encoding: 'utf8' });
    for (const m of pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)) out.push(fingerprint(Buffer.from(m[1].replace(/\s+/g, ''), 'base64')));
  }
  return out;
}

/** Removes what this spec added to NSS: every certificate (and key) under a nickname that was not there before. */
function restoreNss() {
  for (const n of nssNicknames()) {
    if (nssBefore.includes(n)) continue;
    // -F takes the key with its certificate; -D the certificates left (a nickname can hold several).
    try {
      execFileSync('certutil', ['-F', '-d', nssDb(), '-n', n], { stdio: 'ignore' });
    } catch {
      /* no key under this name */
    }
    for (let i = 0; i < 5 && nssNicknames().includes(n); i++) execFileSync('certutil', ['-D', '-d', nssDb(), '-n', n]);
  }
}

/** One bridge call to the preview host, for set-up checks and clean-up that must not depend on the UI. */
async function call(channel: string, request: unknown): Promise<any> {
  const res = await fetch(`${process.env.EIDDESK_E2E_ORIGIN}/api/call`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-eiddesk-token': process.env.EIDDESK_E2E_TOKEN! },
    body: JSON.stringify({ channel, request }),
  });
  const env = await res.json();
  if (!env.ok) throw Object.assign(new Error(env.error.message), { code: env.error.code });
  return env.value;
}

/** Drops a file on the wizard's drop zone, as dragging it from the file manager does. */
async function dropFile(page: Page, name: string, bytes: Buffer) {
  const dataTransfer = await page.evaluateHandle(
    ({ b64, fileName }) => {
      const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([data], fileName, { type: 'application/x-pkcs12' }));
      return dt;
    },
    { b64: bytes.toString('base64'), fileName: name },
  );
  await page.dispatchEvent('[data-testid="drop-zone"]', 'dragenter', { dataTransfer });
  await page.dispatchEvent('[data-testid="drop-zone"]', 'drop', { dataTransfer });
}

test.describe.configure({ mode: 'serial' });

test.describe('E-IDs on file in the preview', () => {
  test.beforeAll(() => {
    const dev = createRequire(import.meta.url)(join(root, 'dist', 'dev.cjs'));
    dir = mkdtempSync(join(tmpdir(), 'eiddesk-files-e2e-'));
    const { root: rootCa, ca } = dev.makeTestPki();
    const subject = [['C', 'SE'], ['O', ORGANISATION], ['serialNumber', IDENTITY], ['CN', HOLDER]];
    const leaf = dev.issueEndEntity(ca, { subject, keyUsage: ['digitalSignature', 'keyEncipherment'], extKeyUsage: ['clientAuth'] });
    leafFingerprint = fingerprint(leaf.der);
    writeFileSync(join(dir, 'key.pem'), leaf.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(join(dir, 'cert.pem'), dev.toPem(leaf.der));
    // The whole chain, as issuers ship it (the test root is not a trust anchor of the app).
    writeFileSync(join(dir, 'ca.pem'), dev.toPem(ca.der) + dev.toPem(rootCa.der));
    p12 = join(dir, 'Örjan Åström.p12');
    execFileSync('openssl', ['pkcs12', '-export', '-inkey', join(dir, 'key.pem'), '-in', join(dir, 'cert.pem'), '-certfile', join(dir, 'ca.pem'), '-name', HOLDER, '-passout', 'env:P12PW', '-out', p12], {
      env: { ...process.env, P12PW: FILE_PASSWORD },
    });
    // An older, expired certificate of the same identity already in NSS (seed 003: "remove the old one").
    const old = dev.issueEndEntity(ca, { subject, keyUsage: ['digitalSignature'], notBefore: new Date(Date.now() - 3 * 365 * 86400_000), notAfter: new Date(Date.now() - 30 * 86400_000) });
    writeFileSync(join(dir, 'old.pem'), dev.toPem(old.der));
    oldFingerprint = fingerprint(old.der);
    nssBefore = nssNicknames();
    if (!existsSync(join(nssDir(), 'cert9.db'))) {
      mkdirSync(nssDir(), { recursive: true, mode: 0o700 });
      execFileSync('certutil', ['-N', '-d', nssDb(), '--empty-password']);
    }
    execFileSync('certutil', ['-A', '-d', nssDb(), '-n', OLD_NICKNAME, '-t', ',,', '-i', join(dir, 'old.pem')]);
    expect(nssFingerprints()).toContain(oldFingerprint);
  });

  test.afterAll(async () => {
    // Whatever happened above: nothing of this spec stays in the keystore or in NSS.
    try {
      const list = await call('keystore:list', {});
      for (const e of list.entries) if (e.holder === HOLDER) await call('keystore:delete', { id: e.id });
    } catch {
      /* the host is gone: its temp dir goes with it */
    }
    restoreNss();
    rmSync(dir, { recursive: true, force: true });
  });

  test('imports a real .p12 in English, to the keystore and NSS, and shows it', async ({ page }) => {
    await page.goto(url());
    await page.getByRole('combobox', { name: /Language|Språk/ }).selectOption('en');
    await page.getByRole('tab', { name: 'E-IDs on file' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'E-IDs on file' })).toBeVisible();
    const before = (await call('keystore:list', {})).entries.length;
    if (before === 0) {
      await expect(page.getByTestId('files-empty')).toContainText('No e-ID on file yet');
      await page.screenshot({ path: 'test-results/files-empty-en.png', fullPage: true });
    }
    await page.getByRole('button', { name: 'Import from file' }).first().click();
    await expect(page.getByRole('heading', { level: 1, name: 'Import e-ID from file' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Choose the e-ID file' })).toBeFocused();

    // A file that is not an e-ID is refused before it is read; then the real one, dropped.
    await dropFile(page, 'letter.pdf', Buffer.from('%PDF-1.4'));
    await expect(page.getByTestId('file-problem')).toHaveText('That is not an e-ID file. Choose the file ending in .p12 or .pfx.');
    await dropFile(page, 'Örjan Åström.p12', readFileSync(p12));

    // Wrong PIN code: stays on the step, says so.
    const code = page.getByLabel('PIN code from the PIN letter');
    await expect(code).toBeFocused();
    await expect(page.getByText('The file Örjan Åström.p12 is protected by the PIN code')).toBeVisible();
    await code.fill('K7mQ2xRT');
    await code.press('Enter');
    await expect(page.getByText(/The PIN code does not open the file\. Check that it is the latest PIN letter/)).toBeVisible();
    await expect(page.getByTestId('step-password')).toBeVisible();
    await expect(code).toHaveValue('');
    await expect(code).toBeFocused();
    await page.screenshot({ path: 'test-results/files-password-en.png', fullPage: true });

    // Back to the file step, choose it with the file input this time, and paste the code with stray spaces.
    await page.getByRole('button', { name: 'Back' }).click();
    // Keyboard only: Tab from the step heading to "Choose file…", Enter opens the real file input.
    await expect(page.getByRole('heading', { name: 'Choose the e-ID file' })).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(page.getByRole('button', { name: 'Choose file…' })).toBeFocused();
    const chooser = page.waitForEvent('filechooser');
    await page.keyboard.press('Enter');
    await (await chooser).setFiles(p12);
    await code.fill(`  ${FILE_PASSWORD} `);
    await expect(page.getByText('Spaces around the code were removed before it was tried.')).toBeVisible();
    await page.getByRole('button', { name: 'Open the file' }).click();

    // What is inside: names exact (Å, Ä, Ö), the identity number with its copy button.
    const contents = page.getByTestId('step-contents');
    await expect(contents).toBeVisible();
    await expect(contents.getByTestId('holder')).toHaveText(HOLDER);
    await expect(contents.getByTestId('organisation')).toHaveText(ORGANISATION);
    await expect(contents.getByTestId('identity-number')).toHaveText(IDENTITY);
    await expect(contents.getByRole('button', { name: 'Copy HSA-id' })).toBeVisible();
    await expect(contents.getByText('Authentication')).toBeVisible();
    await expect(contents.getByText('RSA 2048, kept in the file with its certificate')).toBeVisible();
    await expect(contents.getByTestId('chain')).toContainText('The chain ends at an issuer eID Desk does not know');
    await expect(contents.getByTestId('chain')).toContainText('eID Desk Test Person HSA-id 3 CA v1 (in the file)');
    await expect(contents.getByTestId('chain')).toContainText('eID Desk Test Root CA v1 (in the file)');
    await expect(contents.getByText('The file holds 3 certificates and 1 private key.')).toBeVisible();
    await page.screenshot({ path: 'test-results/files-contents-en.png', fullPage: true });
    // Windows high contrast (forced colours): the same step in the contrast theme.
    await page.emulateMedia({ forcedColors: 'active' });
    await page.screenshot({ path: 'test-results/files-contents-high-contrast-en.png', fullPage: true });
    await page.emulateMedia({ forcedColors: 'none' });
    // Enter on the step (its heading has focus) goes on.
    await expect(contents.getByRole('heading', { name: 'What is in the file' })).toBeFocused();
    await page.keyboard.press('Enter');

    // Keystore PIN: rules shown before typing; a weak one refused, a mismatch refused, then a good one.
    const pinStep = page.getByTestId('step-pin');
    await expect(pinStep.getByTestId('pin-rules')).toContainText('At least 6 characters');
    await expect(pinStep.getByTestId('pin-rules')).toContainText('Not a simple sequence');
    const newPin = pinStep.getByLabel('New PIN', { exact: true });
    const again = pinStep.getByLabel('New PIN again');
    await expect(newPin).toBeFocused();
    await newPin.fill('123456');
    await again.fill('123456');
    await again.press('Enter');
    await expect(pinStep.getByText('This PIN is not accepted: not a simple sequence (such as 123456 or abcdef).')).toBeVisible();
    await newPin.fill(KEYSTORE_PIN);
    await again.fill('Blåbär-48');
    await again.press('Enter');
    await expect(pinStep.getByText('The two PINs are not the same.')).toBeVisible();
    await again.fill(KEYSTORE_PIN);
    await expect(pinStep.locator('li[data-met="true"]')).toHaveCount(4);
    await again.press('Enter');

    // Where: keystore and NSS, and the older certificate of the same identity offered for removal.
    const targets = page.getByTestId('step-targets');
    await expect(targets.getByRole('checkbox', { name: 'The keystore of eID Desk' })).toBeChecked();
    const osStore = targets.getByRole('checkbox', { name: 'This computer’s certificate store' });
    await expect(osStore).toBeEnabled();
    await expect(osStore).toBeChecked();
    await expect(targets.getByTestId('os-store-hint')).toContainText(nssDir());
    const older = targets.getByTestId('older-list');
    await expect(older).toContainText(HOLDER);
    await expect(older).toContainText(IDENTITY);
    await expect(older).toContainText('Expired');
    await older.getByRole('checkbox', { name: /Remove this older certificate/ }).check();
    await page.screenshot({ path: 'test-results/files-targets-en.png', fullPage: true });
    // Install, and try to submit again at once: only one import may run.
    const install = targets.getByRole('button', { name: 'Install' });
    await install.click();
    await page.keyboard.press('Enter');

    const done = page.getByTestId('step-done');
    await expect(done).toBeVisible({ timeout: 30_000 });
    await expect(done.getByTestId('installed-keystore')).toHaveText('In the keystore of eID Desk');
    await expect(done.getByTestId('installed-os-store')).toContainText(`NSS certificate database (Firefox, Chrome) (${nssDir()})`);
    await expect(done.getByTestId('removed')).toHaveText('1 older certificate was removed from the certificate store.');
    await expect(done.getByTestId('identity-number')).toHaveText(IDENTITY);
    await page.screenshot({ path: 'test-results/files-done-en.png', fullPage: true });

    // Really in NSS (and the old one really gone), and exactly once in the keystore.
    const inNss = nssFingerprints();
    expect(inNss).toContain(leafFingerprint);
    expect(inNss).not.toContain(oldFingerprint);
    // With its private key (certutil -K lists the keys of the database).
    expect(execFileSync('certutil', ['-K', '-d', nssDb()], { encoding: 'utf8' })).toContain(HOLDER);
    const entries = (await call('keystore:list', {})).entries.filter((e: any) => e.holder === HOLDER);
    expect(entries).toHaveLength(1);
    expect(entries[0].installs.map((i: any) => i.location)).toEqual([nssDir()]);

    // "Show my e-ID": the list, with the new e-ID focused.
    await done.getByRole('button', { name: 'Show my e-ID' }).click();
    const card = page.getByTestId('file-eid').filter({ hasText: HOLDER });
    await expect(card).toBeFocused();
    await expect(card.getByRole('heading', { name: HOLDER })).toBeVisible();
    await expect(card.getByTestId('identity-number')).toHaveText(IDENTITY);
    await expect(card.getByTestId('entry-organisation')).toHaveText(ORGANISATION);
    await expect(card.getByTestId('entry-installed')).toContainText(nssDir());
    await expect(card.getByText('Valid', { exact: true })).toBeVisible();
    await page.screenshot({ path: 'test-results/files-list-en.png', fullPage: true });
  });

  test('in Swedish: changes the PIN (a wrong one first) and deletes the e-ID with confirmation', async ({ page }) => {
    await page.goto(url());
    await page.getByRole('combobox', { name: /Language|Språk/ }).selectOption('sv');
    await page.getByRole('tab', { name: 'E-legitimationer på fil' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'E-legitimationer på fil' })).toBeVisible();
    const card = page.getByTestId('file-eid').filter({ hasText: HOLDER });
    await expect(card.getByTestId('identity-number')).toHaveText(IDENTITY);
    await expect(card.getByText('Giltig', { exact: true })).toBeVisible();
    await expect(card.getByTestId('entry-installed')).toContainText('eID Desks nyckellager');
    await page.screenshot({ path: 'test-results/files-list-with-eid-sv.png', fullPage: true });

    // Change PIN: a wrong current PIN is counted and explained; then the right one.
    await card.getByRole('button', { name: `Byt PIN-kod för ${HOLDER}` }).click();
    const dialog = page.getByRole('dialog', { name: `Byt PIN-kod för ${HOLDER}` });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByTestId('pin-rules')).toContainText('Minst 6 tecken');
    await dialog.getByLabel('Nuvarande PIN-kod').fill('Fel-PIN-99');
    await dialog.getByLabel('Ny PIN-kod', { exact: true }).fill(NEW_PIN);
    await dialog.getByLabel('Ny PIN-kod igen').fill(NEW_PIN);
    await dialog.getByLabel('Ny PIN-kod igen').press('Enter');
    await expect(dialog.getByTestId('change-pin-error')).toHaveText('Den nuvarande PIN-koden är fel. Du kan försöka 2 gånger till innan du måste vänta.');
    await expect(dialog.getByLabel('Nuvarande PIN-kod')).toHaveValue('');
    await page.screenshot({ path: 'test-results/files-change-pin-sv.png', fullPage: true });
    await expect(card.getByTestId('pin-state')).toHaveText('1 felaktig PIN-kod');
    await dialog.getByLabel('Nuvarande PIN-kod').fill(KEYSTORE_PIN);
    await dialog.getByLabel('Ny PIN-kod', { exact: true }).fill(NEW_PIN);
    await dialog.getByLabel('Ny PIN-kod igen').fill(NEW_PIN);
    await dialog.getByRole('button', { name: 'Byt PIN-kod' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId('files-notice')).toContainText(`PIN-koden för ${HOLDER} är bytt.`);
    await expect(card.getByTestId('pin-state')).toHaveCount(0);

    // The new PIN opens it: changing once more with it as the current PIN works (and puts it back).
    await card.getByRole('button', { name: `Byt PIN-kod för ${HOLDER}` }).click();
    await dialog.getByLabel('Nuvarande PIN-kod').fill(NEW_PIN);
    await dialog.getByLabel('Ny PIN-kod', { exact: true }).fill(KEYSTORE_PIN);
    await dialog.getByLabel('Ny PIN-kod igen').fill(KEYSTORE_PIN);
    await dialog.getByLabel('Ny PIN-kod igen').press('Enter');
    await expect(dialog).toBeHidden();

    // Older certificates: the one removed during the import is gone.
    await card.getByRole('button', { name: `Äldre certifikat för ${HOLDER} i certifikatarkivet` }).click();
    const olderDialog = page.getByTestId('older-dialog');
    await expect(olderDialog.getByTestId('older-none')).toHaveText('Det finns inga äldre certifikat för den här e-legitimationen i certifikatarkivet.');
    await page.keyboard.press('Escape');
    await expect(olderDialog).toBeHidden();

    // Delete: the confirmation says where it stays installed, and offers to remove it there too.
    await card.getByRole('button', { name: `Ta bort ${HOLDER}` }).click();
    const confirm = page.getByRole('alertdialog', { name: `Ta bort ${HOLDER}?` });
    await expect(confirm.getByTestId('stays-installed')).toContainText(`NSS-certifikatdatabasen (Firefox, Chrome): ${nssDir()}`);
    // Escape cancels without deleting.
    await page.keyboard.press('Escape');
    await expect(confirm).toBeHidden();
    await expect(card).toBeVisible();
    await card.getByRole('button', { name: `Ta bort ${HOLDER}` }).click();
    await confirm.getByRole('checkbox', { name: 'Ta även bort den ur datorns certifikatarkiv' }).check();
    await page.screenshot({ path: 'test-results/files-delete-sv.png', fullPage: true });
    await confirm.getByRole('button', { name: 'Ta bort', exact: true }).click();
    await expect(confirm).toBeHidden();
    await expect(page.getByTestId('files-notice')).toContainText(`${HOLDER} är borttagen ur nyckellagret och ur certifikatarkivet.`);
    await expect(page.getByTestId('file-eid').filter({ hasText: HOLDER })).toHaveCount(0);
    expect((await call('keystore:list', {})).entries.filter((e: any) => e.holder === HOLDER)).toHaveLength(0);
    expect(nssFingerprints()).not.toContain(leafFingerprint);
    await page.screenshot({ path: 'test-results/files-list-sv.png', fullPage: true });

    // What pk12util brought along (the CA certificate) goes too: NSS ends as it started.
    restoreNss();
    expect(nssNicknames()).toEqual(nssBefore);
  });
});
