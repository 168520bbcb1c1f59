import { describe, expect, it } from 'vitest';
import { loadBackendConfig } from './config.ts';

describe('backend configuration', () => {
  it('has the documented defaults', () => {
    const c = loadBackendConfig({ IMGFLO_BRIDGE_TOKEN: 'x'.repeat(16) });
    expect(c).toMatchObject({ port: 8080, host: '127.0.0.1', objectPrefix: 'results', jobTimeoutMs: 25_000, maxInputBytes: 50_000_000, maxInputPixels: 100_000_000, cacheTtlSeconds: 86_400, allowPrivateInputs: false, concurrency: { urgent: 2, background: 1, video: 1 }, workerQueues: ['urgent', 'background', 'video'], sharpConcurrency: 1 });
  });
  it('names every invalid or missing variable', () => {
    expect(() => loadBackendConfig({ IMGFLO_PORT: 'eighty', IMGFLO_MAX_INPUT_BYTES: '-1' })).toThrow(/IMGFLO_PORT: .*IMGFLO_MAX_INPUT_BYTES/);
    expect(() => loadBackendConfig({})).toThrow(/IMGFLO_BRIDGE_TOKEN: is required for the bridge/);
    expect(() => loadBackendConfig({ IMGFLO_ROLE: 'worker', IMGFLO_REDIS_URL: 'redis://r' })).toThrow(/IMGFLO_AMQP_URL: is required for the worker role/);
    expect(() => loadBackendConfig({ IMGFLO_AMQP_URL: 'http://x', IMGFLO_BRIDGE_TOKEN: 'x'.repeat(16) })).toThrow(/IMGFLO_AMQP_URL: must be a amqp:\/\/ URL/);
    expect(() => loadBackendConfig({ IMGFLO_BRIDGE_TOKEN: 'short' })).toThrow(/IMGFLO_BRIDGE_TOKEN: must be at least 16/);
    expect(() => loadBackendConfig({ IMGFLO_BRIDGE_TOKEN: 'x'.repeat(16), IMGFLO_SHARP_CONCURRENCY: '0' })).toThrow(/IMGFLO_SHARP_CONCURRENCY/);
    expect(() => loadBackendConfig({ IMGFLO_BRIDGE_TOKEN: 'x'.repeat(16), IMGFLO_WORKER_QUEUES: 'urgent,videos' })).toThrow(/IMGFLO_WORKER_QUEUES: must be a comma-separated list of urgent, background, video/);
    expect(() => loadBackendConfig({ IMGFLO_BRIDGE_TOKEN: 'x'.repeat(16), IMGFLO_WORKER_QUEUES: '' })).toThrow(/IMGFLO_WORKER_QUEUES/);
  });
  it('gives a worker the queues it names, each at its own concurrency and video at its own deadlines', () => {
    const c = loadBackendConfig({ IMGFLO_BRIDGE_TOKEN: 'x'.repeat(16), IMGFLO_WORKER_QUEUES: 'video, video', IMGFLO_VIDEO_CONCURRENCY: '3', IMGFLO_MAX_VIDEO_QUEUE: '5', IMGFLO_VIDEO_PROCESSING_TIMEOUT_MS: '60000' });
    expect(c).toMatchObject({ workerQueues: ['video'], videoJobTimeoutMs: 90_000, videoProcessingTimeoutMs: 60_000 });
    expect(c.concurrency.video).toBe(3);
    expect(c.maxQueue).toEqual({ urgent: 100, background: 1000, video: 5 });
  });
});
