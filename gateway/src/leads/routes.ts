import express, { Router, type Response } from 'express';
import type { z } from 'zod';
import { lead } from '@crm/proto';
import { ROLES, hasAnyRole, requireRole } from '../auth';
import { expectedVersion, setEtag } from '../http/etag';
import { camelPath } from '../http/grpc-errors';
import { idempotent } from '../http/idempotent';
import { HttpProblem } from '../http/problem';
import { validate } from '../http/validate';
import { customFieldEntries } from '../custom-fields/schemas';
import { parseImportCsv } from './import';
import {
  importToJson,
  leadInputToProto,
  leadPatchToProto,
  leadToJson,
  rulesToJson,
  rulesToProto,
  scoringToJson,
  scoringToProto,
  statusToProto,
} from './mapping';
import {
  AssignBody,
  AssignmentRulesBody,
  CreateLeadBody,
  IdParams,
  ImportQuery,
  LeadListQuery,
  ListQuery,
  PatchLeadBody,
  ScoringModelBody,
  StatusBody,
} from './schemas';
import type { RouteDeps } from '../route-deps';

export function leadRoutes(deps: RouteDeps): Router {
  const r = Router();
  const client = deps.clients.lead;
  const { opts, call, actor: actorOf } = deps.rpc;
  const sendLead = (res: Response, l: lead.Lead, status = 200) => {
    setEtag(res, l.version);
    res.status(status).json(leadToJson(l));
  };

  r.post(
    '/leads',
    requireRole(...ROLES.leadUsers),
    validate({ body: CreateLeadBody }),
    idempotent(deps.idempotency, 'POST /leads'),
    async (req, res) => {
      const body = res.locals.body as z.infer<typeof CreateLeadBody>;
      const actor = actorOf(req);
      if (body.allowDuplicate && !hasAnyRole(actor, ROLES.allowDuplicate)) {
        throw new HttpProblem(403, 'Only sales managers and admins may create duplicates.');
      }
      const { allowDuplicate, ...input } = body;
      const created = await call(req, () =>
        client.createLead(
          { lead: leadInputToProto(input), allowDuplicate: allowDuplicate ?? false },
          opts(req),
        ),
      );
      const json = leadToJson(created);
      const headers = {
        Location: `/api/v1/leads/${encodeURIComponent(created.id)}`,
        ETag: `"${json.version}"`,
      };
      for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
      res.status(201).json(json);
    },
  );

  r.get('/leads', requireRole(...ROLES.leadUsers), validate({ query: LeadListQuery }), async (req, res) => {
    const q = res.locals.query as z.infer<typeof ListQuery>;
    const ownerId = q.ownerId === 'me' ? actorOf(req).userId : (q.ownerId ?? '');
    const reply = await call(req, () =>
      client.listLeads(
        lead.ListLeadsRequest.fromPartial({
          statuses: q.status.map(statusToProto),
          ownerId,
          source: q.source ?? '',
          region: q.region ?? '',
          industry: q.industry ?? '',
          createdFrom: q.createdFrom ? new Date(q.createdFrom) : undefined,
          createdTo: q.createdTo ? new Date(q.createdTo) : undefined,
          query: q.q ?? '',
          sort: q.sort ?? '',
          page: { limit: q.limit, cursor: q.cursor ?? '' },
          customFilters: customFieldEntries(q),
        }),
        opts(req),
      ),
    );
    res.json({ items: reply.leads.map(leadToJson), nextCursor: reply.page?.nextCursor || null });
  });

  r.get('/leads/:id', requireRole(...ROLES.leadUsers), validate({ params: IdParams }), async (req, res) => {
    const { id } = res.locals.params as z.infer<typeof IdParams>;
    sendLead(res, await call(req, () => client.getLead({ id }, opts(req))));
  });

  r.patch(
    '/leads/:id',
    requireRole(...ROLES.leadUsers),
    validate({ params: IdParams, body: PatchLeadBody }),
    async (req, res) => {
      const { id } = res.locals.params as z.infer<typeof IdParams>;
      const { ownerId, teamId, ...fields } = res.locals.body as z.infer<typeof PatchLeadBody>;
      const reassign = ownerId !== undefined || teamId !== undefined;
      if (reassign && !hasAnyRole(actorOf(req), ROLES.reassign)) {
        throw new HttpProblem(403, 'Only sales managers and admins may reassign leads.');
      }
      const hasFields = Object.values(fields).some((v) => v !== undefined);
      if (!hasFields && !reassign) throw new HttpProblem(400, 'The patch changes nothing.');
      let version = expectedVersion(req);
      let result: lead.Lead | undefined;
      if (hasFields) {
        result = await call(req, () =>
          client.updateLead({ id, expectedVersion: version, patch: leadPatchToProto(fields) }, opts(req)),
        );
        version = result.version;
      }
      if (reassign) {
        result = await call(req, () =>
          client.assignLead(
            {
              id,
              expectedVersion: version,
              ownerId: ownerId ?? '',
              teamId: teamId ?? '',
              reason: 'reassigned via PATCH',
            },
            opts(req),
          ),
        );
      }
      sendLead(res, result as lead.Lead);
    },
  );

  r.post(
    '/leads/:id/status',
    requireRole(...ROLES.leadUsers),
    validate({ params: IdParams, body: StatusBody }),
    async (req, res) => {
      const { id } = res.locals.params as z.infer<typeof IdParams>;
      const body = res.locals.body as z.infer<typeof StatusBody>;
      if (body.status === 'disqualified' && !body.reason?.trim()) {
        throw new HttpProblem(400, 'A reason is required to disqualify a lead.', {
          errors: [{ field: 'reason', message: 'required when status is disqualified' }],
        });
      }
      const expected = expectedVersion(req);
      sendLead(
        res,
        await call(req, () =>
          client.changeLeadStatus(
            { id, expectedVersion: expected, status: statusToProto(body.status), reason: body.reason ?? '' },
            opts(req),
          ),
        ),
      );
    },
  );

  r.post(
    '/leads/:id/assign',
    requireRole(...ROLES.reassign),
    validate({ params: IdParams, body: AssignBody }),
    async (req, res) => {
      const { id } = res.locals.params as z.infer<typeof IdParams>;
      const body = res.locals.body as z.infer<typeof AssignBody>;
      const expected = expectedVersion(req);
      sendLead(
        res,
        await call(req, () =>
          client.assignLead(
            {
              id,
              expectedVersion: expected,
              ownerId: body.ownerId ?? '',
              teamId: body.teamId ?? '',
              reason: body.reason,
            },
            opts(req),
          ),
        ),
      );
    },
  );

  r.post(
    '/leads/import',
    requireRole(...ROLES.import),
    (req, _res, next) => {
      if (!req.is('text/csv')) return next(new HttpProblem(415, 'The import expects a text/csv body.'));
      next();
    },
    express.text({ type: 'text/csv', limit: deps.importBodyLimit }),
    validate({ query: ImportQuery }),
    async (req, res) => {
      const q = res.locals.query as z.infer<typeof ImportQuery>;
      const allowDuplicates = q.allowDuplicates === 'true';
      if (allowDuplicates && !hasAnyRole(actorOf(req), ROLES.allowDuplicate)) {
        throw new HttpProblem(403, 'Only sales managers and admins may import duplicates.');
      }
      const parsed = parseImportCsv(typeof req.body === 'string' ? req.body : '');
      const reply = parsed.rows.length
        ? await call(req, () =>
            client.importLeads(
              { rows: parsed.rows.map((r) => r.input), allowDuplicates },
              // Each row is a duplicate check and a write: give the call time in proportion to the
              // file (about 30 ms a row on FerretDB), so the per-row report arrives.
              {
                ...opts(req),
                deadline: new Date(
                  Date.now() + Math.min(deps.grpcDeadlineMs + parsed.rows.length * 60, 600_000),
                ),
              },
            ),
          )
        : lead.ImportLeadsResponse.fromPartial({});
      const json = importToJson(reply, camelPath);
      // Service rows are numbered 1..n over the rows we sent; map back to CSV data row numbers.
      const results = json.results.map((x) => ({ ...x, row: parsed.rows[x.row - 1]?.row ?? x.row }));
      for (const rej of parsed.rejected)
        results.push({ row: rej.row, outcome: 'rejected', errors: rej.errors });
      results.sort((a, b) => a.row - b.row);
      res.json({ ...json, rejected: json.rejected + parsed.rejected.length, results });
    },
  );

  r.get('/lead-assignment-rules', requireRole(...ROLES.readRules), async (req, res) => {
    const rules = await call(req, () => client.getAssignmentRules({}, opts(req)));
    setEtag(res, rules.version);
    res.json(rulesToJson(rules));
  });

  r.put(
    '/lead-assignment-rules',
    requireRole(...ROLES.writeRules),
    validate({ body: AssignmentRulesBody }),
    async (req, res) => {
      const body = res.locals.body as z.infer<typeof AssignmentRulesBody>;
      const expected = expectedVersion(req);
      const rules = await call(req, () =>
        client.putAssignmentRules({ rules: rulesToProto(body), expectedVersion: expected }, opts(req)),
      );
      setEtag(res, rules.version);
      res.json(rulesToJson(rules));
    },
  );

  r.get('/lead-scoring', requireRole(...ROLES.readRules), async (req, res) => {
    const model = await call(req, () => client.getScoringModel({}, opts(req)));
    setEtag(res, model.version);
    res.json(scoringToJson(model));
  });

  r.put(
    '/lead-scoring',
    requireRole(...ROLES.writeRules),
    validate({ body: ScoringModelBody }),
    async (req, res) => {
      const body = res.locals.body as z.infer<typeof ScoringModelBody>;
      const expected = expectedVersion(req);
      const model = await call(req, () =>
        client.putScoringModel({ model: scoringToProto(body), expectedVersion: expected }, opts(req)),
      );
      setEtag(res, model.version);
      res.json(scoringToJson(model));
    },
  );

  return r;
}
