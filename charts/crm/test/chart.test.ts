import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import {
  ALL_FEATURES,
  CHART,
  PROFILES,
  REPO,
  components,
  find,
  helm,
  podSpecs,
  render,
  run,
  tool,
  valuesArgs,
  type K8sObject,
  type Rendered,
} from './support';

const fullName = (component: string) => `crm-${component}`;

interface KubeScoreConfig {
  kubernetesVersion: string;
  enableOptional: string[];
  ignore: { test: string; reason: string }[];
  profiles: Record<string, { minReplicas?: number; reason: string }>;
}
const kubeScoreConfig = parse(
  fs.readFileSync(path.join(__dirname, 'kube-score.yaml'), 'utf8'),
) as KubeScoreConfig;

function kubeScore(profile: string, file: string) {
  const cfg = kubeScoreConfig;
  const args = ['score', '--output-format', 'ci', '--exit-one-on-warning'];
  args.push('--kubernetes-version', cfg.kubernetesVersion);
  for (const t of cfg.enableOptional) args.push('--enable-optional-test', t);
  for (const { test } of cfg.ignore) args.push('--ignore-test', test);
  const min = cfg.profiles[profile]?.minReplicas;
  if (min !== undefined)
    args.push('--min-replicas-deployment', String(min), '--min-replicas-hpa', String(min));
  args.push(file);
  return run(tool('kube-score'), args);
}

function validate(file: string) {
  return run(process.execPath, [path.join(__dirname, 'validate-manifests.mjs'), file]);
}

describe.each([...PROFILES, ALL_FEATURES])('chart with the $name values', ({ name, files }) => {
  let out: Rendered;
  const expected = components(files);

  beforeAll(() => {
    out = render(name, files);
  });

  it('gives every component, the gateway too (its key-value bucket), the stream replica count', () => {
    const want = name === 'production' ? '3' : '1';
    for (const c of expected)
      expect([c, find(out.objects, 'ConfigMap', `crm-${c}`)?.data.NATS_STREAM_REPLICAS]).toEqual([c, want]);
  });

  it('passes helm lint --strict', () => {
    const r = helm(['lint', '--strict', CHART, ...valuesArgs(files)]);
    expect(r.stderr + r.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(r.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
    expect(r.status).toBe(0);
  });

  it('renders a Deployment, Service, HPA, PDB, NetworkPolicy, ServiceAccount and ConfigMap per component', () => {
    expect(expected).toEqual(expect.arrayContaining(['gateway', 'lead']));
    const kinds = [
      'Deployment',
      'Service',
      'HorizontalPodAutoscaler',
      'PodDisruptionBudget',
      'NetworkPolicy',
      'ServiceAccount',
      'ConfigMap',
    ];
    const autoscaled = (c: string) =>
      find(out.objects, 'Deployment', fullName(c))?.spec.replicas === undefined;
    for (const c of expected) {
      for (const kind of kinds) {
        if (kind === 'HorizontalPodAutoscaler' && !autoscaled(c)) continue;
        expect([c, kind, find(out.objects, kind, fullName(c)) !== undefined]).toEqual([c, kind, true]);
      }
    }
    // Outside the fixture that switches one off, every component autoscales.
    if (name !== ALL_FEATURES.name) expect(expected.filter((c) => !autoscaled(c))).toEqual([]);
  });

  it('runs every pod as non-root with a read-only root filesystem, no capabilities and seccomp', () => {
    const pods = podSpecs(out.objects);
    expect(pods.length).toBeGreaterThanOrEqual(expected.length);
    for (const { where, spec } of pods) {
      expect([where, spec.securityContext?.runAsNonRoot]).toEqual([where, true]);
      expect([where, spec.securityContext?.seccompProfile?.type]).toEqual([where, 'RuntimeDefault']);
      expect([where, spec.automountServiceAccountToken]).toEqual([where, false]);
      for (const c of spec.containers) {
        const sc = c.securityContext ?? {};
        expect([
          where,
          c.name,
          sc.runAsNonRoot,
          sc.readOnlyRootFilesystem,
          sc.allowPrivilegeEscalation,
        ]).toEqual([where, c.name, true, true, false]);
        expect([where, sc.capabilities?.drop]).toEqual([where, ['ALL']]);
        expect([where, sc.runAsUser]).toEqual([where, expect.any(Number)]);
        expect(sc.runAsUser).toBeGreaterThan(0);
        expect([where, c.resources?.limits?.memory !== undefined]).toEqual([where, true]);
      }
    }
  });

  it('pins every image: a tag that is not latest, or a digest', () => {
    for (const { where, spec } of podSpecs(out.objects)) {
      for (const c of spec.containers) {
        expect([where, c.image]).toEqual([
          where,
          expect.stringMatching(/(:[\w][\w.-]*|@sha256:[a-f0-9]{64})$/),
        ]);
        expect([where, c.image]).not.toEqual([where, expect.stringMatching(/:latest$/)]);
      }
    }
  });

  it('probes: startup, readiness, liveness; gRPC health for services, HTTP for the gateway', () => {
    for (const c of expected) {
      const d = find(out.objects, 'Deployment', fullName(c))!;
      const [container] = d.spec.template.spec.containers;
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
        const p = container[probe];
        if (c === 'gateway')
          expect([c, probe, p?.httpGet?.path]).toEqual([
            c,
            probe,
            expect.stringMatching(/^\/(healthz|readyz)$/),
          ]);
        else expect([c, probe, typeof p?.grpc?.port]).toEqual([c, probe, 'number']);
      }
      if (c === 'gateway') expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    }
  });

  it('spreads every component over nodes and zones', () => {
    for (const c of expected) {
      const spec = find(out.objects, 'Deployment', fullName(c))!.spec.template.spec;
      const keys = (spec.topologySpreadConstraints ?? []).map((t: { topologyKey: string }) => t.topologyKey);
      expect([c, keys.sort()]).toEqual([c, ['kubernetes.io/hostname', 'topology.kubernetes.io/zone']]);
    }
  });

  it('mounts no service account token', () => {
    for (const sa of out.objects.filter((o) => o.kind === 'ServiceAccount')) {
      expect([sa.metadata.name, sa.automountServiceAccountToken]).toEqual([sa.metadata.name, false]);
    }
  });

  it('lets only the gateway take traffic from outside; services take gRPC from the release only', () => {
    for (const c of expected) {
      const np = find(out.objects, 'NetworkPolicy', fullName(c))!;
      expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
      if (c === 'gateway') continue;
      for (const rule of np.spec.ingress) {
        expect(rule.from).toEqual([
          {
            podSelector: {
              matchLabels: { 'app.kubernetes.io/name': 'crm', 'app.kubernetes.io/instance': 'crm' },
            },
          },
        ]);
      }
    }
    const exposed = out.objects.filter((o) => o.kind === 'Ingress' || o.kind === 'HTTPRoute');
    const backends = exposed.flatMap((o) =>
      o.kind === 'Ingress'
        ? o.spec.rules.flatMap((r: K8sObject) => r.http.paths.map((p: K8sObject) => p.backend.service.name))
        : o.spec.rules.flatMap((r: K8sObject) => r.backendRefs.map((b: K8sObject) => b.name)),
    );
    expect(new Set(backends)).toEqual(new Set([fullName('gateway')]));
    for (const ing of out.objects.filter((o) => o.kind === 'Ingress')) expect(ing.spec.tls?.length).toBe(1);
    for (const svc of out.objects.filter((o) => o.kind === 'Service'))
      expect(svc.spec.type).toBe('ClusterIP');
  });

  it('has a pre-install/pre-upgrade provision Job per service and a helm test of /readyz', () => {
    for (const c of expected.filter((x) => x !== 'gateway')) {
      const job = find(out.objects, 'Job', `crm-provision-${c}`)!;
      expect(job.metadata.annotations['helm.sh/hook']).toBe('pre-install,pre-upgrade');
      expect(job.spec.template.spec.containers[0].args).toEqual(['dist/main.js', 'provision']);
      expect(job.spec.activeDeadlineSeconds).toBeGreaterThan(0);
    }
    const test = find(out.objects, 'Pod', 'crm-test')!;
    expect(test.metadata.annotations['helm.sh/hook']).toBe('test');
    expect(test.spec.containers[0].args.join(' ')).toContain(`http://${fullName('gateway')}:8080/readyz`);
  });

  it('validates against the Kubernetes OpenAPI schemas (offline, unknown fields refused)', () => {
    const r = validate(out.file);
    expect(r.stdout + r.stderr).toMatch(/\d+ objects, 0 problems/);
    expect(r.status).toBe(0);
  });

  it('has no kube-score findings (skipped checks are explained in test/kube-score.yaml)', () => {
    const r = kubeScore(name, out.file);
    const findings = r.stdout.split('\n').filter((l) => /^\[(WARNING|CRITICAL)\]/.test(l));
    expect(findings).toEqual([]);
    expect(r.status).toBe(0);
  });
});

describe('kube-score', () => {
  it('is live: without its documented exception the one-replica trial profile is flagged', () => {
    const { file } = render('minimal-unexcused', [path.join(CHART, 'values-minimal.yaml')]);
    const r = kubeScore('(no exception)', file);
    expect(r.stdout).toMatch(
      /^\[WARNING\] crm-gateway autoscaling\/v2\/HorizontalPodAutoscaler: HPA few replicas/m,
    );
    expect(r.status).not.toBe(0);
  });
});

describe('chart with every optional path on', () => {
  let objects: K8sObject[];
  beforeAll(() => {
    ({ objects } = render('all-features-details', ALL_FEATURES.files));
  });

  it('renders the HTTPRoute and the ServiceMonitor, and uses the digests and per-component repositories', () => {
    expect(find(objects, 'HTTPRoute', 'crm-gateway')!.spec.parentRefs[0].name).toBe('public');
    expect(find(objects, 'ServiceMonitor', 'crm-gateway')!.metadata.labels.release).toBe('prometheus');
    const image = (c: string) =>
      find(objects, 'Deployment', fullName(c))!.spec.template.spec.containers[0].image;
    expect(image('gateway')).toBe(
      'mirror.example.com/crm/gateway-custom@sha256:' + '0123456789abcdef'.repeat(4),
    );
    expect(image('lead')).toBe('registry.example.com/crm/lead@sha256:' + '0123456789abcdef'.repeat(4));
  });

  it('keeps /metrics off the public port: its own port, scraped there, not behind the Ingress', () => {
    const svc = find(objects, 'Service', 'crm-gateway')!;
    expect(svc.spec.ports.map((p: K8sObject) => [p.name, p.port])).toEqual([
      ['http', 8080],
      ['metrics', 9464],
    ]);
    expect(find(objects, 'ConfigMap', 'crm-gateway')!.data.METRICS_PORT).toBe('9464');
    expect(find(objects, 'ServiceMonitor', 'crm-gateway')!.spec.endpoints[0].port).toBe('metrics');
    const backends = JSON.stringify(find(objects, 'HTTPRoute', 'crm-gateway')!.spec.rules);
    expect(backends).toContain('8080');
    expect(backends).not.toContain('9464');
  });

  it('wires the OTLP endpoint into every component and takes secrets only by reference', () => {
    for (const c of ['gateway', 'lead']) {
      const cm = find(objects, 'ConfigMap', fullName(c))!;
      expect(cm.data.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://otel-collector.observability.svc:4318');
      expect(cm.data.OTEL_METRICS_EXPORTER).toBe('otlp');
      expect(cm.data.NATS_URL).toBeUndefined();
    }
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    const env = (c: string) =>
      Object.fromEntries(
        find(objects, 'Deployment', fullName(c))!.spec.template.spec.containers[0].env.map((e: K8sObject) => [
          e.name,
          e.valueFrom ? `${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}` : e.value,
        ]),
      );
    expect(env('lead')).toEqual({
      MONGODB_URI: 'crm-mongodb-lead/connection-string',
      NATS_URL: 'crm-nats/url',
      NATS_USER: 'lead',
      NATS_PASSWORD: 'crm-nats-users/lead-password',
      SERVICE_CLIENT_SECRET: 'crm-service-clients/lead',
    });
    // Only the service that signs customers' confirmation links gets their key.
    expect(env('service-ticket')).toMatchObject({
      CONFIRMATION_SECRET: 'crm-confirmation-link/signing-key',
    });
    expect(env('gateway')).toEqual({
      NATS_URL: 'crm-nats/url',
      NATS_USER: 'gateway',
      NATS_PASSWORD: 'crm-nats-users/gateway-password',
      KEYCLOAK_CLIENT_SECRET: 'crm-keycloak/client-secret',
      EXTRA_TOKEN: 'crm-extra/token',
    });
    expect(find(objects, 'ConfigMap', fullName('gateway'))!.data.LOG_LEVEL).toBe('debug');
    // Browsers sign in to the console at Keycloak's public address, not the in-cluster one.
    expect(find(objects, 'ConfigMap', fullName('gateway'))!.data.CONSOLE_KEYCLOAK_URL).toBe(
      'https://id.example.com',
    );
    // the provision hook creates the service's streams as that service's NATS user
    const job = find(objects, 'Job', 'crm-provision-lead')!.spec.template.spec.containers[0].env;
    expect(job).toEqual(
      expect.arrayContaining([
        { name: 'NATS_USER', value: 'lead' },
        {
          name: 'NATS_PASSWORD',
          valueFrom: { secretKeyRef: { name: 'crm-nats-users', key: 'lead-password' } },
        },
      ]),
    );
  });

  it('gives every service the realm to verify tokens against, and its reflection switch', () => {
    for (const c of ['gateway', 'lead']) {
      expect(find(objects, 'ConfigMap', fullName(c))!.data).toMatchObject({
        KEYCLOAK_REALM: 'crm',
        KEYCLOAK_AUDIENCE: 'crm-api',
      });
    }
    expect(find(objects, 'ConfigMap', fullName('lead'))!.data.GRPC_REFLECTION).toBe('false');
  });

  it('lets a service override a default with false (lead: no autoscaler, fixed replicas)', () => {
    expect(find(objects, 'HorizontalPodAutoscaler', fullName('lead'))).toBeUndefined();
    expect(find(objects, 'Deployment', fullName('lead'))!.spec.replicas).toBe(3);
    expect(find(objects, 'HorizontalPodAutoscaler', fullName('gateway'))).toBeDefined();
  });
});

describe('adding a service is a values entry', () => {
  it('renders everything for services.account from two values', () => {
    const { objects, file } = render(
      'with-account',
      [],
      ['services.account.grpcPort=50052', 'services.account.database=crm_account'],
    );
    for (const kind of [
      'Deployment',
      'Service',
      'HorizontalPodAutoscaler',
      'PodDisruptionBudget',
      'NetworkPolicy',
    ]) {
      expect([kind, find(objects, kind, 'crm-account') !== undefined]).toEqual([kind, true]);
    }
    expect(find(objects, 'Deployment', 'crm-account')!.spec.template.spec.containers[0].image).toBe(
      'registry.example.com/crm/account:0.1.0',
    );
    expect(find(objects, 'ConfigMap', 'crm-account')!.data).toMatchObject({
      GRPC_PORT: '50052',
      MONGODB_DB: 'crm_account',
    });
    expect(find(objects, 'ConfigMap', 'crm-gateway')!.data.ACCOUNT_GRPC_ADDR).toBe('crm-account:50052');
    expect(find(objects, 'Job', 'crm-provision-account')).toBeDefined();
    const gatewayEgress = find(objects, 'NetworkPolicy', 'crm-gateway')!.spec.egress.flatMap(
      (r: K8sObject) => r.ports?.map((p: K8sObject) => p.port) ?? [],
    );
    expect(gatewayEgress).toEqual(expect.arrayContaining([50051, 50052]));
    expect(validate(file).status).toBe(0);
  });
});

describe('deploy/kubernetes recipe', () => {
  const recipe = path.join(REPO, 'deploy', 'kubernetes');

  it('gives the chart values it accepts (over values-production.yaml)', () => {
    const files = [path.join(CHART, 'values-production.yaml'), path.join(recipe, 'crm-values.yaml')];
    const { file } = render('recipe', files);
    expect(validate(file).status).toBe(0);
  });

  it('has a MongoDB replica set chart that lints and renders three members', () => {
    const lint = helm(['lint', '--strict', path.join(recipe, 'mongodb')]);
    expect(lint.stdout).toContain('0 chart(s) failed');
    const r = helm(['template', 'mongodb', path.join(recipe, 'mongodb')]);
    expect(r.status).toBe(0);
    const rs = parse(r.stdout.split('---').find((d) => d.includes('MongoDBCommunity'))!) as K8sObject;
    expect(rs.spec).toMatchObject({ type: 'ReplicaSet', members: 3 });
  });
});

describe('values.schema.json refuses wrong values with a clear message', () => {
  const refused = (set: string[]) => {
    const r = helm(['template', 'crm', CHART, ...valuesArgs([], set)]);
    expect(r.status).not.toBe(0);
    return r.stderr;
  };

  it.each([
    [['services.lead.replicas=abc'], "at '/services/lead/replicas': got string, want integer"],
    [['services.lead.replica=3'], "at '/services/lead': additional properties 'replica' not allowed"],
    [['services.lead.grpcPort=70000'], "at '/services/lead/grpcPort': maximum: got 70,000, want 65,535"],
    [['services.Bad_Name.grpcPort=50099', 'services.Bad_Name.database=x'], "invalid propertyName 'Bad_Name'"],
    [['services.billing.grpcPort=50099'], "at '/services/billing': missing property 'database'"],
    [['image.tag=latest'], "at '/image/tag'"],
    [['logLevel=verbose'], "at '/logLevel': value must be one of"],
    [
      ['containerSecurityContext.readOnlyRootFilesystem=false'],
      "at '/containerSecurityContext/readOnlyRootFilesystem'",
    ],
    [['mongodb.existingSecret='], "at '/mongodb/existingSecret': minLength"],
    [['gateway.autoscaling.enabled=yes'], "at '/gateway/autoscaling/enabled': got string, want boolean"],
    [['nats.url=localhost:4222'], "at '/nats/url': 'localhost:4222' does not match pattern"],
  ])('--set %j fails with %s', (set, message) => {
    expect(refused(set)).toContain(message);
  });
});

describe('Dockerfile', () => {
  const dockerfile = path.join(REPO, 'Dockerfile');
  const text = fs.readFileSync(dockerfile, 'utf8');
  const lines = text.split('\n');
  const froms = lines.filter((l) => /^FROM\s/i.test(l));

  it('passes the Dockerfile linter (dockerfile-utils, the engine of the VS Code Docker extension)', () => {
    const bin = path.join(REPO, 'node_modules', 'dockerfile-utils', 'bin', 'dockerfile-utils');
    if (!fs.existsSync(bin)) throw new Error(`dockerfile-utils not found at ${bin}: run npm install`);
    const r = run(process.execPath, [bin, 'lint', dockerfile]);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('is multi-stage, from configurable base images, non-root, without HEALTHCHECK, with OCI labels', () => {
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const f of froms) expect(f).toMatch(/^FROM \$\{[A-Z_]+\}/);
    expect(text).toMatch(/^ARG BUILD_IMAGE=/m);
    expect(text).toMatch(/^ARG RUNTIME_IMAGE=/m);
    expect(text).not.toMatch(/^HEALTHCHECK/m);
    expect(text).not.toMatch(/:latest\b/);
    const lastStage = text.slice(text.lastIndexOf('\nFROM '));
    expect(lastStage).toMatch(/^USER 65532:65532$/m);
    expect(lastStage).toMatch(/--omit=dev|COPY --from=build \/out/);
    expect(text).toMatch(/npm install --omit=dev/);
    for (const label of ['title', 'version', 'revision', 'created', 'source', 'licenses']) {
      expect(lastStage).toContain(`org.opencontainers.image.${label}=`);
    }
    expect(fs.existsSync(path.join(REPO, '.dockerignore'))).toBe(true);
  });
});
