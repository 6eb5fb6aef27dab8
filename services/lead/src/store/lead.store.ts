import { randomUUID } from 'node:crypto';
import { both } from '@crm/custom-fields';
import {
  type Actor,
  canSee,
  ConflictError,
  DuplicateError,
  ForbiddenError,
  hasRole,
  NotFoundError,
  type OutboxEntry,
  Roles,
  ValidationError,
  inTurn,
  updateAtVersion,
  VersionMismatchError,
  visibilityFilter,
  Violations,
  type FieldViolation,
  UniqueKeys,
} from '@crm/kit';
import { type AssignmentRule, findRule, pickMember, validateAssignmentRules } from '../domain/assignment';
import {
  checkTransition,
  dedupeKeys,
  type LeadInput,
  type LeadStatus,
  normaliseLeadInput,
  OPEN_STATUSES,
} from '../domain/lead';
import { scoreLead, type ScoringRule, validateScoringRules } from '../domain/scoring';
import { LeadEvents } from '../events/lead-events';
import { isConverting } from './lead-conversion.store';
import { customFilter, leadFieldSet, validateNewLead } from './lead-custom-fields';
import type { AssignmentRecord, LeadDoc, LeadModels, SettingsDoc } from './lead.model';

export interface Caller {
  actor: Actor;
  requestId: string;
}

export interface ListQuery {
  statuses: LeadStatus[];
  ownerId: string;
  source: string;
  region: string;
  industry: string;
  createdFrom?: Date;
  createdTo?: Date;
  query: string;
  sort: string;
  limit: number;
  cursor: string;
  /** Custom field key -> value (see @crm/custom-fields filter). */
  customFilters?: Record<string, string>;
}

const SORTS: Record<string, keyof LeadDoc> = {
  createdAt: 'createdAt',
  score: 'score',
  lastName: 'lastName',
  company: 'company',
};
const DEFAULT_QUEUE = 'unassigned';
const IMPORT_CLAIMS_AT_ONCE = 20;
const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const searchText = (l: LeadInput) => [l.firstName, l.lastName, l.email, l.company].join(' ').toLowerCase();

export interface ImportRow {
  row: number;
  outcome: 'created' | 'duplicate' | 'rejected';
  leadId?: string;
  existingLeadId?: string;
  violations: FieldViolation[];
}

/** The lead use cases over mongoose: each change is one single-document write carrying its events. */
export class LeadStore {
  /** The duplicate keys (lead_keys), each claimed before the lead that has it is written. */
  private readonly keys: UniqueKeys;

  constructor(
    private readonly m: LeadModels,
    private readonly onWrite: (leadId?: string) => void = () => undefined,
  ) {
    this.keys = new UniqueKeys(m.LeadKey, 'leadId', async (leadId, key) => {
      const lead = await this.m.Lead.findById(leadId, { dedupeKeys: 1 }).lean<LeadDoc>();
      return !!lead?.dedupeKeys?.includes(key);
    });
  }

  async create(input: LeadInput, allowDuplicate: boolean, c: Caller): Promise<LeadDoc> {
    if (allowDuplicate && !hasRole(c.actor, Roles.manager, Roles.admin)) {
      throw new ForbiddenError('only a sales manager or an admin may create a duplicate lead');
    }
    const lead = validateNewLead(await leadFieldSet(), input);
    const keys = dedupeKeys(lead);
    const id = randomUUID();
    if (!allowDuplicate) {
      const dup = await this.keys.claim(id, keys);
      if (dup) throw duplicate(dup.holderId, dup.key);
    }
    let doc: LeadDoc;
    try {
      doc = await this.newLead(lead, keys, c, await this.scoringRules(), await this.assignmentSettings(), id);
      await this.m.Lead.create(doc);
    } catch (err) {
      if (!allowDuplicate) await this.keys.release(id, keys);
      throw err;
    }
    if (allowDuplicate) await this.keys.recordIfFree(id, keys);
    else await this.keys.settle(id);
    this.onWrite(doc._id);
    return doc;
  }

  async get(id: string, c: Caller): Promise<LeadDoc> {
    const doc = await this.m.Lead.findById(id, { outbox: 0 }).lean<LeadDoc>();
    // A lead the caller may not see is reported as missing, so ids leak nothing.
    if (!doc || !canSee(c.actor, doc)) throw new NotFoundError('lead', id);
    return doc;
  }

  async list(q: ListQuery, c: Caller): Promise<{ leads: LeadDoc[]; nextCursor: string }> {
    const and: Record<string, unknown>[] = [];
    const visible = visibilityFilter(c.actor);
    if (visible) and.push(visible);
    if (q.statuses.length) and.push({ status: { $in: q.statuses } });
    if (q.ownerId) and.push({ ownerId: q.ownerId });
    if (q.source) and.push({ source: q.source.toLowerCase() });
    if (q.region) and.push({ region: q.region });
    if (q.industry) and.push({ industry: q.industry });
    if (q.createdFrom) and.push({ createdAt: { $gte: q.createdFrom } });
    if (q.createdTo) and.push({ createdAt: { $lt: q.createdTo } });
    if (q.query) and.push({ searchText: { $regex: escapeRegex(q.query.toLowerCase().slice(0, 100)) } });
    const custom = await customFilter(q.customFilters);
    if (custom) and.push(custom);
    const desc = q.sort.startsWith('-') || q.sort === '';
    const field = SORTS[q.sort.replace(/^-/, '') || 'createdAt'];
    if (!field)
      throw new ValidationError([
        { field: 'sort', description: `must be one of ${Object.keys(SORTS).join(', ')} with an optional -` },
      ]);
    if (q.cursor) and.push(this.afterCursor(q.cursor, field, desc));
    const limit = Math.min(Math.max(q.limit || 50, 1), 200);
    const dir = desc ? -1 : 1;
    const leads = await this.m.Lead.find(and.length ? { $and: and } : {}, { outbox: 0 })
      .sort({ [field]: dir, _id: dir })
      .limit(limit + 1)
      .lean<LeadDoc[]>();
    const more = leads.length > limit;
    const page = leads.slice(0, limit);
    const last = page[page.length - 1];
    const nextCursor =
      more && last ? Buffer.from(JSON.stringify([last[field], last._id])).toString('base64url') : '';
    return { leads: page, nextCursor };
  }

  async update(id: string, expectedVersion: number, patch: Partial<LeadInput>, c: Caller): Promise<LeadDoc> {
    const current = await this.editable(id, expectedVersion, c);
    const fields = await leadFieldSet();
    const [merged, customFields] = both(
      () =>
        normaliseLeadInput({
          ...current,
          ...stripUndefined(patch),
          attributes: mergeAttributes(current, patch.attributes),
        }),
      () => fields.validatePatch(current.customFields, patch.customFields),
    );
    const keys = dedupeKeys(merged);
    // Only keys the change adds are claimed; the lead's other keys stay as they are.
    const added = keys.filter((k) => !current.dedupeKeys.includes(k));
    const dup = await this.keys.claim(id, added);
    if (dup) throw duplicate(dup.holderId, dup.key);
    const changed = (Object.keys(merged) as (keyof LeadInput)[]).filter(
      (k) =>
        JSON.stringify(merged[k]) !== JSON.stringify(k === 'attributes' ? attributesOf(current) : current[k]),
    );
    if (JSON.stringify(customFields) !== JSON.stringify(current.customFields ?? {}))
      changed.push('customFields');
    let next: LeadDoc;
    try {
      const score = scoreLead(merged, await this.scoringRules());
      next = await this.save(
        current,
        { ...merged, customFields, dedupeKeys: keys, searchText: searchText(merged), score },
        c,
        (n) => (changed.length ? [LeadEvents.updated(n, changed, c.actor, c.requestId)] : []),
      );
    } catch (err) {
      await this.keys.release(id, added);
      throw err;
    }
    const dropped = current.dedupeKeys.filter((k) => !keys.includes(k));
    if (added.length || dropped.length) await this.keys.release(id, dropped); // and settles the claim
    return next;
  }

  async changeStatus(
    id: string,
    expectedVersion: number,
    to: LeadStatus,
    reason: string,
    c: Caller,
  ): Promise<LeadDoc> {
    const current = await this.editable(id, expectedVersion, c);
    checkTransition(current.status, to, reason);
    const set = { status: to, disqualifyReason: to === 'disqualified' ? reason.trim() : '' };
    return this.save(current, set, c, (next) => [
      LeadEvents.statusChanged(next, current.status, reason, c.actor, c.requestId),
    ]);
  }

  async assign(
    id: string,
    expectedVersion: number,
    ownerId: string,
    teamId: string,
    reason: string,
    c: Caller,
  ): Promise<LeadDoc> {
    if (!hasRole(c.actor, Roles.manager, Roles.admin))
      throw new ForbiddenError('only a sales manager or an admin may reassign a lead');
    const v = new Violations();
    if (!ownerId && !teamId) v.add('ownerId', 'an owner or a team is required');
    if (!reason.trim()) v.add('reason', 'is required');
    v.throwIfAny();
    const current = await this.editable(id, expectedVersion, c);
    // A manager hands leads over within their own teams; an admin anywhere.
    const team = teamId || current.teamId;
    if (!hasRole(c.actor, Roles.admin) && !c.actor.teams.includes(team))
      throw new ForbiddenError('a manager assigns within their own team');
    const record: AssignmentRecord = {
      ownerId,
      teamId: team,
      queue: ownerId ? '' : DEFAULT_QUEUE,
      assignedBy: c.actor.userId,
      reason: reason.trim(),
      ruleId: '',
      at: new Date(),
    };
    const set = { ownerId, teamId: team, queue: record.queue, assignments: [...current.assignments, record] };
    return this.save(current, set, c, (next) => [
      LeadEvents.assigned(next, current.ownerId, c.actor, c.requestId),
    ]);
  }

  /** Validates every row, stores the good ones, and reports each row; bad rows leave nothing behind. */
  async import(rows: LeadInput[], allowDuplicates: boolean, c: Caller): Promise<ImportRow[]> {
    if (!hasRole(c.actor, Roles.manager, Roles.admin, Roles.integrator))
      throw new ForbiddenError('import needs a manager, admin or integrator');
    if (allowDuplicates && !hasRole(c.actor, Roles.manager, Roles.admin))
      throw new ForbiddenError('only a sales manager or an admin may import duplicates');
    if (rows.length > 10_000)
      throw new ValidationError([{ field: 'rows', description: 'at most 10000 rows per import' }]);
    const [scoring, assignment] = [await this.scoringRules(), await this.assignmentSettings()];
    const fields = await leadFieldSet();
    const results: ImportRow[] = [];
    const prepared: { index: number; lead: LeadInput; keys: string[] }[] = [];
    rows.forEach((raw, i) => {
      try {
        // CSV cells arrive as text: custom field values are parsed by their type.
        const lead = validateNewLead(fields, raw, { fromText: true });
        prepared.push({ index: i, lead, keys: dedupeKeys(lead) });
        results[i] = { row: i + 1, outcome: 'created', violations: [] };
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        results[i] = { row: i + 1, outcome: 'rejected', violations: err.violations };
      }
    });
    // Keys of the rows created so far (later rows of the same file are duplicates of them).
    const inFile = new Map<string, string>();
    const docs: LeadDoc[] = [];
    const claimed: { id: string; keys: string[] }[] = [];
    try {
      for (let i = 0; i < prepared.length;) {
        // A chunk of rows that share no key is claimed concurrently: the outcome is the one in row order.
        const chunk: (typeof prepared)[number][] = [];
        const chunkKeys = new Set<string>();
        for (; i < prepared.length && chunk.length < IMPORT_CLAIMS_AT_ONCE; i++) {
          const p = prepared[i]!;
          const earlier = p.keys.map((k) => inFile.get(k)).find(Boolean);
          if (earlier && !allowDuplicates) {
            Object.assign(results[p.index]!, { outcome: 'duplicate', existingLeadId: earlier });
            continue;
          }
          if (p.keys.some((k) => chunkKeys.has(k))) break;
          p.keys.forEach((k) => chunkKeys.add(k));
          chunk.push(p);
        }
        const ids = chunk.map(() => randomUUID());
        const dups = await Promise.all(
          chunk.map(async (p, j) => {
            if (allowDuplicates) return undefined;
            const dup = await this.keys.claim(ids[j]!, p.keys);
            if (!dup) claimed.push({ id: ids[j]!, keys: p.keys });
            return dup;
          }),
        );
        for (const [j, p] of chunk.entries()) {
          const result = results[p.index]!;
          const dup = dups[j];
          if (dup) {
            Object.assign(result, { outcome: 'duplicate', existingLeadId: dup.holderId });
            continue;
          }
          const doc = await this.newLead(p.lead, p.keys, c, scoring, assignment, ids[j]);
          for (const k of p.keys) inFile.set(k, doc._id);
          result.leadId = doc._id;
          docs.push(doc);
        }
      }
      for (let i = 0; i < docs.length; i += 1000) {
        await this.m.Lead.insertMany(docs.slice(i, i + 1000), { ordered: false, lean: true });
      }
    } catch (err) {
      // Give back the keys of the rows that were not stored.
      const stored = new Set<string>();
      for (let i = 0; i < claimed.length; i += 500) {
        const ids = claimed.slice(i, i + 500).map((r) => r.id);
        for (const l of await this.m.Lead.find({ _id: { $in: ids } }, { _id: 1 }).lean<LeadDoc[]>())
          stored.add(String(l._id));
      }
      await inBatches(
        claimed.filter((r) => !stored.has(r.id)),
        (r) => this.keys.release(r.id, r.keys),
      );
      throw err;
    }
    if (allowDuplicates) await inBatches(docs, (d) => this.keys.recordIfFree(d._id, d.dedupeKeys));
    else await inBatches(claimed, (r) => this.keys.settle(r.id));
    this.onWrite();
    return results;
  }

  async getAssignmentRules(): Promise<SettingsDoc> {
    return this.assignmentSettings();
  }

  async putAssignmentRules(
    rules: AssignmentRule[],
    defaultQueue: string,
    expectedVersion: number,
    c: Caller,
  ): Promise<SettingsDoc> {
    if (!hasRole(c.actor, Roles.admin)) throw new ForbiddenError('only an admin changes assignment rules');
    validateAssignmentRules(rules, defaultQueue);
    return this.putSettings('assignment', { rules, defaultQueue }, expectedVersion, c);
  }

  async getScoring(): Promise<SettingsDoc> {
    return (
      (await this.m.Settings.findById('scoring').lean<SettingsDoc>()) ?? {
        _id: 'scoring',
        version: 0,
        rules: [],
      }
    );
  }

  async putScoring(rules: ScoringRule[], expectedVersion: number, c: Caller): Promise<SettingsDoc> {
    if (!hasRole(c.actor, Roles.admin)) throw new ForbiddenError('only an admin changes the scoring model');
    validateScoringRules(rules);
    return this.putSettings('scoring', { rules }, expectedVersion, c);
  }

  private async putSettings(
    id: 'assignment' | 'scoring',
    set: Partial<SettingsDoc>,
    expectedVersion: number,
    c: Caller,
  ) {
    const current = await this.m.Settings.findById(id).lean<SettingsDoc>();
    const version = current?.version ?? 0;
    if (expectedVersion && expectedVersion !== version)
      throw new VersionMismatchError(expectedVersion, version);
    const next = { ...set, version: version + 1, updatedAt: new Date(), updatedBy: c.actor.userId };
    const saved = current
      ? await updateAtVersion(this.m.Settings, id, version, { $set: next })
      : await this.m.Settings.create({ _id: id, cursors: {}, ...next }).then(
          () => true,
          () => false,
        );
    if (!saved) throw new VersionMismatchError(expectedVersion || version, version + 1);
    return (await this.m.Settings.findById(id).lean<SettingsDoc>())!;
  }

  private async scoringRules(): Promise<ScoringRule[]> {
    return (await this.getScoring()).rules as ScoringRule[];
  }

  private async assignmentSettings(): Promise<SettingsDoc> {
    return (
      (await this.m.Settings.findById('assignment').lean<SettingsDoc>()) ?? {
        _id: 'assignment',
        version: 0,
        rules: [],
        defaultQueue: DEFAULT_QUEUE,
      }
    );
  }

  /**
   * A rep's own lead stays with the rep; anything else (integrations, imports, managers) is routed by the
   * assignment rules, and waits in the default queue when no rule matches or every member is at the cap.
   */
  private async newLead(
    lead: LeadInput,
    keys: string[],
    c: Caller,
    scoring: ScoringRule[],
    settings: SettingsDoc,
    id: string = randomUUID(),
  ): Promise<LeadDoc> {
    const now = new Date();
    let record: AssignmentRecord;
    if (hasRole(c.actor, Roles.rep) && !hasRole(c.actor, Roles.manager, Roles.admin, Roles.integrator)) {
      record = {
        ownerId: c.actor.userId,
        teamId: c.actor.teams[0] ?? '',
        queue: '',
        assignedBy: c.actor.userId,
        reason: 'created by the owner',
        ruleId: '',
        at: now,
      };
    } else {
      record = await this.route(lead, settings, c, now);
    }
    const doc: LeadDoc = {
      _id: id,
      version: 1,
      ...lead,
      status: 'new',
      disqualifyReason: '',
      ownerId: record.ownerId,
      teamId: record.teamId,
      queue: record.queue,
      score: scoreLead(lead, scoring),
      assignments: [record],
      dedupeKeys: keys,
      searchText: searchText(lead),
      createdAt: now,
      createdBy: c.actor.userId,
      updatedAt: now,
      updatedBy: c.actor.userId,
      outbox: [],
    };
    doc.outbox = [
      LeadEvents.created(doc, c.actor, c.requestId),
      LeadEvents.assigned(doc, '', c.actor, c.requestId),
    ];
    return doc;
  }

  private async route(
    lead: LeadInput,
    settings: SettingsDoc,
    c: Caller,
    at: Date,
  ): Promise<AssignmentRecord> {
    const queue = settings.defaultQueue || DEFAULT_QUEUE;
    const rule = findRule(lead, settings.rules as AssignmentRule[]);
    if (!rule)
      return {
        ownerId: '',
        teamId: '',
        queue,
        assignedBy: 'system',
        reason: 'no assignment rule matched',
        ruleId: '',
        at,
      };
    // The cursor moves atomically, so concurrent creates spread across members.
    // In turn with the settings' other writers: on FerretDB an unguarded increment could write back
    // rules an administrator just replaced.
    const prev = await inTurn(this.m.Settings, 'assignment', () =>
      this.m.Settings.findOneAndUpdate(
        { _id: 'assignment' },
        { $inc: { [`cursors.${rule.id}`]: 1 } },
        { new: false },
      ).lean<SettingsDoc>(),
    );
    const cursor = prev?.cursors?.[rule.id] ?? 0;
    const open = new Map<string, number>();
    if (rule.maxOpenLeadsPerRep != null) {
      for (const m of rule.members)
        open.set(m, await this.m.Lead.countDocuments({ ownerId: m, status: { $in: OPEN_STATUSES } }));
    }
    const pick = pickMember(rule, cursor, (m) => open.get(m) ?? 0);
    if (!pick)
      return {
        ownerId: '',
        teamId: rule.teamId,
        queue,
        assignedBy: 'system',
        reason: `every member of rule ${rule.name} is at the cap`,
        ruleId: rule.id,
        at,
      };
    return {
      ownerId: pick.member,
      teamId: rule.teamId,
      queue: '',
      assignedBy: 'system',
      reason: `rule ${rule.name}`,
      ruleId: rule.id,
      at,
    };
  }

  private async editable(id: string, expectedVersion: number, c: Caller): Promise<LeadDoc> {
    const current = await this.get(id, c);
    if (expectedVersion && expectedVersion !== current.version)
      throw new VersionMismatchError(expectedVersion, current.version);
    if (current.status === 'converted') throw new ConflictError('a converted lead is read-only');
    if (isConverting(current))
      throw new ConflictError('the lead is being converted; it is read-only meanwhile');
    return current;
  }

  /** Compare-and-set on the version: the change, its audit stamp and its events land together or not at all. */
  private async save(
    current: LeadDoc,
    set: Partial<LeadDoc>,
    c: Caller,
    events: (next: LeadDoc) => OutboxEntry[],
  ): Promise<LeadDoc> {
    const next: LeadDoc = {
      ...current,
      ...set,
      version: current.version + 1,
      updatedAt: new Date(),
      updatedBy: c.actor.userId,
    };
    const outbox = events(next);
    const saved = await updateAtVersion(this.m.Lead, current._id, current.version, {
      $set: { ...set, version: next.version, updatedAt: next.updatedAt, updatedBy: next.updatedBy },
      $push: { outbox: { $each: outbox } },
    });
    if (!saved) {
      const now = await this.m.Lead.findById(current._id, { version: 1 }).lean<LeadDoc>();
      throw new VersionMismatchError(current.version, now?.version ?? current.version);
    }
    this.onWrite(next._id);
    return next;
  }

  private afterCursor(cursor: string, field: string, desc: boolean): Record<string, unknown> {
    let value: unknown, id: unknown;
    try {
      [value, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    } catch {
      throw new ValidationError([{ field: 'cursor', description: 'is not a cursor this API returned' }]);
    }
    if (typeof id !== 'string' || (value !== null && typeof value === 'object')) {
      throw new ValidationError([{ field: 'cursor', description: 'is not a cursor this API returned' }]);
    }
    const v = field === 'createdAt' && typeof value === 'string' ? new Date(value) : value;
    const op = desc ? '$lt' : '$gt';
    return { $or: [{ [field]: { [op]: v } }, { [field]: v, _id: { [op]: id } }] };
  }
}

function duplicate(existingLeadId: string, key: string): DuplicateError {
  const on = key.split(':')[0] ?? 'email';
  return new DuplicateError(`a lead with the same ${on} already exists`, 'DUPLICATE_LEAD', {
    existing_lead_id: existingLeadId,
    matched_on: on,
  });
}

/** Runs fn over the items, a few at a time. */
async function inBatches<T>(items: T[], fn: (item: T) => Promise<void>, size = IMPORT_CLAIMS_AT_ONCE) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function attributesOf(d: LeadDoc): Record<string, string> {
  return d.attributes instanceof Map
    ? Object.fromEntries(d.attributes as Map<string, string>)
    : { ...(d.attributes ?? {}) };
}

/** In a patch an empty value removes the attribute. */
function mergeAttributes(d: LeadDoc, patch?: Record<string, string>): Record<string, string> {
  const out = attributesOf(d);
  for (const [k, v] of Object.entries(patch ?? {})) {
    if (v === '') delete out[k];
    else out[k] = v;
  }
  return out;
}
