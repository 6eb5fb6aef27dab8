import type { RfmSegment } from '@crm/kit/domain';
import { account as pb } from '@crm/proto';
import type { z } from 'zod';
import {
  lifecycle,
  tier,
  type CreateAccountBody,
  type CreateContactBody,
  type PatchAccountBody,
  type PatchContactBody,
  type TierRulesBody,
} from './schemas';

export const lifecycleToProto = (l: string | undefined) => (l ? lifecycle.toProto(l) : 0);
export const tierToProto = (t: string | undefined) => (t ? tier.toProto(t) : 0);
export const lifecycleFromProto = (v: number) => lifecycle.fromProto(v, 'prospect');
export const tierFromProto = (v: number) => tier.fromProto(v, 'C');

const iso = (d: Date | undefined | null): string | null => (d ? d.toISOString() : null);
const num = (s: string | number | undefined): number => Number(s ?? 0);
const money = (m: { currencyCode: string; amount: string } | undefined) =>
  m && m.amount ? { currencyCode: m.currencyCode, amount: m.amount } : null;
const moneyIn = (m: { currencyCode: string; amount: string } | undefined) =>
  m ? { currencyCode: m.currencyCode.toUpperCase(), amount: m.amount } : undefined;

export function accountToJson(a: pb.Account) {
  return {
    id: a.id,
    version: num(a.version),
    name: a.name,
    domain: a.domain,
    industry: a.industry,
    region: a.region,
    size: a.size ?? null,
    annualRevenue: money(a.annualRevenue),
    openPipeline: money(a.openPipeline),
    parentAccountId: a.parentAccountId,
    lifecycle: lifecycleFromProto(a.lifecycle),
    ownerId: a.ownerId,
    teamId: a.teamId,
    tier: tierFromProto(a.tier),
    computedTier: tierFromProto(a.computedTier),
    tierRuleId: a.tierRuleId,
    rfmSegment: a.rfmSegment as '' | RfmSegment,
    tierOverride: a.tierOverride
      ? {
          tier: tierFromProto(a.tierOverride.tier),
          reason: a.tierOverride.reason,
          setBy: a.tierOverride.set?.actorId ?? '',
          setAt: iso(a.tierOverride.set?.at),
        }
      : null,
    primaryContactId: a.primaryContactId,
    primaryContact: a.primaryContact ? { ...a.primaryContact } : null,
    customFields: a.customFields ?? {},
    lastActivityAt: iso(a.lastActivityAt),
    createdAt: iso(a.created?.at),
    createdBy: a.created?.actorId ?? '',
    updatedAt: iso(a.updated?.at),
    updatedBy: a.updated?.actorId ?? '',
  };
}

export function accountInputToProto(
  b: Omit<z.infer<typeof CreateAccountBody>, 'allowDuplicate'>,
  ownerId: string,
): pb.AccountInput {
  return pb.AccountInput.fromPartial({
    name: b.name,
    website: b.website ?? '',
    industry: b.industry ?? '',
    region: b.region ?? '',
    size: b.size,
    annualRevenue: moneyIn(b.annualRevenue),
    openPipeline: moneyIn(b.openPipeline),
    parentAccountId: b.parentAccountId ?? '',
    lifecycle: lifecycleToProto(b.lifecycle),
    ownerId,
    teamId: b.teamId ?? '',
    customFields: b.customFields,
  });
}

/** Only the fields present in the JSON patch are set; null money clears it (an empty Money). */
export function accountPatchToProto(p: z.infer<typeof PatchAccountBody>, ownerId?: string): pb.AccountPatch {
  const clearable = (m: z.infer<typeof PatchAccountBody>['annualRevenue']) =>
    m === null ? { currencyCode: '', amount: '' } : moneyIn(m);
  return pb.AccountPatch.fromPartial({
    name: p.name,
    website: p.website,
    industry: p.industry,
    region: p.region,
    size: p.size,
    annualRevenue: clearable(p.annualRevenue),
    openPipeline: clearable(p.openPipeline),
    parentAccountId: p.parentAccountId,
    lifecycle: lifecycleToProto(p.lifecycle),
    ownerId,
    teamId: p.teamId,
    customFields: p.customFields,
  });
}

export function contactToJson(c: pb.Contact) {
  return {
    id: c.id,
    version: num(c.version),
    accountId: c.accountId,
    firstName: c.firstName,
    lastName: c.lastName,
    email: c.email,
    phone: c.phone,
    title: c.title,
    department: c.department,
    reportsToContactId: c.reportsToContactId,
    buyingRole: c.buyingRole,
    primary: c.primary,
    customFields: c.customFields ?? {},
    lastActivityAt: iso(c.lastActivityAt),
    createdAt: iso(c.created?.at),
    createdBy: c.created?.actorId ?? '',
    updatedAt: iso(c.updated?.at),
    updatedBy: c.updated?.actorId ?? '',
  };
}

export function contactInputToProto(b: z.infer<typeof CreateContactBody>): pb.ContactInput {
  return pb.ContactInput.fromPartial({
    firstName: b.firstName ?? '',
    lastName: b.lastName,
    email: b.email ?? '',
    phone: b.phone ?? '',
    title: b.title ?? '',
    department: b.department ?? '',
    reportsToContactId: b.reportsToContactId ?? '',
    buyingRole: b.buyingRole ?? '',
    primary: b.primary ?? false,
    customFields: b.customFields,
  });
}

export function contactPatchToProto(p: z.infer<typeof PatchContactBody>): pb.ContactPatch {
  return pb.ContactPatch.fromPartial({ ...p });
}

export function tierRulesToJson(r: pb.TierRules) {
  return {
    version: num(r.version),
    defaultTier: tierFromProto(r.defaultTier),
    rules: r.rules.map((x) => ({
      id: x.id,
      name: x.name,
      tier: tierFromProto(x.tier),
      ...(x.annualRevenueMin?.amount ? { annualRevenueMin: money(x.annualRevenueMin)! } : {}),
      ...(x.openPipelineMin?.amount ? { openPipelineMin: money(x.openPipelineMin)! } : {}),
      industries: x.industries,
      ...(x.sizeMin !== undefined ? { sizeMin: x.sizeMin } : {}),
      ...(x.sizeMax !== undefined ? { sizeMax: x.sizeMax } : {}),
      rfmSegments: x.rfmSegments as RfmSegment[],
    })),
    updatedAt: iso(r.updated?.at),
    updatedBy: r.updated?.actorId ?? '',
  };
}

export function tierRulesToProto(b: z.infer<typeof TierRulesBody>): pb.TierRules {
  return pb.TierRules.fromPartial({
    defaultTier: tierToProto(b.defaultTier),
    rules: b.rules.map((r) => ({
      ...r,
      tier: tierToProto(r.tier),
      annualRevenueMin: moneyIn(r.annualRevenueMin),
      openPipelineMin: moneyIn(r.openPipelineMin),
    })),
  });
}
