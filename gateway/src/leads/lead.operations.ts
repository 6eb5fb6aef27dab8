import { z } from 'zod';
import { lead } from '@crm/proto';
import { operation, type Operation } from '../api/operation';
import { customFieldEntries } from '../custom-fields/schemas';
import { camelPath } from '../http/grpc-errors';
import { HttpProblem } from '../http/problem';
import { Conversion, ConvertBody, ConvertParams } from '../ownership/schemas';
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
  AssignmentRules,
  AssignmentRulesBody,
  CreateLeadBody,
  IdParams,
  ImportQuery,
  ImportResult,
  Lead,
  LeadList,
  ListQuery,
  PatchLeadBody,
  ScoringModel,
  ScoringModelBody,
  StatusBody,
} from './schemas';

const leadReply = (l: lead.Lead, status = 200) => ({ status, body: leadToJson(l), etag: l.version });
const theLead = { 200: { description: 'The lead', schema: Lead, headers: ['ETag' as const] } };
const CSV_TEXT = z.string().openapi({
  description:
    'Header row: firstName,lastName,email,phone,company,title,contactLevel,region,industry,source,companySize ' +
    'and cf.<key> for custom fields (multi-enum values separated by ";")',
});

/** Leads: capture, qualification, assignment, import, conversion; and the lead settings. */
export const leadOperations: Operation[] = [
  operation({
    method: 'post',
    path: '/leads',
    operationId: 'createLead',
    tag: 'Leads',
    summary: 'Create a lead',
    description:
      'The lead is scored and assigned by the current rules. A lead matching an existing one (email, phone, ' +
      'or company and name) is a 409 naming it in existingLeadId (or, when the caller may not see it, its owner ' +
      'and team in existingOwnerId and existingTeamId, to ask them for access), unless allowDuplicate is set ' +
      '(sales managers and admins only).',
    permission: 'lead.use',
    body: CreateLeadBody,
    idempotent: true,
    responses: { 201: { description: 'Created', schema: Lead, headers: ['ETag', 'Location'] } },
    errors: [409],
    async handler({ body, call, deps }) {
      const { allowDuplicate, ...input } = body;
      const created = await call((o) =>
        deps.clients.lead.createLead(
          { lead: leadInputToProto(input), allowDuplicate: allowDuplicate ?? false },
          o,
        ),
      );
      return { ...leadReply(created, 201), location: `/api/v1/leads/${encodeURIComponent(created.id)}` };
    },
  }),
  operation({
    method: 'get',
    path: '/leads',
    operationId: 'listLeads',
    tag: 'Leads',
    summary: 'List leads',
    description:
      'The leads the caller may see, newest first unless sorted. Custom fields filter with `cf.<key>=value` ' +
      '(the value parsed by the field type; a multi-enum field matches leads whose list contains the value; ' +
      'a date yyyy-mm-dd matches that day).',
    permission: 'lead.use',
    query: ListQuery,
    customFilters: true,
    responses: { 200: { description: 'A page of leads', schema: LeadList } },
    async handler({ query: q, actor, call, deps }) {
      const reply = await call((o) =>
        deps.clients.lead.listLeads(
          lead.ListLeadsRequest.fromPartial({
            statuses: q.status.map(statusToProto),
            ownerId: q.ownerId === 'me' ? actor.userId : (q.ownerId ?? ''),
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
          o,
        ),
      );
      return { body: { items: reply.leads.map(leadToJson), nextCursor: reply.page?.nextCursor || null } };
    },
  }),
  operation({
    method: 'get',
    path: '/leads/{id}',
    operationId: 'getLead',
    tag: 'Leads',
    summary: 'Get a lead',
    description: 'The lead with its assignment history; the ETag carries its version for If-Match.',
    permission: 'lead.use',
    params: IdParams,
    responses: theLead,
    async handler({ params, call, deps }) {
      return leadReply(await call((o) => deps.clients.lead.getLead({ id: params.id }, o)));
    },
  }),
  operation({
    method: 'patch',
    path: '/leads/{id}',
    operationId: 'updateLead',
    tag: 'Leads',
    summary: 'Update a lead',
    description:
      'Changes the fields present in the body; custom field values merge by key (null removes one). ' +
      'ownerId or teamId reassign the lead, which needs a sales manager or an admin.',
    permission: 'lead.use',
    params: IdParams,
    body: PatchLeadBody,
    ifMatch: true,
    responses: theLead,
    async handler({ params, body, call, deps, expectedVersion }) {
      const { ownerId, teamId, ...fields } = body;
      const reassign = ownerId !== undefined || teamId !== undefined;
      if (!reassign && !Object.values(fields).some((v) => v !== undefined))
        throw new HttpProblem(400, 'The patch changes nothing.');
      // One rpc: the field changes and the new owner land in one write, or neither does; the service
      // decides who may reassign.
      const ownerChange = reassign ? { ownerId: ownerId ?? '', teamId: teamId ?? '', reason: '' } : undefined;
      const patch = leadPatchToProto(fields);
      return leadReply(
        await call((o) =>
          deps.clients.lead.updateLead(
            { id: params.id, expectedVersion: expectedVersion(), patch, ownerChange },
            o,
          ),
        ),
      );
    },
  }),
  operation({
    method: 'post',
    path: '/leads/{id}/status',
    operationId: 'changeLeadStatus',
    tag: 'Leads',
    summary: 'Change the status of a lead',
    description:
      'Moves the lead along its lifecycle (new, working, nurturing, qualified, disqualified); a reason ' +
      'is required to disqualify. A lead becomes converted only by conversion.',
    permission: 'lead.use',
    params: IdParams,
    body: StatusBody,
    ifMatch: true,
    responses: theLead,
    errors: [409],
    async handler({ params, body, call, deps, expectedVersion }) {
      const changed = await call((o) =>
        deps.clients.lead.changeLeadStatus(
          {
            id: params.id,
            expectedVersion: expectedVersion(),
            status: statusToProto(body.status),
            reason: body.reason ?? '',
          },
          o,
        ),
      );
      return leadReply(changed);
    },
  }),
  operation({
    method: 'post',
    path: '/leads/{id}/assign',
    operationId: 'assignLead',
    tag: 'Leads',
    summary: 'Assign a lead by hand',
    description:
      'Gives the lead to another owner or team, with a reason kept in its assignment history. A sales ' +
      'manager assigns within their own teams, an admin anywhere.',
    permission: 'lead.assign',
    params: IdParams,
    body: AssignBody,
    ifMatch: true,
    responses: theLead,
    async handler({ params, body, call, deps, expectedVersion }) {
      const assigned = await call((o) =>
        deps.clients.lead.assignLead(
          {
            id: params.id,
            expectedVersion: expectedVersion(),
            ownerId: body.ownerId ?? '',
            teamId: body.teamId ?? '',
            reason: body.reason,
          },
          o,
        ),
      );
      return leadReply(assigned);
    },
  }),
  operation({
    method: 'post',
    path: '/leads/{id}/convert',
    operationId: 'convertLead',
    tag: 'Leads',
    summary: 'Convert a lead into an account, a contact and optionally an opportunity',
    description:
      'Converts a working or qualified lead: links or creates the account (by the lead’s email domain or ' +
      'company name, or the accountId given), creates the contact, opens the `opportunity` if one is given ' +
      '(its id is returned) and marks the lead converted; a step that fails for good undoes the earlier ones. The ' +
      'Idempotency-Key goes with the conversion, so a retry after a timeout or a 503 resumes it and returns ' +
      'the same ids. 409: not convertible, already converted with another key, or the conversion was undone.',
    permission: 'lead.use',
    params: ConvertParams,
    body: ConvertBody,
    ifMatch: true,
    idempotent: true,
    responses: { 200: { description: 'What the lead became', schema: Conversion, headers: ['ETag'] } },
    errors: [409],
    async handler({ params, body, call, deps, expectedVersion, idempotencyKey }) {
      const out = await call(
        (o) =>
          deps.clients.lead.convertLead(
            {
              id: params.id,
              idempotencyKey,
              accountId: body.accountId ?? '',
              expectedVersion: expectedVersion(),
              opportunity: body.opportunity && {
                name: body.opportunity.name,
                amountMinor: String(body.opportunity.amount),
                currency: body.opportunity.currency.toUpperCase(),
                closeDate: body.opportunity.closeDate ?? '',
              },
            },
            o,
          ),
        // A conversion makes several calls in a row: give it more time than a single read.
        { deadlineMs: deps.grpcDeadlineMs * 3 },
      );
      return {
        etag: out.lead?.version ?? '0',
        body: {
          leadId: params.id,
          accountId: out.accountId,
          contactId: out.contactId,
          opportunityId: out.opportunityId || null,
          accountCreated: out.accountCreated,
          leadVersion: Number(out.lead?.version ?? 0),
        },
      };
    },
  }),
  operation({
    method: 'post',
    path: '/leads/import',
    operationId: 'importLeads',
    tag: 'Leads',
    summary: 'Import leads from CSV',
    description:
      'Creates a lead per CSV row (at most 10,000 rows) and reports each row: created, duplicate (with ' +
      'existingLeadId when the importer may see that lead) or rejected (with errors). allowDuplicates=true ' +
      'needs a sales manager or an admin.',
    permission: 'lead.import',
    query: ImportQuery,
    body: z.string(),
    bodyType: 'text/csv',
    bodyDoc: CSV_TEXT,
    responses: { 200: { description: 'The report, one entry per data row', schema: ImportResult } },
    async handler({ query, body, call, deps }) {
      const allowDuplicates = query.allowDuplicates === 'true';
      const parsed = parseImportCsv(body);
      const reply = parsed.rows.length
        ? await call(
            (o) =>
              deps.clients.lead.importLeads({ rows: parsed.rows.map((r) => r.input), allowDuplicates }, o),
            // Each row is a duplicate check and a write: give the call time in proportion to the file
            // (about 30 ms a row on FerretDB), so the per-row report arrives.
            { deadlineMs: Math.min(deps.grpcDeadlineMs + parsed.rows.length * 60, 600_000) },
          )
        : lead.ImportLeadsResponse.fromPartial({});
      const json = importToJson(reply, camelPath);
      // Service rows are numbered 1..n over the rows we sent; map back to CSV data row numbers.
      const results = json.results.map((x) => ({ ...x, row: parsed.rows[x.row - 1]?.row ?? x.row }));
      for (const rej of parsed.rejected)
        results.push({ row: rej.row, outcome: 'rejected', errors: rej.errors });
      results.sort((a, b) => a.row - b.row);
      return { body: { ...json, rejected: json.rejected + parsed.rejected.length, results } };
    },
  }),
  operation({
    method: 'get',
    path: '/lead-assignment-rules',
    operationId: 'getLeadAssignmentRules',
    tag: 'Lead settings',
    summary: 'Get the lead assignment rules',
    description: 'The rules that give a new lead to a team and a rep (round robin), and the default queue.',
    permission: 'lead.rules.read',
    responses: { 200: { description: 'The rules', schema: AssignmentRules, headers: ['ETag'] } },
    async handler({ call, deps }) {
      const rules = await call((o) => deps.clients.lead.getAssignmentRules({}, o));
      return { body: rulesToJson(rules), etag: rules.version };
    },
  }),
  operation({
    method: 'put',
    path: '/lead-assignment-rules',
    operationId: 'putLeadAssignmentRules',
    tag: 'Lead settings',
    summary: 'Replace the lead assignment rules',
    description: 'Replaces every rule at once; applies to leads created from now on.',
    permission: 'settings.write',
    body: AssignmentRulesBody,
    ifMatch: true,
    responses: { 200: { description: 'The rules', schema: AssignmentRules, headers: ['ETag'] } },
    async handler({ body, call, deps, expectedVersion }) {
      const rules = await call((o) =>
        deps.clients.lead.putAssignmentRules(
          { rules: rulesToProto(body), expectedVersion: expectedVersion() },
          o,
        ),
      );
      return { body: rulesToJson(rules), etag: rules.version };
    },
  }),
  operation({
    method: 'get',
    path: '/lead-scoring',
    operationId: 'getLeadScoringModel',
    tag: 'Lead settings',
    summary: 'Get the lead scoring model',
    description: 'The rules that add points to a lead by its fields; a lead’s score is their sum.',
    permission: 'lead.rules.read',
    responses: { 200: { description: 'The scoring model', schema: ScoringModel, headers: ['ETag'] } },
    async handler({ call, deps }) {
      const model = await call((o) => deps.clients.lead.getScoringModel({}, o));
      return { body: scoringToJson(model), etag: model.version };
    },
  }),
  operation({
    method: 'put',
    path: '/lead-scoring',
    operationId: 'putLeadScoringModel',
    tag: 'Lead settings',
    summary: 'Replace the lead scoring model',
    description: 'Replaces every scoring rule at once.',
    permission: 'settings.write',
    body: ScoringModelBody,
    ifMatch: true,
    responses: { 200: { description: 'The scoring model', schema: ScoringModel, headers: ['ETag'] } },
    async handler({ body, call, deps, expectedVersion }) {
      const model = await call((o) =>
        deps.clients.lead.putScoringModel(
          { model: scoringToProto(body), expectedVersion: expectedVersion() },
          o,
        ),
      );
      return { body: scoringToJson(model), etag: model.version };
    },
  }),
];
