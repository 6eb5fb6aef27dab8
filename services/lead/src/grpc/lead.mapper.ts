import { type CustomValues, isPlainObject } from '@crm/custom-fields';
import { lead as pb } from '@crm/proto';
import { attributesOf, type LeadInput, type LeadStatus } from '../domain/lead';
import type { AssignmentRule } from '../domain/assignment';
import type { ScoredField, ScoringRule } from '../domain/scoring';
import type { LeadDoc, SettingsDoc } from '../store/lead.model';

const STATUS: [LeadStatus, pb.LeadStatus][] = [
  ['new', pb.LeadStatus.LEAD_STATUS_NEW],
  ['working', pb.LeadStatus.LEAD_STATUS_WORKING],
  ['nurturing', pb.LeadStatus.LEAD_STATUS_NURTURING],
  ['qualified', pb.LeadStatus.LEAD_STATUS_QUALIFIED],
  ['disqualified', pb.LeadStatus.LEAD_STATUS_DISQUALIFIED],
  ['converted', pb.LeadStatus.LEAD_STATUS_CONVERTED],
];

export const toProtoStatus = (s: LeadStatus): pb.LeadStatus => STATUS.find(([d]) => d === s)?.[1] ?? 0;
export const fromProtoStatus = (s: pb.LeadStatus): LeadStatus | undefined =>
  STATUS.find(([, p]) => p === s)?.[0];

export function fromProtoInput(i: pb.LeadInput | undefined): LeadInput {
  return {
    firstName: i?.firstName ?? '',
    lastName: i?.lastName ?? '',
    email: i?.email ?? '',
    phone: i?.phone ?? '',
    company: i?.company ?? '',
    title: i?.title ?? '',
    contactLevel: i?.contactLevel ?? '',
    region: i?.region ?? '',
    industry: i?.industry ?? '',
    source: i?.source ?? '',
    companySize: i?.companySize,
    attributes: { ...(i?.attributes ?? {}) },
    customFields: i?.customFields,
  };
}

/** Custom field values as readers see them (archived fields left out); by default as stored. */
export type ShownCustomFields = (values: unknown) => CustomValues;
const asStored: ShownCustomFields = (v) => (isPlainObject(v) ? { ...v } : {});

export function toProtoLead(d: LeadDoc, shown: ShownCustomFields = asStored): pb.Lead {
  const attributes = attributesOf(d.attributes);
  return pb.Lead.fromPartial({
    id: d._id,
    version: String(d.version),
    firstName: d.firstName,
    lastName: d.lastName,
    email: d.email,
    phone: d.phone,
    company: d.company,
    title: d.title,
    contactLevel: d.contactLevel,
    region: d.region,
    industry: d.industry,
    source: d.source,
    companySize: d.companySize ?? undefined,
    attributes,
    customFields: shown(d.customFields),
    status: toProtoStatus(d.status),
    disqualifyReason: d.disqualifyReason ?? '',
    ownerId: d.ownerId ?? '',
    teamId: d.teamId ?? '',
    queue: d.queue ?? '',
    score: d.score ?? 0,
    assignments: (d.assignments ?? []).map((a) => ({ ...a })),
    created: { actorId: d.createdBy, at: d.createdAt },
    updated: { actorId: d.updatedBy, at: d.updatedAt },
    conversion: d.conversion
      ? {
          accountId: d.conversion.accountId,
          contactId: d.conversion.contactId,
          opportunityId: d.conversion.opportunityId,
          accountCreated: d.conversion.accountCreated,
          converted: { actorId: d.conversion.convertedBy, at: d.conversion.convertedAt },
        }
      : undefined,
    lastActivityAt: d.lastActivityAt ?? undefined,
    pooled: d.pool?.pooled ?? false,
  });
}

export function fromProtoRules(r: pb.AssignmentRules | undefined): {
  rules: AssignmentRule[];
  defaultQueue: string;
} {
  return {
    defaultQueue: r?.defaultQueue ?? '',
    rules: (r?.rules ?? []).map((x) => ({
      id: x.id,
      name: x.name,
      teamId: x.teamId,
      members: x.members,
      maxOpenLeadsPerRep: x.maxOpenLeadsPerRep,
      match: {
        regions: x.match?.regions ?? [],
        industries: x.match?.industries ?? [],
        sources: x.match?.sources ?? [],
        contactLevels: x.match?.contactLevels ?? [],
        companySizeMin: x.match?.companySizeMin,
        companySizeMax: x.match?.companySizeMax,
      },
    })),
  };
}

export function toProtoRules(s: SettingsDoc): pb.AssignmentRules {
  return pb.AssignmentRules.fromPartial({
    version: String(s.version),
    rules: s.rules as AssignmentRule[],
    defaultQueue: s.defaultQueue ?? '',
    updated: { actorId: s.updatedBy ?? '', at: s.updatedAt },
  });
}

/** The proto names fields in snake_case; the domain in camelCase. Both are accepted. */
const camel = (f: string) => f.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) as ScoredField;
const snake = (f: string) => f.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export function fromProtoScoring(m: pb.ScoringModel | undefined): ScoringRule[] {
  return (m?.rules ?? []).map((r) => ({
    id: r.id,
    field: camel(r.field),
    values: r.values,
    min: r.min,
    max: r.max,
    present: r.present,
    points: r.points,
  }));
}

export function toProtoScoring(s: SettingsDoc): pb.ScoringModel {
  return pb.ScoringModel.fromPartial({
    version: String(s.version),
    rules: (s.rules as ScoringRule[]).map((r) => ({ ...r, field: snake(r.field) })),
    updated: { actorId: s.updatedBy ?? '', at: s.updatedAt },
  });
}
