import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  Roles,
  ValidationError,
  VersionMismatchError,
} from '@crm/kit';
import {
  Opportunities,
  type OpportunityListRequest,
  type OpportunityPatch,
} from '../src/application/opportunities';
import { Pipelines } from '../src/application/pipelines';
import type { Caller } from '../src/application/ports';
import { ExitCriteriaNotMetError } from '../src/domain/opportunity';
import { DEFAULT_PIPELINE } from '../src/domain/pipeline';
import { inMemoryPorts } from './support/in-memory-repositories';

const caller = (userId: string, roles: string[], teams: string[] = []): Caller => ({
  actor: { userId, username: userId, roles, teams },
  requestId: `req-${userId}`,
});
const rep1 = caller('rep1', [Roles.rep], ['east']);
const rep2 = caller('rep2', [Roles.rep], ['west']);
const manager = caller('manager', [Roles.manager], ['east']);
const admin = caller('admin', [Roles.admin]);
const agent = caller('agent', [Roles.agent]);

const deal = (over: OpportunityPatch = {}): OpportunityPatch => ({
  name: 'ACME ERP rollout',
  accountId: 'acc-1',
  amountMinor: 2_000_000_00,
  currency: 'CNY',
  expectedCloseDate: '2027-03-31',
  ...over,
});

const listing = (over: Partial<OpportunityListRequest> = {}): OpportunityListRequest => ({
  stageKey: '',
  ownerId: '',
  teamId: '',
  accountId: '',
  pipelineId: '',
  closeDateFrom: '',
  closeDateTo: '',
  forecastCategory: '',
  limit: 0,
  cursor: '',
  ...over,
});

function setup() {
  const mem = inMemoryPorts();
  const pipelines = new Pipelines(mem.ports);
  return { mem, pipelines, opportunities: new Opportunities(mem.ports, pipelines) };
}

describe('opportunities', () => {
  it('starts a deal in the first stage of the default pipeline, owned by the rep, with its history begun', async () => {
    const { opportunities, mem } = setup();
    const o = await opportunities.create(deal(), '', '', rep1);
    expect(o).toMatchObject({
      pipelineId: 'default',
      stageKey: 'qualification',
      ownerId: 'rep1',
      teamId: 'east',
      amountMinor: 200_000_000,
      createdBy: 'rep1',
    });
    expect(o.stageHistory).toEqual([expect.objectContaining({ fromStage: '', toStage: 'qualification' })]);
    expect(mem.opportunities.subjects()).toEqual(['OpportunityCreated']);
    expect(mem.written).toEqual([`opportunity:${o._id}`]);
  });

  it('shows a deal to its owner and their manager, and to nobody else (404, not 403)', async () => {
    const { opportunities } = setup();
    const o = await opportunities.create(deal(), '', '', rep1);
    await expect(opportunities.get(o._id, manager)).resolves.toMatchObject({ _id: o._id });
    await expect(opportunities.get(o._id, rep2)).rejects.toThrow(NotFoundError);
    expect((await opportunities.list(listing(), rep2)).opportunities).toEqual([]);
    await expect(opportunities.get(o._id, agent)).rejects.toThrow(ForbiddenError);
  });

  it('moves a deal on, refuses to leave needs-analysis without a decision-maker, and records every move', async () => {
    const { opportunities, mem } = setup();
    const o = await opportunities.create(deal(), '', '', rep1);
    await opportunities.moveStage(o._id, 0, 'needs-analysis', rep1);
    await expect(opportunities.moveStage(o._id, 0, 'solution', rep1)).rejects.toThrow(
      ExitCriteriaNotMetError,
    );
    await expect(opportunities.moveStage(o._id, 0, 'solution', rep1)).rejects.toThrow(
      /decisionMakerContactId/,
    );
    await opportunities.update(o._id, 0, { decisionMakerContactId: 'contact-ceo' }, rep1);
    const moved = await opportunities.moveStage(o._id, 0, 'solution', rep1);
    expect(moved.stageKey).toBe('solution');
    expect(moved.stageHistory.map((m) => [m.fromStage, m.toStage, m.movedBy])).toEqual([
      ['', 'qualification', 'rep1'],
      ['qualification', 'needs-analysis', 'rep1'],
      ['needs-analysis', 'solution', 'rep1'],
    ]);
    expect(mem.opportunities.subjects()).toEqual([
      'OpportunityCreated',
      'OpportunityStageChanged',
      'OpportunityUpdated',
      'OpportunityStageChanged',
    ]);
  });

  it('answers an unknown stage as bad input and a stale If-Match as a version conflict', async () => {
    const { opportunities } = setup();
    const o = await opportunities.create(deal(), '', '', rep1);
    await expect(opportunities.moveStage(o._id, 0, 'won-already', rep1)).rejects.toThrow(ValidationError);
    await opportunities.moveStage(o._id, 1, 'needs-analysis', rep1);
    await expect(opportunities.moveStage(o._id, 1, 'qualification', rep1)).rejects.toThrow(
      VersionMismatchError,
    );
  });

  it('records amount and close-date changes and publishes OpportunityAmountChanged only for the amount', async () => {
    const { opportunities, mem } = setup();
    const o = await opportunities.create(deal(), '', '', rep1);
    await opportunities.update(o._id, 0, { expectedCloseDate: '2027-06-30' }, rep1);
    const after = await opportunities.update(o._id, 0, { amountMinor: 150_000_000 }, rep2).catch((e) => e);
    expect(after).toBeInstanceOf(NotFoundError);
    const changed = await opportunities.update(o._id, 0, { amountMinor: 150_000_000 }, manager);
    expect(changed.forecastChanges.map((c) => [c.field, c.before, c.after, c.changedBy])).toEqual([
      ['expectedCloseDate', '2027-03-31', '2027-06-30', 'rep1'],
      ['amount', '200000000 CNY', '150000000 CNY', 'manager'],
    ]);
    expect(mem.opportunities.subjects()).toEqual([
      'OpportunityCreated',
      'OpportunityUpdated',
      'OpportunityUpdated',
      'OpportunityAmountChanged',
    ]);
  });

  it('lets only a manager of the team or an admin hand a deal to someone else', async () => {
    const { opportunities } = setup();
    const o = await opportunities.create(deal(), '', '', rep1);
    await expect(opportunities.update(o._id, 0, { ownerId: 'rep3' }, rep1)).rejects.toThrow(ForbiddenError);
    await expect(opportunities.create(deal({ ownerId: 'rep3' }), '', '', rep1)).rejects.toThrow(
      ForbiddenError,
    );
    expect((await opportunities.update(o._id, 0, { ownerId: 'rep3' }, manager)).ownerId).toBe('rep3');
  });

  it('takes only an account the seller can see, on create and when the deal moves to another account', async () => {
    const { opportunities, mem } = setup();
    await expect(opportunities.create(deal({ accountId: 'acc-hidden' }), '', '', rep1)).rejects.toThrow(
      expect.objectContaining({ violations: [expect.objectContaining({ field: 'accountId' })] }),
    );
    const o = await opportunities.create(deal(), '', '', rep1);
    await expect(opportunities.update(o._id, 0, { accountId: 'acc-hidden' }, rep1)).rejects.toThrow(
      ValidationError,
    );
    expect((await opportunities.update(o._id, 0, { accountId: 'acc-2' }, rep1)).accountId).toBe('acc-2');
    expect(mem.opportunities.all()).toHaveLength(1);
  });

  it("names as decision-maker or primary contact only people of the deal's account", async () => {
    const { opportunities } = setup();
    await expect(
      opportunities.create(deal({ primaryContactId: 'contact-cfo-2' }), '', '', rep1),
    ).rejects.toThrow(
      expect.objectContaining({ violations: [expect.objectContaining({ field: 'primaryContactId' })] }),
    );
    const o = await opportunities.create(deal({ primaryContactId: 'contact-ceo' }), '', '', rep1);
    await expect(opportunities.update(o._id, 0, { decisionMakerContactId: 'nobody' }, rep1)).rejects.toThrow(
      expect.objectContaining({ violations: [expect.objectContaining({ field: 'decisionMakerContactId' })] }),
    );
    // Moving the deal to another account re-checks the contacts it names.
    await expect(opportunities.update(o._id, 0, { accountId: 'acc-2' }, rep1)).rejects.toThrow(
      ValidationError,
    );
    const moved = await opportunities.update(
      o._id,
      0,
      { accountId: 'acc-2', primaryContactId: 'contact-cfo-2' },
      rep1,
    );
    expect(moved).toMatchObject({ accountId: 'acc-2', primaryContactId: 'contact-cfo-2' });
  });

  it('filters the list by team, close-date range, amount range and forecast category', async () => {
    const { opportunities } = setup();
    const names = async (over: Partial<OpportunityListRequest>) =>
      (await opportunities.list(listing(over), admin)).opportunities.map((o) => o.name).sort();
    await opportunities.create(deal({ name: 'small-march' }), '', '', rep1);
    const big = await opportunities.create(
      deal({ name: 'big-june', amountMinor: 900_000_00, expectedCloseDate: '2027-06-30' }),
      '',
      '',
      rep2,
    );
    await opportunities.create(
      deal({ name: 'undated', expectedCloseDate: '', amountMinor: 0 }),
      '',
      '',
      rep1,
    );
    await opportunities.moveStage(big._id, 0, 'negotiation', rep2);
    expect(await names({ teamId: 'west' })).toEqual(['big-june']);
    expect(await names({ closeDateFrom: '2027-04-01' })).toEqual(['big-june']);
    expect(await names({ closeDateTo: '2027-03-31' })).toEqual(['small-march']);
    expect(await names({ amountMinMinor: 1, amountMaxMinor: 100_000_000 })).toEqual(['big-june']);
    expect(await names({ forecastCategory: 'commit' })).toEqual(['big-june']);
    expect(await names({ forecastCategory: 'pipeline' })).toEqual(['small-march', 'undated']);
    await expect(
      opportunities.list(listing({ closeDateFrom: '2027-05-01', closeDateTo: '2027-04-01' }), admin),
    ).rejects.toThrow(ValidationError);
    await expect(opportunities.list(listing({ forecastCategory: 'hot' }), admin)).rejects.toThrow(
      ValidationError,
    );
  });

  it('refuses a fractional amount without writing anything', async () => {
    const { opportunities, mem } = setup();
    await expect(opportunities.create(deal({ amountMinor: 0.5 }), '', '', rep1)).rejects.toThrow(
      ValidationError,
    );
    expect(mem.opportunities.all()).toEqual([]);
  });
});

describe('pipelines', () => {
  const renewal = {
    name: 'Renewal',
    stages: [
      {
        key: 'renewal-due',
        name: 'Renewal due',
        winProbability: 70,
        forecastCategory: 'commit',
        exitCriteria: [],
        outcome: '',
      },
      {
        key: 'renewed',
        name: 'Renewed',
        winProbability: 100,
        forecastCategory: 'closed',
        exitCriteria: [],
        outcome: 'won',
      },
      {
        key: 'churned',
        name: 'Churned',
        winProbability: 0,
        forecastCategory: 'closed',
        exitCriteria: [],
        outcome: 'lost',
      },
    ],
  };

  it('serves the default pipeline before anyone saved one, and lets only admins save', async () => {
    const { pipelines, mem } = setup();
    expect((await pipelines.list()).map((p) => [p._id, p.isDefault])).toEqual([['default', true]]);
    await expect(pipelines.save('', 0, renewal, manager)).rejects.toThrow(ForbiddenError);
    const saved = await pipelines.save('', 0, renewal, admin);
    expect(saved).toMatchObject({ version: 1, createdBy: 'admin', isDefault: false });
    expect((await pipelines.list()).map((p) => p.name)).toEqual(['New business', 'Renewal']);
    expect(mem.pipelines.subjects()).toEqual(['PipelineSaved']);
  });

  it('takes deals into another pipeline by id', async () => {
    const { pipelines, opportunities } = setup();
    const p = await pipelines.save('', 0, renewal, admin);
    expect((await opportunities.create(deal(), p._id, '', rep1)).stageKey).toBe('renewal-due');
    await expect(opportunities.create(deal(), 'nope', '', rep1)).rejects.toThrow(NotFoundError);
  });

  it('writes the default on its first save and never strands a deal by removing its stage', async () => {
    const { pipelines, opportunities } = setup();
    const o = await opportunities.create(deal(), '', '', rep1);
    await opportunities.moveStage(o._id, 0, 'needs-analysis', rep1);
    const withoutNeeds = {
      ...DEFAULT_PIPELINE,
      stages: DEFAULT_PIPELINE.stages.filter((s) => s.key !== 'needs-analysis'),
    };
    await expect(pipelines.save('default', 0, withoutNeeds, admin)).rejects.toThrow(ConflictError);
    await expect(pipelines.save('default', 0, withoutNeeds, admin)).rejects.toThrow(/needs-analysis holds 1/);
    const withoutSolution = {
      ...DEFAULT_PIPELINE,
      stages: DEFAULT_PIPELINE.stages.filter((s) => s.key !== 'solution'),
    };
    const saved = await pipelines.save('default', 0, withoutSolution, admin);
    expect(saved).toMatchObject({ _id: 'default', version: 1, isDefault: true });
    expect((await pipelines.save('default', 1, withoutSolution, admin)).version).toBe(2);
    await expect(pipelines.save('default', 1, withoutSolution, admin)).rejects.toThrow(VersionMismatchError);
  });

  it('moves the deals of a removed stage where the admin says, recorded; a closed or unknown target is refused', async () => {
    const { pipelines, opportunities, mem } = setup();
    const o = await opportunities.create(deal(), '', '', rep1);
    await opportunities.moveStage(o._id, 0, 'needs-analysis', rep1);
    const withoutNeeds = {
      ...DEFAULT_PIPELINE,
      stages: DEFAULT_PIPELINE.stages.filter((s) => s.key !== 'needs-analysis'),
    };
    for (const target of ['closed-won', 'needs-analysis', 'nowhere'])
      await expect(
        pipelines.save('default', 0, withoutNeeds, admin, { 'needs-analysis': target }),
      ).rejects.toMatchObject({
        violations: [expect.objectContaining({ field: 'moveDeals.needs-analysis' })],
      });
    const saved = await pipelines.save('default', 0, withoutNeeds, admin, {
      'needs-analysis': 'qualification',
    });
    expect(saved.stages.map((s) => s.key)).not.toContain('needs-analysis');
    const moved = await opportunities.get(o._id, rep1);
    expect(moved.stageKey).toBe('qualification');
    expect(moved.stageHistory.at(-1)).toMatchObject({
      fromStage: 'needs-analysis',
      toStage: 'qualification',
      movedBy: 'admin',
    });
    expect(mem.opportunities.subjects().at(-1)).toBe('OpportunityStageChanged');
  });
});

describe('deals made by a saga step (creation key)', () => {
  it('a retry returns the same deal; the compensation discards only its own, once; asked again it comes back', async () => {
    const { opportunities } = setup();
    const key = 'lead-conversion:L1:opportunity';
    const first = await opportunities.create(deal(), '', 'L1', rep1, key);
    const again = await opportunities.create(deal({ name: 'renamed on retry' }), '', 'L1', rep1, key);
    expect(again._id).toBe(first._id);
    expect(again.name).toBe(first.name);

    await expect(opportunities.discard(first._id, 'another-key', rep1)).rejects.toThrow(ConflictError);
    await expect(opportunities.discard(first._id, key, rep1)).resolves.toBe(true);
    await expect(opportunities.discard(first._id, key, rep1)).resolves.toBe(false);
    await expect(opportunities.get(first._id, rep1)).rejects.toThrow(NotFoundError);
    expect((await opportunities.list(listing(), rep1)).opportunities).toEqual([]);

    const back = await opportunities.create(deal(), '', 'L1', rep1, key);
    expect(back).toMatchObject({ _id: first._id, discardedAt: null, sourceLeadId: 'L1' });
    await expect(opportunities.get(first._id, rep1)).resolves.toMatchObject({ _id: first._id });
  });
});
