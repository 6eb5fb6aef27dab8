import {
  ConflictError,
  DuplicateError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  VersionMismatchError,
} from '@crm/kit';
import type { AssignmentRule } from '../src/domain/assignment';
import { as, leadInput, leadUseCases, textField, users } from './support/lead-use-cases';

const rule = (over: Partial<AssignmentRule> = {}): AssignmentRule => ({
  id: 'east',
  name: 'East',
  match: { regions: ['east'], industries: [], sources: [], contactLevels: [] },
  teamId: 'east',
  members: ['rep1', 'rep2'],
  ...over,
});

const list = (over = {}) => ({
  statuses: [],
  ownerId: '',
  source: '',
  region: '',
  industry: '',
  query: '',
  sort: '',
  limit: 0,
  cursor: '',
  ...over,
});

describe('Leads: create', () => {
  it('normalises the input and keeps a rep’s own lead with the rep', async () => {
    const { leads, repository } = leadUseCases();
    const lead = await leads.create(
      leadInput({ email: ' ADA@Analytical.Example.com ', phone: '(202) 555-0143', source: 'WEB' }),
      false,
      as(users.rep1),
    );
    expect(lead).toMatchObject({ email: 'ada@analytical.example.com', phone: '+12025550143', source: 'web' });
    expect(lead).toMatchObject({ ownerId: 'rep1', teamId: 'east', status: 'new', createdBy: 'rep1' });
    expect(repository.eventsOf(lead._id)).toEqual(['crm.lead.v1.LeadCreated', 'crm.lead.v1.LeadAssigned']);
  });

  it('hands the relay the new lead’s whole outbox at its version, and an update hands nothing', async () => {
    const { leads, repository, handed, written } = leadUseCases();
    const lead = await leads.create(leadInput(), false, as(users.manager));
    const stored = repository.docs.get(lead._id)!;
    expect(handed.get(lead._id)?.version).toBe(stored.version);
    expect(handed.get(lead._id)?.outbox.map((e) => e.id)).toEqual(stored.outbox.map((e) => e.id));
    handed.clear();
    await leads.update(lead._id, 0, { title: 'CTO' }, as(users.manager));
    expect(written.filter((id) => id === lead._id)).toHaveLength(2);
    expect(handed.size).toBe(0);
  });

  it('refuses bad input with every violation', async () => {
    const { leads } = leadUseCases();
    const err = await leads
      .create(leadInput({ lastName: ' ', email: 'not-an-email' }), false, as(users.rep1))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).violations.map((v) => v.field)).toEqual(['lastName', 'email']);
  });

  it('finds a duplicate by email, phone or company and name, and names the lead to whoever sees it', async () => {
    const { leads } = leadUseCases();
    const first = await leads.create(leadInput(), false, as(users.rep1));
    const sameName = leadInput({ email: 'other@example.com', company: 'ANALYTICAL ENGINES, Inc.' });
    const err = await leads.create(sameName, false, as(users.rep1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DuplicateError);
    expect((err as DuplicateError).metadata).toEqual({ existing_lead_id: first._id, matched_on: 'name' });
  });

  it("another rep's duplicate is not named: its owner is, and whom to ask for access", async () => {
    const { leads } = leadUseCases();
    const first = await leads.create(leadInput(), false, as(users.rep1));
    const err = await leads.create(leadInput(), false, as(users.rep2)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DuplicateError);
    expect((err as DuplicateError).metadata).toEqual({
      existing_owner_id: 'rep1',
      existing_team_id: first.teamId,
      matched_on: 'email',
    });
    expect((err as Error).message).toContain(`ask its owner (rep1) or a manager of team ${first.teamId}`);
    expect((err as Error).message).not.toContain(first._id);
  });

  it('lets only a manager or an admin create a duplicate on purpose', async () => {
    const { leads } = leadUseCases();
    await leads.create(leadInput(), false, as(users.rep1));
    await expect(leads.create(leadInput(), true, as(users.rep1))).rejects.toBeInstanceOf(ForbiddenError);
    const dup = await leads.create(leadInput(), true, as(users.manager));
    expect(dup._id).toBeDefined();
  });

  it('gives the keys back when the write fails, so the lead can be created again', async () => {
    const { leads, repository } = leadUseCases();
    const insert = jest.spyOn(repository, 'insert').mockRejectedValueOnce(new Error('database away'));
    await expect(leads.create(leadInput(), false, as(users.rep1))).rejects.toThrow('database away');
    insert.mockRestore();
    await expect(leads.create(leadInput(), false, as(users.rep1))).resolves.toBeDefined();
  });

  it('routes other leads by the rules, round-robin, skipping members at their cap', async () => {
    const { leads, settings } = leadUseCases();
    await settings.putAssignmentRules([rule({ maxOpenLeadsPerRep: 1 })], 'inbox', 0, as(users.admin));
    const owners = [];
    for (const n of [1, 2, 3]) {
      const l = await leads.create(
        leadInput({ email: `l${n}@x.example.com`, lastName: `L${n}` }),
        false,
        as(users.integrator),
      );
      owners.push([l.ownerId, l.queue]);
    }
    expect(owners).toEqual([
      ['rep1', ''],
      ['rep2', ''],
      ['', 'inbox'], // both at their cap of one open lead
    ]);
  });

  it('queues a lead no rule matches and scores it by the model', async () => {
    const { leads, settings } = leadUseCases();
    await settings.putAssignmentRules([rule()], 'inbox', 0, as(users.admin));
    await settings.putScoring(
      [{ id: 's1', field: 'industry', values: ['Software'], present: false, points: 15 }],
      0,
      as(users.admin),
    );
    const l = await leads.create(leadInput({ region: 'west' }), false, as(users.manager));
    expect(l).toMatchObject({ ownerId: '', queue: 'inbox', score: 15 });
    expect(l.assignments[0]!.reason).toBe('no assignment rule matched');
  });

  it('validates custom field values', async () => {
    const { leads } = leadUseCases({ fields: [textField('budget', { required: true })] });
    await expect(leads.create(leadInput(), false, as(users.rep1))).rejects.toBeInstanceOf(ValidationError);
    const l = await leads.create(leadInput({ customFields: { budget: 'high' } }), false, as(users.rep1));
    expect(l.customFields).toEqual({ budget: 'high' });
  });
});

describe('Leads: who works them', () => {
  it('refuses roles that do not work leads (support, approvers), whoever calls: not only the gateway', async () => {
    const { leads } = leadUseCases();
    const l = await leads.create(leadInput(), false, as(users.rep1));
    for (const who of [users.agent, users.approver]) {
      await expect(leads.create(leadInput({ email: 'x@y.example' }), false, as(who))).rejects.toBeInstanceOf(
        ForbiddenError,
      );
      await expect(leads.get(l._id, as(who))).rejects.toBeInstanceOf(ForbiddenError);
      await expect(leads.list(list(), as(who))).rejects.toBeInstanceOf(ForbiddenError);
      await expect(leads.update(l._id, 1, { title: 'CEO' }, as(who))).rejects.toBeInstanceOf(ForbiddenError);
    }
    await expect(leads.get(l._id, as(users.integrator))).resolves.toMatchObject({ version: 1 });
  });
});

describe('Leads: reading', () => {
  it('reports another rep’s lead as not found, and shows it to their manager', async () => {
    const { leads } = leadUseCases();
    const l = await leads.create(leadInput(), false, as(users.rep1));
    await expect(leads.get(l._id, as(users.rep2))).rejects.toBeInstanceOf(NotFoundError);
    await expect(leads.get(l._id, as(users.manager))).resolves.toMatchObject({ _id: l._id });
    await expect(leads.get(l._id, as(users.westManager))).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lists only what the caller may see, filtered, page by page', async () => {
    const { leads } = leadUseCases();
    for (const n of [1, 2, 3])
      await leads.create(
        leadInput({ email: `a${n}@x.example.com`, lastName: `A${n}` }),
        false,
        as(users.rep1),
      );
    await leads.create(leadInput({ email: 'b@x.example.com', lastName: 'B' }), false, as(users.rep2));
    const first = await leads.list(list({ sort: 'lastName', limit: 2 }), as(users.rep1));
    expect(first.leads.map((l) => l.lastName)).toEqual(['A1', 'A2']);
    const second = await leads.list(
      list({ sort: 'lastName', limit: 2, cursor: first.nextCursor }),
      as(users.rep1),
    );
    expect(second.leads.map((l) => l.lastName)).toEqual(['A3']);
    expect(second.nextCursor).toBe('');
    const found = await leads.list(list({ query: 'b@X' }), as(users.manager));
    expect(found.leads.map((l) => l.lastName)).toEqual(['B']);
  });

  it('refuses an unknown sort and a made-up cursor (invalid date, non-finite number)', async () => {
    const { leads } = leadUseCases();
    const cursor = (v: unknown) => Buffer.from(JSON.stringify([v, 'x'])).toString('base64url');
    await expect(leads.list(list({ sort: 'email' }), as(users.rep1))).rejects.toBeInstanceOf(ValidationError);
    await expect(leads.list(list({ cursor: cursor('not a date') }), as(users.rep1))).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(
      leads.list(
        list({ sort: 'score', cursor: Buffer.from('[1e999,"x"]').toString('base64url') }),
        as(users.rep1),
      ),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('Leads: changes', () => {
  it('updates at the version the caller saw, and refuses a stale one (412)', async () => {
    const { leads, repository } = leadUseCases();
    const l = await leads.create(leadInput(), false, as(users.rep1));
    const next = await leads.update(l._id, 1, { title: 'Countess' }, as(users.rep1));
    expect(next).toMatchObject({ title: 'Countess', version: 2, updatedBy: 'rep1' });
    expect(repository.eventsOf(l._id).at(-1)).toBe('crm.lead.v1.LeadUpdated');
    await expect(leads.update(l._id, 1, { title: 'x' }, as(users.rep1))).rejects.toBeInstanceOf(
      VersionMismatchError,
    );
  });

  it('without If-Match reads again after a concurrent write, so both changes land; with it, a 412', async () => {
    const { leads, repository } = leadUseCases();
    const l = await leads.create(leadInput(), false, as(users.rep1));
    const save = repository.save.bind(repository);
    let racer: (() => Promise<unknown>) | undefined;
    // Another writer changes the lead between an update's read and its write, once when armed.
    jest.spyOn(repository, 'save').mockImplementation(async (...args) => {
      const race = racer;
      racer = undefined;
      if (race) await race();
      return save(...args);
    });
    racer = () => leads.update(l._id, 0, { industry: 'software' }, as(users.rep1));
    const next = await leads.update(l._id, 0, { title: 'Countess' }, as(users.rep1));
    expect(next).toMatchObject({ title: 'Countess', industry: 'software', version: 3 });

    racer = () => leads.update(l._id, 0, { industry: 'hardware' }, as(users.rep1));
    await expect(leads.update(l._id, 3, { title: 'x' }, as(users.rep1))).rejects.toBeInstanceOf(
      VersionMismatchError,
    );
  });

  it('refuses a change that makes the lead a duplicate of another', async () => {
    const { leads } = leadUseCases();
    const a = await leads.create(leadInput(), false, as(users.rep1));
    const b = await leads.create(
      leadInput({ email: 'b@x.example.com', lastName: 'B', company: '' }),
      false,
      as(users.rep1),
    );
    await expect(leads.update(b._id, 0, { email: a.email }, as(users.rep1))).rejects.toBeInstanceOf(
      DuplicateError,
    );
    // The key b tried for stays with a; b's own keys stay b's.
    await expect(leads.update(b._id, 0, { title: 'ok' }, as(users.rep1))).resolves.toMatchObject({
      version: 2,
    });
  });

  it('changes fields and owner in one write when a manager asks (one version, both events)', async () => {
    const { leads, repository } = leadUseCases();
    const l = await leads.create(leadInput(), false, as(users.rep1));
    const next = await leads.update(l._id, 1, { title: 'CTO' }, as(users.manager), {
      ownerId: 'rep2',
      teamId: '',
      reason: '',
    });
    expect(next).toMatchObject({ title: 'CTO', ownerId: 'rep2', teamId: 'east', version: 2 });
    expect(next.assignments.at(-1)).toMatchObject({ ownerId: 'rep2', assignedBy: 'manager' });
    expect(repository.eventsOf(l._id).slice(-2)).toEqual([
      'crm.lead.v1.LeadUpdated',
      'crm.lead.v1.LeadAssigned',
    ]);
  });

  it('changes nothing when the owner change is not allowed', async () => {
    const { leads } = leadUseCases();
    const l = await leads.create(leadInput(), false, as(users.rep1));
    const owner = { ownerId: 'rep2', teamId: '', reason: '' };
    await expect(leads.update(l._id, 1, { title: 'x' }, as(users.rep1), owner)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(
      leads.update(l._id, 1, { title: 'x' }, as(users.manager), { ...owner, teamId: 'west' }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(leads.get(l._id, as(users.rep1))).resolves.toMatchObject({ title: '', version: 1 });
  });

  it('reassigns: managers within their teams, admins anywhere, reps never; a reason is required', async () => {
    const { leads } = leadUseCases();
    const l = await leads.create(leadInput(), false, as(users.rep1));
    const to = (teamId: string, reason = 'holiday') => ({ ownerId: 'rep2', teamId, reason });
    await expect(leads.assign(l._id, 0, to(''), as(users.rep1))).rejects.toBeInstanceOf(ForbiddenError);
    await expect(leads.assign(l._id, 0, to('', ' '), as(users.manager))).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(leads.assign(l._id, 0, to('west'), as(users.manager))).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(leads.assign(l._id, 0, to(''), as(users.manager))).resolves.toMatchObject({
      ownerId: 'rep2',
    });
    await expect(leads.assign(l._id, 0, to('west'), as(users.admin))).resolves.toMatchObject({
      teamId: 'west',
    });
  });

  it('a lead handed to a team without an owner waits in the default queue the admin configured', async () => {
    const { leads, settings } = leadUseCases();
    await settings.putAssignmentRules([], 'inbox', 0, as(users.admin));
    const l = await leads.create(leadInput(), false, as(users.rep1));
    const queued = await leads.assign(
      l._id,
      0,
      { ownerId: '', teamId: 'east', reason: 'back to the team' },
      as(users.manager),
    );
    expect(queued).toMatchObject({ ownerId: '', teamId: 'east', queue: 'inbox' });
    expect(queued.assignments.at(-1)).toMatchObject({
      ownerId: '',
      queue: 'inbox',
      reason: 'back to the team',
    });
  });

  it('moves the status along the workflow; disqualifying needs a reason; converted only by conversion', async () => {
    const { leads } = leadUseCases();
    const l = await leads.create(leadInput(), false, as(users.rep1));
    await expect(leads.changeStatus(l._id, 0, 'disqualified', ' ', as(users.rep1))).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(leads.changeStatus(l._id, 0, 'converted', '', as(users.rep1))).rejects.toBeInstanceOf(
      ConflictError,
    );
    const d = await leads.changeStatus(l._id, 1, 'disqualified', ' no budget ', as(users.rep1));
    expect(d).toMatchObject({ status: 'disqualified', disqualifyReason: 'no budget', version: 2 });
    await expect(leads.changeStatus(l._id, 2, 'qualified', '', as(users.rep1))).rejects.toBeInstanceOf(
      ConflictError,
    );
  });
});
