import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoCard, DEMO_HOLDER } from '../../dev/demo-card';
import { CardService } from '../../main/card/service';

const dir = mkdtempSync(join(tmpdir(), 'eiddesk-card-'));
let service: CardService;
let modulePath = '';

beforeAll(() => {
  const demo = ensureDemoCard(dir);
  if (!demo) throw new Error('softhsm2 is not installed: run npm run setup');
  modulePath = demo.modulePath;
  process.env.SOFTHSM2_CONF = demo.env.conf;
  service = new CardService({ modules: () => [{ path: modulePath, name: 'SoftHSM2', source: 'configured' }] });
});
afterAll(() => {
  service?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('card service on a real SoftHSM2 token', () => {
  it('lists the demo token with its e-IDs, skipping the uninitialised slot', async () => {
    const snap = await service.snapshot();
    expect(snap.modules).toHaveLength(1);
    const m = snap.modules[0];
    expect(m.status).toBe('ok');
    expect(m.slotCount).toBeGreaterThan(m.tokens.length);
    expect(m.tokens).toHaveLength(1);
    const t = m.tokens[0];
    expect(t.label).toBe(`${DEMO_HOLDER.name} [DEMO]`);
    expect(t.demo).toBe(true);
    expect(t.pin.initialized).toBe(true);
    const auth = t.eids.find((e) => e.id === '01')!;
    expect(auth.holder).toBe('Åsa Öberg');
    expect(auth.organisation).toBe('Västra Götalandsregionen');
    expect(auth.identity).toMatchObject({ kind: 'hsa-id', value: 'SE2321000156-10XX' });
    expect(auth.upn).toEqual(['asa.oberg@test.se']);
    expect(auth.purposes).toEqual(['authentication']);
    expect(auth.assuranceLevel).toBe(3);
    expect(auth.keyPresent).toBe(true);
    expect(auth.signingCertificate).toBe('present');
    const sign = t.eids.find((e) => e.id === '02')!;
    expect(sign.purposes).toEqual(['signing']);
    expect(sign.signingCertificate).toBeNull();
    expect(t.eids.find((e) => e.id === '03')!.validity).toBe('expired');
  });

  it('reports a missing module with a one-line reason and keeps the others working', async () => {
    const s = new CardService({
      modules: () => [
        { path: '/nonexistent/libnothing.so', name: 'x', source: 'configured' },
        { path: '/etc/hostname', name: 'y', source: 'configured' },
        { path: modulePath, name: 'SoftHSM2', source: 'configured' },
      ],
    });
    try {
      const snap = await s.snapshot();
      expect(snap.modules[0]).toMatchObject({ status: 'error', error: { code: 'module-load-failed' } });
      expect(snap.modules[0].error!.message).toMatch(/libnothing\.so: the file does not exist/);
      expect(snap.modules[1].error!.message).toMatch(/\/etc\/hostname/);
      expect(snap.modules[1].error!.message).not.toMatch(/\n/);
      expect(snap.modules[2].tokens).toHaveLength(1);
    } finally {
      s.close();
    }
  });
});
