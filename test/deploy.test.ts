/**
 * The deployment files cannot run here (no container engine): they are checked by what can —
 * the image's entry point built and run as a plain process, the compose file through
 * docker-compose's own validation, and every role's settings in compose and Kubernetes through
 * the backend's configuration parser.
 */
import { execFileSync, fork, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse } from 'yaml';
import { stopProcess } from '../scripts/stack.ts';
import { QUEUE_NAMES } from '../shared/queues.ts';
import { jobQueue } from '../worker/adapters/amqp/topology.ts';
import { loadBackendConfig } from '../worker/config.ts';
import { loadCatalogue } from '../worker/catalogue.ts';
import { resolveRequest } from '../shared/request.ts';
import sharp from 'sharp';
import { freePort } from './helpers/stack.ts';

const ROOT = new URL('../', import.meta.url).pathname;
const DOCKER = join(ROOT, 'docker');

/** Resolves compose's ${VAR:-default} and ${VAR:?message} the way an operator's shell would. */
const interpolate = (value: string) =>
  value.replace(/\$\{([A-Z_]+)(?::-([^}]*)|:\?[^}]*)?\}/g, (_m, name: string, def?: string) => def ?? `value-of-${name}-1234567890`);

describe('docker image', () => {
  const dockerfile = readFileSync(join(DOCKER, 'Dockerfile'), 'utf8');

  it('runs the bundle that npm run build:backend makes, as a plain process, and stops on SIGTERM', async () => {
    const script = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts['build:backend'] as string;
    const outdir = /--outdir=(\S+)/.exec(script)![1]!;
    const outfile = `${outdir}/main.mjs`;
    expect(dockerfile).toContain(`CMD ["node", "${outfile}"]`);
    execFileSync('npm', ['run', '--silent', 'build:backend'], { cwd: ROOT, stdio: 'ignore' });
    // The processing processes run the bundle's own child.mjs, beside main.mjs: it processes a job.
    const entry = (await loadCatalogue(join(ROOT, 'graphs'))).get('passthrough')!;
    const processing = fork(join(ROOT, outdir, 'child.mjs'), [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const answered = new Promise<{ answer: { ok: boolean; body: Uint8Array } }>((resolve) => processing.on('message', (m: object) => 'answer' in m && resolve(m as never)));
    const params = resolveRequest(entry, 'png', [['input', 'files/gridbear.jpg'], ['width', '40']], { sizeLimitMegapixels: 25 }).params;
    processing.send({ id: 1, task: { entry, params, input: readFileSync(join(ROOT, 'examples/gridbear.jpg')), outtype: 'png', limits: { maxInputPixels: 1e8, maxFrames: 200, deadline: Date.now() + 20_000 } } });
    const { answer } = await answered;
    processing.kill();
    expect(answer.ok).toBe(true);
    expect(await sharp(answer.body).metadata()).toMatchObject({ format: 'png', width: 40 });
    const port = await freePort();
    const child = spawn(process.execPath, [outfile], {
      cwd: ROOT,
      env: { ...process.env, IMGFLO_PORT: String(port), IMGFLO_BRIDGE_TOKEN: 'x'.repeat(20), UPSTASH_REDIS_REST_TOKEN: 'y'.repeat(20), IMGFLO_LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    let health = 0;
    for (let i = 0; i < 100 && health !== 200; i++) {
      health = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.status, () => 0);
      if (health !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(health).toBe(200);
    const exited = new Promise((r) => child.once('exit', r));
    await stopProcess(child);
    expect(await exited).toBe(0);
  });

  it('builds from a context without installed, generated or local trees', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const path of ['node_modules', 'dist', '.git', '.imgflo', '.config', 'test-output', '.dev.vars']) expect(ignored, path).toContain(path);
  });

  it('is built on an exactly pinned Node LTS and carries the command line', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:(22|24)\.\d+\.\d+-bookworm-slim$/m);
    expect(dockerfile.match(/^FROM .*/gm)).toEqual(['FROM ${NODE_IMAGE} AS build', 'FROM ${NODE_IMAGE}']);
    expect(dockerfile).toMatch(/^COPY bin \.\/bin$/m);
    expect(dockerfile).toMatch(/ln -s \/app\/bin\/imgflo\.mjs \/usr\/local\/bin\/imgflo/);
  });

  it('runs as a non-root user with a health check on /ready', () => {
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/HEALTHCHECK[\s\S]*\/ready/);
    expect(dockerfile).toMatch(/MALLOC_ARENA_MAX=2/);
  });
});

describe('compose file', () => {
  const file = join(DOCKER, 'compose.yaml');
  const compose = parse(readFileSync(file, 'utf8'), { merge: true }) as { services: Record<string, { environment?: Record<string, string> }> };

  it('describes RabbitMQ, Redis, the Upstash proxy, an S3 store, a bridge and workers', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['bridge', 'minio', 'minio-init', 'rabbitmq', 'redis', 'upstash-proxy', 'video-worker', 'worker']);
  });

  it('has workers for every queue, video on a worker of its own', () => {
    const workers = Object.values(compose.services).map((s) => s.environment ?? {}).filter((env) => env.IMGFLO_ROLE === 'worker');
    const queues = workers.map((env) => loadBackendConfig(env).workerQueues);
    expect(queues.flat().sort()).toEqual([...QUEUE_NAMES].sort());
    expect(queues).toContainEqual(['video']);
  });

  it('pins every image to a version, and tags its own with the package version', () => {
    const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;
    for (const [name, service] of Object.entries(compose.services as Record<string, { image?: string }>)) {
      expect(service.image, name).toMatch(/^[\w./-]+:[\w.-]*\d[\w.-]*$/);
      expect(service.image, name).not.toMatch(/:latest$/);
      if (service.image!.startsWith('imgflo-backend')) expect(service.image).toBe(`imgflo-backend:${version}`);
    }
  });

  it.each([
    ['bridge', 'bridge'],
    ['worker', 'worker'],
    ['video-worker', 'worker'],
    ['upstash-proxy', 'upstash-proxy'],
  ])('gives the %s a configuration the backend accepts', (name, role) => {
    const env = Object.fromEntries(Object.entries(compose.services[name]!.environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]));
    expect(loadBackendConfig(env).role).toBe(role);
  });

  /** `docker-compose config` of the files, with these settings only; its output as an object, or its error. */
  const composeConfig = (files: string[], env: Record<string, string>): { ok: true; config: { services: Record<string, { ports?: Array<string | { published: string | number; host_ip?: string }> }> } } | { ok: false; error: string } => {
    try {
      const out = execFileSync('docker-compose', [...files.flatMap((f) => ['-f', join(DOCKER, f)]), 'config'], { env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', ...env }, stdio: 'pipe', cwd: tmpdir() });
      return { ok: true, config: parse(out.toString()) };
    } catch (e) {
      return { ok: false, error: String((e as { stderr?: Buffer }).stderr ?? e) };
    }
  };
  const SECRETS = { IMGFLO_BRIDGE_TOKEN: 'x'.repeat(20), UPSTASH_REDIS_REST_TOKEN: 'y'.repeat(20), RABBITMQ_PASSWORD: 'r'.repeat(20), MINIO_ROOT_PASSWORD: 'm'.repeat(20) };
  const haveCompose = (() => {
    try {
      return /\d/.test(execFileSync('docker-compose', ['version', '--short']).toString());
    } catch {
      if (process.env.IMGFLO_TEST_REQUIRE_SERVICES === '1') throw new Error('docker-compose is not installed');
      return false;
    }
  })();

  it.runIf(haveCompose)('passes docker-compose config with its four secrets and no tunnel token, and the tunnel file with one', () => {
    expect(composeConfig(['compose.yaml'], SECRETS)).toMatchObject({ ok: true });
    const withTunnel = composeConfig(['compose.yaml', 'compose.tunnel.yaml'], SECRETS);
    expect(withTunnel.ok ? '' : withTunnel.error).toMatch(/CLOUDFLARE_TUNNEL_TOKEN/);
    expect(composeConfig(['compose.yaml', 'compose.tunnel.yaml'], { ...SECRETS, CLOUDFLARE_TUNNEL_TOKEN: 'z'.repeat(20) })).toMatchObject({ ok: true });
  });

  it.runIf(haveCompose)('refuses to run without each secret (no shared default password), naming it', () => {
    for (const name of Object.keys(SECRETS)) {
      const without = composeConfig(['compose.yaml'], Object.fromEntries(Object.entries(SECRETS).filter(([k]) => k !== name)));
      expect(without.ok ? '' : without.error, name).toMatch(new RegExp(name));
    }
  });

  it.runIf(haveCompose)('publishes every port on loopback alone, each movable by its variable', () => {
    const ports = (env: Record<string, string>) => {
      const r = composeConfig(['compose.yaml'], { ...SECRETS, ...env });
      if (!r.ok) throw new Error(r.error);
      // Long syntax or short ("127.0.0.1:8080:8080/tcp"), as the installed docker-compose prints it.
      const hostSide = (p: string | { published: string | number; host_ip?: string }) => (typeof p === 'string' ? p.split(':').slice(0, 2).join(':') : `${p.host_ip}:${p.published}`);
      return Object.fromEntries(Object.entries(r.config.services).flatMap(([name, s]) => (s.ports ?? []).map((p) => [name, hostSide(p)])));
    };
    expect(ports({})).toEqual({ bridge: '127.0.0.1:8080', 'upstash-proxy': '127.0.0.1:8079', minio: '127.0.0.1:9000', rabbitmq: '127.0.0.1:15672' });
    expect(ports({ BRIDGE_HOST_PORT: '18080', INDEX_HOST_PORT: '18079', MINIO_HOST_PORT: '19000', RABBITMQ_MANAGEMENT_HOST_PORT: '25672' })).toEqual({ bridge: '127.0.0.1:18080', 'upstash-proxy': '127.0.0.1:18079', minio: '127.0.0.1:19000', rabbitmq: '127.0.0.1:25672' });
  });
});

describe('Kubernetes manifests', () => {
  const docs = readdirSync(join(DOCKER, 'k8s')).flatMap((f) =>
    parseAllDocuments(readFileSync(join(DOCKER, 'k8s', f), 'utf8')).map((d) => d.toJS() as Record<string, any>),
  );
  const byKind = (kind: string) => docs.filter((d) => d.kind === kind);

  it('are well-formed objects with names', () => {
    for (const d of docs) expect([typeof d.apiVersion, typeof d.kind, typeof d.metadata?.name]).toEqual(['string', 'string', 'string']);
  });

  it('give every deployment a configuration the backend accepts', () => {
    const config = byKind('ConfigMap')[0]!.data as Record<string, string>;
    const secrets = byKind('Secret')[0]!.stringData as Record<string, string>;
    const deployments = byKind('Deployment');
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(['imgflo-bridge', 'imgflo-upstash-proxy', 'imgflo-video-worker', 'imgflo-worker']);
    const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;
    for (const d of deployments) {
      const container = d.spec.template.spec.containers[0];
      expect(container.image, d.metadata.name).toBe(`imgflo-backend:${version}`);
      const env = { ...config, ...secrets, ...Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value])) };
      expect(loadBackendConfig(env).role, d.metadata.name).toBe(env.IMGFLO_ROLE);
      expect(container.readinessProbe.httpGet.path).toBe('/ready');
      expect(container.livenessProbe.httpGet.path).toBe('/health');
    }
  });

  it('run every deployment under the restricted security profile, scraped for metrics, with a disruption budget', () => {
    const budgets = byKind('PodDisruptionBudget');
    for (const d of byKind('Deployment')) {
      const pod = d.spec.template;
      const container = pod.spec.containers[0];
      expect(pod.spec.securityContext, d.metadata.name).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(container.securityContext, d.metadata.name).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      // The root filesystem is read-only: the data directory of the image (/tmp/imgflo) is a volume.
      expect(container.volumeMounts, d.metadata.name).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
      expect(pod.metadata.annotations, d.metadata.name).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/path': '/metrics' });
      const budget = budgets.find((b) => b.spec.selector.matchLabels['app.kubernetes.io/name'] === d.spec.selector.matchLabels['app.kubernetes.io/name']);
      expect(budget?.spec.maxUnavailable, d.metadata.name).toBe(1);
    }
  });

  it('let the edge reach the bridge (jobs and health only) and the index proxy over TLS', () => {
    const ingress = byKind('Ingress')[0]!;
    expect(ingress.spec.tls[0].hosts).toHaveLength(2);
    const routes = ingress.spec.rules.flatMap((r: { http: { paths: Array<{ path: string; backend: { service: { name: string } } }> } }) => r.http.paths.map((p) => `${p.backend.service.name}${p.path}`));
    expect(routes.sort()).toEqual(['imgflo-bridge/health', 'imgflo-bridge/jobs', 'imgflo-upstash-proxy/']);
    // The proxy waits longer than a GET for a video waits for its job.
    const config = loadBackendConfig({ ...(byKind('ConfigMap')[0]!.data as Record<string, string>), IMGFLO_BRIDGE_TOKEN: 'x'.repeat(16) });
    expect(Number(ingress.metadata.annotations['nginx.ingress.kubernetes.io/proxy-read-timeout']) * 1000).toBeGreaterThan(Math.max(config.jobTimeoutMs, config.videoJobTimeoutMs));
    const services = byKind('Service').map((s) => s.metadata.name);
    for (const r of routes) expect(services).toContain(r.split('/')[0]);
  });

  it('scale each worker deployment with KEDA on the real names of the queues it takes, every queue taken', () => {
    const config = byKind('ConfigMap')[0]!.data as Record<string, string>;
    const secrets = byKind('Secret')[0]!.stringData as Record<string, string>;
    const taken: string[] = [];
    for (const scaled of byKind('ScaledObject')) {
      const target = byKind('Deployment').find((d) => d.metadata.name === scaled.spec.scaleTargetRef.name)!;
      const env = { ...config, ...secrets, ...Object.fromEntries(target.spec.template.spec.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value])) };
      const queues = loadBackendConfig(env).workerQueues;
      expect(scaled.spec.triggers.map((t: { metadata: { queueName: string } }) => t.metadata.queueName).sort(), target.metadata.name).toEqual(queues.map(jobQueue).sort());
      taken.push(...queues);
    }
    expect(taken.sort()).toEqual([...QUEUE_NAMES].sort());
    // A video worker is given the time to finish its video when it is stopped.
    const video = byKind('Deployment').find((d) => d.metadata.name === 'imgflo-video-worker')!;
    expect(video.spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(loadBackendConfig({ ...config, ...secrets, IMGFLO_ROLE: 'worker' }).videoProcessingTimeoutMs);
  });
});

describe('the edge deployment', () => {
  it('deploys to production (dry run) with no loopback address, observability on, and a bundle without the .fbp parser', () => {
    const outdir = join(ROOT, 'test-output', 'edge-bundle');
    const printed = execFileSync(join(ROOT, 'node_modules', '.bin', 'wrangler'), ['deploy', '--dry-run', '--env', 'production', '--outdir', outdir], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', XDG_CONFIG_HOME: join(ROOT, '.config'), NO_COLOR: '1' },
    });
    expect(printed).toMatch(/Total Upload: [\d.]+ KiB \/ gzip: [\d.]+ KiB/);
    expect(printed).toMatch(/IMGFLO_REQUIRE_AUTH \("1"\)/);
    expect(printed).not.toMatch(/127\.0\.0\.1|localhost|\[::1\]/);
    expect(printed).not.toMatch(/WARNING/);
    const bundle = readFileSync(join(outdir, 'index.js'), 'utf8');
    expect(bundle).not.toMatch(/127\.0\.0\.1/);
    // The graphs arrive parsed: neither the .fbp grammar nor its schema checker is shipped.
    expect(bundle).not.toMatch(/peg\$|tv4/);
    const toml = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8');
    expect(toml).toMatch(/\[env\.production\.observability\]\s*\nenabled = true/);
    expect(toml).toMatch(/^keep_vars = true$/m);
    expect(existsSync(join(ROOT, '.dev.vars.example'))).toBe(true);
  }, 60_000);

  it('names the development Worker apart from production: a plain wrangler deploy never replaces it', () => {
    const text = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8');
    const top = /^name = "([^"]+)"/m.exec(text)![1];
    const production = /\[env\.production\]\s*\nname = "([^"]+)"/.exec(text)![1];
    expect(production).toBe('imgflo');
    expect(top).not.toBe(production);
    const plain = execFileSync(join(ROOT, 'node_modules', '.bin', 'wrangler'), ['deploy', '--dry-run', '--outdir', join(ROOT, 'test-output', 'edge-bundle-dev')], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', XDG_CONFIG_HOME: join(ROOT, '.config'), NO_COLOR: '1' },
    });
    expect(plain).not.toMatch(/IMGFLO_REQUIRE_AUTH/);
  }, 60_000);
});
