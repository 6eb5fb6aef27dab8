import { randomUUID } from 'node:crypto';
import { allows, checkVersion, ConflictError, ForbiddenError, NotFoundError } from '@crm/kit';
import { normalisePolicyInput, type RawPolicyInput } from '../domain/policy';
import { approvalEvents as events } from '../events/approval-events';
import type { PolicyDoc } from '../store/approval.model';
import type { ApprovalPorts, Caller } from './ports';

export type RawPolicy = RawPolicyInput;

/**
 * Approval policies: read by managers, approvers and admins, written by admins. Each save is a new
 * version kept in the policy's history; requests copy the steps of the version they started with, so
 * a later change never moves a request already under way.
 */
export class Policies {
  constructor(private readonly p: ApprovalPorts) {}

  async list(subjectType: string, c: Caller): Promise<PolicyDoc[]> {
    this.mayRead(c);
    const all = await this.p.policies.list(subjectType.trim() || undefined);
    return all.sort(
      (a, b) =>
        a.policy.subjectType.localeCompare(b.policy.subjectType) ||
        a.policy.priority - b.policy.priority ||
        a.policy.name.localeCompare(b.policy.name),
    );
  }

  async get(id: string, c: Caller): Promise<PolicyDoc> {
    this.mayRead(c);
    const doc = await this.p.policies.get(id.trim());
    if (!doc) throw new NotFoundError('approval policy', id);
    return doc;
  }

  /** Creates (no id) or replaces a policy, validated whole; the saved version is kept in its history. */
  async save(id: string, expectedVersion: number, raw: RawPolicy, c: Caller): Promise<PolicyDoc> {
    if (!allows(c.actor.roles, 'settings.write'))
      throw new ForbiddenError('only an admin may change approval policies');
    const policy = normalisePolicyInput(raw);
    const now = new Date();
    const version = (v: number) => ({ version: v, policy, savedAt: now, savedBy: c.actor.userId });
    if (!id.trim()) {
      const doc: PolicyDoc = {
        _id: randomUUID(),
        version: 1,
        policy,
        history: [version(1)],
        createdAt: now,
        createdBy: c.actor.userId,
        updatedAt: now,
        updatedBy: c.actor.userId,
        outbox: [],
      };
      doc.outbox = [events.policySaved(doc, c.actor, c.requestId)];
      if (!(await this.p.policies.insert(doc))) throw new ConflictError('a policy with this id exists');
      this.p.written('policy', doc._id);
      return doc;
    }
    const current = await this.get(id, c);
    checkVersion(expectedVersion, current.version);
    const next = await this.p.policies.save(
      current,
      { policy, history: [...current.history, version(current.version + 1)] },
      c.actor,
      (n) => [events.policySaved(n, c.actor, c.requestId)],
    );
    this.p.written('policy', next._id);
    return next;
  }

  private mayRead(c: Caller): void {
    if (!allows(c.actor.roles, 'approval-policy.read'))
      throw new ForbiddenError('you may not read approval policies');
  }
}
