import { type CallerContext, callerOf, expectedVersionOf, ValidationError } from '@crm/kit';
import { lead as pb } from '@crm/proto';
import type { LeadConversions } from '../application/lead-conversion';
import type { LeadImport } from '../application/lead-import';
import type { LeadSettings } from '../application/lead-settings';
import type { Leads } from '../application/leads';
import type { LeadInput, LeadStatus } from '../domain/lead';
import {
  fromProtoInput,
  fromProtoRules,
  fromProtoScoring,
  fromProtoStatus,
  type ShownCustomFields,
  toProtoLead as toProto,
  toProtoRules,
  toProtoScoring,
} from './lead.mapper';

type Ctx = CallerContext;

const version = (v: string) => expectedVersionOf(v);

const status = (s: pb.LeadStatus, field = 'status'): LeadStatus => {
  const d = fromProtoStatus(s);
  if (!d) throw new ValidationError([{ field, description: 'is not a lead status' }]);
  return d;
};

export interface LeadUseCases {
  leads: Leads;
  imports: LeadImport;
  settings: LeadSettings;
  conversions: LeadConversions;
  /** Custom field values as readers see them. */
  shown: ShownCustomFields;
}

/** proto <-> application only; the rules live in the domain and the use cases. */
export function leadGrpc(u: LeadUseCases): pb.LeadServiceImplementation<Ctx> {
  const { leads, imports, settings, conversions } = u;
  const toProtoLead = (d: Parameters<typeof toProto>[0]) => toProto(d, u.shown);
  return {
    async createLead(req, ctx) {
      return toProtoLead(await leads.create(fromProtoInput(req.lead), req.allowDuplicate, callerOf(ctx)));
    },
    async getLead(req, ctx) {
      return toProtoLead(await leads.get(req.id, callerOf(ctx)));
    },
    async listLeads(req, ctx) {
      const { leads: found, nextCursor } = await leads.list(
        {
          statuses: req.statuses.map((s) => status(s, 'statuses')),
          ownerId: req.ownerId,
          source: req.source,
          region: req.region,
          industry: req.industry,
          createdFrom: req.createdFrom,
          createdTo: req.createdTo,
          query: req.query,
          sort: req.sort,
          limit: req.page?.limit ?? 50,
          cursor: req.page?.cursor ?? '',
          customFilters: req.customFilters,
        },
        callerOf(ctx),
      );
      return { leads: found.map(toProtoLead), page: { nextCursor } };
    },
    async updateLead(req, ctx) {
      const p = req.patch;
      const patch: Partial<LeadInput> = {
        firstName: p?.firstName,
        lastName: p?.lastName,
        email: p?.email,
        phone: p?.phone,
        company: p?.company,
        title: p?.title,
        contactLevel: p?.contactLevel,
        region: p?.region,
        industry: p?.industry,
        source: p?.source,
        companySize: p?.companySize,
        attributes: p?.attributes,
        customFields: p?.customFields,
      };
      const o = req.ownerChange;
      const owner = o && { ownerId: o.ownerId, teamId: o.teamId, reason: o.reason };
      return toProtoLead(
        await leads.update(req.id, version(req.expectedVersion), patch, callerOf(ctx), owner),
      );
    },
    async changeLeadStatus(req, ctx) {
      return toProtoLead(
        await leads.changeStatus(
          req.id,
          version(req.expectedVersion),
          status(req.status),
          req.reason,
          callerOf(ctx),
        ),
      );
    },
    async assignLead(req, ctx) {
      return toProtoLead(
        await leads.assign(
          req.id,
          version(req.expectedVersion),
          { ownerId: req.ownerId, teamId: req.teamId, reason: req.reason },
          callerOf(ctx),
        ),
      );
    },
    async importLeads(req, ctx) {
      const rows = await imports.import(req.rows.map(fromProtoInput), req.allowDuplicates, callerOf(ctx));
      const outcome = {
        created: pb.ImportOutcome.IMPORT_OUTCOME_CREATED,
        duplicate: pb.ImportOutcome.IMPORT_OUTCOME_DUPLICATE,
        rejected: pb.ImportOutcome.IMPORT_OUTCOME_REJECTED,
      };
      return {
        results: rows.map((r) => ({
          row: r.row,
          outcome: outcome[r.outcome],
          leadId: r.leadId ?? '',
          existingLeadId: r.existingLeadId ?? '',
          violations: r.violations,
        })),
        created: rows.filter((r) => r.outcome === 'created').length,
        duplicates: rows.filter((r) => r.outcome === 'duplicate').length,
        rejected: rows.filter((r) => r.outcome === 'rejected').length,
      };
    },
    async getAssignmentRules(_req, ctx) {
      return toProtoRules(await settings.assignmentRules(callerOf(ctx)));
    },
    async putAssignmentRules(req, ctx) {
      const { rules, defaultQueue } = fromProtoRules(req.rules);
      return toProtoRules(
        await settings.putAssignmentRules(rules, defaultQueue, version(req.expectedVersion), callerOf(ctx)),
      );
    },
    async convertLead(req, ctx) {
      const r = await conversions.convert(
        req.id,
        req.idempotencyKey,
        req.accountId,
        version(req.expectedVersion),
        callerOf(ctx),
        req.opportunity && {
          name: req.opportunity.name,
          amountMinor: minorUnits(req.opportunity.amountMinor),
          currency: req.opportunity.currency,
          closeDate: req.opportunity.closeDate,
        },
      );
      return {
        lead: toProtoLead(r.lead),
        accountId: r.accountId,
        contactId: r.contactId,
        opportunityId: r.opportunityId,
        accountCreated: r.accountCreated,
      };
    },
    async getScoringModel(_req, ctx) {
      return toProtoScoring(await settings.scoring(callerOf(ctx)));
    },
    async putScoringModel(req, ctx) {
      return toProtoScoring(
        await settings.putScoring(fromProtoScoring(req.model), version(req.expectedVersion), callerOf(ctx)),
      );
    },
  };
}

/** An int64 amount (a decimal string on the wire) as a safe integer; anything else is bad input. */
function minorUnits(s: string): number {
  const n = /^\d{1,16}$/.test(s) ? Number(s) : NaN;
  if (!Number.isSafeInteger(n))
    throw new ValidationError([
      { field: 'opportunity.amountMinor', description: 'must be a whole, non-negative number' },
    ]);
  return n;
}
