import { randomUUID } from 'node:crypto';
import { both } from '@crm/custom-fields';
import { v5 as uuidV5 } from 'uuid';
import {
  allows,
  canReassign,
  canSee,
  changedFields,
  checkVersion,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  pageLimit,
  retryOnVersionMismatch,
  stripUndefined,
  ValidationError,
  Violations,
} from '@crm/kit';
import { mustBeOpen } from '../domain/closing';
import { canRead, mayChangeTeam, normaliseDealTeam, teamChange } from '../domain/deal-team';
import {
  forecastChanges,
  isCalendarDate,
  moveStage,
  normaliseOpportunityFields,
  type OpportunityFields,
  ownerOfNewOpportunity,
} from '../domain/opportunity';
import { FORECAST_CATEGORIES, firstStage, stageOf } from '../domain/pipeline';
import { opportunityEvents as events } from '../events/opportunity-events';
import type { OpportunityDoc } from '../store/opportunity.model';
import type { Pipelines } from './pipelines';
import type { Caller, OpportunityPorts, OpportunitySortField } from './ports';

/** What a caller sends to create or change a deal; undefined leaves a field as it is. */
export type OpportunityPatch = Partial<OpportunityFields> & {
  ownerId?: string;
  teamId?: string;
  /** Custom field values by key; in an update only the keys present change (null clears one). */
  customFields?: Record<string, unknown>;
};

export interface OpportunityListRequest {
  stageKey: string;
  ownerId: string;
  teamId: string;
  accountId: string;
  pipelineId: string;
  /** yyyy-mm-dd bounds of the expected close date, inclusive; '' for none. */
  closeDateFrom: string;
  closeDateTo: string;
  amountMinMinor?: number;
  amountMaxMinor?: number;
  forecastCategory: string;
  /** An API sort name (SORTS), `-` first for descending; '' or absent for newest first. */
  sort?: string;
  /** Custom field key -> value (see @crm/custom-fields filter). */
  customFilters?: Record<string, string>;
  limit: number;
  cursor: string;
}

/** The list orders the API offers, by the names sellers use, and the stored field each reads. */
const SORTS: Record<string, OpportunitySortField> = {
  createdAt: 'createdAt',
  updatedAt: 'updatedAt',
  closeDate: 'expectedCloseDate',
  amount: 'amountMinor',
  name: 'name',
};

/** Fields compared for OpportunityUpdated.changed_fields (stage moves have their own event). */
const TRACKED: (keyof OpportunityDoc)[] = [
  'name',
  'accountId',
  'primaryContactId',
  'decisionMakerContactId',
  'amountMinor',
  'currency',
  'expectedCloseDate',
  'nextStep',
  'ownerId',
  'teamId',
  'customFields',
];

/** Ids of deals created with a creation key are UUID v5 of the key in this namespace (fixed forever). */
const CREATION_KEY_NAMESPACE = '3b0c6f0e-2d7a-4f51-9a8e-6c4d2b1a0f93';

const EMPTY_FIELDS: OpportunityFields = {
  name: '',
  accountId: '',
  primaryContactId: '',
  decisionMakerContactId: '',
  amountMinor: 0,
  currency: '',
  expectedCloseDate: '',
  nextStep: '',
};

/**
 * Opportunities: created in the first stage of a pipeline, read with the record access of leads and
 * accounts (owner, team via manager, admin), edited with If-Match, moved between stages. Every change
 * is a compare-and-set carrying its events; amount and close-date changes are kept for the forecast.
 */
export class Opportunities {
  constructor(
    private readonly p: OpportunityPorts,
    private readonly pipelines: Pipelines,
  ) {}

  /**
   * With a creation key (a saga step) the id derives from the key: a retry returns the deal the first
   * attempt created, and one discarded by a compensation comes back.
   */
  async create(
    patch: OpportunityPatch,
    pipelineId: string,
    sourceLeadId: string,
    c: Caller,
    creationKey = '',
  ): Promise<OpportunityDoc> {
    mayUse(c);
    const key = creationKey.trim();
    const earlier = key ? await this.p.opportunities.get(uuidV5(key, CREATION_KEY_NAMESPACE)) : undefined;
    if (earlier && !earlier.discardedAt) return earlier;
    const { ownerId, teamId, customFields, ...fields } = patch;
    const custom = await this.p.customFields.fields('opportunity');
    // A saga step (the lead conversion) cannot fill required custom fields: only what it sends is checked.
    const [input, customValues] = both(
      () => normaliseOpportunityFields({ ...EMPTY_FIELDS, ...stripUndefined(fields) }),
      () => (key ? custom.validatePatch({}, customFields) : custom.validateCreate(customFields ?? {})),
    );
    const owner = ownerOfNewOpportunity(ownerId?.trim() ?? '', teamId?.trim() ?? '', c.actor);
    await this.requireAccount(input.accountId, c);
    await this.requireContacts(input, undefined, c);
    const pipeline = await this.pipelines.get(pipelineId);
    const start = firstStage(pipeline);
    const now = new Date();
    const doc: OpportunityDoc = {
      _id: key ? uuidV5(key, CREATION_KEY_NAMESPACE) : randomUUID(),
      version: 1,
      ...input,
      ...owner,
      sourceLeadId: sourceLeadId.trim(),
      pipelineId: pipeline._id,
      stageKey: start.key,
      stageEnteredAt: now,
      stageHistory: [
        { fromStage: '', toStage: start.key, movedBy: c.actor.userId, movedAt: now, daysInStage: 0 },
      ],
      forecastChanges: [],
      status: 'open',
      pendingCloseApprovalId: '',
      closedAt: null,
      closedBy: '',
      lossReason: '',
      competitor: '',
      closeHistory: [],
      teamMembers: [],
      memberIds: [],
      creationKey: key,
      discardedAt: null,
      customFields: customValues,
      createdAt: now,
      createdBy: c.actor.userId,
      updatedAt: now,
      updatedBy: c.actor.userId,
      outbox: [],
    };
    if (earlier) {
      // Discarded by a compensation, asked for again (the saga retried): it comes back as asked now.
      const { _id, version, outbox, ...fresh } = doc;
      void [_id, version, outbox];
      const revived = await this.p.opportunities.save(earlier, fresh, c.actor, (n) => [
        events.created(n, c.actor, c.requestId),
      ]);
      this.p.written('opportunity', revived._id);
      return revived;
    }
    doc.outbox = [events.created(doc, c.actor, c.requestId)];
    if (!(await this.p.opportunities.insert(doc))) {
      // Two runs of the same step at once: the first insert won; answer with its deal.
      const winner = await this.p.opportunities.get(doc._id);
      if (winner && !winner.discardedAt) return winner;
      throw new ConflictError('the deal of this creation key is being discarded; retry');
    }
    this.p.written('opportunity', doc._id);
    return doc;
  }

  /** Compensation of a create with a creation key: only that key's deal, only while open; idempotent. */
  async discard(id: string, creationKey: string, c: Caller): Promise<boolean> {
    mayUse(c);
    return retryOnVersionMismatch(async () => {
      const doc = await this.p.opportunities.get(id);
      if (!doc || doc.discardedAt) return false;
      if (!creationKey.trim() || doc.creationKey !== creationKey.trim())
        throw new ConflictError('the deal was not created with this key; it is not discarded');
      if (doc.status !== 'open') throw new ConflictError(`the deal is ${doc.status}; it is not discarded`);
      await this.p.opportunities.save(doc, { discardedAt: new Date() }, c.actor, (n) => [
        events.discarded(n, c.actor, c.requestId),
      ]);
      this.p.written('opportunity', id);
      return true;
    });
  }

  /** NotFound for a deal the caller may not read, so ids of others' deals tell nothing; deal team members read it. */
  async get(id: string, c: Caller): Promise<OpportunityDoc> {
    mayUse(c);
    const doc = await this.p.opportunities.get(id);
    if (!doc || doc.discardedAt || !canRead(c.actor, doc)) throw new NotFoundError('opportunity', id);
    return doc;
  }

  /** A deal the caller may change: its owner, their manager or an admin; a deal team member only reads it (403). */
  async getForChange(id: string, c: Caller): Promise<OpportunityDoc> {
    const doc = await this.get(id, c);
    if (!canSee(c.actor, doc))
      throw new ForbiddenError('a deal team member reads the deal; its owner or their manager changes it');
    return doc;
  }

  /** Replaces the deal team; the owner, their manager or an admin. Works on closed deals too (after-sales people join). */
  setTeam(
    id: string,
    expectedVersion: number,
    raw: { userId: string; role: string }[],
    c: Caller,
  ): Promise<OpportunityDoc> {
    const once = async () => {
      const current = await this.get(id, c);
      checkVersion(expectedVersion, current.version);
      if (!mayChangeTeam(c.actor, current))
        throw new ForbiddenError(
          'only the owner of the deal, their sales manager or an admin changes its team',
        );
      const members = normaliseDealTeam(raw, current.ownerId);
      const change = teamChange(current.teamMembers, members);
      const next = await this.p.opportunities.save(
        current,
        { teamMembers: members, memberIds: members.map((m) => m.userId) },
        c.actor,
        (n) => [events.teamChanged(n, change, c.actor, c.requestId)],
      );
      this.p.written('opportunity', id);
      return next;
    };
    return expectedVersion ? once() : retryOnVersionMismatch(once);
  }

  async list(
    req: OpportunityListRequest,
    c: Caller,
  ): Promise<{ opportunities: OpportunityDoc[]; nextCursor: string }> {
    mayUse(c);
    const v = new Violations();
    const from = req.closeDateFrom.trim();
    const to = req.closeDateTo.trim();
    if (from && !isCalendarDate(from)) v.add('closeDateFrom', 'must be a date yyyy-mm-dd');
    if (to && !isCalendarDate(to)) v.add('closeDateTo', 'must be a date yyyy-mm-dd');
    if (from && to && from > to) v.add('closeDateTo', 'must not be before closeDateFrom');
    const { amountMinMinor: min, amountMaxMinor: max } = req;
    if (min !== undefined && max !== undefined && min > max)
      v.add('amountMaxMinor', 'must not be below amountMinMinor');
    const category = req.forecastCategory.trim();
    if (category && !(FORECAST_CATEGORIES as readonly string[]).includes(category))
      v.add('forecastCategory', `must be one of ${FORECAST_CATEGORIES.join(', ')}`);
    const order = sortOf(req.sort);
    if (!order)
      v.add('sort', `must be one of ${Object.keys(SORTS).join(', ')}, with an optional - for descending`);
    v.throwIfAny();
    const filters =
      req.customFilters && Object.keys(req.customFilters).length ? req.customFilters : undefined;
    return this.p.opportunities.list({
      visibleTo: c.actor,
      stageKey: req.stageKey.trim(),
      ownerId: req.ownerId.trim(),
      teamId: req.teamId.trim(),
      accountId: req.accountId.trim(),
      pipelineId: req.pipelineId.trim(),
      closeDateFrom: from,
      closeDateTo: to,
      amountMinMinor: min,
      amountMaxMinor: max,
      // A forecast category is a set of stages, which differ by pipeline.
      stagesIn: category ? await this.stagesOfCategory(category) : undefined,
      customFilter: filters && (await this.p.customFields.fields('opportunity')).filter(filters),
      sort: order!.field,
      descending: order!.descending,
      limit: pageLimit(req.limit),
      cursor: req.cursor,
    });
  }

  /** Without If-Match (expected version 0) a concurrent write makes it read again: last writer wins, field by field. */
  update(id: string, expectedVersion: number, patch: OpportunityPatch, c: Caller): Promise<OpportunityDoc> {
    const once = () => this.updateOnce(id, expectedVersion, patch, c);
    return expectedVersion ? once() : retryOnVersionMismatch(once);
  }

  /** Moves the deal to another open stage of its pipeline (see domain moveStage). */
  moveStage(id: string, expectedVersion: number, stageKey: string, c: Caller): Promise<OpportunityDoc> {
    const once = async () => {
      const current = await this.getForChange(id, c);
      checkVersion(expectedVersion, current.version);
      mustBeOpen(current);
      if (!stageKey.trim()) throw new ValidationError([{ field: 'stageKey', description: 'is required' }]);
      const pipeline = await this.pipelines.get(current.pipelineId);
      const move = moveStage(current, pipeline, stageKey, c.actor.userId, new Date());
      const category = stageOf(pipeline, move.toStage)!.forecastCategory;
      const set: Partial<OpportunityDoc> = {
        stageKey: move.toStage,
        stageEnteredAt: move.movedAt,
        stageHistory: [...current.stageHistory, move],
      };
      const next = await this.p.opportunities.save(current, set, c.actor, (n) => [
        events.stageChanged(n, move, category, c.actor, c.requestId),
      ]);
      this.p.written('opportunity', id);
      return next;
    };
    return expectedVersion ? once() : retryOnVersionMismatch(once);
  }

  private async requireAccount(accountId: string, c: Caller): Promise<void> {
    if (!(await this.p.accounts.isVisible(accountId, c)))
      throw new ValidationError([{ field: 'accountId', description: 'is not an account you can see' }]);
  }

  private async stagesOfCategory(category: string): Promise<{ pipelineId: string; stageKeys: string[] }[]> {
    return (await this.pipelines.list()).map((p) => ({
      pipelineId: p._id,
      stageKeys: p.stages.filter((s) => s.forecastCategory === category).map((s) => s.key),
    }));
  }

  /** The named contacts are people of the deal's account (checked when they or the account change). */
  private async requireContacts(
    input: OpportunityFields,
    before: OpportunityDoc | undefined,
    c: Caller,
  ): Promise<void> {
    for (const field of ['primaryContactId', 'decisionMakerContactId'] as const) {
      const contactId = input[field];
      const same = before && before[field] === contactId && before.accountId === input.accountId;
      if (!contactId || same) continue;
      if ((await this.p.accounts.accountOfContact(contactId, c)) !== input.accountId)
        throw new ValidationError([{ field, description: "is not a contact of the deal's account" }]);
    }
  }

  private async updateOnce(
    id: string,
    expectedVersion: number,
    patch: OpportunityPatch,
    c: Caller,
  ): Promise<OpportunityDoc> {
    const current = await this.getForChange(id, c);
    checkVersion(expectedVersion, current.version);
    mustBeOpen(current);
    const { ownerId, teamId, customFields, ...fields } = stripUndefined(patch);
    const custom = await this.p.customFields.fields('opportunity');
    const [input, customValues] = both(
      () => normaliseOpportunityFields({ ...pickFields(current), ...fields }),
      () => custom.validatePatch(current.customFields, customFields),
    );
    if (input.accountId !== current.accountId) await this.requireAccount(input.accountId, c);
    await this.requireContacts(input, current, c);
    const owner = { ownerId: ownerId?.trim() ?? current.ownerId, teamId: teamId?.trim() ?? current.teamId };
    if (
      (owner.ownerId !== current.ownerId || owner.teamId !== current.teamId) &&
      !canReassign(c.actor, current, owner)
    )
      throw new ForbiddenError(
        'only a manager of the team or an admin may hand a deal to another owner or team',
      );
    const now = new Date();
    const changes = forecastChanges(current, input, c.actor.userId, now);
    const set: Partial<OpportunityDoc> = { ...input, ...owner, customFields: customValues };
    if (changes.length) set.forecastChanges = [...current.forecastChanges, ...changes];
    const next = await this.p.opportunities.save(current, set, c.actor, (n) => {
      const changed = changedFields(current, n, TRACKED);
      if (!changed.length) return [];
      const out = [events.updated(n, changed, c.actor, c.requestId)];
      if (changes.some((x) => x.field === 'amount'))
        out.push(events.amountChanged(n, current, c.actor, c.requestId));
      return out;
    });
    this.p.written('opportunity', id);
    return next;
  }
}

/** The stored field and direction of an API sort ('' is newest first); undefined for an unknown name. */
function sortOf(raw = ''): { field: OpportunitySortField; descending: boolean } | undefined {
  const name = raw.trim() || '-createdAt';
  const key = name.replace(/^-/, '');
  return Object.hasOwn(SORTS, key) ? { field: SORTS[key]!, descending: name.startsWith('-') } : undefined;
}

function mayUse(c: Caller): void {
  if (!allows(c.actor.roles, 'opportunity.use'))
    throw new ForbiddenError('this role does not work opportunities');
}

const pickFields = (o: OpportunityDoc): OpportunityFields => ({
  name: o.name,
  accountId: o.accountId,
  primaryContactId: o.primaryContactId,
  decisionMakerContactId: o.decisionMakerContactId,
  amountMinor: o.amountMinor,
  currency: o.currency,
  expectedCloseDate: o.expectedCloseDate,
  nextStep: o.nextStep,
});
