import { ValidationError, VersionMismatchError } from '@crm/kit';
import { MONGODB_URI } from '@crm/kit/testing';
import mongoose, { type Connection } from 'mongoose';
import type { LeadQuery } from '../src/application/ports';
import { MongoConversionRepository } from '../src/store/lead-conversion.repository';
import { MongoSettingsRepository } from '../src/store/lead-settings.repository';
import { type LeadDoc, type LeadModels, registerModels } from '../src/store/lead.model';
import { MongoLeadRepository } from '../src/store/lead.repository';
import { users } from './support/lead-use-cases';

/** The repositories against the MongoDB-compatible server of the test stack (FerretDB locally). */
describe('lead store on a real MongoDB-compatible server', () => {
  let db: Connection;
  let m: LeadModels;
  let leads: MongoLeadRepository;

  const doc = (n: number, over: Partial<LeadDoc> = {}): LeadDoc => ({
    _id: `lead-${n}`,
    version: 1,
    firstName: '',
    lastName: `L${n}`,
    email: '',
    phone: '',
    company: '',
    title: '',
    contactLevel: '',
    region: '',
    industry: '',
    source: 'web',
    attributes: {},
    customFields: {},
    status: 'new',
    disqualifyReason: '',
    ownerId: 'rep1',
    teamId: 'east',
    queue: '',
    score: n,
    assignments: [],
    dedupeKeys: [],
    searchText: `l${n}`,
    createdAt: new Date(Date.UTC(2026, 0, n)),
    createdBy: 'rep1',
    updatedAt: new Date(Date.UTC(2026, 0, n)),
    updatedBy: 'rep1',
    outbox: [],
    ...over,
  });
  const query = (over: Partial<LeadQuery> = {}): LeadQuery => ({
    visibleTo: users.rep1,
    statuses: [],
    ownerId: '',
    source: '',
    region: '',
    industry: '',
    text: '',
    sort: 'createdAt',
    descending: true,
    limit: 2,
    cursor: '',
    ...over,
  });

  beforeAll(async () => {
    db = await mongoose
      .createConnection(MONGODB_URI, { dbName: `crm_lead_store_test_${Date.now()}` })
      .asPromise();
    m = registerModels(db);
    leads = new MongoLeadRepository(m);
    await leads.insertMany([1, 2, 3].map((n) => doc(n)));
    await leads.insert(doc(4, { ownerId: 'rep2' }));
  });
  afterAll(async () => {
    await db.dropDatabase();
    await db.close();
  });

  it('pages the caller’s leads newest first with a cursor, and refuses a made-up cursor', async () => {
    const first = await leads.list(query());
    expect(first.leads.map((l) => l._id)).toEqual(['lead-3', 'lead-2']);
    const second = await leads.list(query({ cursor: first.nextCursor }));
    expect(second).toEqual({ leads: [expect.objectContaining({ _id: 'lead-1' })], nextCursor: '' });
    const badDate = Buffer.from(JSON.stringify(['yesterday', 'lead-1'])).toString('base64url');
    await expect(leads.list(query({ cursor: badDate }))).rejects.toBeInstanceOf(ValidationError);
  });

  it('saves at the version read, with the events, and refuses a second write at the same version', async () => {
    const current = (await leads.get('lead-1'))!;
    const outbox = [{ id: 'e1', subject: 'crm.lead.v1.LeadUpdated', data: Buffer.from('x') }];
    const next = await leads.save(current, { title: 'CTO' }, users.manager, () => outbox);
    expect(next).toMatchObject({ version: 2, title: 'CTO', updatedBy: 'manager' });
    await expect(leads.save(current, { title: 'CEO' }, users.manager, () => [])).rejects.toBeInstanceOf(
      VersionMismatchError,
    );
    const stored = await m.Lead.findById('lead-1').lean<LeadDoc>();
    expect(stored).toMatchObject({
      version: 2,
      title: 'CTO',
      outbox: [expect.objectContaining({ id: 'e1' })],
    });
  });

  it('gives concurrent creates distinct round-robin turns', async () => {
    const settings = new MongoSettingsRepository(m);
    await settings.put('assignment', 0, { rules: [], defaultQueue: 'inbox' }, users.admin);
    const turns = await Promise.all([1, 2, 3, 4].map(() => settings.takeTurn('east')));
    expect([...turns].sort()).toEqual([0, 1, 2, 3]);
    // The administrator's version is not moved by turns.
    await expect(settings.get('assignment')).resolves.toMatchObject({ version: 1, cursors: { east: 4 } });
  });

  it('gives distinct turns from a stale copy of the settings too', async () => {
    const settings = new MongoSettingsRepository(m);
    const seen = (await settings.get('assignment'))!;
    expect(await settings.takeTurn('east', seen)).toBe(4);
    // The copy still says 4: each turn finds out and reads the position afresh.
    const turns = await Promise.all([1, 2, 3].map(() => settings.takeTurn('east', seen)));
    expect([...turns].sort()).toEqual([5, 6, 7]);
  });

  it('counts the open leads of several reps in one read', async () => {
    const counts = await leads.countOpen(['rep1', 'rep2', 'rep9'], ['new', 'working']);
    expect(Object.fromEntries(counts)).toEqual({ rep1: 3, rep2: 1 });
    expect(Object.fromEntries(await leads.countOpen(['rep1'], ['qualified']))).toEqual({});
  });

  it('lets one runner take over an expired conversion lease', async () => {
    const conversions = new MongoConversionRepository(m);
    const lead = (await leads.get('lead-3'))!;
    const expired = new Date(Date.now() - 1000);
    const saga = {
      state: {
        key: 'k',
        status: 'running' as const,
        completed: [],
        data: { requestedAccountId: '' },
        attempts: 1,
      },
      actor: users.rep1,
      requestId: 'r',
      lead: { ...lead, attributes: {} },
      leaseUntil: expired,
    };
    await conversions.start(lead, saga, users.rep1);
    const until = new Date(Date.now() + 30_000);
    const took = await Promise.all([1, 2, 3].map(() => conversions.takeOver('lead-3', 'k', expired, until)));
    expect(took.filter(Boolean)).toHaveLength(1);
  });
});
