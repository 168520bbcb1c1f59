import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
import LongestFirst from './test/setup/sequencer.ts';

/** The tests that restart the broker under load, as one file (it imports test/faults/). */
const FAULTS = 'test/faults.test.ts';
/** The unit tests of the broker's adapter: never beside the faults file. */
const BROKER_UNIT = 'worker/adapters/amqp/**/*.test.ts';

/** What every end-to-end file has. */
const E2E = {
  testTimeout: 120_000,
  hookTimeout: 120_000,
  // Every result object written to S3 is watched: none may be written with other bytes.
  globalSetup: ['test/setup/bundle.ts', 'test/setup/global.ts'],
  setupFiles: ['test/setup/write-once.ts'],
};

export default defineConfig({
  test: {
    // Both cores: two test files at a time in each group (vitest would take one here), the
    // longest first.
    maxWorkers: 2,
    sequence: { sequencer: LongestFirst },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['shared/**/*.test.ts', 'edge/**/*.test.ts', 'worker/**/*.test.ts'],
          exclude: ['**/*.workerd.test.ts', BROKER_UNIT],
          testTimeout: 30_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        // The Workers entry in workerd itself, with the bindings of wrangler.toml.
        plugins: [
          cloudflareTest({
            main: './edge/index.ts',
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: {
                IMGFLO_BRIDGE_URL: 'http://127.0.0.1:9',
                UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:9/upstash',
                IMGFLO_PUBLIC_BASE_URL: 'http://127.0.0.1:9/cache',
                IMGFLO_BRIDGE_TOKEN: 'workerd-test-bridge-token',
                UPSTASH_REDIS_REST_TOKEN: 'workerd-test-upstash-token',
                IMGFLO_COMMIT: 'workerd-test',
              },
              // The results' bucket, as `[[r2_buckets]]` binds it in production (proxy delivery).
              r2Buckets: ['RESULTS'],
            },
          }),
        ],
        test: { name: 'workerd', include: ['edge/**/*.workerd.test.ts'], sequence: { groupOrder: 0 } },
      },
      {
        test: {
          name: 'e2e-faults',
          include: [FAULTS],
          ...E2E,
          // First, beside the unit tests: nothing else then uses the broker it restarts.
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/**/*.test.ts', BROKER_UNIT],
          exclude: [FAULTS],
          ...E2E,
          // Then two files at a time: each starts its own stacks, on its own ports, vhost, Redis
          // database and S3 prefix.
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
