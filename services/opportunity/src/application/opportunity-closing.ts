import {
  type Actor,
  allows,
  type ApprovalSnapshot,
  checkVersion,
  ConflictError,
  ForbiddenError,
  retryOnVersionMismatch,
  ValidationError,
} from '@crm/kit';
import {
  checkLoss,
  closedStage,
  closeEntry,
  DEFAULT_LOSS_REASONS,
  daysToClose,
  type LossReason,
  MAX_REOPEN_REASON,
  mayReopen,
  mustBeOpen,
  normaliseLossReasons,
  stageBeforeClosing,
} from '../domain/closing';
import { type StageMove, wholeDaysBetween } from '../domain/opportunity';
import { firstStage, type Stage, stageOf } from '../domain/pipeline';
import { opportunityEvents as events } from '../events/opportunity-events';
import type { LossReasonsDoc, OpportunityDoc, PipelineDoc } from '../store/opportunity.model';
import type { ApprovalDecision } from './approvals';
import type { Opportunities } from './opportunities';
import type { Pipelines } from './pipelines';
import type { Caller, OpportunityPorts } from './ports';

/** The approval engine's subject type for closing a deal as won. */
export const CLOSE_SUBJECT = 'opportunity-close';

/** One request per version of the deal: a retried close asks the same request again. */
export const closeApprovalKey = (o: Pick<OpportunityDoc, '_id' | 'version'>) =>
  `${CLOSE_SUBJECT}:${o._id}:v${o.version}`;

export interface CloseRequest {
  outcome: string;
  lossReason: string;
  competitor: string;
}

export interface CloseResult {
  opportunity: OpportunityDoc;
  result: 'won' | 'lost' | 'pending-approval';
  approvalRequestId: string;
}

/** Approval outcomes are applied by the approval engine's decider, not by a caller of this service. */
const deciderActor = (userId: string): Actor => ({ userId, username: userId, roles: [], teams: [] });

/** The loss reasons a seller picks from: built in (version 0) until an admin saves a list. */
export class LossReasons {
  constructor(private readonly p: OpportunityPorts) {}

  async get(): Promise<LossReasonsDoc> {
    return (
      (await this.p.lossReasons.get()) ?? {
        _id: 'loss-reasons',
        version: 0,
        reasons: structuredClone(DEFAULT_LOSS_REASONS),
        updatedAt: null,
        updatedBy: '',
      }
    );
  }

  async put(expectedVersion: number, raw: LossReason[], c: Caller): Promise<LossReasonsDoc> {
    if (!allows(c.actor.roles, 'settings.write'))
      throw new ForbiddenError('only an admin may change the loss reasons');
    const reasons = normaliseLossReasons(raw);
    const current = await this.get();
    checkVersion(expectedVersion, current.version);
    return this.p.lossReasons.put(current.version, reasons, c.actor);
  }
}

/**
 * Closing deals: lost with a reason from the admin's list; won after the approval engine agrees
 * (at once when no policy matches, else when its decision arrives); reopened by a manager. A closed
 * deal is read-only, and every step is kept in closeHistory.
 */
export class OpportunityClosing {
  constructor(
    private readonly p: OpportunityPorts,
    private readonly pipelines: Pipelines,
    private readonly opportunities: Opportunities,
    private readonly lossReasons: LossReasons,
  ) {}

  async close(id: string, expectedVersion: number, req: CloseRequest, c: Caller): Promise<CloseResult> {
    const outcome = req.outcome.trim();
    if (outcome !== 'won' && outcome !== 'lost')
      throw new ValidationError([{ field: 'outcome', description: 'must be won or lost' }]);
    if (outcome === 'won' && (req.lossReason.trim() || req.competitor.trim()))
      throw new ValidationError([
        { field: 'lossReason', description: 'only a lost deal has a loss reason or competitor' },
      ]);
    const current = await this.opportunities.getForChange(id, c);
    checkVersion(expectedVersion, current.version);
    mustBeOpen(current);
    const pipeline = await this.pipelines.get(current.pipelineId);
    if (outcome === 'lost') return this.lose(current, pipeline, req, c);

    const ticket = await this.p.approvals.request(
      {
        subjectType: CLOSE_SUBJECT,
        subjectId: current._id,
        idempotencyKey: closeApprovalKey(current),
        snapshot: closeSnapshot(current, pipeline),
        title: `Close "${current.name}" as won: ${current.amountMinor} ${current.currency} (minor units)`,
        requesterId: c.actor.userId,
      },
      c,
    );
    if (ticket.status === 'approved') {
      // No policy matched; the engine still publishes its decision, which then finds nothing to do.
      const won = await this.win(
        current,
        pipeline,
        ticket.id,
        'approval-service',
        c.actor,
        c.actor,
        c.requestId,
      );
      return { opportunity: won, result: 'won', approvalRequestId: ticket.id };
    }
    if (ticket.status !== 'pending')
      throw new ConflictError(`the approval engine answered ${ticket.status} for closing this deal as won`);
    const now = new Date();
    const waiting = await this.p.opportunities.save(
      current,
      {
        pendingCloseApprovalId: ticket.id,
        closeHistory: [
          ...current.closeHistory,
          closeEntry({
            action: 'close-requested',
            by: c.actor.userId,
            at: now,
            approvalRequestId: ticket.id,
            fromStage: current.stageKey,
          }),
        ],
      },
      c.actor,
      (n) => [events.closeRequested(n, c.actor, c.requestId)],
    );
    this.p.written('opportunity', id);
    return { opportunity: waiting, result: 'pending-approval', approvalRequestId: ticket.id };
  }

  /** Back to the open stage it was closed from; managers and admins only. */
  reopen(id: string, expectedVersion: number, reason: string, c: Caller): Promise<OpportunityDoc> {
    const once = async () => {
      mayReopen(c.actor);
      const why = reason.trim();
      if (why.length > MAX_REOPEN_REASON)
        throw new ValidationError([
          { field: 'reason', description: `must be at most ${MAX_REOPEN_REASON} characters` },
        ]);
      const current = await this.opportunities.getForChange(id, c);
      checkVersion(expectedVersion, current.version);
      if (current.status === 'open')
        throw new ConflictError('the deal is open; only a won or lost deal is reopened');
      const pipeline = await this.pipelines.get(current.pipelineId);
      const before = stageOf(pipeline, stageBeforeClosing(current.stageHistory, current.stageKey));
      const back = before && before.forecastCategory !== 'closed' ? before : firstStage(pipeline);
      const now = new Date();
      const move = this.moveOf(current, back, c.actor.userId, now);
      const next = await this.p.opportunities.save(
        current,
        {
          status: 'open',
          stageKey: back.key,
          stageEnteredAt: now,
          stageHistory: [...current.stageHistory, move],
          closedAt: null,
          closedBy: '',
          lossReason: '',
          competitor: '',
          closeHistory: [
            ...current.closeHistory,
            closeEntry({
              action: 'reopened',
              by: c.actor.userId,
              at: now,
              comment: why,
              fromStage: current.stageKey,
            }),
          ],
        },
        c.actor,
        (n) => [
          events.stageChanged(n, move, back.forecastCategory, c.actor, c.requestId),
          events.reopened(
            n,
            { previousStatus: current.status, fromStage: current.stageKey, reason: why },
            c.actor,
            c.requestId,
          ),
        ],
      );
      this.p.written('opportunity', id);
      return next;
    };
    return expectedVersion ? once() : retryOnVersionMismatch(once);
  }

  /**
   * The engine decided a close as won: approved -> won; anything else -> open again, recorded.
   * Idempotent: a decision that is not the one the deal waits for changes nothing.
   */
  applyDecision(d: ApprovalDecision): Promise<void> {
    return retryOnVersionMismatch(async () => {
      const current = await this.p.opportunities.get(d.subjectId);
      if (!current) return;
      if (current.pendingCloseApprovalId !== d.requestId) {
        // The decision overtook the write that records the request: let NATS bring it again.
        if (
          current.status === 'open' &&
          !current.pendingCloseApprovalId &&
          d.idempotencyKey === closeApprovalKey(current)
        )
          throw new ConflictError('the close request is not recorded on the deal yet');
        return;
      }
      const decider = deciderActor(d.decidedBy);
      const requestId = `approval:${d.requestId}`;
      if (d.outcome === 'approved') {
        const pipeline = await this.pipelines.get(current.pipelineId);
        const asked = [...current.closeHistory].reverse().find((e) => e.approvalRequestId === d.requestId);
        await this.win(
          current,
          pipeline,
          d.requestId,
          d.decidedBy,
          deciderActor(asked?.by ?? d.decidedBy),
          decider,
          requestId,
        );
        return;
      }
      await this.p.opportunities.save(
        current,
        {
          pendingCloseApprovalId: '',
          closeHistory: [
            ...current.closeHistory,
            closeEntry({
              action: 'close-rejected',
              by: d.decidedBy,
              at: d.decidedAt,
              approvalRequestId: d.requestId,
              comment: d.outcome,
              fromStage: current.stageKey,
            }),
          ],
        },
        decider,
        (n) => [
          events.closeRejected(
            n,
            { approvalRequestId: d.requestId, outcome: d.outcome, decidedBy: d.decidedBy },
            decider,
            requestId,
          ),
        ],
      );
      this.p.written('opportunity', current._id);
    });
  }

  private async lose(
    current: OpportunityDoc,
    pipeline: PipelineDoc,
    req: CloseRequest,
    c: Caller,
  ): Promise<CloseResult> {
    const loss = checkLoss(req.lossReason, req.competitor, (await this.lossReasons.get()).reasons);
    const stage = closedStage(pipeline, 'lost');
    const now = new Date();
    const move = this.moveOf(current, stage, c.actor.userId, now);
    const next = await this.p.opportunities.save(
      current,
      {
        status: 'lost',
        ...this.closedIn(current, stage, move),
        closedBy: c.actor.userId,
        ...loss,
        closeHistory: [
          ...current.closeHistory,
          closeEntry({ action: 'lost', by: c.actor.userId, at: now, ...loss, fromStage: current.stageKey }),
        ],
      },
      c.actor,
      (n) => [
        events.stageChanged(n, move, stage.forecastCategory, c.actor, c.requestId),
        events.lost(
          n,
          { fromStage: current.stageKey, daysToClose: daysToClose(current, now) },
          c.actor,
          c.requestId,
        ),
      ],
    );
    this.p.written('opportunity', current._id);
    return { opportunity: next, result: 'lost', approvalRequestId: '' };
  }

  /** Won: into the pipeline's won stage; `closer` asked for it, `writer` makes the write (the approver, later). */
  private async win(
    current: OpportunityDoc,
    pipeline: PipelineDoc,
    approvalRequestId: string,
    approvedBy: string,
    closer: Actor,
    writer: Actor,
    requestId: string,
  ): Promise<OpportunityDoc> {
    const stage = closedStage(pipeline, 'won');
    const now = new Date();
    const move = this.moveOf(current, stage, closer.userId, now);
    const next = await this.p.opportunities.save(
      current,
      {
        status: 'won',
        pendingCloseApprovalId: '',
        ...this.closedIn(current, stage, move),
        closedBy: closer.userId,
        closeHistory: [
          ...current.closeHistory,
          closeEntry({
            action: 'won',
            by: approvedBy,
            at: now,
            approvalRequestId,
            fromStage: current.stageKey,
          }),
        ],
      },
      writer,
      (n) => [
        events.stageChanged(n, move, stage.forecastCategory, writer, requestId),
        events.won(
          n,
          {
            fromStage: current.stageKey,
            daysToClose: daysToClose(current, now),
            approvalRequestId,
            approvedBy,
          },
          writer,
          requestId,
        ),
      ],
    );
    this.p.written('opportunity', current._id);
    return next;
  }

  private closedIn(current: OpportunityDoc, stage: Stage, move: StageMove): Partial<OpportunityDoc> {
    return {
      stageKey: stage.key,
      stageEnteredAt: move.movedAt,
      stageHistory: [...current.stageHistory, move],
      closedAt: move.movedAt,
    };
  }

  private moveOf(current: OpportunityDoc, to: Stage, by: string, at: Date): StageMove {
    return {
      fromStage: current.stageKey,
      toStage: to.key,
      movedBy: by,
      movedAt: at,
      daysInStage: wholeDaysBetween(current.stageEnteredAt, at),
    };
  }
}

/** What approval policies may read about a deal being won (money in minor units). */
function closeSnapshot(o: OpportunityDoc, pipeline: PipelineDoc): ApprovalSnapshot<typeof CLOSE_SUBJECT> {
  return {
    name: o.name,
    outcome: 'won',
    amountMinor: o.amountMinor,
    currency: o.currency,
    ownerId: o.ownerId,
    teamId: o.teamId,
    accountId: o.accountId,
    pipelineId: o.pipelineId,
    stageKey: o.stageKey,
    winProbability: stageOf(pipeline, o.stageKey)?.winProbability ?? 0,
    expectedCloseDate: o.expectedCloseDate,
  };
}
