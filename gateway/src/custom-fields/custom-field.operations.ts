import type { customFields as pb } from '@crm/proto';
import { operation, type Operation, type Reply } from '../api/operation';
import { HttpProblem } from '../http/problem';
import type { RouteDeps } from '../route-deps';
import { customFieldToJson, customFieldToProto } from './mapping';
import {
  CreateCustomFieldBody,
  CustomField,
  type CustomFieldEntity,
  CustomFieldList,
  CustomFieldListQuery,
  CustomFieldParams,
  PutCustomFieldBody,
} from './schemas';

/**
 * Definitions are hosted by the service that owns each entity: the client by entity. An entity no
 * service serves yet is a 404 in a path and a 400 in a body or query.
 */
function clientFor(deps: RouteDeps, entity: CustomFieldEntity, where: 'body' | 'query' | 'path') {
  const client = deps.clients.customFields[entity];
  if (client) return client;
  const detail = `No service manages custom fields of ${entity} yet.`;
  if (where === 'path') throw new HttpProblem(404, detail);
  throw new HttpProblem(400, detail, {
    errors: [{ field: where === 'body' ? 'entity' : 'query.entity', message: 'not available yet' }],
  });
}

function definitionReply(d: pb.FieldDefinition, status = 200): Reply {
  return {
    status,
    etag: d.version,
    ...(status === 201 ? { location: `/api/v1/custom-fields/${d.entity}/${d.key}` } : {}),
    body: customFieldToJson(d),
  };
}

const theDefinition = (description: string) => ({
  200: { description, schema: CustomField, headers: ['ETag' as const] },
});

/** Custom field definitions: every CRM role reads them (forms need them); only admins change them. */
export const customFieldOperations: Operation[] = [
  operation({
    method: 'get',
    path: '/custom-fields',
    operationId: 'listCustomFields',
    tag: 'Custom fields',
    summary: 'List custom field definitions',
    description: 'The definitions of every entity, or of one; archived ones only with includeArchived=true.',
    permission: 'custom-field.read',
    query: CustomFieldListQuery,
    responses: { 200: { description: 'The definitions, by entity and key', schema: CustomFieldList } },
    async handler({ query: q, call, deps }) {
      const includeArchived = q.includeArchived === 'true';
      const entities = q.entity
        ? [q.entity]
        : (Object.keys(deps.clients.customFields) as CustomFieldEntity[]);
      const lists = await Promise.all(
        entities.map((entity) => {
          const client = clientFor(deps, entity, 'query');
          return call((o) => client.listFieldDefinitions({ entity, includeArchived }, o));
        }),
      );
      return { body: { items: lists.flatMap((l) => l.definitions.map(customFieldToJson)) } };
    },
  }),
  operation({
    method: 'post',
    path: '/custom-fields',
    operationId: 'createCustomField',
    tag: 'Custom fields',
    summary: 'Define a custom field',
    description:
      'Re-defining an archived key restores it (and its stored values) if the type is the same. 409: the ' +
      'key is in use, or was archived with another type.',
    permission: 'settings.write',
    body: CreateCustomFieldBody,
    idempotent: true,
    responses: {
      201: { description: 'Created', schema: CustomField, headers: ['ETag', 'Location'] },
    },
    errors: [409],
    async handler({ body, call, deps }) {
      const { entity, key, ...definition } = body;
      const client = clientFor(deps, entity, 'body');
      const created = await call((o) =>
        client.putFieldDefinition(
          { definition: customFieldToProto(entity, key, definition), expectedVersion: '0', createOnly: true },
          o,
        ),
      );
      return definitionReply(created, 201);
    },
  }),
  operation({
    method: 'get',
    path: '/custom-fields/{entity}/{key}',
    operationId: 'getCustomField',
    tag: 'Custom fields',
    summary: 'Get a custom field definition',
    description: 'One definition, archived ones included.',
    permission: 'custom-field.read',
    params: CustomFieldParams,
    responses: theDefinition('The definition'),
    async handler({ params: { entity, key }, call, deps }) {
      const client = clientFor(deps, entity, 'path');
      const list = await call((o) => client.listFieldDefinitions({ entity, includeArchived: true }, o));
      const found = list.definitions.find((d) => d.key === key);
      if (!found) throw new HttpProblem(404, `Custom field ${entity}.${key} does not exist.`);
      return definitionReply(found);
    },
  }),
  operation({
    method: 'put',
    path: '/custom-fields/{entity}/{key}',
    operationId: 'putCustomField',
    tag: 'Custom fields',
    summary: 'Create or change a custom field',
    description:
      'Sets the label, required and the constraints; never the type. 409: a type change is refused ' +
      '(stored values would no longer fit).',
    permission: 'settings.write',
    params: CustomFieldParams,
    body: PutCustomFieldBody,
    ifMatch: true,
    responses: {
      ...theDefinition('The changed definition'),
      201: { description: 'Created', schema: CustomField, headers: ['ETag', 'Location'] },
    },
    errors: [409],
    async handler({ params: { entity, key }, body, call, deps, expectedVersion }) {
      // body.version is ignored: If-Match carries the expected version.
      const client = clientFor(deps, entity, 'path');
      const d = await call((o) =>
        client.putFieldDefinition(
          {
            definition: customFieldToProto(entity, key, body),
            expectedVersion: expectedVersion(),
            createOnly: false,
          },
          o,
        ),
      );
      return definitionReply(d, d.version === '1' ? 201 : 200);
    },
  }),
  operation({
    method: 'delete',
    path: '/custom-fields/{entity}/{key}',
    operationId: 'archiveCustomField',
    tag: 'Custom fields',
    summary: 'Archive a custom field',
    description: 'Values are kept, hidden and no longer accepted; defining the key again restores them.',
    permission: 'settings.write',
    params: CustomFieldParams,
    ifMatch: true,
    responses: theDefinition('The archived definition'),
    async handler({ params: { entity, key }, call, deps, expectedVersion }) {
      const client = clientFor(deps, entity, 'path');
      const d = await call((o) =>
        client.deleteFieldDefinition({ entity, key, expectedVersion: expectedVersion() }, o),
      );
      return definitionReply(d);
    },
  }),
];
