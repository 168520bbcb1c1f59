/** The behaviour every AppRegistry adapter must have; run against each adapter. */
import { describe, expect, it } from 'vitest';
import type { AppRecord } from '../apps.ts';
import type { AppRegistry } from '../ports.ts';

export const makeApp = (overrides: Partial<AppRecord> = {}): AppRecord => ({
  key: `app-${crypto.randomUUID()}`,
  secrets: ['s3cret-one'],
  label: 'Test app',
  owner: 'owner@example.com',
  enabled: true,
  admin: false,
  fallback: null,
  presets: {},
  processingQuota: null,
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-01T00:00:00.000Z',
  ...overrides,
});

export function appRegistryContract(name: string, make: () => Promise<AppRegistry>) {
  describe(`AppRegistry contract: ${name}`, () => {
    it('answers null for an unknown key', async () => {
      expect(await (await make()).get(`nope-${crypto.randomUUID()}`)).toBeNull();
    });

    it('keeps what was put, and replaces it on update', async () => {
      const r = await make();
      const app = makeApp({ secrets: ['a', 'b'], processingQuota: 5 });
      await r.put(app);
      expect(await r.get(app.key)).toEqual(app);
      await r.put({ ...app, enabled: false, secrets: ['b'] });
      expect(await r.get(app.key)).toMatchObject({ enabled: false, secrets: ['b'], processingQuota: 5 });
    });

    it('lists the apps it holds', async () => {
      const r = await make();
      const a = makeApp();
      const b = makeApp({ admin: true });
      await r.put(a);
      await r.put(b);
      const keys = (await r.list()).map((x) => x.key);
      expect(keys).toEqual(expect.arrayContaining([a.key, b.key]));
    });

    it('counts processed images per app and per month', async () => {
      const r = await make();
      const key = `app-${crypto.randomUUID()}`;
      expect(await r.processedIn(key, '2026-11')).toBe(0);
      expect(await r.countProcessed(key, '2026-11')).toBe(1);
      expect(await r.countProcessed(key, '2026-11')).toBe(2);
      expect(await r.countProcessed(key, '2026-12')).toBe(1);
      expect(await r.processedIn(key, '2026-11')).toBe(2);
    });
  });
}
