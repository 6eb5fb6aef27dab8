import { Roles } from '@crm/kit';
import type { TransferRequest } from '@crm/ownership';
import { DealOwnership, type MovableDeals } from '../src/application/deal-ownership';
import { Opportunities } from '../src/application/opportunities';
import { Pipelines } from '../src/application/pipelines';
import type { Caller } from '../src/application/ports';
import { poolRefusal, teamAfterHandOver } from '../src/domain/deal-ownership';
import { inMemoryPorts } from './support/in-memory-repositories';

const caller = (userId: string, roles: string[], teams: string[] = []): Caller => ({
  actor: { userId, username: userId, roles, teams },
  requestId: `req-${userId}`,
});
const rep1 = caller('rep1', [Roles.rep], ['east']);
const admin = caller('admin', [Roles.admin]);

/** The store's queries over the in-memory deals. */
const dealsIn = (mem: ReturnType<typeof inMemoryPorts>): MovableDeals => ({
  toMove: async () => [],
  countMoved: async () => 0,
  ofAccount: async (accountId, ownerId) =>
    mem.opportunities.all().filter((o) => o.accountId === accountId && o.ownerId === ownerId),
  allOfAccount: async (accountId) => mem.opportunities.all().filter((o) => o.accountId === accountId),
});

describe("a deal team's owner entry when the deal changes hands", () => {
  const team = [
    { userId: 'rep1', role: 'owner' as const },
    { userId: 'presales1', role: 'presales' as const },
    { userId: 'rep2', role: 'finance' as const },
  ];

  it('names the new owner, who leaves the role they held', () => {
    expect(teamAfterHandOver(team, 'rep2')).toEqual([
      { userId: 'rep2', role: 'owner' },
      { userId: 'presales1', role: 'presales' },
    ]);
  });

  it('goes with the owner into the pool, and a team without one stays as it is', () => {
    expect(teamAfterHandOver(team, '')).toEqual(team.slice(1));
    expect(teamAfterHandOver(team.slice(1), 'rep9')).toEqual(team.slice(1));
  });
});

describe('which deals may go to the pool', () => {
  it('open ones; won and lost deals keep their owner, a pending close waits for its decision', () => {
    expect(poolRefusal({ status: 'open', pendingCloseApprovalId: '' })).toBeUndefined();
    expect(poolRefusal({ status: 'won', pendingCloseApprovalId: '' })).toMatch(/commission history/);
    expect(poolRefusal({ status: 'lost', pendingCloseApprovalId: '' })).toMatch(/keeps its owner/);
    expect(poolRefusal({ status: 'open', pendingCloseApprovalId: 'AR1' })).toMatch(/close approval/);
  });
});

describe('deals in an ownership transfer', () => {
  async function setup() {
    const mem = inMemoryPorts();
    const opportunities = new Opportunities(mem.ports, new Pipelines(mem.ports));
    const open = async (name: string) =>
      opportunities.create({ name, accountId: 'acc-1', amountMinor: 100, currency: 'EUR' }, '', '', rep1);
    // Every deal of the from-user, as if each closed or changed team after the store's query found it:
    // the use case itself must leave closed and other teams' deals alone.
    const deals: MovableDeals = {
      ...dealsIn(mem),
      toMove: async (t) => mem.opportunities.all().filter((o) => o.ownerId === t.fromUserId),
      countMoved: async (id) => mem.opportunities.all().filter((o) => o.transfer?.id === id).length,
    };
    return { mem, opportunities, open, ownership: new DealOwnership(mem.ports, deals) };
  }
  const transfer: TransferRequest = {
    transferId: 'T1',
    fromUserId: 'rep1',
    toUserId: 'rep2',
    toTeamId: 'west',
  };

  it('open deals go to the new owner with their team, stamped with who moved them and when, each announced', async () => {
    const { mem, opportunities, open, ownership } = await setup();
    const deal = await open('ACME ERP');
    await opportunities.setTeam(
      deal._id,
      0,
      [
        { userId: 'rep1', role: 'owner' },
        { userId: 'presales1', role: 'presales' },
      ],
      rep1,
    );
    const at = new Date('2026-03-01T10:00:00Z');
    expect(await ownership.moveForTransfer(transfer, admin.actor, at)).toBe(1);
    const moved = (await mem.opportunities.get(deal._id))!;
    expect(moved).toMatchObject({
      ownerId: 'rep2',
      teamId: 'west',
      memberIds: ['rep2', 'presales1'],
      transfer: { id: 'T1', fromUserId: 'rep1', by: 'admin', at },
      updatedBy: 'admin',
    });
    expect(mem.opportunities.subjects().at(-1)).toBe('OpportunityUpdated');
    // A redelivered request moves nothing more and reports the same count.
    expect(await ownership.moveForTransfer(transfer, admin.actor, at)).toBe(1);
    expect(mem.opportunities.subjects().filter((s) => s === 'OpportunityUpdated')).toHaveLength(1);
  });

  it('a won deal keeps the owner who closed it', async () => {
    const { mem, open, ownership } = await setup();
    const won = await open('Won deal');
    const stored = (await mem.opportunities.get(won._id))!;
    await mem.opportunities.save(stored, { status: 'won' }, rep1.actor, () => []);
    expect(await ownership.moveForTransfer(transfer, admin.actor)).toBe(0);
    expect((await mem.opportunities.get(won._id))!.ownerId).toBe('rep1');
  });

  it("a sales manager's transfer leaves deals of other teams where they are", async () => {
    const { mem, open, ownership } = await setup();
    const deal = await open('East deal');
    const limited = { ...transfer, withinTeams: ['north'] };
    expect(await ownership.moveForTransfer(limited, admin.actor)).toBe(0);
    expect((await mem.opportunities.get(deal._id))!.ownerId).toBe('rep1');
  });
});

describe('deals following their account to a new owner', () => {
  it("the previous owner's open deals on the account go along; others' deals and closed ones stay", async () => {
    const mem = inMemoryPorts();
    const opportunities = new Opportunities(mem.ports, new Pipelines(mem.ports));
    const rep3 = caller('rep3', [Roles.rep], ['east']);
    const open = (name: string, accountId: string, c: Caller) =>
      opportunities.create({ name, accountId, amountMinor: 100, currency: 'EUR' }, '', '', c);
    const follows = await open('Follows', 'acc-1', rep1);
    const otherAccount = await open('Other account', 'acc-2', rep1);
    const someoneElses = await open('Specialist deal', 'acc-1', rep3);
    const won = await open('Won', 'acc-1', rep1);
    await mem.opportunities.save(
      (await mem.opportunities.get(won._id))!,
      { status: 'won' },
      rep1.actor,
      () => [],
    );
    const ownership = new DealOwnership(mem.ports, dealsIn(mem));
    const change = { accountId: 'acc-1', fromUserId: 'rep1', toUserId: 'rep2', toTeamId: 'west' };
    const manager = caller('manager', [Roles.manager], ['east']);
    expect(await ownership.followAccount(change, manager.actor, 'req-reassign')).toBe(1);
    expect(await mem.opportunities.get(follows._id)).toMatchObject({
      ownerId: 'rep2',
      teamId: 'west',
      updatedBy: 'manager',
    });
    const owners = await Promise.all(
      [otherAccount, someoneElses, won].map(async (d) => (await mem.opportunities.get(d._id))!.ownerId),
    );
    expect(owners).toEqual(['rep1', 'rep3', 'rep1']);
    expect(mem.opportunities.subjects().at(-1)).toBe('OpportunityUpdated');
  });
});

describe('deals following their account into a merge', () => {
  it('every deal of the merged account, closed ones too, moves to the survivor once, announced, owners kept', async () => {
    const mem = inMemoryPorts();
    const opportunities = new Opportunities(mem.ports, new Pipelines(mem.ports));
    const rep3 = caller('rep3', [Roles.rep], ['east']);
    const open = (name: string, accountId: string, c: Caller) =>
      opportunities.create({ name, accountId, amountMinor: 100, currency: 'EUR' }, '', '', c);
    const mine = await open('Mine', 'acc-1', rep1);
    const theirs = await open('Theirs', 'acc-1', rep3);
    const won = await open('Won', 'acc-1', rep1);
    await mem.opportunities.save(
      (await mem.opportunities.get(won._id))!,
      { status: 'won' },
      rep1.actor,
      () => [],
    );
    const elsewhere = await open('Elsewhere', 'acc-2', rep1);
    const ownership = new DealOwnership(mem.ports, dealsIn(mem));
    const manager = caller('manager', [Roles.manager], ['east']);

    expect(await ownership.followMerge('acc-1', 'acc-survivor', manager.actor, 'req-merge')).toBe(3);
    const after = async (id: string) => (await mem.opportunities.get(id))!;
    for (const [deal, owner] of [
      [mine, 'rep1'],
      [theirs, 'rep3'],
      [won, 'rep1'],
    ] as const)
      expect(await after(deal._id)).toMatchObject({
        accountId: 'acc-survivor',
        ownerId: owner,
        updatedBy: 'manager',
      });
    expect((await after(elsewhere._id)).accountId).toBe('acc-2');
    expect(mem.opportunities.subjects().slice(-3)).toEqual(Array(3).fill('OpportunityUpdated'));

    // The event again (a redelivery): nothing left to move.
    expect(await ownership.followMerge('acc-1', 'acc-survivor', manager.actor, 'req-merge')).toBe(0);
  });
});
