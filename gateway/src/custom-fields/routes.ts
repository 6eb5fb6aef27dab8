import { Router, type Response } from 'express';
import type { z } from 'zod';
import type { customFields as pb } from '@crm/proto';
import { requireRole } from '../auth';
import { expectedVersion, setEtag } from '../http/etag';
import { idempotent } from '../http/idempotent';
import { HttpProblem } from '../http/problem';
import { validate } from '../http/validate';
import type { RouteDeps } from '../route-deps';
import { customFieldToJson, customFieldToProto } from './mapping';
import {
  CreateCustomFieldBody,
  type CustomFieldEntity,
  CustomFieldListQuery,
  CustomFieldParams,
  PutCustomFieldBody,
} from './schemas';

/** Every CRM role may read the definitions (forms need them); only admins change them. */
export const CUSTOM_FIELD_READERS = [
  'crm-admin',
  'sales-manager',
  'sales-rep',
  'approver',
  'support-agent',
  'integrator',
];
const ADMIN = 'crm-admin';

/**
 * /api/v1/custom-fields: definitions are hosted by the service that owns each entity; the route picks
 * that service's CustomFieldService client from clients.customFields by entity.
 */
export function customFieldRoutes(deps: RouteDeps): Router {
  const r = Router();
  const { opts, call } = deps.rpc;
  const clients = () => deps.clients.customFields ?? {};
  const clientFor = (entity: CustomFieldEntity, where: 'body' | 'query' | 'path') => {
    const client = clients()[entity];
    if (client) return client;
    const detail = `No service manages custom fields of ${entity} yet.`;
    if (where === 'path') throw new HttpProblem(404, detail);
    throw new HttpProblem(400, detail, {
      errors: [{ field: where === 'body' ? 'entity' : 'query.entity', message: 'not available yet' }],
    });
  };
  const send = (res: Response, d: pb.FieldDefinition, status = 200) => {
    setEtag(res, d.version);
    if (status === 201) res.setHeader('Location', `/api/v1/custom-fields/${d.entity}/${d.key}`);
    res.status(status).json(customFieldToJson(d));
  };

  r.get(
    '/custom-fields',
    requireRole(...CUSTOM_FIELD_READERS),
    validate({ query: CustomFieldListQuery }),
    async (req, res) => {
      const q = res.locals.query as z.infer<typeof CustomFieldListQuery>;
      const includeArchived = q.includeArchived === 'true';
      const entities = q.entity ? [q.entity] : (Object.keys(clients()) as CustomFieldEntity[]);
      const lists = await Promise.all(
        entities.map((entity) => {
          const client = clientFor(entity, 'query');
          return call(req, () => client.listFieldDefinitions({ entity, includeArchived }, opts(req)));
        }),
      );
      res.json({ items: lists.flatMap((l) => l.definitions.map(customFieldToJson)) });
    },
  );

  r.get(
    '/custom-fields/:entity/:key',
    requireRole(...CUSTOM_FIELD_READERS),
    validate({ params: CustomFieldParams }),
    async (req, res) => {
      const { entity, key } = res.locals.params as z.infer<typeof CustomFieldParams>;
      const client = clientFor(entity, 'path');
      const list = await call(req, () =>
        client.listFieldDefinitions({ entity, includeArchived: true }, opts(req)),
      );
      const found = list.definitions.find((d) => d.key === key);
      if (!found) throw new HttpProblem(404, `Custom field ${entity}.${key} does not exist.`);
      send(res, found);
    },
  );

  r.post(
    '/custom-fields',
    requireRole(ADMIN),
    validate({ body: CreateCustomFieldBody }),
    idempotent(deps.idempotency, 'POST /custom-fields'),
    async (req, res) => {
      const { entity, key, ...definition } = res.locals.body as z.infer<typeof CreateCustomFieldBody>;
      const client = clientFor(entity, 'body');
      const created = await call(req, () =>
        client.putFieldDefinition(
          { definition: customFieldToProto(entity, key, definition), expectedVersion: '0', createOnly: true },
          opts(req),
        ),
      );
      send(res, created, 201);
    },
  );

  r.put(
    '/custom-fields/:entity/:key',
    requireRole(ADMIN),
    validate({ params: CustomFieldParams, body: PutCustomFieldBody }),
    async (req, res) => {
      const { entity, key } = res.locals.params as z.infer<typeof CustomFieldParams>;
      // body.version is ignored: If-Match carries the expected version.
      const definition = res.locals.body as z.infer<typeof PutCustomFieldBody>;
      const client = clientFor(entity, 'path');
      const expected = expectedVersion(req);
      const d = await call(req, () =>
        client.putFieldDefinition(
          {
            definition: customFieldToProto(entity, key, definition),
            expectedVersion: expected,
            createOnly: false,
          },
          opts(req),
        ),
      );
      send(res, d, d.version === '1' ? 201 : 200);
    },
  );

  r.delete(
    '/custom-fields/:entity/:key',
    requireRole(ADMIN),
    validate({ params: CustomFieldParams }),
    async (req, res) => {
      const { entity, key } = res.locals.params as z.infer<typeof CustomFieldParams>;
      const client = clientFor(entity, 'path');
      const expected = expectedVersion(req);
      send(
        res,
        await call(req, () =>
          client.deleteFieldDefinition({ entity, key, expectedVersion: expected }, opts(req)),
        ),
      );
    },
  );

  return r;
}
