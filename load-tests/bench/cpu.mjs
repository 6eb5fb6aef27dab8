// CPU milliseconds per create+get of a lead, for each process of a local stack (gateway, lead service,
// FerretDB, PostgreSQL with its backends, NATS, Keycloak), the outbox relay's work for those leads
// included: the same database work done directly by this process (as bench.mjs does), then through
// gRPC alone, then through the gateway (the full path bench.mjs times).
// Unlike ops/s this does not depend on what else the machine is running, so two builds can be
// compared on a busy machine. Linux (/proc), against a stack `npm start` started:
//   node load-tests/bench/cpu.mjs     (STACK_DIR: .local/dev; N: 300; addresses as bench.mjs reads them)
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { randomUUID } from 'node:crypto';

const require = createRequire(import.meta.url);
const mongoose = require('mongoose');
const { createChannel, createClient, Metadata } = require('nice-grpc');
const { lead: pb } = require('@crm/proto');

const STACK = resolve(process.env.STACK_DIR ?? '.local/dev');
const N = Number(process.env.N ?? 300);
// Untimed calls first, so the JIT compiler's work and first-use caches are not counted.
const WARMUP = Number(process.env.WARMUP ?? 100);
const GATEWAY = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080';
const KEYCLOAK = process.env.KEYCLOAK_URL ?? 'http://127.0.0.1:8180';
const pidOf = (name) => Number(readFileSync(`${STACK}/pids/${name}.pid`, 'utf8'));
const statOf = (pid) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
/** utime + stime in clock ticks (100 per second on Linux); 0 once the process is gone. */
const ticks = (pid) => {
  try {
    const f = statOf(pid);
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
};
const childrenOf = (ppid) =>
  readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return statOf(d)[1] === String(ppid);
      } catch {
        return false;
      }
    });
const names = ['gateway', 'lead', 'ferretdb', 'nats', 'keycloak'];
const procs = Object.fromEntries(names.map((n) => [n, pidOf(n)]));
const postgres = pidOf('postgres');
// PostgreSQL works in one backend process per connection: the postmaster's children count too.
const snapshot = () => ({
  // this process: the client side of every call
  client: (({ user, system }) => (user + system) / 10_000)(process.cpuUsage()),
  ...Object.fromEntries(Object.entries(procs).map(([k, pid]) => [k, ticks(pid)])),
  postgres: [postgres, ...childrenOf(postgres)].reduce((s, p) => s + ticks(p), 0),
});

const grpc = createClient(
  pb.LeadServiceDefinition,
  createChannel(process.env.LEAD_GRPC_ADDR ?? '127.0.0.1:50051'),
);
const grant = await fetch(`${KEYCLOAK}/realms/crm/protocol/openid-connect/token`, {
  method: 'POST',
  body: new URLSearchParams({
    grant_type: 'password',
    client_id: 'crm-cli',
    username: 'manager',
    password: 'crm-demo',
  }),
});
if (!grant.ok) throw new Error(`token: ${grant.status} ${await grant.text()}`);
const bearer = `Bearer ${(await grant.json()).access_token}`;
// The service verifies this realm token on every call, as it does for the gateway's calls.
const metadata = Metadata({ authorization: bearer });
const headers = { authorization: bearer, 'content-type': 'application/json' };
const run = Math.random().toString(36).slice(2, 8);
// Every lead unique on its dedupe keys (email, company + name), so none is refused as a duplicate.
let seq = 0;
const body = (i = seq++) => ({
  firstName: `Cpu${run}`,
  lastName: `Lead ${i}`,
  email: `bench-${run}-${i}@bench.example`,
  company: `Bench ${run} ${i}`,
  region: 'east',
  industry: 'energy',
  source: 'bench',
});

// The direct path writes to a database of its own, first filled to as many leads as the service has:
// FerretDB scans the whole collection for every query, so sizes must match (see bench.mjs).
const db = await mongoose
  .createConnection(process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017', { dbName: 'crm_bench_cpu' })
  .asPromise();
const raw = db.collection('leads');
const serviceLeads = await db
  .useDb(process.env.LEAD_DB ?? 'crm_lead')
  .collection('leads')
  .countDocuments({});
for (let n = 0; n < serviceLeads; n += 1000) {
  const batch = Array.from({ length: Math.min(1000, serviceLeads - n) }, () => ({
    _id: randomUUID(),
    ...body(),
  }));
  await raw.insertMany(batch, { ordered: false });
}

const paths = {
  'direct database': async () => {
    const _id = randomUUID();
    const b = body();
    await raw.insertOne({
      _id,
      version: 1,
      ...b,
      dedupeKeys: [`email:${b.email}`],
      outbox: [{ id: randomUUID(), subject: 'x', data: Buffer.alloc(300) }],
    });
    await raw.findOne({ _id });
  },
  'gRPC only': async () => {
    const lead = await grpc.createLead({ lead: body() }, { metadata });
    await grpc.getLead({ id: lead.id }, { metadata });
  },
  'full path': async () => {
    const res = await fetch(`${GATEWAY}/api/v1/leads`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body()),
    });
    if (res.status !== 201) throw new Error(`create: ${res.status} ${await res.text()}`);
    const got = await fetch(`${GATEWAY}/api/v1/leads/${(await res.json()).id}`, { headers });
    if (got.status !== 200) throw new Error(`get: ${got.status}`);
    await got.arrayBuffer();
  },
};

const columns = ['client', 'gateway', 'lead', 'ferretdb', 'postgres', 'nats', 'keycloak'];
console.log(`CPU ms per create+get (${N} each, concurrency 8):`);
console.log(`| path | ${columns.join(' | ')} | total | seconds |`);
console.log(`| --- | ${columns.map(() => '---:').join(' | ')} | ---: | ---: |`);
for (const [name, op] of Object.entries(paths)) {
  for (let i = 0; i < WARMUP; i++) await op();
  const before = snapshot();
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next++ < N) await op();
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 3000)); // the relay sends these leads' events meanwhile
  const after = snapshot();
  const perOp = columns.map((k) => ((after[k] - before[k]) * 10) / N);
  const total = perOp.reduce((s, v) => s + v, 0);
  console.log(
    `| ${name} | ${perOp.map((v) => v.toFixed(1)).join(' | ')} | ${total.toFixed(1)} | ${secs.toFixed(1)} |`,
  );
}
console.log(
  `(direct database: its collection filled with ${serviceLeads} leads first, as many as the lead service had)`,
);
await db.dropDatabase();
process.exit(0);
