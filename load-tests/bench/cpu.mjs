// CPU milliseconds per gRPC create+get of a lead, for each process of a local stack (lead service,
// FerretDB, PostgreSQL with its backends, NATS), the outbox relay's work for those leads included.
// Unlike ops/s this does not depend on what else the machine is running, so two builds can be
// compared on a busy machine. Linux (/proc), against a stack `npm start` started:
//   LEAD_GRPC_ADDR=... node load-tests/bench/cpu.mjs      (STACK_DIR: .local/dev; N: 300)
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const require = createRequire(import.meta.url);
const { createChannel, createClient, Metadata } = require('nice-grpc');
const { lead: pb } = require('@crm/proto');

const STACK = resolve(process.env.STACK_DIR ?? '.local/dev');
const N = Number(process.env.N ?? 300);
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
const procs = { lead: pidOf('lead'), ferretdb: pidOf('ferretdb'), nats: pidOf('nats') };
const postgres = pidOf('postgres');
// PostgreSQL works in one backend process per connection: the postmaster's children count too.
const snapshot = () => ({
  ...Object.fromEntries(Object.entries(procs).map(([k, pid]) => [k, ticks(pid)])),
  postgres: [postgres, ...childrenOf(postgres)].reduce((s, p) => s + ticks(p), 0),
});

const grpc = createClient(
  pb.LeadServiceDefinition,
  createChannel(process.env.LEAD_GRPC_ADDR ?? '127.0.0.1:50051'),
);
// The service verifies a realm token on every call: the manager's, from the password grant.
const login = await fetch(
  `${process.env.KEYCLOAK_URL ?? 'http://127.0.0.1:8180'}/realms/crm/protocol/openid-connect/token`,
  {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: 'crm-cli',
      username: 'manager',
      password: 'crm-demo',
    }),
  },
);
if (!login.ok) throw new Error(`token: ${login.status} ${await login.text()}`);
const metadata = Metadata({ authorization: `Bearer ${(await login.json()).access_token}` });
const run = Math.random().toString(36).slice(2, 8);
const body = (i) => ({
  firstName: `Cpu${run}`,
  lastName: `Lead ${i}`,
  email: `bench-${run}-${i}@bench.example`,
  company: `Bench ${run} ${i}`,
  region: 'east',
  industry: 'energy',
  source: 'bench',
});

const before = snapshot();
let next = 0;
const t0 = performance.now();
await Promise.all(
  Array.from({ length: 8 }, async () => {
    while (next < N) {
      const i = next++;
      const lead = await grpc.createLead({ lead: body(i) }, { metadata });
      await grpc.getLead({ id: lead.id }, { metadata });
    }
  }),
);
const secs = (performance.now() - t0) / 1000;
await new Promise((r) => setTimeout(r, 3000)); // the relay sends these leads' events meanwhile
const after = snapshot();
const perOp = Object.fromEntries(Object.keys(before).map((k) => [k, ((after[k] - before[k]) * 10) / N]));
const total = Object.values(perOp).reduce((s, v) => s + v, 0);
console.log(`${N} gRPC create+get, concurrency 8, in ${secs.toFixed(1)} s; CPU ms per create+get:`);
console.log('| lead | ferretdb | postgres | nats | total |\n| ---: | ---: | ---: | ---: | ---: |');
console.log(
  `| ${['lead', 'ferretdb', 'postgres', 'nats'].map((k) => perOp[k].toFixed(1)).join(' | ')} | ${total.toFixed(1)} |`,
);
process.exit(0);
