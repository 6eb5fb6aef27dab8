// Freshness of the analytics read models: how long from an event (its occurred_at, the commit on the
// producing service) to the analytics fact that reflects it (appliedAt). Creates leads through the
// gateway at a steady rate, waits until analytics has applied every one, and prints p50/p99.
// Run against a started stack: `npm start && npm run bench:analytics`; another stack: export what
// `deploy/local/infra.sh env <profile>` and `deploy/local/apps.sh env <profile>` print first.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const mongoose = require('mongoose');

const env = (k, d) => process.env[k] ?? d;
const GATEWAY = env('GATEWAY_URL', 'http://127.0.0.1:8080');
const KEYCLOAK = env('KEYCLOAK_URL', 'http://127.0.0.1:8180');
const MONGODB_URI = env('MONGODB_URI', 'mongodb://127.0.0.1:27017');
const N = Number(env('BENCH_EVENTS', '200'));
const CONCURRENCY = Number(env('BENCH_CONCURRENCY', '4'));
const WAIT_MS = Number(env('BENCH_WAIT_MS', '60000'));
const run = randomUUID().slice(0, 8);

async function token() {
  const body = new URLSearchParams({
    grant_type: 'password',
    client_id: 'crm-cli',
    username: 'rep1',
    password: 'crm-demo',
  });
  const res = await fetch(`${KEYCLOAK}/realms/crm/protocol/openid-connect/token`, { method: 'POST', body });
  if (!res.ok) throw new Error(`token: ${res.status} ${await res.text()}`);
  return (await res.json()).access_token;
}

const percentile = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function main() {
  const bearer = `Bearer ${await token()}`;
  const ids = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < N) {
        const i = next++;
        const res = await fetch(`${GATEWAY}/api/v1/leads`, {
          method: 'POST',
          headers: { authorization: bearer, 'content-type': 'application/json' },
          body: JSON.stringify({
            firstName: 'Fresh',
            lastName: `Lead ${i}`,
            email: `fresh-${run}-${i}@bench.example`,
            company: `Freshness ${run} ${i}`,
            source: 'bench',
          }),
        });
        if (res.status !== 201) throw new Error(`create lead: ${res.status} ${await res.text()}`);
        ids.push((await res.json()).id);
      }
    }),
  );
  const conn = await mongoose.createConnection(MONGODB_URI, { dbName: 'crm_analytics' }).asPromise();
  const current = (await conn.collection('generations').findOne({ _id: 'current' }))?.generation ?? 1;
  const facts = conn.collection(`lead_facts_g${current}`);
  const deadline = Date.now() + WAIT_MS;
  let found = [];
  while (Date.now() < deadline) {
    found = await facts.find({ _id: { $in: ids } }, { projection: { eventAt: 1, appliedAt: 1 } }).toArray();
    if (found.length === ids.length) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  await conn.close();
  if (found.length < ids.length)
    throw new Error(`only ${found.length} of ${ids.length} leads reached analytics in ${WAIT_MS} ms`);
  const lags = found.map((f) => f.appliedAt.getTime() - f.eventAt.getTime()).sort((a, b) => a - b);
  console.log(
    `analytics freshness, event time -> read-model time, ${lags.length} lead creations at concurrency ${CONCURRENCY}: ` +
      `p50 ${percentile(lags, 50)} ms, p99 ${percentile(lags, 99)} ms, max ${lags[lags.length - 1]} ms`,
  );
}

main().catch((err) => {
  console.error(err.message);
  process.exitCode = 1;
});
