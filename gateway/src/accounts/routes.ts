import { Router, type Response } from 'express';
import type { z } from 'zod';
import { account as pb } from '@crm/proto';
import { ROLES, hasAnyRole, requireRole } from '../auth';
import { customFieldEntries } from '../custom-fields/schemas';
import { expectedVersion, setEtag } from '../http/etag';
import { idempotent } from '../http/idempotent';
import { HttpProblem } from '../http/problem';
import { validate } from '../http/validate';
import type { RouteDeps } from '../route-deps';
import {
  accountInputToProto,
  accountPatchToProto,
  accountToJson,
  contactInputToProto,
  contactPatchToProto,
  contactToJson,
  lifecycleToProto,
  tierRulesToJson,
  tierRulesToProto,
  tierToProto,
} from './mapping';
import { gatherParts, overviewParts } from './overview';
import {
  type AccountListQuery,
  AccountListQueryWithFilters,
  ContactListQuery,
  CreateAccountBody,
  CreateContactBody,
  IdParams,
  MergeBody,
  type PageQuery,
  PatchAccountBody,
  PatchContactBody,
  TierOverrideBody,
  TierRulesBody,
} from './schemas';

const path = (id: string, rest = '') => `/api/v1/accounts/${encodeURIComponent(id)}${rest}`;

/** Accounts, their contacts, merges, manual tiers, the overview and the tier rules. */
export function accountRoutes(deps: RouteDeps): Router {
  const r = Router();
  const client = () => deps.clients.account;
  const { opts, call, actor: actorOf } = deps.rpc;
  const users = requireRole(...ROLES.accountUsers);
  const params = (res: Response) => res.locals.params as z.infer<typeof IdParams>;
  const sendAccount = (res: Response, a: pb.Account, status = 200) => {
    setEtag(res, a.version);
    res.status(status).json(accountToJson(a));
  };
  const sendContact = (res: Response, c: pb.Contact, status = 200) => {
    setEtag(res, c.version);
    res.status(status).json(contactToJson(c));
  };
  /** A merged account answers with its survivor: redirect there (308 keeps the method). */
  const redirected = (res: Response, requested: string, a: pb.Account, rest = '') => {
    if (a.id === requested) return false;
    const location = path(a.id, rest);
    res.setHeader('Location', location);
    res.status(308).json({ mergedInto: a.id, location });
    return true;
  };

  r.post(
    '/accounts',
    users,
    validate({ body: CreateAccountBody }),
    idempotent(deps.idempotency, 'POST /accounts'),
    async (req, res) => {
      const { allowDuplicate, ...input } = res.locals.body as z.infer<typeof CreateAccountBody>;
      const actor = actorOf(req);
      if (allowDuplicate && !hasAnyRole(actor, ROLES.allowDuplicate))
        throw new HttpProblem(403, 'Only sales managers and admins may create duplicates.');
      const ownerId = input.ownerId === 'me' ? actor.userId : (input.ownerId ?? '');
      const reply = await call(req, () =>
        client().createAccount(
          { account: accountInputToProto(input, ownerId), allowDuplicate: allowDuplicate ?? false },
          opts(req),
        ),
      );
      const created = reply.account!;
      res.setHeader('Location', path(created.id));
      sendAccount(res, created, 201);
    },
  );

  r.get('/accounts', users, validate({ query: AccountListQueryWithFilters }), async (req, res) => {
    const q = res.locals.query as z.infer<typeof AccountListQuery>;
    const ownerId = q.ownerId === 'me' ? actorOf(req).userId : (q.ownerId ?? '');
    const reply = await call(req, () =>
      client().listAccounts(
        {
          query: q.q ?? '',
          industry: q.industry ?? '',
          region: q.region ?? '',
          lifecycle: lifecycleToProto(q.lifecycle),
          tier: tierToProto(q.tier),
          ownerId,
          parentAccountId: q.parentAccountId ?? '',
          sort: q.sort ?? '',
          page: { limit: q.limit, cursor: q.cursor ?? '' },
          customFilters: customFieldEntries(q),
        },
        opts(req),
      ),
    );
    res.json({ items: reply.accounts.map(accountToJson), nextCursor: reply.page?.nextCursor || null });
  });

  r.get('/accounts/:id', users, validate({ params: IdParams }), async (req, res) => {
    const { id } = params(res);
    const a = await call(req, () => client().getAccount({ id }, opts(req)));
    if (!redirected(res, id, a)) sendAccount(res, a);
  });

  r.patch(
    '/accounts/:id',
    users,
    validate({ params: IdParams, body: PatchAccountBody }),
    async (req, res) => {
      const { id } = params(res);
      const body = res.locals.body as z.infer<typeof PatchAccountBody>;
      const actor = actorOf(req);
      if ((body.ownerId !== undefined || body.teamId !== undefined) && !hasAnyRole(actor, ROLES.reassign))
        throw new HttpProblem(403, 'Only sales managers and admins may reassign accounts.');
      if (!Object.values(body).some((v) => v !== undefined))
        throw new HttpProblem(400, 'The patch changes nothing.');
      const ownerId = body.ownerId === 'me' ? actor.userId : body.ownerId;
      const expected = expectedVersion(req);
      const a = await call(req, () =>
        client().updateAccount(
          { id, expectedVersion: expected, patch: accountPatchToProto(body, ownerId) },
          opts(req),
        ),
      );
      sendAccount(res, a);
    },
  );

  r.put(
    '/accounts/:id/tier',
    requireRole(...ROLES.tierOverride),
    validate({ params: IdParams, body: TierOverrideBody }),
    async (req, res) => {
      const { id } = params(res);
      const body = res.locals.body as z.infer<typeof TierOverrideBody>;
      const expected = expectedVersion(req);
      const a = await call(req, () =>
        client().setAccountTierOverride(
          { id, expectedVersion: expected, tier: tierToProto(body.tier), reason: body.reason },
          opts(req),
        ),
      );
      sendAccount(res, a);
    },
  );

  r.delete(
    '/accounts/:id/tier',
    requireRole(...ROLES.tierOverride),
    validate({ params: IdParams }),
    async (req, res) => {
      const { id } = params(res);
      const expected = expectedVersion(req);
      sendAccount(
        res,
        await call(req, () =>
          client().clearAccountTierOverride({ id, expectedVersion: expected }, opts(req)),
        ),
      );
    },
  );

  r.post(
    '/accounts/:id/merge',
    requireRole(...ROLES.mergeAccounts),
    validate({ params: IdParams, body: MergeBody }),
    idempotent(deps.idempotency, 'POST /accounts/:id/merge'),
    async (req, res) => {
      const { id } = params(res);
      const { mergedAccountId } = res.locals.body as z.infer<typeof MergeBody>;
      if (mergedAccountId === id)
        throw new HttpProblem(400, 'An account cannot be merged into itself.', {
          errors: [{ field: 'mergedAccountId', message: 'must differ from the surviving account' }],
        });
      sendAccount(
        res,
        await call(req, () =>
          client().mergeAccounts({ survivorId: id, mergedId: mergedAccountId }, opts(req)),
        ),
      );
    },
  );

  r.get('/accounts/:id/overview', users, validate({ params: IdParams }), async (req, res) => {
    const { id } = params(res);
    const account = await call(req, () => client().getAccount({ id }, opts(req)));
    if (redirected(res, id, account, '/overview')) return;
    const timeoutMs = deps.overviewPartTimeoutMs ?? 1500;
    const { parts, partial, unavailable } = await gatherParts(
      overviewParts,
      { deps, req, account },
      timeoutMs,
      (part, err) => req.log?.warn({ part, err: (err as Error)?.message }, 'overview part unavailable'),
    );
    if (partial)
      res.setHeader('Warning', `199 - "overview incomplete: ${unavailable.join(', ')} unavailable"`);
    setEtag(res, account.version);
    res.json({ account: accountToJson(account), ...parts, partial });
  });

  // ------------------------------------------------------------------------------------------ contacts

  r.post(
    '/accounts/:id/contacts',
    users,
    validate({ params: IdParams, body: CreateContactBody }),
    idempotent(deps.idempotency, 'POST /accounts/:id/contacts'),
    async (req, res) => {
      const { id } = params(res);
      const body = res.locals.body as z.infer<typeof CreateContactBody>;
      const c = await call(req, () =>
        client().createContact(
          { accountId: id, contact: contactInputToProto(body), creationKey: '' },
          opts(req),
        ),
      );
      res.setHeader('Location', `/api/v1/contacts/${encodeURIComponent(c.id)}`);
      sendContact(res, c, 201);
    },
  );

  r.get(
    '/accounts/:id/contacts',
    users,
    validate({ params: IdParams, query: ContactListQuery }),
    async (req, res) => {
      const { id } = params(res);
      const q = res.locals.query as z.infer<typeof PageQuery>;
      const reply = await call(req, () =>
        client().listContacts(
          {
            accountId: id,
            page: { limit: q.limit, cursor: q.cursor ?? '' },
            customFilters: customFieldEntries(q),
          },
          opts(req),
        ),
      );
      res.json({ items: reply.contacts.map(contactToJson), nextCursor: reply.page?.nextCursor || null });
    },
  );

  r.get('/contacts/:id', users, validate({ params: IdParams }), async (req, res) => {
    const { id } = params(res);
    sendContact(res, await call(req, () => client().getContact({ id }, opts(req))));
  });

  r.patch(
    '/contacts/:id',
    users,
    validate({ params: IdParams, body: PatchContactBody }),
    async (req, res) => {
      const { id } = params(res);
      const body = res.locals.body as z.infer<typeof PatchContactBody>;
      if (!Object.values(body).some((v) => v !== undefined))
        throw new HttpProblem(400, 'The patch changes nothing.');
      const expected = expectedVersion(req);
      sendContact(
        res,
        await call(req, () =>
          client().updateContact(
            { id, expectedVersion: expected, patch: contactPatchToProto(body) },
            opts(req),
          ),
        ),
      );
    },
  );

  // ------------------------------------------------------------------------------------------ tier rules

  r.get('/account-tier-rules', users, async (req, res) => {
    const rules = await call(req, () => client().getTierRules({}, opts(req)));
    setEtag(res, rules.version);
    res.json(tierRulesToJson(rules));
  });

  r.put(
    '/account-tier-rules',
    requireRole(...ROLES.writeRules),
    validate({ body: TierRulesBody }),
    async (req, res) => {
      const body = res.locals.body as z.infer<typeof TierRulesBody>;
      const expected = expectedVersion(req);
      const rules = await call(req, () =>
        client().putTierRules({ rules: tierRulesToProto(body), expectedVersion: expected }, opts(req)),
      );
      setEtag(res, rules.version);
      res.json(tierRulesToJson(rules));
    },
  );

  return r;
}
