import type { Logger } from '@crm/kit';
import type { Caller } from './ports';

/** Where an approval request stands, in the approval engine's words. */
export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'changes-requested' | 'withdrawn';

/** What this service asks the approval engine about one of its subjects. */
export interface ApprovalAsk {
  /** Selects the policies: 'opportunity-close', 'quote', 'payment'. */
  subjectType: string;
  subjectId: string;
  /** Same key, same request: derive it from the subject and its version (e.g. `close:<id>:v7`). */
  idempotencyKey: string;
  /** The fields policy conditions read, frozen now; money in minor units. */
  snapshot: Record<string, string | number | boolean | null>;
  /** Shown to approvers in their inbox. */
  title: string;
  /** The user on whose behalf it is asked (the caller, when their token is forwarded). */
  requesterId: string;
}

export interface ApprovalTicket {
  /** Id of the approval request. */
  id: string;
  /** 'approved' at once when no policy matched; otherwise usually 'pending'. */
  status: ApprovalStatus;
}

/** The approval engine, asked for one subject at a time. */
export interface ApprovalRequests {
  /** Starts the request or returns the one already started with this idempotency key; transport trouble is a 503. */
  request(ask: ApprovalAsk, c: Caller): Promise<ApprovalTicket>;
}

/** An outcome the approval engine announced (ApprovalRequestDecided); it may arrive more than once. */
export interface ApprovalDecision {
  requestId: string;
  subjectType: string;
  subjectId: string;
  idempotencyKey: string;
  /** 'pending' never comes here. */
  outcome: Exclude<ApprovalStatus, 'pending'>;
  /** A user id, or 'approval-service' for an automatic approval. */
  decidedBy: string;
  decidedAt: Date;
  /** What the decider wrote with the final decision (a reason to reject, what to change); '' or absent if nothing. */
  comment?: string;
}

/** Applies an outcome to one kind of subject; must be idempotent (a redelivered decision changes nothing twice). */
export type ApprovalOutcomeHandler = (decision: ApprovalDecision) => Promise<void>;

/**
 * Sends each decision to the handler of its subject type. The engine serves the whole CRM, so
 * decisions about subjects this service does not own (or a type it has no handler for yet) are
 * skipped, not failed.
 */
export class ApprovalOutcomes {
  constructor(
    private readonly handlers: Readonly<Record<string, ApprovalOutcomeHandler>>,
    private readonly logger?: Pick<Logger, 'debug'>,
  ) {}

  /** The subject types this service applies outcomes to. */
  get subjectTypes(): string[] {
    return Object.keys(this.handlers);
  }

  async apply(decision: ApprovalDecision): Promise<void> {
    const handle = Object.hasOwn(this.handlers, decision.subjectType)
      ? this.handlers[decision.subjectType]
      : undefined;
    if (!handle) {
      this.logger?.debug(
        { subjectType: decision.subjectType, requestId: decision.requestId },
        'approval decision for a subject this service does not own; skipped',
      );
      return;
    }
    await handle(decision);
  }
}
