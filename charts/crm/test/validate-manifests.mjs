#!/usr/bin/env node
// Offline validation of rendered Kubernetes manifests against the API's OpenAPI schemas, as packaged
// by the npm kubernetes-models packages (no cluster, no download):
//   1. each object is checked by its model's JSON-schema validator (types, required fields, enums);
//   2. those validators let unknown fields through (a typo such as `readinesProbe` would be silently
//      dropped by the API server), so every object is also type-checked by tsc against the same
//      packages' TypeScript interfaces, whose excess-property check rejects any unknown field.
//
//   node charts/crm/test/validate-manifests.mjs rendered.yaml [more.yaml ...]
//   helm template crm charts/crm | node charts/crm/test/validate-manifests.mjs -
//
// Prints one line per problem and a summary; exits 1 when anything is invalid.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..', '..');
const require = createRequire(import.meta.url);

// apiVersion group -> the package holding its models. Core and built-in groups: kubernetes-models.
const CRD_PACKAGES = {
  'gateway.networking.k8s.io': '@kubernetes-models/gateway-api',
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
};

/** The module specifier of one kind's model, e.g. kubernetes-models/apps/v1/Deployment. */
function modelModule(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const pkg = CRD_PACKAGES[group] ?? 'kubernetes-models';
  return group ? `${pkg}/${group}/${version}/${kind}` : `${pkg}/${version}/${kind}`;
}

function readInputs(files) {
  const objects = [];
  for (const file of files) {
    const text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length) throw new Error(`${file}: YAML error: ${doc.errors[0].message}`);
      const value = doc.toJS();
      if (value == null) continue;
      objects.push({ file, value });
    }
  }
  return objects;
}

const label = (o) => `${o.value.apiVersion}/${o.value.kind} ${o.value.metadata?.name ?? '(no name)'}`;

/** Step 1: the models' JSON-schema validators. */
async function validateSchemas(objects) {
  const problems = [];
  for (const o of objects) {
    const { apiVersion, kind } = o.value;
    if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
      problems.push(`${o.file}: an object without apiVersion/kind`);
      continue;
    }
    let Model;
    try {
      Model = (await import(modelModule(apiVersion, kind)))[kind];
    } catch {
      problems.push(`${label(o)}: no schema for this kind (unknown apiVersion or kind)`);
      continue;
    }
    try {
      new Model(o.value).validate();
    } catch (err) {
      problems.push(`${label(o)}: ${err.message}`);
    }
  }
  return problems;
}

/** Step 2: unknown fields, by tsc's excess-property check against the models' interfaces. */
function checkUnknownFields(objects) {
  const dir = path.join(repoRoot, '.cache', 'chart-check');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `manifests-${process.pid}.mts`);
  const lines = [];
  const owner = []; // line number (1-based) -> object index
  objects.forEach((o, i) => {
    const { apiVersion, kind } = o.value;
    lines.push(`import type { I${kind} as T${i} } from '${modelModule(apiVersion, kind)}';`);
    owner.push(i);
  });
  objects.forEach((o, i) => {
    const body = JSON.stringify(o.value, null, 2).split('\n');
    body[0] = `export const o${i}: T${i} = ${body[0]}`;
    body[body.length - 1] += ';';
    for (const l of body) {
      lines.push(l);
      owner.push(i);
    }
  });
  writeFileSync(file, lines.join('\n') + '\n');
  const tsc = require.resolve('typescript/bin/tsc');
  const args = [tsc, '--noEmit', '--strict', '--skipLibCheck', '--target', 'es2022'];
  args.push('--module', 'nodenext', '--moduleResolution', 'nodenext', '--types', 'node', file);
  const run = spawnSync(process.execPath, args, { encoding: 'utf8', cwd: repoRoot });
  rmSync(file, { force: true });
  if (run.status === 0) return [];
  const problems = [];
  const re = /\.mts\((\d+),\d+\): error TS\d+: (.*)$/;
  for (const line of (run.stdout + run.stderr).split('\n')) {
    const m = re.exec(line);
    if (!m) continue;
    const o = objects[owner[Number(m[1]) - 1]];
    problems.push(`${o ? label(o) : '?'}: ${m[2]}`);
  }
  if (!problems.length) problems.push(`tsc failed: ${(run.stdout + run.stderr).trim().slice(0, 2000)}`);
  return problems;
}

export async function validateManifests(files) {
  const objects = readInputs(files);
  const schemaProblems = await validateSchemas(objects);
  // Kinds without a model already failed step 1; tsc could not resolve their types either.
  const known = objects.filter((o) => !schemaProblems.some((p) => p.startsWith(`${label(o)}: no schema`)));
  return { count: objects.length, problems: [...schemaProblems, ...checkUnknownFields(known)] };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const files = process.argv.slice(2);
  if (!files.length) {
    console.error('usage: validate-manifests.mjs FILE.yaml|- [...]');
    process.exit(2);
  }
  const { count, problems } = await validateManifests(files);
  for (const p of problems) console.log(p);
  console.log(`${count} objects, ${problems.length} problems`);
  process.exit(problems.length ? 1 : 0);
}
