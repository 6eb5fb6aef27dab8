import type { Actor } from '@crm/kit/domain';
import { ConflictError, DomainError } from '@crm/kit/domain';
import { Saga, type SagaStep } from '@crm/saga';
import type { LeadInput, LeadStatus } from './lead';

/** Only leads someone is working on, or has qualified, can become customers. */
export const CONVERTIBLE: LeadStatus[] = ['working', 'qualified'];

export function checkConvertible(status: LeadStatus): void {
  if (status === 'converted') throw new ConflictError('the lead is already converted');
  if (!CONVERTIBLE.includes(status))
    throw new ConflictError(`a ${status} lead cannot be converted; only working or qualified leads can`);
}

/** The lead as the conversion sees it: a snapshot taken when the conversion started. */
export interface LeadSnapshot extends LeadInput {
  _id: string;
  ownerId: string;
  teamId: string;
}

export interface ConversionContext {
  lead: LeadSnapshot;
  actor: Actor;
  requestId: string;
}

/** The deal a caller asks the conversion to open (amount in minor units). */
export interface RequestedOpportunity {
  name: string;
  amountMinor: number;
  currency: string;
  closeDate: string;
}

export interface ConversionData {
  /** The account the caller named; empty means find by domain or name, or create. */
  requestedAccountId: string;
  /** The deal to open with the customer; none when absent. */
  requestedOpportunity?: RequestedOpportunity;
  accountId?: string;
  accountCreated?: boolean;
  contactId?: string;
  opportunityId?: string;
}

export interface NewAccount {
  name: string;
  domain: string;
  industry: string;
  region: string;
  size?: number;
  ownerId: string;
  teamId: string;
}

export interface NewContact {
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  title: string;
}

/** What the conversion needs from the account service; the gRPC client implements it. */
export interface AccountPort {
  /** Creates the account, or returns the existing one with the same domain or name (created false). */
  createOrLinkAccount(
    ctx: ConversionContext,
    account: NewAccount,
    creationKey: string,
  ): Promise<{ accountId: string; created: boolean }>;
  /** The id to link (a merged account's survivor); fails when the caller may not use the account. */
  resolveAccount(ctx: ConversionContext, accountId: string): Promise<string>;
  createContact(
    ctx: ConversionContext,
    accountId: string,
    contact: NewContact,
    creationKey: string,
  ): Promise<{ contactId: string }>;
  /** Compensations: remove only what this conversion created (the creation key proves it). */
  discardAccount(ctx: ConversionContext, accountId: string, creationKey: string): Promise<void>;
  discardContact(ctx: ConversionContext, contactId: string, creationKey: string): Promise<void>;
}

/** What the conversion needs from the opportunity service; the gRPC client implements it. */
export interface OpportunityPort {
  /** Creates the deal (or returns the one this creation key made before). */
  createOpportunity(
    ctx: ConversionContext,
    deal: RequestedOpportunity & { accountId: string; contactId: string; ownerId: string; teamId: string },
    creationKey: string,
  ): Promise<{ opportunityId: string }>;
  /** Compensation: discards only the deal this creation key made. */
  discardOpportunity(ctx: ConversionContext, opportunityId: string, creationKey: string): Promise<void>;
}

/** The pivot: once the lead says converted, the conversion is done for good. */
export interface LeadPort {
  markConverted(ctx: ConversionContext, data: ConversionData): Promise<void>;
}

/** Public email providers say nothing about the company, so their domain is not the account's. */
const FREE_MAIL = new Set([
  'gmail.com',
  'googlemail.com',
  'yahoo.com',
  'hotmail.com',
  'outlook.com',
  'live.com',
  'icloud.com',
  'me.com',
  'aol.com',
  'gmx.de',
  'gmx.net',
  'web.de',
  'proton.me',
  'protonmail.com',
  'yandex.ru',
  'mail.ru',
  'qq.com',
  '163.com',
]);

export function companyDomain(email: string): string {
  const domain = email.split('@')[1]?.toLowerCase() ?? '';
  return domain && !FREE_MAIL.has(domain) ? domain : '';
}

export function accountFromLead(lead: LeadSnapshot, actor: Actor): NewAccount {
  return {
    name: lead.company,
    domain: companyDomain(lead.email),
    industry: lead.industry,
    region: lead.region,
    size: lead.companySize ?? undefined,
    // The lead's owner keeps the customer; an unowned lead goes to whoever converts it.
    ownerId: lead.ownerId || actor.userId,
    teamId: lead.teamId,
  };
}

export function contactFromLead(lead: LeadSnapshot): NewContact {
  return {
    firstName: lead.firstName,
    lastName: lead.lastName,
    email: lead.email,
    phone: lead.phone,
    title: lead.title,
  };
}

/** Keys derived from the lead alone: however often or with whatever request key it is retried, one lead makes at most one account and one contact. */
export const creationKeys = (leadId: string) => ({
  account: `lead-conversion:${leadId}:account`,
  contact: `lead-conversion:${leadId}:contact`,
  opportunity: `lead-conversion:${leadId}:opportunity`,
});

/**
 * The opportunity step, between the contact and the lead: opens the deal the caller asked for with
 * the new customer, owned like the account; its compensation discards it if a later step fails for good.
 */
export function opportunityStep(opportunities: OpportunityPort): SagaStep<ConversionContext, ConversionData> {
  return {
    name: 'opportunity',
    async run(ctx, data) {
      if (!data.requestedOpportunity) return {};
      const owner = accountFromLead(ctx.lead, ctx.actor);
      return opportunities.createOpportunity(
        ctx,
        {
          ...data.requestedOpportunity,
          accountId: data.accountId!,
          contactId: data.contactId ?? '',
          ownerId: owner.ownerId,
          teamId: owner.teamId,
        },
        creationKeys(ctx.lead._id).opportunity,
      );
    },
    async compensate(ctx, data) {
      if (data.opportunityId)
        await opportunities.discardOpportunity(
          ctx,
          data.opportunityId,
          creationKeys(ctx.lead._id).opportunity,
        );
    },
  };
}

/**
 * Lead conversion as a saga: account, contact, then the lead itself (the pivot). A later service adds
 * its step (the opportunity) between the contact and the lead, through `extraSteps`.
 */
export function conversionSaga(
  accounts: AccountPort,
  leads: LeadPort,
  isTransient: (err: unknown) => boolean,
  extraSteps: SagaStep<ConversionContext, ConversionData>[] = [],
): Saga<ConversionContext, ConversionData> {
  const account: SagaStep<ConversionContext, ConversionData> = {
    name: 'account',
    async run(ctx, data) {
      if (data.requestedAccountId) {
        const accountId = await accounts.resolveAccount(ctx, data.requestedAccountId);
        return { accountId, accountCreated: false };
      }
      const { accountId, created } = await accounts.createOrLinkAccount(
        ctx,
        accountFromLead(ctx.lead, ctx.actor),
        creationKeys(ctx.lead._id).account,
      );
      return { accountId, accountCreated: created };
    },
    async compensate(ctx, data) {
      if (data.accountCreated && data.accountId)
        await accounts.discardAccount(ctx, data.accountId, creationKeys(ctx.lead._id).account);
    },
  };
  const contact: SagaStep<ConversionContext, ConversionData> = {
    name: 'contact',
    async run(ctx, data) {
      return accounts.createContact(
        ctx,
        data.accountId!,
        contactFromLead(ctx.lead),
        creationKeys(ctx.lead._id).contact,
      );
    },
    async compensate(ctx, data) {
      if (data.contactId)
        await accounts.discardContact(ctx, data.contactId, creationKeys(ctx.lead._id).contact);
    },
  };
  const lead: SagaStep<ConversionContext, ConversionData> = {
    name: 'lead',
    run: async (ctx, data) => (await leads.markConverted(ctx, data), {}),
  };
  // Domain errors (the lead changed, the account is not visible) are final; transport trouble is not.
  return new Saga('lead-conversion', [account, contact, ...extraSteps, lead], (err) =>
    err instanceof DomainError ? false : isTransient(err),
  );
}
