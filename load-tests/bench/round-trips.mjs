// Counts the database commands of one create+get of a lead, with the lead service's own use cases
// and stores wired as services/lead/src/main.ts wires them (built dist/), through the driver's
// command monitoring. What `npm run bench` measures as time, this shows as round trips.
// Run against a started stack (MONGODB_URI as `deploy/local/infra.sh env <profile>` prints it);
// it writes to a database of its own and drops it. The outbox relay is not running here: its work
// per created lead is listed separately (packages/kit/src/outbox.ts).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const mongoose = require('mongoose');
const { chooseWriteStrategy } = require('@crm/kit');
const { CustomFields } = require('@crm/custom-fields');
const { registerModels } = require('../../services/lead/dist/store/lead.model');
const { leadDuplicateKeys, MongoLeadRepository } = require('../../services/lead/dist/store/lead.repository');
const { MongoSettingsRepository } = require('../../services/lead/dist/store/lead-settings.repository');
const { LeadRouting } = require('../../services/lead/dist/application/lead-routing');
const { Leads } = require('../../services/lead/dist/application/leads');

const MONGODB_URI = process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017';
const db = mongoose.createConnection();
await db.openUri(MONGODB_URI, {
  dbName: `crm_round_trips_${Date.now()}`,
  autoIndex: false,
  monitorCommands: true,
});
const { strategy } = await chooseWriteStrategy(db, process.env.MONGODB_WRITE_STRATEGY ?? 'auto');
const models = registerModels(db);
await Promise.all(Object.values(models).map((m) => m.createCollection().catch(() => undefined)));
const customFields = new CustomFields(db, ['lead']);
await customFields.load();
const repository = new MongoLeadRepository(models);
const settings = new MongoSettingsRepository(models);
const leads = new Leads({
  leads: repository,
  keys: leadDuplicateKeys(models),
  routing: new LeadRouting(repository, settings),
  customFields: { fields: () => customFields.fields('lead') },
  written: () => undefined,
});
const caller = {
  actor: {
    userId: '00000000-0000-4000-8000-000000000002',
    username: 'manager',
    roles: ['sales-manager'],
    teams: ['sales-east'],
  },
  requestId: 'round-trips',
};
const input = (i) => ({
  firstName: 'Count', lastName: `Lead ${i}`, email: `count-${i}@bench.example`, phone: `+1 212 555 01${String(i).padStart(2, '0')}`, company: `Count ${i}`,
  title: '', contactLevel: '', region: 'east', industry: 'energy', source: 'bench', companySize: 0,
  attributes: {}, customFields: {},
}); // prettier-ignore

let commands = [];
const client = db.getClient();
client.on('commandStarted', (e) => commands.push(`${e.commandName} ${e.command[e.commandName] ?? ''}`));
const count = async (what, op) => {
  commands = [];
  await op();
  console.log(`${what}: ${commands.length} round trips`);
  for (const c of commands) console.log(`  ${c}`);
};
await leads.create(input(0), false, caller); // warms the custom field cache, as in a running service
let id;
await count(`create (3 keys: email, phone, name; no assignment rule; ${strategy} writes)`, async () => {
  id = (await leads.create(input(1), false, caller))._id;
});
await count('get', () => leads.get(id, caller));
await count('a duplicate create (refused)', () =>
  leads.create(input(1), false, caller).catch(() => undefined),
);
// With an assignment rule that matches: round-robin over three reps, each capped at open leads.
await settings.put(
  'assignment',
  0,
  {
    defaultQueue: 'inbox',
    rules: [
      {
        id: 'east',
        name: 'East',
        match: { regions: ['east'], industries: [], sources: [], contactLevels: [] },
        teamId: 'sales-east',
        members: ['rep-a', 'rep-b', 'rep-c'],
        maxOpenLeadsPerRep: 1000,
      },
    ],
  },
  caller.actor,
);
await count('create routed by a capped round-robin rule', () => leads.create(input(2), false, caller));
await db.dropDatabase();
await db.close();
