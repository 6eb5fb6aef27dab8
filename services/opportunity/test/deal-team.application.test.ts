import { ForbiddenError, NotFoundError, Roles } from '@crm/kit';
import { Opportunities, type OpportunityListRequest } from '../src/application/opportunities';
import { Pipelines } from '../src/application/pipelines';
import type { Caller } from '../src/application/ports';
import { inMemoryPorts } from './support/in-memory-repositories';

const caller = (userId: string, roles: string[], teams: string[] = []): Caller => ({
  actor: { userId, username: userId, roles, teams },
  requestId: `req-${userId}`,
});
const rep1 = caller('rep1', [Roles.rep], ['east']);
const presales = caller('presales1', [Roles.rep], ['solutions']);
const rep2 = caller('rep2', [Roles.rep], ['west']);
const manager = caller('manager', [Roles.manager], ['east']);

const listing: OpportunityListRequest = {
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
};

async function setup() {
  const mem = inMemoryPorts();
  const opportunities = new Opportunities(mem.ports, new Pipelines(mem.ports));
  const deal = await opportunities.create(
    { name: 'ACME ERP', accountId: 'acc-1', amountMinor: 100, currency: 'EUR' },
    '',
    '',
    rep1,
  );
  return { mem, opportunities, deal };
}

describe('the deal team', () => {
  it('a presales member reads the deal and finds it in their list; another rep does not', async () => {
    const { opportunities, deal, mem } = await setup();
    const team = [
      { userId: 'rep1', role: 'owner' },
      { userId: 'presales1', role: 'presales' },
    ];
    const saved = await opportunities.setTeam(deal._id, 0, team, rep1);
    expect(saved.teamMembers).toEqual(team);
    await expect(opportunities.get(deal._id, presales)).resolves.toMatchObject({ _id: deal._id });
    expect((await opportunities.list(listing, presales)).opportunities.map((o) => o._id)).toEqual([deal._id]);
    await expect(opportunities.get(deal._id, rep2)).rejects.toThrow(NotFoundError);
    expect((await opportunities.list(listing, rep2)).opportunities).toEqual([]);
    expect(mem.opportunities.subjects().at(-1)).toBe('OpportunityTeamChanged');
  });

  it('members read but do not change the deal or its team; the owner and their manager do', async () => {
    const { opportunities, deal } = await setup();
    await opportunities.setTeam(deal._id, 0, [{ userId: 'presales1', role: 'presales' }], rep1);
    await expect(opportunities.update(deal._id, 0, { nextStep: 'demo' }, presales)).rejects.toThrow(
      ForbiddenError,
    );
    await expect(opportunities.setTeam(deal._id, 0, [], presales)).rejects.toThrow(ForbiddenError);
    await expect(opportunities.setTeam(deal._id, 0, [], rep2)).rejects.toThrow(NotFoundError);
    const byManager = await opportunities.setTeam(
      deal._id,
      0,
      [{ userId: 'fin1', role: 'finance' }],
      manager,
    );
    expect(byManager.memberIds).toEqual(['fin1']);
    await expect(opportunities.get(deal._id, presales)).rejects.toThrow(NotFoundError);
  });

  it('refuses an unknown role, a user twice, and an owner who is not the owner, naming each', async () => {
    const { opportunities, deal } = await setup();
    await expect(
      opportunities.setTeam(
        deal._id,
        0,
        [
          { userId: 'a', role: 'cheerleader' },
          { userId: 'b', role: 'presales' },
          { userId: 'b', role: 'finance' },
          { userId: 'c', role: 'owner' },
        ],
        rep1,
      ),
    ).rejects.toMatchObject({
      violations: [
        expect.objectContaining({ field: 'members[0].role' }),
        expect.objectContaining({ field: 'members[2].userId' }),
        expect.objectContaining({ field: 'members[3].role' }),
      ],
    });
  });
});
