import type { CustomValues } from '@crm/custom-fields';
import { account as pb } from '@crm/proto';
import type { Lifecycle, RawAccountInput } from '../domain/account';
import type { ActivityInput, ActivityKind, Priority, RelatedType } from '../domain/activity';
import type { ContactInput } from '../domain/contact';
import type { Money } from '../domain/money';
import type { Tier, TierRule, TierRuleSet } from '../domain/tier';
import type { AccountDoc, ActivityDoc, ContactDoc, SettingsDoc } from '../store/account.model';

/** Stored custom field values as readers see them: archived fields left out (CustomFields.visibleNow). */
export type ShownFields = (entity: 'account' | 'contact', values: unknown) => CustomValues;

function enumMap<D extends string, P extends number>(pairs: [D, P][]) {
  return {
    toProto: (d: D | '' | undefined): P | 0 => pairs.find(([x]) => x === d)?.[1] ?? 0,
    fromProto: (p: P | number): D | undefined => pairs.find(([, x]) => x === p)?.[0],
  };
}

export const lifecycles = enumMap<Lifecycle, pb.AccountLifecycle>([
  ['prospect', pb.AccountLifecycle.ACCOUNT_LIFECYCLE_PROSPECT],
  ['customer', pb.AccountLifecycle.ACCOUNT_LIFECYCLE_CUSTOMER],
  ['former-customer', pb.AccountLifecycle.ACCOUNT_LIFECYCLE_FORMER_CUSTOMER],
]);

export const tiers = enumMap<Tier, pb.AccountTier>([
  ['strategic', pb.AccountTier.ACCOUNT_TIER_STRATEGIC],
  ['A', pb.AccountTier.ACCOUNT_TIER_A],
  ['B', pb.AccountTier.ACCOUNT_TIER_B],
  ['C', pb.AccountTier.ACCOUNT_TIER_C],
]);

export const kinds = enumMap<ActivityKind, pb.ActivityKind>([
  ['task', pb.ActivityKind.ACTIVITY_KIND_TASK],
  ['call', pb.ActivityKind.ACTIVITY_KIND_CALL],
  ['visit', pb.ActivityKind.ACTIVITY_KIND_VISIT],
  ['meeting', pb.ActivityKind.ACTIVITY_KIND_MEETING],
]);

export const priorities = enumMap<Priority, pb.TaskPriority>([
  ['low', pb.TaskPriority.TASK_PRIORITY_LOW],
  ['normal', pb.TaskPriority.TASK_PRIORITY_NORMAL],
  ['high', pb.TaskPriority.TASK_PRIORITY_HIGH],
]);

/** Unset or empty Money -> undefined; otherwise as given (the domain validates). */
export const moneyIn = (m: { currencyCode: string; amount: string } | undefined): Money | undefined =>
  m && (m.amount || m.currencyCode) ? { currencyCode: m.currencyCode, amount: m.amount } : undefined;

const plain = (o: unknown): Record<string, unknown> =>
  o && typeof o === 'object' && !Array.isArray(o) ? { ...(o as Record<string, unknown>) } : {};

export function fromProtoAccountInput(
  i: pb.AccountInput | undefined,
): RawAccountInput & { ownerId: string; teamId: string } {
  return {
    name: i?.name ?? '',
    website: i?.website ?? '',
    industry: i?.industry ?? '',
    region: i?.region ?? '',
    size: i?.size,
    annualRevenue: moneyIn(i?.annualRevenue),
    openPipeline: moneyIn(i?.openPipeline),
    parentAccountId: i?.parentAccountId ?? '',
    lifecycle: lifecycles.fromProto(i?.lifecycle ?? 0) ?? 'prospect',
    customFields: plain(i?.customFields),
    ownerId: i?.ownerId ?? '',
    teamId: i?.teamId ?? '',
  };
}

export function toProtoAccount(d: AccountDoc, shown: ShownFields): pb.Account {
  return pb.Account.fromPartial({
    id: d._id,
    version: String(d.version),
    name: d.name,
    domain: d.domain ?? '',
    industry: d.industry ?? '',
    region: d.region ?? '',
    size: d.size ?? undefined,
    annualRevenue: d.annualRevenue?.amount ? d.annualRevenue : undefined,
    openPipeline: d.openPipeline?.amount ? d.openPipeline : undefined,
    parentAccountId: d.parentAccountId ?? '',
    lifecycle: lifecycles.toProto(d.lifecycle),
    ownerId: d.ownerId ?? '',
    teamId: d.teamId ?? '',
    tier: tiers.toProto(d.tier),
    computedTier: tiers.toProto(d.computedTier),
    tierRuleId: d.tierRuleId ?? '',
    tierOverride: d.tierOverride
      ? {
          tier: tiers.toProto(d.tierOverride.tier),
          reason: d.tierOverride.reason,
          set: { actorId: d.tierOverride.setBy, at: d.tierOverride.setAt },
        }
      : undefined,
    primaryContactId: d.primaryContactId ?? '',
    primaryContact: d.primaryContact ?? undefined,
    customFields: shown('account', d.customFields),
    lastActivityAt: d.lastActivityAt ?? undefined,
    created: { actorId: d.createdBy, at: d.createdAt },
    updated: { actorId: d.updatedBy, at: d.updatedAt },
    mergedInto: d.mergedInto ?? '',
    rfmSegment: d.rfmSegment ?? '',
  });
}

export function fromProtoContactInput(i: pb.ContactInput | undefined): ContactInput {
  return {
    firstName: i?.firstName ?? '',
    lastName: i?.lastName ?? '',
    email: i?.email ?? '',
    phone: i?.phone ?? '',
    title: i?.title ?? '',
    department: i?.department ?? '',
    reportsToContactId: i?.reportsToContactId ?? '',
    buyingRole: (i?.buyingRole ?? '') as ContactInput['buyingRole'],
    customFields: plain(i?.customFields),
  };
}

export function toProtoContact(d: ContactDoc, primaryContactId: string, shown: ShownFields): pb.Contact {
  return pb.Contact.fromPartial({
    id: d._id,
    version: String(d.version),
    accountId: d.accountId,
    firstName: d.firstName ?? '',
    lastName: d.lastName ?? '',
    email: d.email ?? '',
    phone: d.phone ?? '',
    title: d.title ?? '',
    department: d.department ?? '',
    reportsToContactId: d.reportsToContactId ?? '',
    buyingRole: d.buyingRole ?? '',
    primary: !!primaryContactId && primaryContactId === d._id,
    customFields: shown('contact', d.customFields),
    lastActivityAt: d.lastActivityAt ?? undefined,
    created: { actorId: d.createdBy, at: d.createdAt },
    updated: { actorId: d.updatedBy, at: d.updatedAt },
  });
}

export function fromProtoActivityInput(i: pb.ActivityInput | undefined): ActivityInput {
  return {
    kind: kinds.fromProto(i?.kind ?? 0) as ActivityKind,
    relatedTo: { type: (i?.relatedTo?.type ?? '') as RelatedType, id: i?.relatedTo?.id ?? '' },
    subject: i?.subject ?? '',
    description: i?.description ?? '',
    dueAt: i?.dueAt,
    priority: priorities.fromProto(i?.priority ?? 0) ?? '',
    assigneeId: i?.assigneeId ?? '',
    occurredAt: i?.occurredAt,
    participantContactIds: i?.participantContactIds ?? [],
    outcome: i?.outcome ?? '',
    nextStep: i?.nextStep ?? '',
    opportunityId: i?.opportunityId ?? '',
  };
}

export function toProtoActivity(d: ActivityDoc): pb.Activity {
  return pb.Activity.fromPartial({
    id: d._id,
    version: String(d.version),
    kind: kinds.toProto(d.kind),
    relatedTo: { type: d.relatedTo?.type ?? '', id: d.relatedTo?.id ?? '' },
    accountId: d.accountId ?? '',
    opportunityId: d.opportunityId ?? '',
    subject: d.subject ?? '',
    description: d.description ?? '',
    dueAt: d.dueAt ?? undefined,
    priority: priorities.toProto(d.priority),
    assigneeId: d.assigneeId ?? '',
    done: !!d.done,
    doneAt: d.doneAt ?? undefined,
    doneBy: d.doneBy ?? '',
    occurredAt: d.occurredAt ?? undefined,
    participantContactIds: d.participantContactIds ?? [],
    outcome: d.outcome ?? '',
    nextStep: d.nextStep ?? '',
    ownerId: d.ownerId ?? '',
    teamId: d.teamId ?? '',
    created: { actorId: d.createdBy, at: d.createdAt },
    updated: { actorId: d.updatedBy, at: d.updatedAt },
  });
}

export function fromProtoTierRules(r: pb.TierRules | undefined): TierRuleSet {
  return {
    defaultTier: tiers.fromProto(r?.defaultTier ?? 0) ?? 'C',
    rules: (r?.rules ?? []).map((x): TierRule => ({
      id: x.id,
      name: x.name,
      // An unspecified tier fails validation ('' is not a tier).
      tier: tiers.fromProto(x.tier) ?? ('' as Tier),
      annualRevenueMin: moneyIn(x.annualRevenueMin),
      openPipelineMin: moneyIn(x.openPipelineMin),
      industries: x.industries,
      sizeMin: x.sizeMin,
      sizeMax: x.sizeMax,
      rfmSegments: x.rfmSegments,
    })),
  };
}

export function toProtoTierRules(s: SettingsDoc): pb.TierRules {
  return pb.TierRules.fromPartial({
    version: String(s.version),
    defaultTier: tiers.toProto(s.defaultTier),
    rules: (s.rules ?? []).map((r) => ({
      id: r.id,
      name: r.name,
      tier: tiers.toProto(r.tier),
      annualRevenueMin: r.annualRevenueMin ?? undefined,
      openPipelineMin: r.openPipelineMin ?? undefined,
      industries: r.industries ?? [],
      sizeMin: r.sizeMin ?? undefined,
      sizeMax: r.sizeMax ?? undefined,
      rfmSegments: r.rfmSegments ?? [],
    })),
    updated: { actorId: s.updatedBy ?? '', at: s.updatedAt },
  });
}
