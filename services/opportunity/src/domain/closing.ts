import {
  type Actor,
  allows,
  collapseSpace,
  ConflictError,
  ForbiddenError,
  Violations,
} from '@crm/kit/domain';
import type { PipelineInput, Stage } from './pipeline';
import { wholeDaysBetween } from './opportunity';

/** Where a deal stands: open in its pipeline, or closed (read-only until a manager reopens it). */
export type OpportunityStatus = 'open' | 'won' | 'lost';

/** One step of a deal's closing, kept in its closeHistory. */
export interface CloseEntry {
  action: 'close-requested' | 'won' | 'lost' | 'close-rejected' | 'reopened';
  /** Who did it; for an approval outcome, who decided. */
  by: string;
  at: Date;
  approvalRequestId: string;
  lossReason: string;
  competitor: string;
  /** Why it was reopened, or the approval outcome that kept it open. */
  comment: string;
  /** The stage the deal was in before this step. */
  fromStage: string;
}

export interface LossReason {
  key: string;
  name: string;
}

/** Shipped until an admin saves a list of their own. */
export const DEFAULT_LOSS_REASONS: LossReason[] = [
  { key: 'price', name: 'Price' },
  { key: 'competitor', name: 'Went with a competitor' },
  { key: 'no-decision', name: 'No decision' },
  { key: 'no-budget', name: 'No budget' },
  { key: 'timing', name: 'Timing' },
  { key: 'product-fit', name: 'Product does not fit' },
];

const KEY = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const MAX_REASONS = 50;
const MAX_NAME = 200;
export const MAX_COMPETITOR = 200;
export const MAX_REOPEN_REASON = 1000;

/** Validates an admin's list as a whole, naming each problem (`reasons[2].key`). */
export function normaliseLossReasons(raw: LossReason[]): LossReason[] {
  const v = new Violations();
  const reasons = raw.map((r) => ({
    key: collapseSpace(r.key ?? '').toLowerCase(),
    name: collapseSpace(r.name ?? ''),
  }));
  if (reasons.length === 0) v.add('reasons', 'needs at least one reason (a lost deal must give one)');
  if (reasons.length > MAX_REASONS) v.add('reasons', `must be at most ${MAX_REASONS}`);
  const seen = new Set<string>();
  reasons.forEach((r, i) => {
    if (!KEY.test(r.key) || r.key.length > 40)
      v.add(`reasons[${i}].key`, 'must be lower-case kebab-case, at most 40 characters (e.g. no-budget)');
    else if (seen.has(r.key)) v.add(`reasons[${i}].key`, `repeats ${r.key}`);
    seen.add(r.key);
    if (!r.name) v.add(`reasons[${i}].name`, 'is required');
    else if (r.name.length > MAX_NAME) v.add(`reasons[${i}].name`, `must be at most ${MAX_NAME} characters`);
  });
  v.throwIfAny();
  return reasons;
}

/** The deal as closing reads it. */
export interface ClosableDeal {
  status: OpportunityStatus;
  pendingCloseApprovalId: string;
  stageKey: string;
  createdAt: Date;
}

/** Edits, stage moves and closes need an open deal that is not waiting for its close approval. */
export function mustBeOpen(deal: ClosableDeal): void {
  if (deal.status !== 'open')
    throw new ConflictError(`the deal is ${deal.status} and read-only; a sales manager may reopen it`);
  if (deal.pendingCloseApprovalId)
    throw new ConflictError('the deal waits for the approval of its close; it changes once that is decided');
}

/** The closed stage of the pipeline a deal enters when it ends with `outcome` (first of them). */
export function closedStage(pipeline: PipelineInput, outcome: 'won' | 'lost'): Stage {
  const stage = pipeline.stages.find((s) => s.forecastCategory === 'closed' && s.outcome === outcome);
  // A saved pipeline always has one of each (normalisePipelineInput).
  if (!stage) throw new ConflictError(`the pipeline has no ${outcome} stage`);
  return stage;
}

/** A lost deal's reason must be one of the list; the competitor is free text. */
export function checkLoss(
  lossReason: string,
  competitor: string,
  reasons: LossReason[],
): { lossReason: string; competitor: string } {
  const v = new Violations();
  const key = collapseSpace(lossReason).toLowerCase();
  const who = collapseSpace(competitor);
  if (!key) v.add('lossReason', 'is required for a lost deal');
  else if (!reasons.some((r) => r.key === key))
    v.add('lossReason', `must be one of ${reasons.map((r) => r.key).join(', ')}`);
  if (who.length > MAX_COMPETITOR) v.add('competitor', `must be at most ${MAX_COMPETITOR} characters`);
  v.throwIfAny();
  return { lossReason: key, competitor: who };
}

/** Reopening a closed deal is a manager's call (the forecast changes under everyone's feet). */
export function mayReopen(actor: Actor): void {
  if (!allows(actor.roles, 'opportunity.reopen'))
    throw new ForbiddenError('only a sales manager or an admin may reopen a closed deal');
}

/** The open stage a closed deal goes back to: the one it was closed from. */
export function stageBeforeClosing(
  history: { fromStage: string; toStage: string }[],
  closedKey: string,
): string {
  for (let i = history.length - 1; i >= 0; i--) {
    const move = history[i]!;
    if (move.toStage === closedKey && move.fromStage) return move.fromStage;
  }
  return '';
}

export const daysToClose = (deal: Pick<ClosableDeal, 'createdAt'>, at: Date): number =>
  wholeDaysBetween(deal.createdAt, at);

export const closeEntry = (
  e: Partial<CloseEntry> & Pick<CloseEntry, 'action' | 'by' | 'at'>,
): CloseEntry => ({
  approvalRequestId: '',
  lossReason: '',
  competitor: '',
  comment: '',
  fromStage: '',
  ...e,
});
