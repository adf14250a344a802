import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { FILE_VARS } from '../../src/config.js';

const root = new URL('../..', import.meta.url).pathname;
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** The drain on SIGTERM when SHUTDOWN_GRACE_SECONDS is not set. */
const DEFAULT_DRAIN_SECONDS = 20;
/** How long start-up retries an unreachable PostgreSQL by default (DATABASE_CONNECT_RETRY_SECONDS). */
const DEFAULT_DATABASE_RETRY_SECONDS = 60;

interface ComposeService {
  build?: { context: string };
  deploy?: { replicas?: number };
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
  secrets?: string[];
  stop_grace_period?: string;
  user?: string;
}
interface Compose {
  services: Record<string, ComposeService>;
  secrets: Record<string, { file: string }>;
}

const seconds = (duration: string) => {
  const m = /^(\d+)(s|m)$/.exec(duration);
  if (!m) throw new Error(`not a duration the test reads: ${duration}`);
  return Number(m[1]) * (m[2] === 'm' ? 60 : 1);
};

describe('deploy/compose.yaml', () => {
  const compose = parseYaml(read('deploy/compose.yaml')) as Compose;
  const app = compose.services.app as ComposeService;

  it('runs two replicas of the image built from the Dockerfile, on PostgreSQL', () => {
    expect(app.deploy?.replicas).toBe(2);
    expect(existsSync(join(root, 'deploy', app.build?.context ?? '', 'Dockerfile'))).toBe(true);
    const database = Object.entries(compose.services).find(([, s]) =>
      /^postgres:/.test(String((s as { image?: string }).image)),
    );
    expect(database).toBeDefined();
    expect(app.depends_on?.[database?.[0] ?? '']?.condition).toBe('service_healthy');
    expect(app.environment?.DATABASE_URL_FILE).toBeDefined();
  });

  it('hands every secret over as a file (<VAR>_FILE → a Compose secret), none inline', () => {
    const env = app.environment ?? {};
    for (const name of FILE_VARS) expect(env[name], `${name} inline`).toBeUndefined();
    const files = Object.entries(env).filter(([name]) => name.endsWith('_FILE'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const [name, path] of files) {
      expect(FILE_VARS).toContain(name.replace(/_FILE$/, ''));
      const secret = /^\/run\/secrets\/([a-z_]+)$/.exec(path)?.[1] ?? '';
      expect(app.secrets, name).toContain(secret);
      expect(compose.secrets[secret]?.file).toMatch(/^secrets\//);
    }
    // The secret files stay out of git (and the image's build context keeps to what it copies).
    expect(read('.gitignore')).toMatch(/^deploy\/secrets\/$/m);
  });

  it('gives the drain time before Docker kills a stopping replica', () => {
    const drain = Number(app.environment?.SHUTDOWN_GRACE_SECONDS ?? DEFAULT_DRAIN_SECONDS);
    expect(seconds(app.stop_grace_period ?? '10s')).toBeGreaterThan(drain);
  });
});

interface Probe {
  httpGet: { path: string; port: string | number };
  periodSeconds?: number;
  failureThreshold?: number;
}
interface Container {
  ports: { name: string; containerPort: number }[];
  envFrom: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
}
interface Resource {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec: {
    replicas?: number;
    ports?: { targetPort: string | number }[];
    template?: {
      spec: {
        terminationGracePeriodSeconds?: number;
        securityContext?: { runAsNonRoot?: boolean };
        containers: Container[];
      };
    };
  };
}

describe('deploy/kubernetes', () => {
  const resources = parseAllDocuments(read('deploy/kubernetes/revoke-sessions.yaml')).map(
    (d) => d.toJS() as Resource,
  );
  const of = (kind: string) => resources.find((r) => r.kind === kind) as Resource;
  const deployment = of('Deployment');
  const pod = deployment.spec.template?.spec;
  const container = pod?.containers[0] as Container;
  const config = of('ConfigMap');

  it('a Deployment of two replicas: liveness on /healthz, readiness on /readyz, time to reach the database first', () => {
    expect(deployment.spec.replicas).toBe(2);
    expect(container.livenessProbe?.httpGet.path).toBe('/healthz');
    expect(container.readinessProbe?.httpGet.path).toBe('/readyz');
    const startup = container.startupProbe;
    expect(startup?.httpGet.path).toBe('/healthz');
    const retry = Number(config.data?.DATABASE_CONNECT_RETRY_SECONDS ?? DEFAULT_DATABASE_RETRY_SECONDS);
    expect((startup?.periodSeconds ?? 10) * (startup?.failureThreshold ?? 3)).toBeGreaterThan(retry);
    const port = container.ports.find((p) => p.name === container.livenessProbe?.httpGet.port);
    expect(String(port?.containerPort)).toBe(config.data?.PORT ?? '3000');
    expect(of('Service').spec.ports?.[0]?.targetPort).toBe(port?.name);
  });

  it('terminationGracePeriodSeconds is above the drain (SHUTDOWN_GRACE_SECONDS)', () => {
    const drain = Number(config.data?.SHUTDOWN_GRACE_SECONDS ?? DEFAULT_DRAIN_SECONDS);
    expect(pod?.terminationGracePeriodSeconds ?? 30).toBeGreaterThan(drain);
  });

  it('runs as non-root; settings from a ConfigMap, secrets from a Secret that is not in the file', () => {
    expect(pod?.securityContext?.runAsNonRoot).toBe(true);
    const secretRef = container.envFrom.find((e) => e.secretRef)?.secretRef?.name;
    expect(secretRef).toBeDefined();
    expect(container.envFrom.find((e) => e.configMapRef)?.configMapRef?.name).toBe(config.metadata.name);
    expect(resources.some((r) => r.kind === 'Secret')).toBe(false);
    for (const name of FILE_VARS) expect(config.data?.[name], `${name} in the ConfigMap`).toBeUndefined();
  });
});
