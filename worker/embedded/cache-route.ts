/** Serves stored results at /cache/<object key> in the embedded mode, as S3 or a CDN would. */
import { Hono } from 'hono';
import type { ObjectStore } from '../../shared/ports.ts';

export function createCacheRoute(store: ObjectStore): Hono {
  const app = new Hono();
  app.get('/*', async (c) => {
    const objectKey = c.req.path.replace(/^\/cache\//, '');
    const object = await store.get(objectKey).catch(() => null);
    if (!object) return c.json({ error: 'Not found', code: 404, reason: 'not-found' }, 404);
    return c.body(object.body as Uint8Array<ArrayBuffer>, 200, {
      'Content-Type': object.contentType,
      'Cache-Control': 'public, max-age=31536000, immutable',
      'X-Content-Type-Options': 'nosniff',
      // Results are public; the page reads them with fetch() to show their size and type.
      'Access-Control-Allow-Origin': '*',
    });
  });
  return app;
}
