import { randomUUID } from 'node:crypto';
import { both, type CustomFieldSet, type ValueOptions } from '@crm/custom-fields';
import {
  type Actor,
  allows,
  mustAllow,
  canReassign,
  canSee,
  changedFields,
  checkVersion,
  ConflictError,
  DuplicateError,
  duplicateHolder,
  ForbiddenError,
  type InsertedOutbox,
  NotFoundError,
  pageLimit,
  retryOnVersionMismatch,
  stripUndefined,
  ValidationError,
  Violations,
} from '@crm/kit';
import { reassigned } from '../domain/assignment';
import {
  attributesOf,
  checkTransition,
  dedupeKeys,
  type LeadInput,
  type LeadStatus,
  mergeAttributes,
  normaliseLeadInput,
  searchTextOf,
} from '../domain/lead';
import { scoreLead } from '../domain/scoring';
import { LeadEvents } from '../events/lead-events';
import type { LeadDoc } from '../store/lead.model';
import type { LeadRouting } from './lead-routing';
import type { Caller, DuplicateKeys, LeadCustomFields, LeadRepository, LeadSortField } from './ports';

export interface ListLeads {
  statuses: LeadStatus[];
  ownerId: string;
  source: string;
  region: string;
  industry: string;
  createdFrom?: Date;
  createdTo?: Date;
  query: string;
  /** A sort field, `-` first for descending; empty: newest first. */
  sort: string;
  limit: number;
  cursor: string;
  /** Custom field key -> value (see @crm/custom-fields filter). */
  customFilters?: Record<string, string>;
}

/** A change of owner or team, made by a manager or an admin. */
export interface OwnerChange {
  ownerId: string;
  teamId: string;
  reason: string;
}

export interface LeadsDeps {
  leads: LeadRepository;
  keys: DuplicateKeys;
  routing: LeadRouting;
  customFields: LeadCustomFields;
  /**
   * Tells the outbox relay a lead now carries events; after an insert, with the lead's version and
   * whole outbox, so the relay need not read it back.
   */
  written: (leadId?: string, inserted?: InsertedOutbox) => void;
}

const SORTS: LeadSortField[] = ['createdAt', 'score', 'lastName', 'company'];
/** The fields whose change LeadUpdated reports. */
const EDITABLE: (keyof LeadDoc)[] = [
  'firstName', 'lastName', 'email', 'phone', 'company', 'title', 'contactLevel', 'region', 'industry',
  'source', 'companySize', 'attributes', 'customFields', 'score',
]; // prettier-ignore

/** Every use case below starts here or at get(): the coarse gate, then record access. */
const mayWork = (c: Caller) => mustAllow(c.actor.roles, 'lead.use', 'this role does not work leads');

/** The lead use cases: capture with duplicate detection, reading with record access, changes. */
export class Leads {
  constructor(private readonly d: LeadsDeps) {}

  async create(input: LeadInput, allowDuplicate: boolean, c: Caller): Promise<LeadDoc> {
    mayWork(c);
    if (allowDuplicate && !allows(c.actor.roles, 'record.force-duplicate'))
      throw new ForbiddenError('only a sales manager or an admin may create a duplicate lead');
    const lead = validateNewLead(await this.d.customFields.fields(), input);
    const keys = dedupeKeys(lead);
    const id = randomUUID();
    // The keys are claimed before the write: of identical concurrent creates exactly one wins. The
    // rules are read meanwhile (they do not depend on the claim), so the two cost one wait.
    const [claim, rules] = await Promise.allSettled([
      allowDuplicate ? undefined : this.d.keys.claim(id, keys),
      this.d.routing.rules(),
    ]);
    if (claim.status === 'rejected') throw claim.reason;
    if (claim.value) throw await this.duplicate(claim.value, c);
    let doc: LeadDoc;
    try {
      if (rules.status === 'rejected') throw rules.reason;
      doc = await this.d.routing.newLead(lead, keys, c, rules.value, id);
      await this.d.leads.insert(doc);
    } catch (err) {
      if (!allowDuplicate) await this.d.keys.release(id, keys);
      throw err;
    }
    if (allowDuplicate) await this.d.keys.recordIfFree(id, keys);
    this.d.written(doc._id, doc);
    return doc;
  }

  async get(id: string, c: Caller): Promise<LeadDoc> {
    mayWork(c);
    const doc = await this.d.leads.get(id);
    // A lead the caller may not see is reported as missing, so ids leak nothing.
    if (!doc || !canSee(c.actor, doc)) throw new NotFoundError('lead', id);
    return doc;
  }

  async list(q: ListLeads, c: Caller): Promise<{ leads: LeadDoc[]; nextCursor: string }> {
    mayWork(c);
    const sort = (q.sort.replace(/^-/, '') || 'createdAt') as LeadSortField;
    if (!SORTS.includes(sort))
      throw new ValidationError([
        { field: 'sort', description: `must be one of ${SORTS.join(', ')} with an optional -` },
      ]);
    const filters = q.customFilters && Object.keys(q.customFilters).length ? q.customFilters : undefined;
    return this.d.leads.list({
      visibleTo: c.actor,
      statuses: q.statuses,
      ownerId: q.ownerId,
      source: q.source.toLowerCase(),
      region: q.region,
      industry: q.industry,
      createdFrom: q.createdFrom,
      createdTo: q.createdTo,
      text: q.query.toLowerCase().slice(0, 100),
      customFilter: filters && (await this.d.customFields.fields()).filter(filters),
      sort,
      descending: q.sort.startsWith('-') || q.sort === '',
      limit: pageLimit(q.limit),
      cursor: q.cursor,
    });
  }

  /**
   * Changes fields, and the owner too when asked, in one write: both land or neither does. Without
   * If-Match (expected version 0) a concurrent write makes it read again instead of a 412 the caller
   * did not ask for: the last writer wins, field by field.
   */
  async update(
    id: string,
    expectedVersion: number,
    patch: Partial<LeadInput>,
    c: Caller,
    owner?: OwnerChange,
  ): Promise<LeadDoc> {
    const once = () => this.updateOnce(id, expectedVersion, patch, c, owner);
    return expectedVersion ? once() : retryOnVersionMismatch(once);
  }

  private async updateOnce(
    id: string,
    expectedVersion: number,
    patch: Partial<LeadInput>,
    c: Caller,
    owner?: OwnerChange,
  ): Promise<LeadDoc> {
    if (owner) checkReassign(c.actor, owner);
    const current = await this.editable(id, expectedVersion, c);
    const fields = await this.d.customFields.fields();
    const [merged, customFields] = both(
      () =>
        normaliseLeadInput({
          ...current,
          ...stripUndefined(patch),
          attributes: mergeAttributes(attributesOf(current.attributes), patch.attributes),
        }),
      () => fields.validatePatch(current.customFields, patch.customFields),
    );
    const assignment = owner && (await this.reassignment(current, owner, c.actor));
    const keys = dedupeKeys(merged);
    // Only keys the change adds are claimed; the lead's other keys stay as they are.
    const added = keys.filter((k) => !current.dedupeKeys.includes(k));
    const dup = await this.d.keys.claim(id, added);
    if (dup) throw await this.duplicate(dup, c);
    const score = scoreLead(merged, (await this.d.routing.rules()).scoring);
    const before = {
      ...current,
      attributes: attributesOf(current.attributes),
      customFields: current.customFields ?? {},
    };
    const changed = changedFields(before, { ...current, ...merged, customFields, score }, EDITABLE);
    let next: LeadDoc;
    try {
      next = await this.d.leads.save(
        current,
        { ...merged, customFields, dedupeKeys: keys, searchText: searchTextOf(merged), score, ...assignment },
        c.actor,
        (n) => [
          ...(changed.length ? [LeadEvents.updated(shownTo(fields, n), changed, c.actor, c.requestId)] : []),
          ...(assignment ? [LeadEvents.assigned(n, current.ownerId, c.actor, c.requestId)] : []),
        ],
      );
    } catch (err) {
      await this.d.keys.release(id, added);
      throw err;
    }
    const dropped = current.dedupeKeys.filter((k) => !keys.includes(k));
    if (dropped.length) await this.d.keys.release(id, dropped);
    this.d.written(id);
    return next;
  }

  async changeStatus(id: string, expectedVersion: number, to: LeadStatus, reason: string, c: Caller) {
    const current = await this.editable(id, expectedVersion, c);
    checkTransition(current.status, to, reason);
    const set = { status: to, disqualifyReason: to === 'disqualified' ? reason.trim() : '' };
    const next = await this.d.leads.save(current, set, c.actor, (n) => [
      LeadEvents.statusChanged(n, current.status, reason, c.actor, c.requestId),
    ]);
    this.d.written(id);
    return next;
  }

  async assign(id: string, expectedVersion: number, owner: OwnerChange, c: Caller): Promise<LeadDoc> {
    checkReassign(c.actor, owner);
    if (!owner.reason.trim()) new Violations().add('reason', 'is required').throwIfAny();
    const current = await this.editable(id, expectedVersion, c);
    const set = await this.reassignment(current, owner, c.actor);
    const next = await this.d.leads.save(current, set, c.actor, (n) => [
      LeadEvents.assigned(n, current.ownerId, c.actor, c.requestId),
    ]);
    this.d.written(id);
    return next;
  }

  /** The duplicate answer names the lead it matches only to a caller who may see it. */
  private async duplicate(dup: { holderId: string; key: string }, c: Caller): Promise<DuplicateError> {
    return duplicateLead(
      dup.key,
      duplicateHolder(c.actor, await this.d.leads.get(dup.holderId), 'existing_lead_id'),
    );
  }

  /** A manager hands leads over within their own teams; an admin anywhere. */
  private async reassignment(current: LeadDoc, owner: OwnerChange, actor: Actor): Promise<Partial<LeadDoc>> {
    const team = owner.teamId || current.teamId;
    if (!canReassign(actor, current, { teamId: team }))
      throw new ForbiddenError('a manager assigns leads only within their own teams');
    const reason = owner.reason.trim() || 'reassigned with an update';
    // Without an owner it waits where unrouted leads wait: the default queue the admin configured.
    const queue = owner.ownerId ? '' : (await this.d.routing.rules()).assignment.defaultQueue;
    const record = reassigned(owner.ownerId, team, reason, actor, new Date(), queue);
    return {
      ownerId: record.ownerId,
      teamId: record.teamId,
      queue: record.queue,
      assignments: [...current.assignments, record],
    };
  }

  /** The lead as the caller may change it: visible, at the version they saw, not converted. */
  private async editable(id: string, expectedVersion: number, c: Caller): Promise<LeadDoc> {
    const current = await this.get(id, c);
    checkVersion(expectedVersion, current.version);
    if (current.status === 'converted') throw new ConflictError('a converted lead is read-only');
    if (isConverting(current))
      throw new ConflictError('the lead is being converted; it is read-only meanwhile');
    return current;
  }
}

/** Only managers and admins move leads between owners, and an owner or a team must be named. */
function checkReassign(actor: Actor, owner: OwnerChange): void {
  if (!allows(actor.roles, 'lead.assign'))
    throw new ForbiddenError('only a sales manager or an admin may reassign a lead');
  if (!owner.ownerId && !owner.teamId)
    new Violations().add('ownerId', 'an owner or a team is required').throwIfAny();
}

/** A conversion saga holds the lead while it runs or undoes itself. */
export const isConverting = (lead: LeadDoc) =>
  ['running', 'compensating'].includes(lead.conversionSaga?.state.status ?? '');

/** normaliseLeadInput plus the custom field values of a new lead (import rows: { fromText: true }). */
export function validateNewLead(fields: CustomFieldSet, raw: LeadInput, opts?: ValueOptions): LeadInput {
  const [lead, customFields] = both(
    () => normaliseLeadInput(raw),
    () => fields.validateCreate(raw.customFields, opts),
  );
  return { ...lead, customFields };
}

/** Events show the lead as readers see it: archived custom fields left out. */
const shownTo = (fields: CustomFieldSet, lead: LeadDoc): LeadDoc => ({
  ...lead,
  customFields: fields.visible(lead.customFields),
});

export function duplicateLead(key: string, holder: ReturnType<typeof duplicateHolder>): DuplicateError {
  const on = key.split(':')[0] ?? 'email';
  return new DuplicateError(`a lead with the same ${on} already exists${holder.hint}`, 'DUPLICATE_LEAD', {
    ...holder.metadata,
    matched_on: on,
  });
}
