// What the architecture costs: create-lead + get-lead through the full path (token, gateway, gRPC,
// service, database, outbox), the same through gRPC alone, and the same database work done directly
// by one process with the same driver; and a deal's first steps (create an opportunity, move it one
// stage on) through the full path. Run against a started stack: `npm start && npm run bench`.
// Another stack (other ports, its database login): export what `deploy/local/infra.sh env <profile>`
// and `deploy/local/apps.sh env <profile>` print first.
// Add a path by adding an entry to `paths` below.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const mongoose = require('mongoose');
const { createChannel, createClient, Metadata } = require('nice-grpc');
const { lead: pb } = require('@crm/proto');

const env = (k, d) => process.env[k] ?? d;
const GATEWAY = env('GATEWAY_URL', 'http://127.0.0.1:8080');
const KEYCLOAK = env('KEYCLOAK_URL', 'http://127.0.0.1:8180');
const LEAD_GRPC = env('LEAD_GRPC_ADDR', '127.0.0.1:50051');
const MONGODB_URI = env('MONGODB_URI', 'mongodb://127.0.0.1:27017');
const N = Number(env('BENCH_ITERATIONS', '300'));
const CONCURRENCY = Number(env('BENCH_CONCURRENCY', '8'));
const run = randomUUID().slice(0, 8);

async function token() {
  const body = new URLSearchParams({
    grant_type: 'password',
    client_id: 'crm-cli',
    username: 'manager',
    password: 'crm-demo',
  });
  const res = await fetch(`${KEYCLOAK}/realms/crm/protocol/openid-connect/token`, { method: 'POST', body });
  if (!res.ok) throw new Error(`token: ${res.status} ${await res.text()}`);
  return (await res.json()).access_token;
}

const leadBody = (i) => ({
  // Unique on every dedupe key (email, phone, company + name), so no create is a duplicate.
  firstName: `Bench${Math.random().toString(36).slice(2, 8)}`,
  lastName: `Lead ${i}`,
  email: `bench-${run}-${i}-${Math.random().toString(36).slice(2)}@bench.example`,
  company: `Bench ${run} ${i}`,
  region: 'east',
  industry: 'energy',
  source: 'bench',
});

async function measure(name, op) {
  const lat = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < N) {
        const i = next++;
        const t = performance.now();
        await op(i);
        lat.push(performance.now() - t);
      }
    }),
  );
  const secs = (performance.now() - started) / 1000;
  lat.sort((a, b) => a - b);
  const p = (q) => lat[Math.min(lat.length - 1, Math.floor(q * lat.length))];
  return { name, ops: N / secs, p50: p(0.5), p99: p(0.99) };
}

const t0 = performance.now();
const bearer = await token();
const tokenMs = performance.now() - t0;
const headers = { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' };

const channel = createChannel(LEAD_GRPC);
const grpc = createClient(pb.LeadServiceDefinition, channel);
// The service verifies the manager's token on every call, as it does for the gateway's calls.
const identity = Metadata({ authorization: `Bearer ${bearer}` });

const db = await mongoose.createConnection(MONGODB_URI, { dbName: 'crm_bench' }).asPromise();
const raw = db.collection('leads');
const serviceLeads = db.useDb(env('LEAD_DB', 'crm_lead')).collection('leads');

/**
 * FerretDB answers every query, a read by _id too, with a scan of the collection: the service's reads
 * cost more the more leads it has (each run of this bench adds some). So that the ratio shows what the
 * architecture costs and not the size of a collection, the direct path first fills its own collection
 * to as many documents as the service's (BENCH_FILL=0: start empty).
 */
async function fillLikeService() {
  if (env('BENCH_FILL', '1') === '0') return 0;
  const target = await serviceLeads.countDocuments({});
  for (let n = 0; n < target; n += 1000) {
    const batch = Array.from({ length: Math.min(1000, target - n) }, (_, j) => {
      const b = leadBody(n + j);
      return { _id: randomUUID(), version: 1, ...b, dedupeKeys: [`email:${b.email}`], outbox: [] };
    });
    await raw.insertMany(batch, { ordered: false });
  }
  return `collection filled with ${target} documents first (as many as the lead service has; BENCH_FILL=0: none)`;
}

let benchAccountId = '';
/** The deals of this run are with one account of the manager's (the opportunity service checks it is visible). */
async function benchAccount() {
  const res = await fetch(`${GATEWAY}/api/v1/accounts`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ name: `Bench account ${run}`, website: `https://bench-${run}.example` }),
  });
  if (res.status !== 201) throw new Error(`account: ${res.status} ${await res.text()}`);
  benchAccountId = (await res.json()).id;
  return `deals made with account ${benchAccountId}`;
}

const paths = [
  {
    name: 'full path (gateway → gRPC → service → db + outbox)',
    op: async (i) => {
      const res = await fetch(`${GATEWAY}/api/v1/leads`, {
        method: 'POST',
        headers,
        body: JSON.stringify(leadBody(i)),
      });
      if (res.status !== 201) throw new Error(`create: ${res.status} ${await res.text()}`);
      const { id } = await res.json();
      const got = await fetch(`${GATEWAY}/api/v1/leads/${id}`, { headers });
      if (got.status !== 200) throw new Error(`get: ${got.status}`);
      await got.arrayBuffer();
    },
  },
  {
    name: 'gRPC only (service → db + outbox)',
    op: async (i) => {
      const l = await grpc.createLead({ lead: leadBody(i) }, { metadata: identity });
      await grpc.getLead({ id: l.id }, { metadata: identity });
    },
  },
  {
    name: 'opportunity: create + move stage (full path, checks the account over gRPC)',
    prepare: benchAccount,
    op: async (i) => {
      const res = await fetch(`${GATEWAY}/api/v1/opportunities`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          name: `Bench deal ${run} ${i}`,
          accountId: benchAccountId,
          amountMinor: 50_000_00,
          currency: 'EUR',
        }),
      });
      if (res.status !== 201) throw new Error(`create deal: ${res.status} ${await res.text()}`);
      const deal = await res.json();
      const moved = await fetch(`${GATEWAY}/api/v1/opportunities/${deal.id}/stage`, {
        method: 'POST',
        headers: { ...headers, 'if-match': `"${deal.version}"` },
        body: JSON.stringify({ stageKey: 'needs-analysis' }),
      });
      if (moved.status !== 200) throw new Error(`move stage: ${moved.status} ${await moved.text()}`);
      await moved.arrayBuffer();
    },
    // Other work than the lead paths: no ratio to the direct database path.
    compare: false,
  },
  {
    name: 'direct database (one process, same driver)',
    baseline: true,
    prepare: fillLikeService,
    op: async (i) => {
      const id = randomUUID();
      const b = leadBody(i);
      await raw.insertOne({
        _id: id,
        version: 1,
        ...b,
        dedupeKeys: [`email:${b.email}`],
        outbox: [{ id: randomUUID(), subject: 'x', data: Buffer.alloc(300) }],
      });
      await raw.findOne({ _id: id });
    },
  },
];

console.log(
  `${N} iterations per path, concurrency ${CONCURRENCY}; token grant took ${tokenMs.toFixed(0)} ms`,
);
const results = [];
const notes = [];
for (const p of paths) {
  if (p.prepare) notes.push(`${p.name}: ${await p.prepare()}`);
  results.push({ ...(await measure(p.name, p.op)), compare: p.compare !== false, baseline: !!p.baseline });
}
const direct = results.find((r) => r.baseline);
console.log('\n| path | ops/s | p50 ms | p99 ms | cost vs direct (ops/s ratio) |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const r of results) {
  const ratio = r.compare ? `${(direct.ops / r.ops).toFixed(2)}x` : 'n/a';
  console.log(`| ${r.name} | ${r.ops.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${ratio} |`);
}
for (const n of notes) console.log(`\n${n}`);
await db.dropDatabase();
await db.close();
channel.close();
