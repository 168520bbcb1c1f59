/**
 * Where the real services of the tests are, and whether they answer. A missing service skips
 * its tests locally; with IMGFLO_TEST_REQUIRE_SERVICES=1 (CI) it fails the run instead.
 */
import { execFileSync } from 'node:child_process';
import { connect } from 'node:net';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.IMGFLO_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15';
export const AMQP_URL = process.env.IMGFLO_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
export const S3_ENDPOINT = process.env.IMGFLO_TEST_S3_ENDPOINT ?? 'http://127.0.0.1:4568';

export function reachable(url: string, defaultPort: number): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: u.hostname, port: Number(u.port || defaultPort) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function available(name: string, url: string, port: number): Promise<boolean> {
  const ok = await reachable(url, port);
  if (!ok && process.env.IMGFLO_TEST_REQUIRE_SERVICES === '1') {
    throw new Error(`${name} is not reachable at ${url}, and IMGFLO_TEST_REQUIRE_SERVICES=1`);
  }
  return ok;
}

export const redisAvailable = () => available('Redis', REDIS_URL, 6379);
export const amqpAvailable = () => available('RabbitMQ', AMQP_URL, 5672);
export const s3Available = () => available('the S3 server', S3_ENDPOINT, 80);

/**
 * A RabbitMQ virtual host of its own for a group of tests, so that they never see each
 * other's jobs (made with rabbitmqctl when it is at hand; the default vhost otherwise).
 * `fresh` drops what an earlier run left in it.
 */
export function amqpVhostUrl(vhost: string, options: { fresh?: boolean } = {}): string {
  if (options.fresh) {
    try {
      execFileSync('rabbitmqctl', ['delete_vhost', vhost], { stdio: 'ignore', timeout: 30_000 });
    } catch {
      // There was none.
    }
  }
  try {
    execFileSync('rabbitmqctl', ['add_vhost', vhost], { stdio: 'ignore', timeout: 30_000 });
  } catch {
    // It exists already, or rabbitmqctl is not at hand.
  }
  try {
    execFileSync('rabbitmqctl', ['set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*'], { stdio: 'ignore', timeout: 30_000 });
    return `${AMQP_URL.replace(/\/+$/, '')}/${encodeURIComponent(vhost)}`;
  } catch {
    return AMQP_URL;
  }
}

/** The URL of Redis database `db` of the test server. */
export const redisDbUrl = (db: number) => REDIS_URL.replace(/\/\d+$/, '') + `/${db}`;

/**
 * The URL of Redis database `db` of the test server, emptied: what an earlier run indexed would
 * point at objects that another s3rver held.
 */
export async function freshRedisDb(db: number): Promise<string> {
  const url = redisDbUrl(db);
  const redis = new Redis(url);
  await redis.flushdb();
  redis.disconnect();
  return url;
}
