/* eslint-disable @typescript-eslint/no-explicit-any -- API objects are free-form JSON */
// The chart against a real kube-apiserver (etcd + kube-apiserver + kube-controller-manager on
// loopback, deploy/local/kube-cluster.sh): what only the API server decides (Pod Security
// "restricted" on real Pods, defaulting, references, CRDs, Helm's hook flow). There is no kubelet
// and no scheduler: workload Pods stay Pending, and the Pods of hook Jobs and `helm test` are marked
// finished by standInForKubelet (kube.ts).
import fs from 'node:fs';
import path from 'node:path';
import {
  ALL_FEATURES,
  CHART,
  PROFILES,
  WORK_DIR,
  components,
  render,
  run,
  tool,
  valuesArgs,
  type Run,
} from './support';
import {
  CRDS_DIR,
  KubeApi,
  runAsync,
  standInForKubelet,
  startCluster,
  stopCluster,
  waitFor,
  type Cluster,
  type PodOutcome,
} from './kube';

const RELEASE = 'crm';
// Helm's default --timeout; the provision Job must give up before Helm does.
const HELM_DEFAULT_TIMEOUT_S = 300;

let cluster: Cluster;
let api: KubeApi;

beforeAll(() => {
  cluster = startCluster(path.join(WORK_DIR, `kube-${process.pid}`));
  api = new KubeApi(cluster);
}, 180_000);

afterAll(() => {
  api?.close();
  if (cluster) stopCluster(cluster.dir);
});

const env = () => ({ KUBECONFIG: cluster.kubeconfig });
const helm = (args: string[]) => runAsync(tool('helm'), args, env());
const kubectl = (args: string[]) => run(tool('kubectl'), ['--kubeconfig', cluster.kubeconfig, ...args]);

/** helm with the kubelet stand-in finishing hook and test Pods with `outcome`. */
const helmWithPods = (ns: string, outcome: PodOutcome, args: string[]) =>
  standInForKubelet(api, ns, outcome, helm(args));

const ok = (r: Run, what: string) => {
  if (r.status !== 0) throw new Error(`${what} failed (${r.status}):\n${r.stderr}${r.stdout}`);
  return r;
};

/**
 * Warnings the API server sent back (Pod Security "would violate", deprecations), as Helm prints them:
 * klog W lines or "Warning:". klog I lines are not warnings: when `--wait` ends, client-go may log at
 * info level that its watch "ended with error ... context canceled" (Helm cancelled it), by timing.
 */
const warnings = (r: Run) =>
  r.stderr
    .split('\n')
    .filter((l) => !/^I\d{4} /.test(l))
    .filter((l) => /warning|PodSecurity|violate/i.test(l));

/** A namespace that enforces, audits and warns Pod Security "restricted", like a hardened cluster. */
async function restrictedNamespace(name: string) {
  const level = 'restricted';
  await api.create('/api/v1/namespaces', {
    metadata: {
      name,
      labels: {
        'pod-security.kubernetes.io/enforce': level,
        'pod-security.kubernetes.io/warn': level,
        'pod-security.kubernetes.io/audit': level,
      },
    },
  });
  // The controllers give it its default ServiceAccount (Pods are refused before that) and the
  // kube-root-ca.crt ConfigMap (the chart's Secrets check looks for it).
  for (const object of ['serviceaccounts/default', 'configmaps/kube-root-ca.crt']) {
    await waitFor(`${object} in ${name}`, 30_000, async () =>
      (await api.request('GET', `/api/v1/namespaces/${name}/${object}`)).status === 200 ? true : undefined,
    );
  }
}

const FIXTURE_LABEL = { 'crm.test/fixture': 'true' };

/** Creates every Secret the rendered chart references (by name and key): the operator's part. */
async function createReferencedSecrets(ns: string, files: string[]) {
  const secrets = new Map<string, Set<string>>();
  const pullSecrets = new Set<string>();
  const add = (name: string, key: string) => secrets.set(name, (secrets.get(name) ?? new Set()).add(key));
  const walk = (v: any): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      if (v.secretKeyRef) add(v.secretKeyRef.name, v.secretKeyRef.key);
      if (Array.isArray(v.imagePullSecrets))
        v.imagePullSecrets.forEach((s: { name: string }) => pullSecrets.add(s.name));
      Object.values(v).forEach(walk);
    }
  };
  walk(render(`install-${ns}`, files).objects);
  for (const name of pullSecrets) {
    await api.create(`/api/v1/namespaces/${ns}/secrets`, {
      metadata: { name, labels: FIXTURE_LABEL },
      type: 'kubernetes.io/dockerconfigjson',
      stringData: { '.dockerconfigjson': '{"auths":{}}' },
    });
  }
  for (const [name, keys] of secrets) {
    await api.create(`/api/v1/namespaces/${ns}/secrets`, {
      metadata: { name, labels: FIXTURE_LABEL },
      stringData: Object.fromEntries([...keys].map((k) => [k, 'test-value'])),
    });
  }
}

/**
 * Waits until every Deployment's ReplicaSet has created all its Pods (after an upgrade: the first
 * Pod of the rollout, which never gets ready here); fails at once with the controller's message
 * when Pods are refused (Pod Security, a missing PriorityClass, quota).
 */
async function expectPodsCreated(ns: string, after: 'install' | 'upgrade' = 'install') {
  return waitFor(`the Pods of every Deployment in ${ns}`, 90_000, async () => {
    const deployments = await api.list(`/apis/apps/v1/namespaces/${ns}/deployments`);
    for (const d of deployments) {
      const failure = (d.status?.conditions ?? []).find(
        (c: any) => c.type === 'ReplicaFailure' && c.status === 'True',
      );
      if (failure) throw new Error(`Deployment ${d.metadata.name}: ${failure.reason}: ${failure.message}`);
    }
    for (const rs of await api.list(`/apis/apps/v1/namespaces/${ns}/replicasets`)) {
      const failure = (rs.status?.conditions ?? []).find((c: any) => c.type === 'ReplicaFailure');
      if (failure) throw new Error(`ReplicaSet ${rs.metadata.name}: ${failure.reason}: ${failure.message}`);
    }
    const done = deployments.every(
      (d) =>
        d.status?.observedGeneration === d.metadata.generation &&
        d.spec.replicas > 0 &&
        (after === 'install'
          ? d.status?.replicas === d.spec.replicas
          : (d.status?.updatedReplicas ?? 0) >= 1),
    );
    return deployments.length > 0 && done ? deployments : undefined;
  });
}

/** Everything left in the namespace but what the namespace and the test brought themselves. */
function leftovers(ns: string): string[] {
  const kinds = ok(
    kubectl(['api-resources', '--verbs=list', '--namespaced', '-o', 'name']),
    'kubectl api-resources',
  )
    .stdout.split('\n')
    .filter((k) => k && !/^events(\.|$)/.test(k));
  const names = ok(
    kubectl(['get', kinds.join(','), '-n', ns, '-o', 'name', '--ignore-not-found']),
    'kubectl get',
  )
    .stdout.split('\n')
    .filter(Boolean);
  const fixtures = ok(
    kubectl(['get', 'secrets', '-n', ns, '-l', 'crm.test/fixture', '-o', 'name']),
    'kubectl get',
  )
    .stdout.split('\n')
    .filter(Boolean);
  const own = new Set([...fixtures, 'serviceaccount/default', 'configmap/kube-root-ca.crt']);
  return names.filter((n) => !own.has(n));
}

/** Cluster-scoped objects of the release (PriorityClasses). */
async function clusterLeftovers(): Promise<string[]> {
  const selector = encodeURIComponent(`app.kubernetes.io/instance=${RELEASE}`);
  const pcs = await api.list(`/apis/scheduling.k8s.io/v1/priorityclasses?labelSelector=${selector}`);
  return pcs.map((p) => `priorityclass/${p.metadata.name}`);
}

/** Uninstalls and waits for the garbage collector to remove the Pods and ReplicaSets. */
async function uninstall(ns: string) {
  ok(await helm(['uninstall', RELEASE, '-n', ns, '--wait', '--timeout', '60s']), 'helm uninstall');
  return waitFor(`an empty ${ns}`, 60_000, async () => {
    const left = [...leftovers(ns), ...(await clusterLeftovers())];
    return left.length === 0 ? left : undefined;
  }).catch(() => [...leftovers(ns)]);
}

const configMapValue = async (ns: string, component: string, key: string) =>
  (await api.get(`/api/v1/namespaces/${ns}/configmaps/${RELEASE}-${component}`)).data[key];

beforeAll(() => {
  // The all-features values render an HTTPRoute and a ServiceMonitor: their upstream CRDs first.
  for (const f of fs.readdirSync(CRDS_DIR).filter((f) => f.endsWith('.yaml'))) {
    ok(kubectl(['apply', '--server-side', '-f', path.join(CRDS_DIR, f)]), `applying the CRD ${f}`);
  }
  ok(
    kubectl(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s']),
    'waiting for the CRDs',
  );
}, 120_000);

describe('the API server the install tests use', () => {
  it('enforces Pod Security "restricted" in the test namespaces: a root Pod is refused', async () => {
    await restrictedNamespace('crm-control');
    const r = await api.request('POST', '/api/v1/namespaces/crm-control/pods', {
      metadata: { name: 'root' },
      spec: { containers: [{ name: 'c', image: 'registry.example.com/root:1' }] },
    });
    expect(r.status).toBe(403);
    expect(r.body.message).toMatch(/violates PodSecurity "restricted/);
  });

  it('reports the pinned Kubernetes version the chart requires', async () => {
    expect((await api.get('/version')).gitVersion).toBe('v1.34.4');
  });
});

describe.each([...PROFILES, ALL_FEATURES])('helm install of the $name values', ({ name, files }) => {
  const ns = `crm-${name}`;
  const values = valuesArgs(files);
  const expected = components(files);

  beforeAll(async () => {
    await restrictedNamespace(ns);
    await createReferencedSecrets(ns, files);
  }, 60_000);

  it('installs under Pod Security "restricted" with no warning, its hooks finishing', async () => {
    const r = await helmWithPods(ns, 'Succeeded', [
      'install',
      RELEASE,
      CHART,
      '-n',
      ns,
      ...values,
      '--timeout',
      '120s',
    ]);
    ok(r, 'helm install');
    expect(warnings(r)).toEqual([]);
    const release = JSON.parse(
      ok(await helm(['status', RELEASE, '-n', ns, '-o', 'json']), 'helm status').stdout,
    );
    expect(release.info.status).toBe('deployed');
  }, 180_000);

  it('gets every component its Pods admitted (no Pod Security refusal, no missing PriorityClass)', async () => {
    const deployments = await expectPodsCreated(ns);
    expect(deployments.map((d: any) => d.metadata.name).sort()).toEqual(
      expected.map((c) => `${RELEASE}-${c}`).sort(),
    );
  }, 120_000);

  it('keeps the replica count the autoscaler set across an upgrade with a changed value', async () => {
    // As the HPA would on load: scale the gateway through its scale subresource.
    const scale = `/apis/apps/v1/namespaces/${ns}/deployments/${RELEASE}-gateway/scale`;
    const patched = await api.request(
      'PATCH',
      scale,
      { spec: { replicas: 5 } },
      'application/merge-patch+json',
    );
    expect(patched.status).toBe(200);
    const r = await helmWithPods(ns, 'Succeeded', [
      'upgrade',
      RELEASE,
      CHART,
      '-n',
      ns,
      ...values,
      '--set',
      'logLevel=debug',
      '--timeout',
      '120s',
    ]);
    ok(r, 'helm upgrade');
    expect(warnings(r)).toEqual([]);
    expect(await configMapValue(ns, 'lead', 'LOG_LEVEL')).toBe('debug');
    expect((await api.get(scale)).spec.replicas).toBe(5);
    await expectPodsCreated(ns, 'upgrade');
  }, 180_000);

  it('rolls back to the first revision', async () => {
    ok(
      await helmWithPods(ns, 'Succeeded', ['rollback', RELEASE, '1', '-n', ns, '--timeout', '120s']),
      'helm rollback',
    );
    expect(await configMapValue(ns, 'lead', 'LOG_LEVEL')).toBe('info');
    const history = JSON.parse(
      ok(await helm(['history', RELEASE, '-n', ns, '-o', 'json']), 'helm history').stdout,
    );
    expect(history.map((h: any) => h.status)).toEqual(['superseded', 'superseded', 'deployed']);
  }, 180_000);

  it('passes helm test when the test Pod succeeds, and fails it when the Pod fails', async () => {
    ok(await helmWithPods(ns, 'Succeeded', ['test', RELEASE, '-n', ns, '--timeout', '60s']), 'helm test');
    const failed = await helmWithPods(ns, 'Failed', ['test', RELEASE, '-n', ns, '--timeout', '60s']);
    expect(failed.status).not.toBe(0);
    expect(failed.stderr).toMatch(/test-readyz|failed/i);
  }, 150_000);

  it('leaves nothing behind after helm uninstall, hook and test objects included', async () => {
    expect(await uninstall(ns)).toEqual([]);
  }, 120_000);
});

describe('hook clean-up when Helm times out a hook', () => {
  const ns = 'crm-hook-timeout';

  beforeAll(async () => {
    await restrictedNamespace(ns);
    await createReferencedSecrets(ns, []);
  }, 60_000);

  it("gives the provision Job a deadline shorter than Helm's default --timeout", () => {
    const jobs = render('hook-timeout', []).objects.filter((o) => o.kind === 'Job');
    expect(jobs.length).toBeGreaterThan(0);
    for (const j of jobs) expect(j.spec.activeDeadlineSeconds).toBeLessThan(HELM_DEFAULT_TIMEOUT_S);
  });

  it('leaves no provision Job behind without its ServiceAccount, and nothing after uninstall', async () => {
    // No kubelet stand-in: the provision Pods never finish and Helm gives up on the hook.
    const r = await helm(['install', RELEASE, CHART, '-n', ns, '--timeout', '15s']);
    expect(r.status).not.toBe(0);
    const jobs = await api.list(`/apis/batch/v1/namespaces/${ns}/jobs`);
    for (const job of jobs) {
      const sa = job.spec.template.spec.serviceAccountName;
      const found = await api.request('GET', `/api/v1/namespaces/${ns}/serviceaccounts/${sa}`);
      expect({ job: job.metadata.name, serviceAccount: sa, status: found.status }).toEqual({
        job: job.metadata.name,
        serviceAccount: sa,
        status: 200,
      });
    }
    // A second attempt goes through once the Pods finish.
    ok(
      await helmWithPods(ns, 'Succeeded', [
        'upgrade',
        '--install',
        RELEASE,
        CHART,
        '-n',
        ns,
        '--timeout',
        '120s',
      ]),
      'helm upgrade --install after the timeout',
    );
    expect(await uninstall(ns)).toEqual([]);
  }, 240_000);
});

describe('required secrets', () => {
  it('fails before creating anything when a Secret the Pods read does not exist, naming each', async () => {
    const ns = 'crm-no-secret';
    await restrictedNamespace(ns);
    const r = await helmWithPods(ns, 'Succeeded', ['install', RELEASE, CHART, '-n', ns, '--timeout', '60s']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/missing in namespace crm-no-secret/);
    expect(r.stderr).toContain('Secret crm-mongodb (keys: uri)');
    expect(r.stderr).toContain('Secret crm-service-clients');
    expect(leftovers(ns)).toEqual([]);
  }, 90_000);
});
