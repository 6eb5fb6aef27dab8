import { randomUUID } from 'node:crypto';
import { hasRole, Roles } from '@crm/kit';
import {
  type AssignmentRecord,
  type AssignmentRule,
  DEFAULT_QUEUE,
  findRule,
  ownedByCreator,
  pickMember,
  routed,
} from '../domain/assignment';
import { type LeadInput, OPEN_STATUSES, searchTextOf } from '../domain/lead';
import { scoreLead, type ScoringRule } from '../domain/scoring';
import { LeadEvents } from '../events/lead-events';
import type { LeadDoc, SettingsDoc } from '../store/lead.model';
import type { Caller, LeadRepository, SettingsRepository } from './ports';

/** What a new lead is scored and routed by; read once per create or import. */
export interface IntakeRules {
  scoring: ScoringRule[];
  assignment: SettingsDoc;
}

export const noScoring = (): SettingsDoc => ({ _id: 'scoring', version: 0, rules: [] });
export const noAssignment = (): SettingsDoc => ({
  _id: 'assignment',
  version: 0,
  rules: [],
  defaultQueue: DEFAULT_QUEUE,
});

/** New leads: scored, and owned by the rep who made them or routed by the assignment rules. */
export class LeadRouting {
  constructor(
    private readonly leads: LeadRepository,
    private readonly settings: SettingsRepository,
  ) {}

  /** Read from the database on every call (one read of both), so a changed rule counts at once. */
  async rules(): Promise<IntakeRules> {
    const docs = await this.settings.getMany(['scoring', 'assignment']);
    const scoring = docs.find((d) => d._id === 'scoring');
    const assignment = docs.find((d) => d._id === 'assignment');
    return {
      scoring: (scoring ?? noScoring()).rules as ScoringRule[],
      assignment: assignment ?? noAssignment(),
    };
  }

  /**
   * A rep's own lead stays with the rep; anything else (integrations, imports, managers) is routed by the
   * assignment rules, and waits in the default queue when no rule matches or every member is at the cap.
   */
  async newLead(lead: LeadInput, keys: string[], c: Caller, rules: IntakeRules, id = randomUUID()) {
    const now = new Date();
    const repOnly =
      hasRole(c.actor, Roles.rep) && !hasRole(c.actor, Roles.manager, Roles.admin, Roles.integrator);
    const record = repOnly ? ownedByCreator(c.actor, now) : await this.route(lead, rules.assignment, now);
    const doc: LeadDoc = {
      _id: id,
      version: 1,
      ...lead,
      status: 'new',
      disqualifyReason: '',
      ownerId: record.ownerId,
      teamId: record.teamId,
      queue: record.queue,
      score: scoreLead(lead, rules.scoring),
      assignments: [record],
      dedupeKeys: keys,
      searchText: searchTextOf(lead),
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

  private async route(lead: LeadInput, settings: SettingsDoc, at: Date): Promise<AssignmentRecord> {
    const queue = settings.defaultQueue || DEFAULT_QUEUE;
    const rule = findRule(lead, settings.rules as AssignmentRule[]);
    if (!rule) return routed(undefined, undefined, queue, at);
    // Each create takes its own turn, so concurrent creates spread across the members.
    const cursor = await this.settings.takeTurn(rule.id, settings);
    // The next lead routed with these rules (an import's next row) tries the position after this one.
    settings.cursors = { ...settings.cursors, [rule.id]: cursor + 1 };
    const open =
      rule.maxOpenLeadsPerRep != null
        ? await this.leads.countOpen(rule.members, OPEN_STATUSES)
        : new Map<string, number>();
    const pick = pickMember(rule, cursor, (m) => open.get(m) ?? 0);
    return routed(rule, pick?.member, queue, at);
  }
}
