import { randomUUID } from 'node:crypto';
import { allows, ConflictError, ForbiddenError, hasRole, NotFoundError, Roles } from '@crm/kit';
import { dayOf, type DelegationInput, normaliseDelegation } from '../domain/delegation';
import { approvalEvents as events } from '../events/approval-events';
import type { DelegationDoc } from '../store/approval.model';
import type { ApprovalPorts, Caller } from './ports';

/**
 * Delegations: an approver away names who decides in their place, between two dates. A delegate
 * sees and decides what waits for the delegator while it runs; the trail records both names.
 */
export class Delegations {
  constructor(private readonly p: ApprovalPorts) {}

  async list(includeEnded: boolean, c: Caller): Promise<DelegationDoc[]> {
    this.mayUse(c);
    const all = await this.p.delegations.list(isAdmin(c) ? undefined : c.actor.userId);
    const today = dayOf(new Date());
    return includeEnded ? all : all.filter((d) => d.active && d.endsOn >= today);
  }

  async create(raw: DelegationInput, c: Caller): Promise<DelegationDoc> {
    this.mayUse(c);
    const delegatorId = raw.delegatorId.trim() || c.actor.userId;
    if (delegatorId !== c.actor.userId && !isAdmin(c))
      throw new ForbiddenError('you delegate only your own approvals');
    const input = normaliseDelegation({ ...raw, delegatorId });
    const now = new Date();
    const doc: DelegationDoc = {
      _id: randomUUID(),
      version: 1,
      ...input,
      active: true,
      createdAt: now,
      createdBy: c.actor.userId,
      updatedAt: now,
      updatedBy: c.actor.userId,
      outbox: [],
    };
    doc.outbox = [events.delegationSaved(doc, c.actor, c.requestId)];
    if (!(await this.p.delegations.insert(doc))) throw new ConflictError('a delegation with this id exists');
    this.p.written('delegation', doc._id);
    return doc;
  }

  /** Ends a delegation early; it stays listed (with includeEnded) for the record. */
  async end(id: string, c: Caller): Promise<DelegationDoc> {
    this.mayUse(c);
    const current = await this.p.delegations.get(id.trim());
    if (!current || (current.delegatorId !== c.actor.userId && !isAdmin(c)))
      throw new NotFoundError('delegation', id);
    if (!current.active) return current;
    const next = await this.p.delegations.save(current, { active: false }, c.actor, (n) => [
      events.delegationSaved(n, c.actor, c.requestId),
    ]);
    this.p.written('delegation', next._id);
    return next;
  }

  private mayUse(c: Caller): void {
    if (!allows(c.actor.roles, 'approval.use')) throw new ForbiddenError('you may not delegate approvals');
  }
}

const isAdmin = (c: Caller) => hasRole(c.actor, Roles.admin);
