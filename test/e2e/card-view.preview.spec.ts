import { createRequire } from 'node:module';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

const url = () => process.env.EIDDESK_E2E_URL!;

test.describe('My e-IDs in the preview', () => {
  test('shows the demo card, its e-IDs and details; switches language; saves a screenshot', async ({ page }) => {
    await page.goto(url());
    await page.getByRole('combobox', { name: /Language|Språk/ }).selectOption('en');
    await expect(page.getByRole('heading', { level: 1, name: 'My e-IDs' })).toBeVisible();
    const token = page.getByTestId('token').filter({ hasText: 'Åsa Öberg [DEMO]' });
    await expect(token).toBeVisible();
    await expect(token.getByText('Demo card', { exact: true })).toBeVisible();
    // Authentication and signing e-IDs visible, the expired one hidden until asked for.
    await expect(token.getByTestId('eid')).toHaveCount(2);
    await expect(token.getByText('1 invalid e-ID hidden')).toBeVisible();
    const auth = token.getByTestId('eid').filter({ hasText: 'Authentication' });
    await expect(auth.getByTestId('identity')).toHaveText('SE2321000156-10XX');
    await expect(auth.getByText('Västra Götalandsregionen')).toBeVisible();
    await expect(auth.getByText('Level 3')).toBeVisible();
    await expect(auth.getByTestId('signing-certificate')).toHaveText('Present');
    await expect(auth.getByText('asa.oberg@test.se').first()).toBeVisible();

    await page.getByRole('switch', { name: 'Show invalid e-IDs' }).check();
    await expect(token.getByTestId('eid')).toHaveCount(3);
    await expect(token.getByText('Expired')).toBeVisible();
    await page.getByRole('switch', { name: 'Show invalid e-IDs' }).uncheck();

    await auth.getByRole('button', { name: /Details for Åsa Öberg \(Legitimering\)/ }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog).toBeVisible();
    const details = dialog.getByTestId('eid-details');
    await expect(details).toContainText('CN=Åsa Öberg');
    await expect(details).toContainText('serialNumber=SE2321000156-10XX');
    await expect(details).toContainText(/([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    await expect(dialog.getByRole('rowheader', { name: 'keyUsage (critical)' })).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();

    await page.getByRole('combobox', { name: 'Language' }).selectOption('sv');
    await expect(page.getByRole('heading', { level: 1, name: 'Mina e-legitimationer' })).toBeVisible();
    const svAuth = token.getByTestId('eid').filter({ hasText: 'Legitimering' });
    await expect(svAuth.getByText('Underskriftscertifikat')).toBeVisible();
    await expect(svAuth.getByTestId('signing-certificate')).toHaveText('Finns');
    await expect(svAuth.getByText('Tillitsnivå 3')).toBeVisible();
    await expect(page.getByText('1 ogiltig e-legitimation dold')).toBeVisible();
    await page.screenshot({ path: 'test-results/card-view-sv.png', fullPage: true });
    await page.getByRole('combobox', { name: 'Språk' }).selectOption('en');
    await page.screenshot({ path: 'test-results/card-view-en.png', fullPage: true });
  });

  test('a token inserted or removed shows up within 2 s without a restart', async ({ page }) => {
    await page.goto(url());
    await page.getByRole('combobox', { name: /Language|Språk/ }).selectOption('en');
    await expect(page.getByTestId('token')).toHaveCount(1);
    const dev = createRequire(import.meta.url)(join(root, 'dist', 'dev.cjs'));
    const conf = process.env.EIDDESK_E2E_SOFTHSM2_CONF!;
    const env = { dir: join(conf, '..'), conf, tokenDir: join(conf, '..', 'tokens') };
    const before = new Set(readdirSync(env.tokenDir));
    const { ca } = dev.makeTestPki();
    const cert = dev.issueEndEntity(ca, { subject: [['C', 'SE'], ['O', 'Region Östergötland'], ['CN', 'Örjan Ärlig']], keyUsage: ['digitalSignature'] });
    dev.createToken(env, dev.findSoftHsmModule(), { label: 'Second card', soPin: '87654321', userPin: '654321', eids: [{ id: Buffer.from([9]), label: 'auth', certificate: cert.der, privateKey: cert.privateKey }] });
    const inserted = Date.now();
    await expect(page.getByTestId('token').filter({ hasText: 'Second card' })).toBeVisible({ timeout: 2500 });
    expect(Date.now() - inserted).toBeLessThan(2500);
    await expect(page.getByText('Örjan Ärlig')).toBeVisible();
    // Remove it again: the card is "pulled".
    for (const d of readdirSync(env.tokenDir)) if (!before.has(d)) rmSync(join(env.tokenDir, d), { recursive: true, force: true });
    await expect(page.getByTestId('token').filter({ hasText: 'Second card' })).toHaveCount(0, { timeout: 2500 });
    await expect(page.getByTestId('token')).toHaveCount(1);
  });

  test('a module that cannot be loaded is reported and the others keep working', async ({ page }) => {
    await page.goto(url());
    await page.getByRole('combobox', { name: /Language|Språk/ }).selectOption('en');
    await page.getByRole('tab', { name: 'Settings' }).click();
    const modules = page.getByRole('textbox', { name: 'PKCS#11 modules' });
    await modules.fill('/nonexistent/libvendor-pkcs11.so');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByText('Settings saved.')).toBeVisible();
    await page.getByRole('tab', { name: 'My e-IDs' }).click();
    const err = page.getByTestId('module-error');
    await expect(err).toContainText('/nonexistent/libvendor-pkcs11.so: the file does not exist');
    await expect(page.getByTestId('token').filter({ hasText: 'Åsa Öberg [DEMO]' })).toBeVisible();
    // Put it back.
    await page.getByRole('tab', { name: 'Settings' }).click();
    await modules.fill('');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByText('Settings saved.')).toBeVisible();
  });
});
