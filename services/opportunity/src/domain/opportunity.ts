import {
  type Actor,
  collapseSpace,
  ConflictError,
  type FieldViolation,
  ForbiddenError,
  hasRole,
  Roles,
  ServiceRoles,
  ValidationError,
  Violations,
} from '@crm/kit/domain';
import { type ExitCriterion, type PipelineInput, type Stage, stageOf } from './pipeline';

/** The fields of a deal a seller edits (owner, team, pipeline and stage have their own rules). */
export interface OpportunityFields {
  name: string;
  accountId: string;
  primaryContactId: string;
  decisionMakerContactId: string;
  /** Integer minor units of `currency` (cents, fen), never a float; 0 while not estimated. */
  amountMinor: number;
  currency: string;
  /** yyyy-mm-dd, or '' when not set. */
  expectedCloseDate: string;
  nextStep: string;
}

/** One move between stages, as kept in the deal's stageHistory. */
export interface StageMove {
  /** '' for the stage the deal was created in. */
  fromStage: string;
  toStage: string;
  movedBy: string;
  movedAt: Date;
  /** Whole days spent in fromStage. */
  daysInStage: number;
}

/** A change of a forecast input (amount or close date), kept for forecast accuracy. */
export interface ForecastChange {
  field: 'amount' | 'expectedCloseDate';
  /** An amount as "<minor units> <currency>", a date as yyyy-mm-dd; '' when unset. */
  before: string;
  after: string;
  changedBy: string;
  changedAt: Date;
}

const MAX_NAME = 200;
const MAX_TEXT = 1000;
const CURRENCY = /^[A-Z]{3}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

export const isCalendarDate = (s: string) => {
  if (!DATE.test(s)) return false;
  // "0000-00-00" matches the pattern but is no date: an invalid Date throws in toISOString
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
};

/** Trims and validates a deal's fields; throws ValidationError naming each problem. */
export function normaliseOpportunityFields(raw: OpportunityFields): OpportunityFields {
  const v = new Violations();
  const t = collapseSpace;
  const f: OpportunityFields = {
    name: t(raw.name),
    accountId: t(raw.accountId),
    primaryContactId: t(raw.primaryContactId),
    decisionMakerContactId: t(raw.decisionMakerContactId),
    amountMinor: raw.amountMinor ?? 0,
    currency: t(raw.currency).toUpperCase(),
    expectedCloseDate: t(raw.expectedCloseDate),
    nextStep: (raw.nextStep ?? '').trim(),
  };
  if (!f.name) v.add('name', 'is required');
  else if (f.name.length > MAX_NAME) v.add('name', `must be at most ${MAX_NAME} characters`);
  if (!f.accountId) v.add('accountId', 'is required');
  if (!Number.isSafeInteger(f.amountMinor) || f.amountMinor < 0)
    v.add('amountMinor', 'must be a whole, non-negative number of minor units');
  if (!CURRENCY.test(f.currency)) v.add('currency', 'must be an ISO 4217 code such as EUR or CNY');
  if (f.expectedCloseDate && !isCalendarDate(f.expectedCloseDate))
    v.add('expectedCloseDate', 'must be a date yyyy-mm-dd');
  if (f.nextStep.length > MAX_TEXT) v.add('nextStep', `must be at most ${MAX_TEXT} characters`);
  v.throwIfAny();
  return f;
}

/**
 * The owner and team of a new deal: the caller's own unless a manager, admin or integrator names
 * another (or the lead service, whose conversion gives the deal to the account's owner).
 */
export function ownerOfNewOpportunity(
  ownerId: string,
  teamId: string,
  actor: Actor,
): { ownerId: string; teamId: string } {
  const mayAssign = hasRole(actor, Roles.manager, Roles.admin, Roles.integrator, ServiceRoles.leadService);
  if (ownerId && ownerId !== actor.userId && !mayAssign)
    throw new ForbiddenError('only a sales manager, an admin or an integrator may name another owner');
  if (teamId && !mayAssign && !actor.teams.includes(teamId))
    throw new ForbiddenError('a sales rep files deals under their own team');
  if (ownerId) return { ownerId, teamId: teamId || (ownerId === actor.userId ? (actor.teams[0] ?? '') : '') };
  if (hasRole(actor, Roles.rep, Roles.manager))
    return { ownerId: actor.userId, teamId: teamId || (actor.teams[0] ?? '') };
  return { ownerId: '', teamId };
}

/**
 * Leaving a stage whose exit criteria are not filled. A ConflictError (the request is fine, the deal is
 * not ready) that names the missing fields, so the seller knows what to fill in.
 */
export class ExitCriteriaNotMetError extends ConflictError {
  /** Read by kit's gRPC mapping: the gateway answers 422 naming these fields. */
  readonly violations: FieldViolation[];
  constructor(
    readonly stageKey: string,
    readonly missing: ExitCriterion[],
  ) {
    super(`leaving ${stageKey} needs ${missing.join(', ')}`);
    this.violations = missing.map((field) => ({
      field,
      description: `must be filled before leaving ${stageKey}`,
    }));
  }
}

/** The exit criteria of `stage` the deal has not filled yet. */
export function missingExitCriteria(stage: Stage, deal: OpportunityFields): ExitCriterion[] {
  return stage.exitCriteria.filter((field) =>
    field === 'amountMinor' ? !(deal.amountMinor > 0) : !String(deal[field] ?? '').trim(),
  );
}

/** Whole days from `from` to `to` (0 on the same day or when the clock went back). */
export const wholeDaysBetween = (from: Date, to: Date): number =>
  Math.max(0, Math.floor((to.getTime() - from.getTime()) / DAY_MS));

/**
 * A move of the deal to `toKey`, forward or backward: the target must be an open stage of its
 * pipeline (closing goes through /close, reopening through /reopen, both with their own rules), and
 * the current stage's exit criteria must be filled.
 */
export function moveStage(
  deal: OpportunityFields & { stageKey: string; stageEnteredAt: Date },
  pipeline: PipelineInput,
  toKey: string,
  by: string,
  now: Date,
): StageMove {
  const key = collapseSpace(toKey).toLowerCase();
  const to = stageOf(pipeline, key);
  if (!to)
    throw new ValidationError([
      {
        field: 'stageKey',
        description: `must be a stage of the pipeline: ${pipeline.stages.map((s) => s.key).join(', ')}`,
      },
    ]);
  const from = stageOf(pipeline, deal.stageKey);
  if (from?.forecastCategory === 'closed') throw new ConflictError('a closed deal is reopened, not moved');
  if (to.forecastCategory === 'closed') throw new ConflictError(`a deal enters ${to.key} by being closed`);
  if (to.key === deal.stageKey) throw new ConflictError(`the deal is already in ${to.key}`);
  // A stage that no longer exists (the pipeline was edited) has no criteria left to hold the deal.
  const missing = from ? missingExitCriteria(from, deal) : [];
  if (missing.length) throw new ExitCriteriaNotMetError(deal.stageKey, missing);
  return {
    fromStage: deal.stageKey,
    toStage: to.key,
    movedBy: by,
    movedAt: now,
    daysInStage: wholeDaysBetween(deal.stageEnteredAt, now),
  };
}

/** What changed in the amount (with its currency) and the expected close date between two versions. */
export function forecastChanges(
  before: OpportunityFields,
  after: OpportunityFields,
  by: string,
  at: Date,
): ForecastChange[] {
  const money = (f: OpportunityFields) => `${f.amountMinor} ${f.currency}`;
  const changes: ForecastChange[] = [];
  if (money(before) !== money(after))
    changes.push({
      field: 'amount',
      before: money(before),
      after: money(after),
      changedBy: by,
      changedAt: at,
    });
  if (before.expectedCloseDate !== after.expectedCloseDate)
    changes.push({
      field: 'expectedCloseDate',
      before: before.expectedCloseDate,
      after: after.expectedCloseDate,
      changedBy: by,
      changedAt: at,
    });
  return changes;
}
