import type { Logger } from '@crm/kit';
import type { PoolOptions, TransferableEntity, TransferRequest } from '@crm/ownership';
import type { Connection } from 'mongoose';
import type { DealOwnership, MovableDeals } from '../application/deal-ownership';
import type { DealTeamMember } from '../domain/deal-team';
import { poolRefusal, teamAfterHandOver } from '../domain/deal-ownership';
import type { OpportunityDoc, OpportunityModels } from './opportunity.model';

/** Live deals still being worked (stored before closing existed: no status, read as open). */
const OPEN: Record<string, unknown> = { discardedAt: null, status: { $nin: ['won', 'lost'] } };

/** The deals that change hands, read from this service's database. */
export function movableDeals(m: OpportunityModels): MovableDeals {
  return {
    async toMove(t: TransferRequest) {
      const teams = t.withinTeams ? { teamId: { $in: t.withinTeams } } : {};
      const filter: Record<string, unknown> = {
        ...OPEN,
        ...teams,
        ownerId: t.fromUserId,
      };
      return m.Opportunity.find(filter, { outbox: 0 }).lean<OpportunityDoc[]>();
    },
    countMoved: (transferId: string) => m.Opportunity.countDocuments({ 'transfer.id': transferId }),
    async ofAccount(accountId: string, ownerId: string) {
      const filter: Record<string, unknown> = { ...OPEN, accountId, ownerId };
      return m.Opportunity.find(filter, { outbox: 0 }).lean<OpportunityDoc[]>();
    },
    allOfAccount: (accountId: string) =>
      m.Opportunity.find({ discardedAt: null, accountId }, { outbox: 0 }).lean<OpportunityDoc[]>(),
  };
}

/** What the opportunity service moves in an ownership transfer: open deals, one at a time. */
export function opportunityTransfer(m: OpportunityModels, ownership: DealOwnership): TransferableEntity {
  return {
    entity: 'opportunity',
    model: m.Opportunity,
    move: (t, actor, at) => ownership.moveForTransfer(t, actor, at),
  };
}

const handedTo = (members: unknown, ownerId: string) => {
  const team = teamAfterHandOver((members as DealTeamMember[] | undefined) ?? [], ownerId);
  return { teamMembers: team, memberIds: team.map((x) => x.userId) };
};

/**
 * How deals take part in the public pool: open ones only, released by hand (a deal's activity lives in
 * the account service, so the inactivity rule is not run for deals). The team's owner entry leaves with
 * the owner; a claimer already on the team keeps their role there.
 */
export function opportunityPool(
  m: OpportunityModels,
  db: Connection,
  kick: (id: string) => void,
  logger: Logger,
): PoolOptions {
  return {
    entity: 'opportunity',
    model: m.Opportunity,
    db,
    nameFields: ['name'],
    nameOf: (d) => String(d.name ?? ''),
    readFields: ['status', 'pendingCloseApprovalId', 'teamMembers', 'discardedAt'],
    releasableFilter: OPEN,
    refuseRelease: (d) =>
      poolRefusal({
        status: (d.status as OpportunityDoc['status'] | undefined) ?? 'open',
        pendingCloseApprovalId: String(d.pendingCloseApprovalId ?? ''),
      }),
    onRelease: (_actor, _reason, _at, d) => (d ? { set: handedTo(d.teamMembers, '') } : {}),
    onClaim: (actor, _at, d) => (d ? { set: handedTo(d.teamMembers, actor.userId) } : {}),
    kick,
    logger,
  };
}
