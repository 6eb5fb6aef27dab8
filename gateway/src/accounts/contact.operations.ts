import { createHash, randomUUID } from 'node:crypto';
import type { account as pb } from '@crm/proto';
import { operation, type Operation, type Reply } from '../api/operation';
import { customFieldEntries } from '../custom-fields/schemas';
import { HttpProblem } from '../http/problem';
import { changesSomething } from '../http/validate';
import { contactInputToProto, contactPatchToProto, contactToJson } from './mapping';
import { Contact, ContactList, CreateContactBody, IdParams, PageQuery, PatchContactBody } from './schemas';

const contactReply = (c: pb.Contact, status = 200): Reply => ({
  status,
  body: contactToJson(c),
  etag: c.version,
});
const theContact = { 200: { description: 'The contact', schema: Contact, headers: ['ETag' as const] } };

/** The people of an account. */
export const contactOperations: Operation[] = [
  operation({
    method: 'post',
    path: '/accounts/{id}/contacts',
    operationId: 'createContact',
    tag: 'Contacts',
    summary: 'Add a contact to an account',
    description:
      'The first contact of an account becomes its primary contact. A retry with the same Idempotency-Key ' +
      'gives the same contact. 409: the reporting line would form a cycle.',
    permission: 'account.use',
    params: IdParams,
    body: CreateContactBody,
    idempotent: true,
    responses: { 201: { description: 'Created', schema: Contact, headers: ['ETag', 'Location'] } },
    errors: [409],
    async handler({ params, body, actor, call, deps, idempotencyKey }) {
      // The service derives the contact id from the key, so a retried POST finds the contact it made.
      // Scoped by caller and account, as the Idempotency-Key is; hashed to fit the service's 200 characters.
      const creationKey = idempotencyKey
        ? `api:${createHash('sha256').update(`${actor.userId}\0${params.id}\0${idempotencyKey}`).digest('hex')}`
        : randomUUID();
      const c = await call((o) =>
        deps.clients.account.createContact(
          { accountId: params.id, contact: contactInputToProto(body), creationKey },
          o,
        ),
      );
      return { ...contactReply(c, 201), location: `/api/v1/contacts/${encodeURIComponent(c.id)}` };
    },
  }),
  operation({
    method: 'get',
    path: '/accounts/{id}/contacts',
    operationId: 'listContacts',
    tag: 'Contacts',
    summary: 'List the contacts of an account',
    description:
      'Key persons first. Custom fields filter with `cf.<key>=value` (the value parsed by the field type; ' +
      'a multi-enum field matches contacts whose list contains the value; a date yyyy-mm-dd matches that ' +
      'day). Unknown or archived keys are a 400.',
    permission: 'account.use',
    params: IdParams,
    query: PageQuery,
    customFilters: true,
    responses: { 200: { description: 'A page of contacts', schema: ContactList } },
    async handler({ params, query: q, call, deps }) {
      const reply = await call((o) =>
        deps.clients.account.listContacts(
          {
            accountId: params.id,
            page: { limit: q.limit, cursor: q.cursor ?? '' },
            customFilters: customFieldEntries(q),
          },
          o,
        ),
      );
      return {
        body: { items: reply.contacts.map(contactToJson), nextCursor: reply.page?.nextCursor || null },
      };
    },
  }),
  operation({
    method: 'get',
    path: '/contacts/{id}',
    operationId: 'getContact',
    tag: 'Contacts',
    summary: 'Get a contact',
    description: 'The contact; the ETag carries its version for If-Match.',
    permission: 'account.use',
    params: IdParams,
    responses: theContact,
    async handler({ params, call, deps }) {
      return contactReply(await call((o) => deps.clients.account.getContact({ id: params.id }, o)));
    },
  }),
  operation({
    method: 'patch',
    path: '/contacts/{id}',
    operationId: 'updateContact',
    tag: 'Contacts',
    summary: 'Update a contact',
    description:
      'Changes the fields present in the body; primary: true makes it the primary contact of its account. ' +
      '409: the reporting line would form a cycle.',
    permission: 'account.use',
    params: IdParams,
    body: PatchContactBody,
    ifMatch: true,
    responses: theContact,
    errors: [409],
    async handler({ params, body, call, deps, expectedVersion }) {
      if (!changesSomething(body)) throw new HttpProblem(400, 'The patch changes nothing.');
      const c = await call((o) =>
        deps.clients.account.updateContact(
          { id: params.id, expectedVersion: expectedVersion(), patch: contactPatchToProto(body) },
          o,
        ),
      );
      return contactReply(c);
    },
  }),
];
