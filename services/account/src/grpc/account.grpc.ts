import { type CallerContext, callerOf, expectedVersionOf, ValidationError } from '@crm/kit';
import { account as pb } from '@crm/proto';
import type { ActivityKind } from '../domain/activity';
import type { Tier } from '../domain/tier';
import type { AccountMerge } from '../application/account-merge';
import type { AccountTiers } from '../application/account-tiers';
import type { Accounts } from '../application/accounts';
import type { Activities } from '../application/activities';
import type { Contacts } from '../application/contacts';
import type { CustomFieldRules } from '../application/ports';
import {
  fromProtoAccountInput,
  fromProtoActivityInput,
  fromProtoContactInput,
  fromProtoTierRules,
  kinds,
  lifecycles,
  moneyIn,
  priorities,
  tiers,
  toProtoAccount as toAccount,
  toProtoActivity,
  toProtoContact as toContact,
  toProtoTierRules,
  type ShownFields,
} from './account.mapper';

type Ctx = CallerContext;

const version = (v: string) => expectedVersionOf(v);

function enumIn<T>(value: number, map: (v: number) => T | undefined, field: string): T | undefined {
  if (!value) return undefined;
  const d = map(value);
  if (d === undefined) throw new ValidationError([{ field, description: 'is not a known value' }]);
  return d;
}

/** The use cases AccountService answers with. */
export interface AccountUseCases {
  accounts: Accounts;
  merge: AccountMerge;
  tiers: AccountTiers;
  contacts: Contacts;
  activities: Activities;
  /** For responses: archived custom fields are left out. */
  customFields: Pick<CustomFieldRules, 'visibleNow'>;
}

/** proto <-> application only; the rules live in the domain and the use cases. */
export function accountGrpc(app: AccountUseCases): pb.AccountServiceImplementation<Ctx> {
  const { accounts, merge, tiers: tierRules, contacts, activities } = app;
  const shown: ShownFields = (entity, values) => app.customFields.visibleNow(entity, values);
  const toProtoAccount = (d: Parameters<typeof toAccount>[0]) => toAccount(d, shown);
  const toProtoContact = (d: Parameters<typeof toContact>[0], primaryId: string) =>
    toContact(d, primaryId, shown);
  return {
    async createAccount(req, ctx) {
      const { account, created } = await accounts.create(
        fromProtoAccountInput(req.account),
        {
          allowDuplicate: req.allowDuplicate,
          creationKey: req.creationKey,
          linkDuplicate: req.linkDuplicate,
        },
        callerOf(ctx),
      );
      return { account: toProtoAccount(account), created };
    },
    async getAccount(req, ctx) {
      return toProtoAccount(await accounts.get(req.id, callerOf(ctx)));
    },
    async listAccounts(req, ctx) {
      const { accounts: list, nextCursor } = await accounts.list(
        {
          query: req.query,
          industry: req.industry,
          region: req.region,
          lifecycle: enumIn(req.lifecycle, lifecycles.fromProto, 'lifecycle'),
          tier: enumIn(req.tier, tiers.fromProto, 'tier'),
          rfmSegment: req.rfmSegment,
          ownerId: req.ownerId,
          parentAccountId: req.parentAccountId,
          customFilters: req.customFilters,
          sort: req.sort,
          limit: req.page?.limit ?? 50,
          cursor: req.page?.cursor ?? '',
        },
        callerOf(ctx),
      );
      return { accounts: list.map(toProtoAccount), page: { nextCursor } };
    },
    async updateAccount(req, ctx) {
      const p = req.patch;
      const money = (m: pb.AccountPatch['annualRevenue']) =>
        m === undefined ? undefined : (moneyIn(m) ?? null);
      const next = await accounts.update(
        req.id,
        version(req.expectedVersion),
        {
          name: p?.name,
          website: p?.website,
          industry: p?.industry,
          region: p?.region,
          size: p?.size,
          annualRevenue: money(p?.annualRevenue),
          openPipeline: money(p?.openPipeline),
          parentAccountId: p?.parentAccountId,
          lifecycle: enumIn(p?.lifecycle ?? 0, lifecycles.fromProto, 'lifecycle'),
          ownerId: p?.ownerId,
          teamId: p?.teamId,
          customFields: p?.customFields,
        },
        callerOf(ctx),
      );
      return toProtoAccount(next);
    },
    async setAccountTierOverride(req, ctx) {
      const tier = enumIn(req.tier, tiers.fromProto, 'tier') ?? ('' as Tier);
      return toProtoAccount(
        await tierRules.setOverride(req.id, version(req.expectedVersion), tier, req.reason, callerOf(ctx)),
      );
    },
    async clearAccountTierOverride(req, ctx) {
      return toProtoAccount(
        await tierRules.clearOverride(req.id, version(req.expectedVersion), callerOf(ctx)),
      );
    },
    async mergeAccounts(req, ctx) {
      return toProtoAccount(await merge.merge(req.survivorId, req.mergedId, callerOf(ctx)));
    },
    async discardAccount(req, ctx) {
      return { discarded: await accounts.discard(req.id, req.creationKey, callerOf(ctx)) };
    },

    async createContact(req, ctx) {
      const { contact, account } = await contacts.create(
        req.accountId,
        fromProtoContactInput(req.contact),
        req.contact?.primary ?? false,
        req.creationKey.trim(),
        callerOf(ctx),
      );
      return toProtoContact(contact, account.primaryContactId);
    },
    async getContact(req, ctx) {
      const { contact, account } = await contacts.get(req.id, callerOf(ctx));
      return toProtoContact(contact, account.primaryContactId);
    },
    async listContacts(req, ctx) {
      const {
        contacts: list,
        account,
        nextCursor,
      } = await contacts.list(
        req.accountId,
        req.page?.limit ?? 50,
        req.page?.cursor ?? '',
        callerOf(ctx),
        req.customFilters,
      );
      return {
        contacts: list.map((x) => toProtoContact(x, account.primaryContactId)),
        page: { nextCursor },
      };
    },
    async updateContact(req, ctx) {
      const p = req.patch;
      const { contact, account } = await contacts.update(
        req.id,
        version(req.expectedVersion),
        {
          firstName: p?.firstName,
          lastName: p?.lastName,
          email: p?.email,
          phone: p?.phone,
          title: p?.title,
          department: p?.department,
          reportsToContactId: p?.reportsToContactId,
          buyingRole: p?.buyingRole as never,
          primary: p?.primary,
          customFields: p?.customFields,
        },
        callerOf(ctx),
      );
      return toProtoContact(contact, account.primaryContactId);
    },
    async discardContact(req, ctx) {
      return { discarded: await contacts.discard(req.id, req.creationKey, callerOf(ctx)) };
    },

    async createActivity(req, ctx) {
      const input = fromProtoActivityInput(req.activity);
      if (!input.kind) throw new ValidationError([{ field: 'kind', description: 'is required' }]);
      return toProtoActivity(await activities.create(input, callerOf(ctx)));
    },
    async getActivity(req, ctx) {
      return toProtoActivity(await activities.get(req.id, callerOf(ctx)));
    },
    async listActivities(req, ctx) {
      const { activities: list, nextCursor } = await activities.list(
        {
          relatedTo: req.relatedTo?.id ? { type: req.relatedTo.type, id: req.relatedTo.id } : undefined,
          accountId: req.accountId,
          assigneeId: req.assigneeId,
          kinds: req.kinds.map((k) => enumIn(k, kinds.fromProto, 'kinds') as ActivityKind),
          openOnly: req.openOnly,
          dueFrom: req.dueFrom,
          dueTo: req.dueTo,
          sort: req.sort,
          limit: req.page?.limit ?? 50,
          cursor: req.page?.cursor ?? '',
        },
        callerOf(ctx),
      );
      return { activities: list.map(toProtoActivity), page: { nextCursor } };
    },
    async updateActivity(req, ctx) {
      const p = req.patch;
      return toProtoActivity(
        await activities.update(
          req.id,
          version(req.expectedVersion),
          {
            subject: p?.subject,
            description: p?.description,
            dueAt: p?.dueAt,
            priority: enumIn(p?.priority ?? 0, priorities.fromProto, 'priority'),
            assigneeId: p?.assigneeId,
            done: p?.done,
            occurredAt: p?.occurredAt,
            participantContactIds: p?.participantContactIds?.ids,
            outcome: p?.outcome,
            nextStep: p?.nextStep,
          },
          callerOf(ctx),
        ),
      );
    },
    async completeTask(req, ctx) {
      return toProtoActivity(await activities.complete(req.id, version(req.expectedVersion), callerOf(ctx)));
    },

    async getTierRules(_req, ctx) {
      return toProtoTierRules(await tierRules.rules(callerOf(ctx)));
    },
    async putTierRules(req, ctx) {
      return toProtoTierRules(
        await tierRules.putRules(fromProtoTierRules(req.rules), version(req.expectedVersion), callerOf(ctx)),
      );
    },
  };
}
