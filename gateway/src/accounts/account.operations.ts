import { z } from 'zod';
import type { account as pb } from '@crm/proto';
import { operation, type Operation, type Reply } from '../api/operation';
import { customFieldEntries } from '../custom-fields/schemas';
import { HttpProblem } from '../http/problem';
import { changesSomething } from '../http/validate';
import {
  accountInputToProto,
  accountPatchToProto,
  accountToJson,
  lifecycleToProto,
  tierRulesToJson,
  tierRulesToProto,
  tierToProto,
} from './mapping';
import { Overview } from './overview.schemas';
import { gatherParts, overviewParts } from './overview';
import {
  Account,
  AccountList,
  AccountListQuery,
  CreateAccountBody,
  IdParams,
  MergeBody,
  PatchAccountBody,
  TierOverrideBody,
  TierRules,
  TierRulesBody,
} from './schemas';

const path = (id: string, rest = '') => `/api/v1/accounts/${encodeURIComponent(id)}${rest}`;
const accountReply = (a: pb.Account, status = 200): Reply => ({
  status,
  body: accountToJson(a),
  etag: a.version,
});
const theAccount = { 200: { description: 'The account', schema: Account, headers: ['ETag' as const] } };

const Redirect = z
  .object({
    mergedInto: z.string().openapi({ description: 'The surviving account' }),
    location: z.string(),
  })
  .openapi('MergedAccountRedirect', { description: 'The account was merged; follow Location' });
const merged = {
  308: {
    description: 'The account was merged; Location names the survivor (308 keeps the method)',
    schema: Redirect,
    headers: ['Location' as const],
  },
};

/** A merged account answers with its survivor: redirect there. */
function redirectToSurvivor(requested: string, a: pb.Account, rest = ''): Reply | undefined {
  if (a.id === requested) return undefined;
  const location = path(a.id, rest);
  return { status: 308, location, body: { mergedInto: a.id, location } };
}

/** Accounts: create, list, read, update, tiers, merges, the overview and the tier rules. */
export const accountOperations: Operation[] = [
  operation({
    method: 'post',
    path: '/accounts',
    operationId: 'createAccount',
    tag: 'Accounts',
    summary: 'Create an account',
    description:
      'An account with the same domain or name as an existing one is a 409 naming it in existingAccountId ' +
      '(or, when the caller may not see it, its owner and team in existingOwnerId and existingTeamId, to ask ' +
      'them for access), unless allowDuplicate is set (sales managers and admins only). ownerId "me" (the ' +
      'default) files it under the caller; another owner needs a sales manager, an admin or an integrator. ' +
      'parentAccountId must be an account the caller can see.',
    permission: 'account.use',
    body: CreateAccountBody,
    idempotent: true,
    responses: { 201: { description: 'Created', schema: Account, headers: ['ETag', 'Location'] } },
    errors: [409],
    async handler({ body, actor, call, deps }) {
      const { allowDuplicate, ...input } = body;
      const ownerId = input.ownerId === 'me' ? actor.userId : (input.ownerId ?? '');
      const reply = await call((o) =>
        deps.clients.account.createAccount(
          { account: accountInputToProto(input, ownerId), allowDuplicate: allowDuplicate ?? false },
          o,
        ),
      );
      const created = reply.account!;
      return { ...accountReply(created, 201), location: path(created.id) };
    },
  }),
  operation({
    method: 'get',
    path: '/accounts',
    operationId: 'listAccounts',
    tag: 'Accounts',
    summary: 'List accounts',
    description:
      'The accounts the caller may see. Custom fields filter with `cf.<key>=value` (the value parsed by the ' +
      'field type; a multi-enum field matches accounts whose list contains the value; a date yyyy-mm-dd ' +
      'matches that day). Unknown or archived keys are a 400.',
    permission: 'account.use',
    query: AccountListQuery,
    customFilters: true,
    responses: { 200: { description: 'A page of accounts', schema: AccountList } },
    async handler({ query: q, actor, call, deps }) {
      const reply = await call((o) =>
        deps.clients.account.listAccounts(
          {
            query: q.q ?? '',
            industry: q.industry ?? '',
            region: q.region ?? '',
            lifecycle: lifecycleToProto(q.lifecycle),
            tier: tierToProto(q.tier),
            rfmSegment: q.rfmSegment ?? '',
            ownerId: q.ownerId === 'me' ? actor.userId : (q.ownerId ?? ''),
            parentAccountId: q.parentAccountId ?? '',
            sort: q.sort ?? '',
            page: { limit: q.limit, cursor: q.cursor ?? '' },
            customFilters: customFieldEntries(q),
          },
          o,
        ),
      );
      return {
        body: { items: reply.accounts.map(accountToJson), nextCursor: reply.page?.nextCursor || null },
      };
    },
  }),
  operation({
    method: 'get',
    path: '/accounts/{id}',
    operationId: 'getAccount',
    tag: 'Accounts',
    summary: 'Get an account',
    description: 'The account; the id of a merged account redirects (308) to its survivor.',
    permission: 'account.use',
    params: IdParams,
    responses: { ...theAccount, ...merged },
    async handler({ params, call, deps }) {
      const a = await call((o) => deps.clients.account.getAccount({ id: params.id }, o));
      return redirectToSurvivor(params.id, a) ?? accountReply(a);
    },
  }),
  operation({
    method: 'patch',
    path: '/accounts/{id}',
    operationId: 'updateAccount',
    tag: 'Accounts',
    summary: 'Update an account',
    description:
      'Changes the fields present in the body; null clears a money field; custom field values merge by ' +
      'key. ownerId or teamId reassign the account: an admin anywhere, a sales manager only an account of ' +
      'their teams and only into one of their teams (403 otherwise), the same rule as for leads. 409: a ' +
      'duplicate, a hierarchy cycle, or the account was merged.',
    permission: 'account.use',
    params: IdParams,
    body: PatchAccountBody,
    ifMatch: true,
    responses: theAccount,
    errors: [409],
    async handler({ params, body, actor, call, deps, expectedVersion }) {
      if (!changesSomething(body)) throw new HttpProblem(400, 'The patch changes nothing.');
      const ownerId = body.ownerId === 'me' ? actor.userId : body.ownerId;
      const a = await call((o) =>
        deps.clients.account.updateAccount(
          { id: params.id, expectedVersion: expectedVersion(), patch: accountPatchToProto(body, ownerId) },
          o,
        ),
      );
      return accountReply(a);
    },
  }),
  operation({
    method: 'put',
    path: '/accounts/{id}/tier',
    operationId: 'setAccountTier',
    tag: 'Accounts',
    summary: 'Set the tier by hand',
    description: 'Overrides the computed tier, with a reason, until the override is cleared.',
    permission: 'account.tier.override',
    params: IdParams,
    body: TierOverrideBody,
    ifMatch: true,
    responses: theAccount,
    async handler({ params, body, call, deps, expectedVersion }) {
      const a = await call((o) =>
        deps.clients.account.setAccountTierOverride(
          {
            id: params.id,
            expectedVersion: expectedVersion(),
            tier: tierToProto(body.tier),
            reason: body.reason,
          },
          o,
        ),
      );
      return accountReply(a);
    },
  }),
  operation({
    method: 'delete',
    path: '/accounts/{id}/tier',
    operationId: 'clearAccountTier',
    tag: 'Accounts',
    summary: 'Clear the manual tier',
    description: 'Removes the override; the computed tier applies again.',
    permission: 'account.tier.override',
    params: IdParams,
    ifMatch: true,
    responses: theAccount,
    async handler({ params, call, deps, expectedVersion }) {
      const a = await call((o) =>
        deps.clients.account.clearAccountTierOverride(
          { id: params.id, expectedVersion: expectedVersion() },
          o,
        ),
      );
      return accountReply(a);
    },
  }),
  operation({
    method: 'post',
    path: '/accounts/{id}/merge',
    operationId: 'mergeAccounts',
    tag: 'Accounts',
    summary: 'Merge another account into this one',
    description:
      'Contacts and activities of the merged account move here and its id redirects here from then on. ' +
      '409: one of the accounts was already merged into another.',
    permission: 'account.merge',
    params: IdParams,
    body: MergeBody,
    idempotent: true,
    responses: { 200: { description: 'The surviving account', schema: Account, headers: ['ETag'] } },
    errors: [409],
    async handler({ params, body, call, deps }) {
      const a = await call(
        (o) =>
          deps.clients.account.mergeAccounts({ survivorId: params.id, mergedId: body.mergedAccountId }, o),
        { fields: { mergedId: 'mergedAccountId', survivorId: 'id' } },
      );
      return accountReply(a);
    },
  }),
  operation({
    method: 'get',
    path: '/accounts/{id}/overview',
    operationId: 'getAccountOverview',
    tag: 'Accounts',
    summary: 'The account at a glance',
    description:
      'The account with its contacts (key persons first) and latest activities, fetched in parallel. A ' +
      'part that does not answer in time is marked unavailable (partial: true and a Warning header) and ' +
      'the rest still answers.',
    permission: 'account.use',
    params: IdParams,
    responses: {
      200: { description: 'The overview', schema: Overview, headers: ['ETag', 'Warning'] },
      ...merged,
    },
    async handler({ params, req, call, deps }) {
      const account = await call((o) => deps.clients.account.getAccount({ id: params.id }, o));
      const redirect = redirectToSurvivor(params.id, account, '/overview');
      if (redirect) return redirect;
      const { parts, partial, unavailable } = await gatherParts(
        overviewParts,
        { deps, req, account },
        deps.overviewPartTimeoutMs ?? 1500,
        (part, err) => req.log?.warn({ part, err: (err as Error)?.message }, 'overview part unavailable'),
      );
      return {
        etag: account.version,
        headers: partial
          ? { Warning: `199 - "overview incomplete: ${unavailable.join(', ')} unavailable"` }
          : {},
        body: { account: accountToJson(account), ...parts, partial },
      };
    },
  }),
  operation({
    method: 'get',
    path: '/account-tier-rules',
    operationId: 'getAccountTierRules',
    tag: 'Accounts',
    summary: 'Get the account tier rules',
    description: 'The rules that compute each account’s tier from its revenue, pipeline, industry and size.',
    permission: 'account.use',
    responses: { 200: { description: 'The tier rules', schema: TierRules, headers: ['ETag'] } },
    async handler({ call, deps }) {
      const rules = await call((o) => deps.clients.account.getTierRules({}, o));
      return { body: tierRulesToJson(rules), etag: rules.version };
    },
  }),
  operation({
    method: 'put',
    path: '/account-tier-rules',
    operationId: 'putAccountTierRules',
    tag: 'Accounts',
    summary: 'Replace the account tier rules',
    description: 'Replaces every rule at once; accounts are re-tiered in the background.',
    permission: 'settings.write',
    body: TierRulesBody,
    ifMatch: true,
    responses: { 200: { description: 'The tier rules', schema: TierRules, headers: ['ETag'] } },
    async handler({ body, call, deps, expectedVersion }) {
      const rules = await call((o) =>
        deps.clients.account.putTierRules(
          { rules: tierRulesToProto(body), expectedVersion: expectedVersion() },
          o,
        ),
      );
      return { body: tierRulesToJson(rules), etag: rules.version };
    },
  }),
];
