import { lead } from '@crm/proto';
import type { z } from 'zod';
import { leadStatus, type AssignmentRulesBody, type ScoringModelBody } from './schemas';

export const statusToProto = (s: string): lead.LeadStatus => leadStatus.toProto(s);
export const statusFromProto = (s: lead.LeadStatus): string => leadStatus.fromProto(s, 'new');

const iso = (d: Date | undefined): string | null => (d ? d.toISOString() : null);
const num = (s: string | number | undefined): number => Number(s ?? 0);

export function leadToJson(l: lead.Lead) {
  return {
    id: l.id,
    version: num(l.version),
    firstName: l.firstName,
    lastName: l.lastName,
    email: l.email,
    phone: l.phone,
    company: l.company,
    title: l.title,
    contactLevel: l.contactLevel,
    region: l.region,
    industry: l.industry,
    source: l.source,
    companySize: l.companySize ?? null,
    attributes: l.attributes ?? {},
    customFields: l.customFields ?? {},
    status: statusFromProto(l.status),
    disqualifyReason: l.disqualifyReason,
    ownerId: l.ownerId,
    teamId: l.teamId,
    queue: l.queue,
    score: l.score,
    assignments: (l.assignments ?? []).map((a) => ({
      ownerId: a.ownerId,
      teamId: a.teamId,
      queue: a.queue,
      assignedBy: a.assignedBy,
      reason: a.reason,
      ruleId: a.ruleId,
      at: iso(a.at),
    })),
    createdAt: iso(l.created?.at),
    createdBy: l.created?.actorId ?? '',
    updatedAt: iso(l.updated?.at),
    updatedBy: l.updated?.actorId ?? '',
  };
}

export interface LeadInputJson {
  firstName?: string;
  lastName?: string;
  email?: string;
  phone?: string;
  company?: string;
  title?: string;
  contactLevel?: string;
  region?: string;
  industry?: string;
  source?: string;
  companySize?: number;
  attributes?: Record<string, string>;
  customFields?: Record<string, unknown>;
}

export function leadInputToProto(i: LeadInputJson): lead.LeadInput {
  return lead.LeadInput.fromPartial({
    firstName: i.firstName ?? '',
    lastName: i.lastName ?? '',
    email: i.email ?? '',
    phone: i.phone ?? '',
    company: i.company ?? '',
    title: i.title ?? '',
    contactLevel: i.contactLevel ?? '',
    region: i.region ?? '',
    industry: i.industry ?? '',
    source: i.source ?? '',
    companySize: i.companySize,
    attributes: i.attributes ?? {},
    customFields: i.customFields,
  });
}

/** Only the fields present in the JSON patch are set. */
export function leadPatchToProto(p: LeadInputJson): lead.LeadPatch {
  return lead.LeadPatch.fromPartial({
    firstName: p.firstName,
    lastName: p.lastName,
    email: p.email,
    phone: p.phone,
    company: p.company,
    title: p.title,
    contactLevel: p.contactLevel,
    region: p.region,
    industry: p.industry,
    source: p.source,
    companySize: p.companySize,
    attributes: p.attributes ?? {},
    customFields: p.customFields,
  });
}

export function rulesToJson(r: lead.AssignmentRules) {
  return {
    version: num(r.version),
    defaultQueue: r.defaultQueue,
    rules: r.rules.map((x) => ({
      id: x.id,
      name: x.name,
      match: {
        regions: x.match?.regions ?? [],
        industries: x.match?.industries ?? [],
        sources: x.match?.sources ?? [],
        contactLevels: x.match?.contactLevels ?? [],
        ...(x.match?.companySizeMin !== undefined ? { companySizeMin: x.match.companySizeMin } : {}),
        ...(x.match?.companySizeMax !== undefined ? { companySizeMax: x.match.companySizeMax } : {}),
      },
      teamId: x.teamId,
      members: x.members,
      ...(x.maxOpenLeadsPerRep !== undefined ? { maxOpenLeadsPerRep: x.maxOpenLeadsPerRep } : {}),
    })),
    updatedAt: iso(r.updated?.at),
    updatedBy: r.updated?.actorId ?? '',
  };
}

export function rulesToProto(b: z.infer<typeof AssignmentRulesBody>): lead.AssignmentRules {
  return lead.AssignmentRules.fromPartial({
    defaultQueue: b.defaultQueue,
    rules: b.rules.map((r) => ({
      id: r.id,
      name: r.name,
      match: r.match,
      teamId: r.teamId,
      members: r.members,
      maxOpenLeadsPerRep: r.maxOpenLeadsPerRep,
    })),
  });
}

export function scoringToJson(m: lead.ScoringModel) {
  return {
    version: num(m.version),
    rules: m.rules.map((r) => ({
      id: r.id,
      field: r.field,
      values: r.values,
      ...(r.min !== undefined ? { min: r.min } : {}),
      ...(r.max !== undefined ? { max: r.max } : {}),
      present: r.present,
      points: r.points,
    })),
    updatedAt: iso(m.updated?.at),
    updatedBy: m.updated?.actorId ?? '',
  };
}

export function scoringToProto(b: z.infer<typeof ScoringModelBody>): lead.ScoringModel {
  return lead.ScoringModel.fromPartial({
    rules: b.rules.map((r) => ({ ...r, present: r.present ?? false })),
  });
}

const OUTCOMES: Record<number, 'created' | 'duplicate' | 'rejected'> = {
  [lead.ImportOutcome.IMPORT_OUTCOME_CREATED]: 'created',
  [lead.ImportOutcome.IMPORT_OUTCOME_DUPLICATE]: 'duplicate',
  [lead.ImportOutcome.IMPORT_OUTCOME_REJECTED]: 'rejected',
};

export function importToJson(r: lead.ImportLeadsResponse, camel: (f: string) => string) {
  return {
    created: r.created,
    duplicates: r.duplicates,
    rejected: r.rejected,
    results: r.results.map((x) => ({
      row: x.row,
      outcome: OUTCOMES[x.outcome] ?? 'rejected',
      ...(x.leadId ? { leadId: x.leadId } : {}),
      ...(x.existingLeadId ? { existingLeadId: x.existingLeadId } : {}),
      ...(x.violations.length
        ? { errors: x.violations.map((v) => ({ field: camel(v.field), message: v.description })) }
        : {}),
    })),
  };
}
