import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { objectStoreContract } from '../../shared/contracts/object-store.contract.ts';
import { LocalDiskObjectStore } from './local-disk.ts';

const fresh = () => new LocalDiskObjectStore(mkdtempSync(join(tmpdir(), 'imgflo-store-')));

objectStoreContract('local disk', async () => fresh());

describe('local disk object store', () => {
  it('refuses object keys that could leave its directory', async () => {
    const store = fresh();
    for (const key of ['../x.png', 'a/../../x.png', '/etc/passwd', 'a//b.png', '..', 'a/./b.png']) {
      expect(store.pathOf(key), key).toBeNull();
      expect(await store.head(key)).toBeNull();
    }
  });
});
