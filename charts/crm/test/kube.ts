/* eslint-disable @typescript-eslint/no-explicit-any -- API objects are free-form JSON */
// A real kube-apiserver for the install tests (deploy/local/kube-cluster.sh), a small client of its
// REST API, and the stand-in for the kubelet this control plane does not have.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { parse } from 'yaml';
import { REPO, TOOLS_BIN, run, tool, type Run } from './support';

const CLUSTER_SCRIPT = path.join(REPO, 'deploy', 'local', 'kube-cluster.sh');
export const CRDS_DIR = path.join(path.dirname(TOOLS_BIN), 'crds');

export interface Cluster {
  dir: string;
  kubeconfig: string;
  server: string;
  token: string;
}

/** Starts etcd, kube-apiserver and kube-controller-manager on loopback; throws with their log tails. */
export function startCluster(dir: string): Cluster {
  for (const b of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kubectl']) tool(b);
  const r = run('bash', [CLUSTER_SCRIPT, 'start', dir]);
  if (r.status !== 0) throw new Error(`the kube control plane did not start:\n${r.stderr}${r.stdout}`);
  const kubeconfig = path.join(dir, 'kubeconfig');
  const cfg = parse(fs.readFileSync(kubeconfig, 'utf8')) as any;
  return { dir, kubeconfig, server: cfg.clusters[0].cluster.server, token: cfg.users[0].user.token };
}

export function stopCluster(dir: string): void {
  run('bash', [CLUSTER_SCRIPT, 'stop', dir]);
}

/** Runs a command without blocking the event loop, so the kubelet stand-in can act meanwhile. */
export function runAsync(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: REPO, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

export interface ApiResponse {
  status: number;
  body: any;
}

export class KubeApi {
  // The apiserver's certificate is self-signed for this run and it listens on loopback only.
  private readonly agent = new https.Agent({ rejectUnauthorized: false, keepAlive: true });

  constructor(private readonly cluster: Cluster) {}

  request(
    method: string,
    apiPath: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<ApiResponse> {
    const url = new URL(apiPath, this.cluster.server);
    const data = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        {
          method,
          agent: this.agent,
          headers: {
            authorization: `Bearer ${this.cluster.token}`,
            accept: 'application/json',
            ...(data ? { 'content-type': contentType } : {}),
          },
        },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => {
            let parsed: any = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              /* not JSON: keep the text */
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on('error', reject);
      req.end(data);
    });
  }

  async get(apiPath: string): Promise<any> {
    const r = await this.request('GET', apiPath);
    if (r.status !== 200) throw new Error(`GET ${apiPath}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  async list(apiPath: string): Promise<any[]> {
    return ((await this.get(apiPath)).items ?? []) as any[];
  }

  /** Creates the object, or fails with the API's message. */
  async create(apiPath: string, obj: unknown): Promise<any> {
    const r = await this.request('POST', apiPath, obj);
    if (r.status !== 201) throw new Error(`POST ${apiPath}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  close(): void {
    this.agent.destroy();
  }
}

export type PodOutcome = 'Succeeded' | 'Failed';

/**
 * Stands in for the kubelet: there is none, so the Pods of the chart's hook Jobs (provision) and
 * of `helm test` would stay Pending forever. While `work` runs, every Pending Pod of those
 * components in the namespace is marked finished with `outcome` through the Pod status API, as a
 * kubelet reports a container that exited. The Job controller and Helm then see a finished Pod.
 */
export async function standInForKubelet<T>(
  api: KubeApi,
  namespace: string,
  outcome: PodOutcome,
  work: Promise<T>,
): Promise<T> {
  let done = false;
  const finished = work.finally(() => {
    done = true;
  });
  const selector = encodeURIComponent('app.kubernetes.io/component in (provision,test)');
  while (!done) {
    const pods = await api.list(`/api/v1/namespaces/${namespace}/pods?labelSelector=${selector}`);
    for (const pod of pods) {
      if (pod.status?.phase !== 'Pending' || pod.metadata.deletionTimestamp) continue;
      const now = new Date().toISOString();
      await api.request(
        'PATCH',
        `/api/v1/namespaces/${namespace}/pods/${pod.metadata.name}/status`,
        {
          status: {
            phase: outcome,
            startTime: now,
            containerStatuses: pod.spec.containers.map((c: any) => ({
              name: c.name,
              image: c.image,
              imageID: '',
              ready: false,
              restartCount: 0,
              state: {
                terminated: {
                  exitCode: outcome === 'Succeeded' ? 0 : 1,
                  reason: outcome === 'Succeeded' ? 'Completed' : 'Error',
                  startedAt: now,
                  finishedAt: now,
                },
              },
            })),
          },
        },
        'application/merge-patch+json',
      );
    }
    await Promise.race([finished.catch(() => undefined), new Promise((r) => setTimeout(r, 300))]);
  }
  return finished;
}

/** Polls `check` until it returns a value (not undefined) or the time is up. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
