import { Router } from 'express';
import type { z } from 'zod';
import { ROLES, requireRole } from '../auth';
import { expectedVersion, setEtag } from '../http/etag';
import { idempotent } from '../http/idempotent';
import { validate } from '../http/validate';
import type { RouteDeps } from '../route-deps';
import { ConvertBody, ConvertParams } from './schemas';

/**
 * POST /leads/{id}/convert: the lead service runs the conversion saga; the Idempotency-Key goes with
 * it, so a retry after a timeout or an outage (503) resumes the same conversion on any gateway replica.
 */
export function conversionRoutes(deps: RouteDeps): Router {
  const r = Router();
  const { opts, call } = deps.rpc;
  r.post(
    '/leads/:id/convert',
    requireRole(...ROLES.leadUsers),
    validate({ params: ConvertParams, body: ConvertBody }),
    idempotent(deps.idempotency, 'POST /leads/convert'),
    async (req, res) => {
      const { id } = res.locals.params as z.infer<typeof ConvertParams>;
      const b = res.locals.body as z.infer<typeof ConvertBody>;
      const key = req.headers['idempotency-key'];
      const out = await call(req, () =>
        deps.clients.lead.convertLead(
          {
            id,
            idempotencyKey: typeof key === 'string' ? key : '',
            accountId: b.accountId ?? '',
            expectedVersion: expectedVersion(req),
          },
          // A conversion makes several calls in a row: give it more time than a single read.
          { ...opts(req), deadline: new Date(Date.now() + deps.grpcDeadlineMs * 3) },
        ),
      );
      setEtag(res, out.lead?.version ?? '0');
      res.json({
        leadId: id,
        accountId: out.accountId,
        contactId: out.contactId,
        opportunityId: out.opportunityId || null,
        accountCreated: out.accountCreated,
        leadVersion: Number(out.lead?.version ?? 0),
      });
    },
  );
  return r;
}
