import type { Actor, OutboxEntry } from '@crm/kit';
import type { ApprovalRequestDoc, DelegationDoc, PolicyDoc } from '../store/approval.model';

/** Who acts and under which request id (kit's callerOf). */
export interface Caller {
  actor: Actor;
  requestId: string;
}

/** A compare-and-set write with its events (kit saveAtVersion); VersionMismatchError when another came first. */
type Save<D> = (current: D, set: Partial<D>, actor: Actor, events: (next: D) => OutboxEntry[]) => Promise<D>;

export interface InboxQuery {
  /**
   * Only what this user may see: requests they take part in (requester, approver, escalation target)
   * and those waiting now for someone who delegated to them. Undefined: all.
   */
  visibleTo?: { participant: string; delegators: string[] };
  /** Only requests whose current step waits for one of these users. */
  assignedTo?: string[];
  requesterId: string;
  status: string;
  limit: number;
  cursor: string;
}

export interface ApprovalRequestRepository {
  get(id: string): Promise<ApprovalRequestDoc | undefined>;
  byIdempotencyKey(key: string): Promise<ApprovalRequestDoc | undefined>;
  /** False when the idempotency key is taken (a concurrent request with the same key). */
  insert(doc: ApprovalRequestDoc): Promise<boolean>;
  list(q: InboxQuery): Promise<{ requests: ApprovalRequestDoc[]; nextCursor: string }>;
  /** Pending requests whose current step is due to escalate. */
  dueForEscalation(now: Date): Promise<ApprovalRequestDoc[]>;
  save: Save<ApprovalRequestDoc>;
}

export interface PolicyRepository {
  get(id: string): Promise<PolicyDoc | undefined>;
  list(subjectType?: string): Promise<PolicyDoc[]>;
  insert(doc: PolicyDoc): Promise<boolean>;
  save: Save<PolicyDoc>;
}

export interface DelegationRepository {
  get(id: string): Promise<DelegationDoc | undefined>;
  /** Delegations of a delegator (every one when undefined), newest first. */
  list(delegatorId?: string): Promise<DelegationDoc[]>;
  /** Active delegations to this delegate. */
  toDelegate(delegateId: string): Promise<DelegationDoc[]>;
  insert(doc: DelegationDoc): Promise<boolean>;
  save: Save<DelegationDoc>;
}

/** The user directory (Keycloak): who holds a role, who manages a user's teams. */
export interface Directory {
  usersWithRole(role: string): Promise<string[]>;
  /** The sales managers of the groups the user belongs to (never the user themself). */
  managersOf(userId: string): Promise<string[]>;
}

/** Tells the outbox relay that a record has new events (the service host's `written`). */
export type Written = (kind: 'request' | 'policy' | 'delegation', id: string) => void;

export interface ApprovalPorts {
  requests: ApprovalRequestRepository;
  policies: PolicyRepository;
  delegations: DelegationRepository;
  directory: Directory;
  written: Written;
  now?: () => Date;
}
