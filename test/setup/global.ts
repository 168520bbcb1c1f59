/**
 * The end-to-end project's global setup: the S3 server is reached through the write-once
 * witness (test/helpers/write-once-witness.ts), so every result any test writes is watched.
 */
import { connect } from 'node:net';
import { startWitness } from '../helpers/write-once-witness.ts';

function reachable(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: u.hostname, port: Number(u.port || 80) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  const target = process.env.IMGFLO_TEST_S3_ENDPOINT ?? 'http://127.0.0.1:4568';
  // Without an S3 server there is nothing to watch (its tests skip, or fail in CI).
  if (!(await reachable(target))) return undefined;
  const witness = await startWitness(target);
  process.env.IMGFLO_TEST_S3_ENDPOINT = witness.url;
  process.env.IMGFLO_TEST_S3_UPSTREAM = target;
  process.env.IMGFLO_TEST_WITNESS_URL = witness.url;
  return () => witness.close();
}
