/**
 * E-IDs on file, end to end in the preview (Debian Chromium, the real services): a real .p12 made
 * by `openssl pkcs12 -export` from a key and certificate of the test CA is imported through the
 * wizard in English (a wrong file type, a wrong PIN code, then the right one with stray spaces; a
 * weak and a mismatched PIN, then a good one; keystore and the NSS database, with an older
 * certificate of the same identity removed), checked with certutil, shown on the E-IDs on file
 * page; then, in Swedish, its PIN is changed (a wrong current PIN first) and it is deleted with
 * confirmation, also from NSS. Then an order made with a CSR: a key request is created through
 * the UI in English and its CSR read from the page (the text and the saved .csr file), signed at
 * test time by `openssl x509 -req` under a test CA, delivered as a certs-only .p12 (`openssl
 * pkcs12 -export -nokeys`) and as a .p7b (`openssl crl2pkcs7 -nocrl`). In Swedish, a foreign
 * .p7b is shown on the contents step as having no key here, before any PIN; the .p7b for the
 * request shows what it holds (holder, organisation number, chain, purpose) and names the key
 * request before the PIN, is paired (a wrong key PIN first) into the keystore and NSS with an
 * older certificate of the same organisation number removed, the e-ID is listed and the request
 * gone; then the certs-only .p12 (Swedish) and the PEM (English) of the same certificate are shown
 * as already an e-ID here, before any PIN. The keystore and the NSS database end as they started.
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
// The order made with a CSR.
const PAIR_HOLDER = 'Märta Ödegård';
const PAIR_ORGANISATION = 'Vårdcentralen Åre AB';
const PAIR_ORGNR = '5561234567';
const PAIR_LABEL = 'Märta – beställning 7';
const PAIR_PIN = 'Hallon-83';
const CERTS_PASSWORD = 'Q4wE8rTy';

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

/** SHA-256 fingerprints of the certificates under one NSS nickname, read with certutil -L -a. */
function certificatesOf(nickname: string): string[] {
  const pem = execFileSync('certutil', ['-L', '-d', nssDb(), '-n', nickname, '-a'], { encoding: 'utf8' });
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) => fingerprint(Buffer.from(m[1].replace(/\s+/g, ''), 'base64')));
}

/** SHA-256 fingerprints of every certificate in the NSS database. */
function nssFingerprints(): string[] {
  return nssNicknames().flatMap(certificatesOf);
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
      for (const e of list.entries) if (e.holder === HOLDER || e.holder === PAIR_HOLDER) await call('keystore:delete', { id: e.id });
      for (const r of (await call('keystore:requests', {})).requests) if (r.label === PAIR_LABEL) await call('keystore:delete-request', { id: r.id });
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
    await expect(page.getByTestId('file-problem')).toHaveText(
      'That is not an e-ID or certificate file. Choose the file ending in .p12 or .pfx, or the certificate ending in .cer, .crt, .pem, .p7b or .p7c.',
    );
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

  test('an order made with a CSR: key request in English, CSR signed by openssl, the certificate paired through the wizard in Swedish', async ({ page }) => {
    test.setTimeout(120_000);
    await page.goto(url());
    await page.getByRole('combobox', { name: /Language|Språk/ }).selectOption('en');
    await page.getByRole('tab', { name: 'E-IDs on file' }).click();
    await expect(page.getByTestId('key-requests')).toBeVisible();

    // Create the key request through the UI.
    await page.getByRole('button', { name: 'Create key request (CSR)' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create key request (CSR)' });
    const cn = dialog.getByLabel(/^Name \(CN\)/);
    await expect(cn).toBeFocused();
    await expect(dialog.getByRole('radio', { name: 'RSA 2048 (accepted by every issuer)' })).toBeChecked();
    await expect(dialog.getByLabel('Country (C)')).toHaveValue('SE');
    await expect(dialog.getByTestId('pin-rules')).toContainText('At least 6 characters');
    // Nothing typed: the CN is asked for first.
    await dialog.getByRole('button', { name: 'Create key request' }).click();
    await expect(dialog.getByText('Type the name (CN): the issuer names the certificate by it.')).toBeVisible();
    await cn.fill(PAIR_HOLDER);
    await dialog.getByLabel('Organisation (O)').fill(PAIR_ORGANISATION);
    await dialog.getByLabel('Organisation number or business ID (serialNumber)').fill(PAIR_ORGNR);
    await dialog.getByLabel('Name in eID Desk (optional)').fill(PAIR_LABEL);
    await dialog.getByLabel('PIN for the key', { exact: true }).fill(PAIR_PIN);
    await dialog.getByLabel('PIN for the key again').fill(PAIR_PIN);
    await expect(dialog.locator('li[data-met="true"]')).toHaveCount(4);
    // The message about the empty CN went when the CN was typed.
    await expect(dialog.getByText('Type the name (CN): the issuer names the certificate by it.')).toHaveCount(0);
    await cn.scrollIntoViewIfNeeded();
    await page.screenshot({ path: 'test-results/files-request-form-en.png', fullPage: true });
    await dialog.getByLabel('PIN for the key again').press('Enter');

    const created = page.getByTestId('request-created');
    await expect(created.getByRole('heading', { name: 'The key request is made' })).toBeVisible({ timeout: 20_000 });
    await expect(created.getByTestId('created-subject')).toHaveText(`CN=${PAIR_HOLDER}, serialNumber=${PAIR_ORGNR}, O=${PAIR_ORGANISATION}, C=SE`);
    const csr = await created.getByLabel('Certificate request (CSR)').inputValue();
    expect(csr).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE REQUEST-----\n?$/);
    // The saved .csr file is the same CSR.
    const downloading = page.waitForEvent('download');
    await created.getByRole('link', { name: `Save the CSR of ${PAIR_LABEL} as a file` }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe(`${PAIR_LABEL}.csr`);
    expect(readFileSync((await download.path())!, 'utf8')).toBe(csr);
    await expect(created.getByTestId('request-next')).toContainText('Send the CSR to the issuer');
    await page.screenshot({ path: 'test-results/files-request-created-en.png', fullPage: true });
    await created.getByRole('button', { name: 'Close' }).click();
    await expect(created).toBeHidden();
    const requestCard = page.getByRole('region', { name: PAIR_LABEL });
    await expect(requestCard.getByTestId('request-subject')).toContainText(`CN=${PAIR_HOLDER}`);
    await expect(requestCard.getByText('RSA 2048')).toBeVisible();
    await page.screenshot({ path: 'test-results/files-requests-en.png', fullPage: true });
    const requestId = (await call('keystore:requests', {})).requests.find((r: any) => r.label === PAIR_LABEL).id;

    // The issuer: verify the CSR, sign it under a test CA, deliver it twice over.
    const dev = createRequire(import.meta.url)(join(root, 'dist', 'dev.cjs'));
    const { root: rootCa, ca } = dev.makeTestPki();
    const at = (f: string) => join(dir, f);
    writeFileSync(at('req.csr'), csr);
    execFileSync('openssl', ['req', '-in', at('req.csr'), '-noout', '-verify'], { stdio: 'pipe' });
    expect(execFileSync('openssl', ['req', '-in', at('req.csr'), '-noout', '-subject', '-nameopt', 'utf8,sep_comma_plus'], { encoding: 'utf8' })).toContain(`CN=${PAIR_HOLDER}`);
    writeFileSync(at('issuing-ca.pem'), dev.toPem(ca.der));
    writeFileSync(at('issuing-ca.key'), ca.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(at('chain.pem'), dev.toPem(ca.der) + dev.toPem(rootCa.der));
    writeFileSync(at('ext.cnf'), 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n');
    execFileSync('openssl', ['x509', '-req', '-in', at('req.csr'), '-CA', at('issuing-ca.pem'), '-CAkey', at('issuing-ca.key'), '-set_serial', '0x5eed0001', '-days', '365', '-sha256', '-extfile', at('ext.cnf'), '-out', at('paired.pem')], { stdio: 'pipe' });
    const pairedDer = Buffer.from(readFileSync(at('paired.pem'), 'utf8').replace(/-----[^-]+-----|\s+/g, ''), 'base64');
    const pairedFingerprint = fingerprint(pairedDer);
    const certsOnlyP12 = at(`${PAIR_HOLDER}.p12`);
    execFileSync('openssl', ['pkcs12', '-export', '-nokeys', '-in', at('paired.pem'), '-certfile', at('chain.pem'), '-passout', 'env:P12PW', '-out', certsOnlyP12], { env: { ...process.env, P12PW: CERTS_PASSWORD } });
    execFileSync('openssl', ['crl2pkcs7', '-nocrl', '-certfile', at('paired.pem'), '-certfile', at('chain.pem'), '-out', at('paired.p7b')]);
    // And a certificate for a key that is not here (made elsewhere), as a .p7b too.
    const foreign = dev.issueEndEntity(ca, { subject: [['C', 'SE'], ['O', PAIR_ORGANISATION], ['CN', 'Någon Annan']], keyUsage: ['digitalSignature'] });
    writeFileSync(at('foreign.pem'), dev.toPem(foreign.der));
    execFileSync('openssl', ['crl2pkcs7', '-nocrl', '-certfile', at('foreign.pem'), '-out', at('foreign.p7b')]);

    // An older, expired certificate of the same organisation number already in NSS: the places
    // step must offer it for removal (seed 003: "check that it is the valid certificate and not an old one").
    const pairSubject = [['C', 'SE'], ['O', PAIR_ORGANISATION], ['serialNumber', PAIR_ORGNR], ['CN', PAIR_HOLDER]];
    const oldPair = dev.issueEndEntity(ca, { subject: pairSubject, keyUsage: ['digitalSignature'], notBefore: new Date(Date.now() - 3 * 365 * 86400_000), notAfter: new Date(Date.now() - 30 * 86400_000) });
    writeFileSync(at('old-pair.pem'), dev.toPem(oldPair.der));
    const oldPairFingerprint = fingerprint(oldPair.der);
    execFileSync('certutil', ['-A', '-d', nssDb(), '-n', PAIR_HOLDER, '-t', ',,', '-i', at('old-pair.pem')]);
    expect(nssFingerprints()).toContain(oldPairFingerprint);
    const attempts = async () => (await call('keystore:requests', {})).requests.find((r: any) => r.id === requestId)?.pin.attempts;

    // In Swedish: the wizard.
    await page.getByRole('combobox', { name: /Language|Språk/ }).selectOption('sv');
    await page.getByRole('button', { name: 'Importera från fil' }).first().click();
    await expect(page.getByRole('heading', { name: 'Välj filen med e-legitimationen' })).toBeFocused();

    // A certificate for a key made elsewhere: no password, read at once, and on the contents step,
    // before any PIN, it says that no key here belongs to it and where the key may be.
    await dropFile(page, 'certifikat.p7b', readFileSync(at('foreign.p7b')));
    const contents = page.getByTestId('step-certificates-only');
    await expect(contents.getByRole('heading', { name: 'Det här finns i certifikatfilen' })).toBeFocused();
    await expect(contents.getByTestId('holder')).toHaveText('Någon Annan');
    const notice = contents.getByTestId('certificates-only');
    await expect(notice).toHaveAttribute('data-refusal', 'no-key-here');
    await expect(notice).toContainText('Nyckeln till certifikatet finns inte i eID Desks nyckellager');
    await expect(notice).toContainText('Den privata nyckeln finns kvar där certifikatbegäran (CSR) skapades');
    // The key request made above is waiting, and the page says this certificate is not for it.
    const waiting = contents.getByTestId('waiting-requests');
    await expect(waiting).toContainText('1 nyckelbegäran i eID Desk väntar på ett certifikat, men det här certifikatet är inte utfärdat till den');
    await waiting.locator('summary').click();
    await expect(waiting.getByRole('heading', { name: PAIR_LABEL })).toBeVisible();
    await expect(page.getByLabel('Nyckelns PIN-kod')).toHaveCount(0);
    await expect(contents.getByRole('button', { name: /Para ihop/ })).toHaveCount(0);
    await expect(page.getByRole('list', { name: 'Steg' }).getByRole('listitem')).toHaveText(['1Fil', '2Innehåll', '3Nyckelns PIN-kod', '4Var', '5Parar ihop', '6Klart']);
    await page.screenshot({ path: 'test-results/files-pair-no-key-sv.png', fullPage: true });
    expect(await attempts()).toBe(0);
    await contents.getByRole('button', { name: 'Välj en annan fil' }).click();

    // The .p7b the issuer delivered for the key request: what it holds, and which key, before the PIN.
    await expect(page.getByRole('heading', { name: 'Välj filen med e-legitimationen' })).toBeFocused();
    await dropFile(page, `${PAIR_HOLDER}.p7b`, readFileSync(at('paired.p7b')));
    await expect(contents.getByRole('heading', { name: 'Det här finns i certifikatfilen' })).toBeFocused();
    await expect(contents.getByTestId('certificates-only')).toHaveAttribute('data-pairable', 'true');
    await expect(contents.getByText('Nyckeln till certifikatet finns i eID Desks nyckellager')).toBeVisible();
    await expect(contents.getByTestId('holder')).toHaveText(PAIR_HOLDER);
    await expect(contents.getByTestId('organisation')).toHaveText(PAIR_ORGANISATION);
    await expect(contents.getByTestId('identity-number')).toHaveText(PAIR_ORGNR);
    await expect(contents.getByRole('button', { name: /^Kopiera / })).toBeVisible();
    await expect(contents.getByText('Legitimering')).toBeVisible();
    await expect(contents.getByTestId('chain')).toContainText('Kedjan slutar hos en utfärdare som eID Desk inte känner till');
    await expect(contents.getByTestId('chain')).toContainText('eID Desk Test Person HSA-id 3 CA v1 (i filen)');
    await expect(contents.getByTestId('file-holds')).toHaveText('Filen innehåller 3 certifikat och ingen privat nyckel.');
    const pairWith = contents.getByTestId('pair-with');
    await expect(pairWith.getByRole('heading', { name: PAIR_LABEL })).toBeVisible();
    await expect(pairWith.getByTestId('request-subject')).toContainText(`CN=${PAIR_HOLDER}`);
    await expect(page.getByLabel('Nyckelns PIN-kod')).toHaveCount(0);
    await page.screenshot({ path: 'test-results/files-pair-contents-sv.png', fullPage: true });
    // Enter on the step (its heading has focus) pairs with the key it names.
    await page.keyboard.press('Enter');

    // A wrong key PIN first: counted, said, and back on the PIN step.
    const pairPin = page.getByTestId('step-pair-pin');
    const keyPin = pairPin.getByLabel('Nyckelns PIN-kod');
    await expect(pairPin.getByText(`Certifikatet paras ihop med nyckeln i nyckelbegäran ”${PAIR_LABEL}”.`, { exact: false })).toBeVisible();
    await expect(keyPin).toBeFocused();
    await keyPin.fill('Fel-PIN-1');
    await keyPin.press('Enter');
    const targets = page.getByTestId('step-targets');
    await expect(targets.getByRole('checkbox', { name: 'eID Desks nyckellager' })).toBeDisabled();
    await targets.getByRole('button', { name: 'Para ihop' }).click();
    await expect(pairPin.getByTestId('pair-pin-error')).toHaveText('PIN-koden är fel. Du kan försöka 2 gånger till innan du måste vänta.');
    await expect(pairPin.getByTestId('pin-state')).toHaveText('1 felaktig PIN-kod');
    await expect(keyPin).toHaveValue('');
    expect(await attempts()).toBe(1);
    await page.screenshot({ path: 'test-results/files-pair-pin-sv.png', fullPage: true });
    await keyPin.fill(PAIR_PIN);
    await keyPin.press('Enter');

    // Where: the keystore always, NSS too, and the old certificate of the same organisation number offered for removal.
    await expect(targets.getByRole('checkbox', { name: 'eID Desks nyckellager' })).toBeChecked();
    await expect(targets.getByText(/Nyckeln finns redan där\./)).toBeVisible();
    const osStore = targets.getByRole('checkbox', { name: 'Datorns certifikatarkiv' });
    await expect(osStore).toBeChecked();
    await expect(targets.getByTestId('os-store-hint')).toContainText(nssDir());
    const olderList = targets.getByTestId('older-list');
    await expect(olderList).toContainText(PAIR_HOLDER);
    await expect(olderList).toContainText(PAIR_ORGNR);
    await expect(olderList).toContainText('Har gått ut');
    await olderList.getByRole('checkbox', { name: /Ta bort det här äldre certifikatet/ }).check();
    await page.screenshot({ path: 'test-results/files-pair-targets-sv.png', fullPage: true });
    await targets.getByRole('button', { name: 'Para ihop' }).click();
    await page.keyboard.press('Enter');

    const done = page.getByTestId('step-done');
    await expect(done.getByRole('heading', { name: 'Certifikatet är ihopparat med sin nyckel' })).toBeVisible({ timeout: 30_000 });
    await expect(done.getByTestId('installed-keystore')).toHaveText('I eID Desks nyckellager');
    await expect(done.getByTestId('installed-os-store')).toContainText(`NSS-certifikatdatabasen (Firefox, Chrome) (${nssDir()})`);
    await expect(done.getByTestId('paired-request')).toHaveText(`Nyckelbegäran ”${PAIR_LABEL}” är nu den här e-legitimationen och visas därför inte längre bland nyckelbegärandena.`);
    await expect(done.getByTestId('removed')).toHaveText('1 äldre certifikat togs bort ur certifikatarkivet.');
    await page.screenshot({ path: 'test-results/files-pair-done-sv.png', fullPage: true });

    // Really paired: one e-ID from the pairing, the request gone, the certificate with its key in NSS, the old one out.
    const paired = (await call('keystore:list', {})).entries.filter((e: any) => e.holder === PAIR_HOLDER);
    expect(paired).toHaveLength(1);
    expect(paired[0]).toMatchObject({ source: 'csr-pairing', fingerprintSha256: pairedFingerprint, label: PAIR_LABEL });
    expect(paired[0].chain).toHaveLength(3);
    expect((await call('keystore:requests', {})).requests.map((r: any) => r.id)).not.toContain(requestId);
    expect(nssFingerprints()).toContain(pairedFingerprint);
    expect(nssFingerprints()).not.toContain(oldPairFingerprint);
    // With its private key: certutil -K lists a key under the nickname that holds the paired certificate.
    const nickname = nssNicknames().find((n) => !nssBefore.includes(n) && certificatesOf(n).includes(pairedFingerprint));
    expect(nickname).toBeTruthy();
    expect(execFileSync('certutil', ['-K', '-d', nssDb()], { encoding: 'utf8' })).toContain(nickname!);

    // "Show my e-ID": listed and focused, and no longer among the key requests.
    await done.getByRole('button', { name: 'Visa min e-legitimation' }).click();
    const card = page.getByTestId('file-eid').filter({ hasText: PAIR_HOLDER });
    await expect(card).toBeFocused();
    await expect(card.getByTestId('entry-organisation')).toHaveText(PAIR_ORGANISATION);
    await expect(card.getByTestId('entry-installed')).toContainText(nssDir());
    await expect(page.getByRole('region', { name: PAIR_LABEL, exact: true }).filter({ has: page.getByTestId('request-subject') })).toHaveCount(0);
    await expect(page.getByTestId('key-request')).toHaveCount(0);
    await page.screenshot({ path: 'test-results/files-paired-list-sv.png', fullPage: true });

    // The certs-only .p12 of the same certificate, after its password: already an e-ID here, said before any PIN.
    await page.getByRole('button', { name: 'Importera från fil' }).first().click();
    await dropFile(page, `${PAIR_HOLDER}.p12`, readFileSync(certsOnlyP12));
    const code = page.getByLabel('PIN-kod från PIN-kodsbrevet');
    await code.fill(CERTS_PASSWORD);
    await code.press('Enter');
    await expect(contents.getByRole('heading', { name: 'Filen innehåller bara certifikat' })).toBeFocused();
    await expect(contents.getByTestId('certificates-only')).toHaveAttribute('data-refusal', 'already-in-keystore');
    await expect(contents.getByTestId('certificates-only')).toContainText('Certifikatet finns redan som e-legitimation i eID Desks nyckellager');
    await expect(contents.getByTestId('holder')).toHaveText(PAIR_HOLDER);
    await expect(page.getByLabel('Nyckelns PIN-kod')).toHaveCount(0);
    await page.screenshot({ path: 'test-results/files-pair-already-sv.png', fullPage: true });
    await contents.getByRole('button', { name: 'Välj en annan fil' }).click();

    // And in English, the PEM of the same certificate: the same contents step, the same answer, and "Show my e-ID".
    await page.getByRole('combobox', { name: /Language|Språk/ }).selectOption('en');
    await dropFile(page, 'certificate.pem', readFileSync(at('paired.pem')));
    await expect(contents.getByRole('heading', { name: 'What is in the certificate file' })).toBeFocused();
    await expect(contents.getByTestId('certificates-only')).toContainText('This certificate is already an e-ID in eID Desk’s keystore');
    await expect(contents.getByTestId('file-holds')).toHaveText('The file holds 1 certificate and no private key.');
    await expect(contents.getByTestId('chain')).toContainText('The chain is incomplete: the issuer’s certificate is missing');
    await page.screenshot({ path: 'test-results/files-pair-already-en.png', fullPage: true });
    await contents.getByRole('button', { name: 'Show my e-ID' }).click();
    await expect(page.getByTestId('file-eid').filter({ hasText: PAIR_HOLDER })).toBeFocused();

    // Clean up what this test made: the e-ID (its key) and everything NSS took in.
    await call('keystore:delete', { id: paired[0].id });
    restoreNss();
    expect(nssNicknames()).toEqual(nssBefore);
    expect((await call('keystore:list', {})).entries.filter((e: any) => e.holder === PAIR_HOLDER)).toHaveLength(0);
    expect((await call('keystore:requests', {})).requests.filter((r: any) => r.label === PAIR_LABEL)).toHaveLength(0);
  });
});
