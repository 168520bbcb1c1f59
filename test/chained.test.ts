/**
 * Chained inputs (`input=graph/...`) are resolved inside the service — from the index and the
 * object store, or as a job of the same request — in every storage mode, with the default
 * address policy (no exception for the service's own origin): the embedded default, local disk
 * over real Redis and RabbitMQ, and S3 in the distributed topology.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DistributedStack, Stack } from '../scripts/stack.ts';
import { startTestDistributedStack } from './helpers/distributed.ts';
import { amqpAvailable, amqpVhostUrl, freshRedisDb, redisAvailable, s3Available } from './helpers/services.ts';
import { startTestStack } from './helpers/stack.ts';

const CHAINED = '/graph/passthrough?input=graph%2Fpassthrough%3Finput%3Dfiles%252Fgridbear.jpg%26width%3D300&width=100';
const INNER = '/graph/passthrough?input=files%2Fgridbear.jpg&width=300';
const services = (await redisAvailable()) && (await amqpAvailable());
const s3 = services && (await s3Available());

/** The chained URL answers 301 to a 100-px result; the inner result was stored and indexed too. */
async function checkChain(edgeUrl: string) {
  const res = await fetch(`${edgeUrl}${CHAINED}`, { redirect: 'manual' });
  expect(res.status).toBe(301);
  const image = Buffer.from(await (await fetch(res.headers.get('location')!)).arrayBuffer());
  expect(await sharp(image).metadata()).toMatchObject({ format: 'jpeg', width: 100 });
  const inner = await fetch(`${edgeUrl}${INNER}`, { method: 'HEAD', redirect: 'manual' });
  expect(inner.status).toBe(301);
  // A chain three deep, made from nothing cached.
  const deep = `/graph/passthrough.png?input=${encodeURIComponent(`graph/crop?input=${encodeURIComponent(`graph/passthrough?input=${encodeURIComponent('files/grid-toastybob.jpg')}&width=240`)}&cropwidth=40&cropheight=30`)}`;
  const made = await fetch(`${edgeUrl}${deep}`, { redirect: 'manual' });
  expect(made.status).toBe(301);
  const png = Buffer.from(await (await fetch(made.headers.get('location')!)).arrayBuffer());
  expect(await sharp(png).metadata()).toMatchObject({ format: 'png', width: 40, height: 30 });
}

describe('chained inputs, embedded (npm start with nothing set)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack?.stop());

  it('answers the chained URL with 301 and never fetches the service over HTTP', async () => {
    await checkChain(stack.edgeUrl);
    expect(stack.output()).not.toMatch(/address is not allowed/);
  });

  it('keeps the edge’s secrets in a 0600 file of a 0700 directory only while it runs', async () => {
    const [file] = stack.edge.secretFiles!;
    expect(statSync(file!).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(file!)).mode & 0o777).toBe(0o700);
    expect(readFileSync(file!, 'utf8')).toContain('IMGFLO_BRIDGE_TOKEN=');
    await stack.stop();
    expect(existsSync(dirname(file!))).toBe(false);
  });
});

describe.skipIf(!services)('chained inputs, local disk over real Redis and RabbitMQ', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startTestStack({ IMGFLO_REDIS_URL: await freshRedisDb(10), IMGFLO_AMQP_URL: amqpVhostUrl('imgflo-test-chained', { fresh: true }) });
  });
  afterAll(() => stack?.stop());

  it('answers the chained URL with 301', async () => {
    await checkChain(stack.edgeUrl);
  });
});

describe.skipIf(!s3)('chained inputs, S3 in the distributed topology', () => {
  let stack: DistributedStack;
  beforeAll(async () => {
    stack = await startTestDistributedStack({ redisUrl: await freshRedisDb(9), vhost: 'imgflo-test-chained-s3', bridges: 1, workers: 1 });
  }, 180_000);
  afterAll(() => stack?.stop());

  it('answers the chained URL with 301', async () => {
    await checkChain(stack.edges[0]!.url);
  });
});
