/* eslint-disable @typescript-eslint/no-explicit-any -- rendered manifests and values are free-form YAML */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

export const CHART = path.resolve(__dirname, '..');
export const REPO = path.resolve(CHART, '..', '..');
// CRM_CACHE_DIR: the shared cache a worktree points at (deploy/local/lib.sh reads it too).
export const CACHE_DIR = process.env.CRM_CACHE_DIR ?? path.join(REPO, '.cache');
export const TOOLS_BIN = path.join(CACHE_DIR, 'tools', 'bin');
// Per checkout: rendered files and the install tests' control plane, never shared between worktrees.
export const WORK_DIR = path.join(REPO, '.cache', 'chart-check');

/** A pinned tool from deploy/local/install-chart-tools.sh; a missing one fails the test, never skips it. */
export function tool(name: string): string {
  const bin = path.join(TOOLS_BIN, name);
  if (!fs.existsSync(bin)) {
    throw new Error(
      `${name} not found at ${bin}. Install the chart tools with: bash deploy/local/install-chart-tools.sh ` +
        '(npm test does it through deploy/local/install-infra.sh)',
    );
  }
  return bin;
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], cwd = REPO): Run {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export const helm = (args: string[]): Run => run(tool('helm'), args);

/** The profiles every check runs on: values.yaml alone, then each values-<name>.yaml over it. */
export const PROFILES: { name: string; files: string[] }[] = [
  { name: 'default', files: [] },
  ...fs
    .readdirSync(CHART)
    .filter((f) => /^values-.+\.yaml$/.test(f))
    .sort()
    .map((f) => ({ name: f.replace(/^values-|\.yaml$/g, ''), files: [path.join(CHART, f)] })),
];

/** The test fixture with every optional path on (HTTPRoute, ServiceMonitor, OTLP, digests, secrets). */
export const ALL_FEATURES = {
  name: 'all-features',
  files: [path.join(CHART, 'test', 'values-all-features.yaml')],
};

export const valuesArgs = (files: string[], sets: string[] = []): string[] => [
  ...files.flatMap((f) => ['-f', f]),
  ...sets.flatMap((s) => ['--set', s]),
];

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; [k: string]: any };
  [k: string]: any;
};

export interface Rendered {
  text: string;
  file: string;
  objects: K8sObject[];
}

/** helm template of the chart with these values files and --set pairs; throws with helm's message on failure. */
export function render(name: string, files: string[], sets: string[] = []): Rendered {
  const r = helm(['template', 'crm', CHART, '--namespace', 'crm', ...valuesArgs(files, sets)]);
  if (r.status !== 0) throw new Error(`helm template (${name}) failed:\n${r.stderr}${r.stdout}`);
  const objects = parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o != null);
  fs.mkdirSync(WORK_DIR, { recursive: true });
  const file = path.join(WORK_DIR, `${name}.yaml`);
  fs.writeFileSync(file, r.stdout);
  return { text: r.stdout, file, objects };
}

/** The components the values enable: the gateway and every enabled entry of `services`. */
export function components(files: string[]): string[] {
  const layers = [path.join(CHART, 'values.yaml'), ...files].map(
    (f) => parse(fs.readFileSync(f, 'utf8')) as any,
  );
  const services = new Map<string, boolean>();
  for (const v of layers) {
    for (const [name, s] of Object.entries(v.services ?? {})) {
      services.set(name, (s as { enabled?: boolean }).enabled ?? services.get(name) ?? true);
    }
  }
  return ['gateway', ...[...services].filter(([, on]) => on).map(([n]) => n)];
}

export const find = (objects: K8sObject[], kind: string, name: string): K8sObject | undefined =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);

/** Every pod spec in the objects (Deployments, Jobs, Pods) with a label for messages. */
export function podSpecs(objects: K8sObject[]): { where: string; spec: K8sObject['spec'] }[] {
  const out: { where: string; spec: K8sObject['spec'] }[] = [];
  for (const o of objects) {
    const where = `${o.kind}/${o.metadata.name}`;
    if (o.kind === 'Pod') out.push({ where, spec: o.spec });
    else if (o.spec?.template?.spec) out.push({ where, spec: o.spec.template.spec });
  }
  return out;
}
