/**
 * The end-to-end project's global setup: the S3 server is reached through the write-once
 * witness (test/helpers/write-once-witness.ts), so every result any test writes is watched.
 */
import { reachable } from '../helpers/services.ts';
import { startWitness } from '../helpers/write-once-witness.ts';

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  // One witness for every project that has this setup.
  if (process.env.IMGFLO_TEST_WITNESS_URL) return undefined;
  const target = process.env.IMGFLO_TEST_S3_ENDPOINT ?? 'http://127.0.0.1:4568';
  // Without an S3 server there is nothing to watch (its tests skip, or fail in CI).
  if (!(await reachable(target, 80))) return undefined;
  const witness = await startWitness(target);
  process.env.IMGFLO_TEST_S3_ENDPOINT = witness.url;
  process.env.IMGFLO_TEST_S3_UPSTREAM = target;
  process.env.IMGFLO_TEST_WITNESS_URL = witness.url;
  return () => witness.close();
}
