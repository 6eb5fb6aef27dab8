import { ClientError, Status } from 'nice-grpc';
import { RichClientError, ErrorInfo, BadRequest } from 'nice-grpc-error-details';
import { lead } from '@crm/proto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { metricsApp } from '../src/app';
import { auth, json, jsonHeaders, sampleLead, startApp, type Harness } from './helpers';

let h: Harness;
beforeEach(async () => {
  h = await startApp();
});
afterEach(async () => {
  await h.close();
});

const PROBLEM = /^application\/problem\+json/;

async function post(path: string, body: string, headers: Record<string, string>) {
  return fetch(`${h.url}${path}`, { method: 'POST', body, headers });
}

describe('authentication and roles', () => {
  it('answers 401 problem+json with WWW-Authenticate without a token', async () => {
    const res = await fetch(`${h.url}/api/v1/leads`);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(PROBLEM);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const body = await json(res);
    expect(body).toMatchObject({ status: 401, title: 'Unauthorized' });
    expect(body.type).toBeDefined();
  });

  it('answers 401 for an invalid token and for a token of another audience', async () => {
    expect((await fetch(`${h.url}/api/v1/leads`, { headers: auth('forged') })).status).toBe(401);
    expect((await fetch(`${h.url}/api/v1/leads`, { headers: auth('wrongaud') })).status).toBe(401);
    expect((await fetch(`${h.url}/api/v1/leads`, { headers: { authorization: 'Basic abc' } })).status).toBe(
      401,
    );
  });

  it('answers 403 for a rep on PUT rules, and for roles without lead access', async () => {
    const res = await fetch(`${h.url}/api/v1/lead-assignment-rules`, {
      method: 'PUT',
      headers: jsonHeaders('rep'),
      body: JSON.stringify({ defaultQueue: 'q', rules: [] }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toMatch(PROBLEM);
    expect((await fetch(`${h.url}/api/v1/leads`, { headers: auth('agent') })).status).toBe(403);
    expect(h.client.putAssignmentRules).not.toHaveBeenCalled();
  });

  it('forwards the service’s refusal of a rep forcing a duplicate, and of a rep reassigning in a PATCH (one call)', async () => {
    h.client.createLead.mockRejectedValueOnce(
      new ClientError(
        '/x',
        Status.PERMISSION_DENIED,
        'only a sales manager or an admin may create a duplicate lead',
      ),
    );
    const res = await post(
      '/api/v1/leads',
      JSON.stringify({ lastName: 'Doe', allowDuplicate: true }),
      jsonHeaders('rep'),
    );
    expect(res.status).toBe(403);
    expect(h.client.createLead.mock.calls[0][0]).toMatchObject({ allowDuplicate: true });
    h.client.updateLead.mockRejectedValueOnce(
      new ClientError('/x', Status.PERMISSION_DENIED, 'only sales managers and admins may reassign leads'),
    );
    const patch = await fetch(`${h.url}/api/v1/leads/L1`, {
      method: 'PATCH',
      headers: jsonHeaders('rep'),
      body: '{"ownerId":"x","company":"ACME"}',
    });
    expect(patch.status).toBe(403);
    // The field change and the new owner travel in one UpdateLead, so they land together or not at all.
    expect(h.client.updateLead).toHaveBeenCalledTimes(1);
    expect(h.client.updateLead.mock.calls[0][0]).toMatchObject({
      id: 'L1',
      patch: { company: 'ACME' },
      ownerChange: { ownerId: 'x', teamId: '' },
    });
    expect(h.client.assignLead).not.toHaveBeenCalled();
  });

  it("forwards the caller's bearer token and the request id as gRPC metadata, and no identity headers", async () => {
    h.client.getLead.mockResolvedValue(sampleLead());
    const res = await fetch(`${h.url}/api/v1/leads/L1`, {
      headers: auth('manager', { 'x-request-id': 'abc-123' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"1"');
    const [req, opts] = h.client.getLead.mock.calls[0];
    expect(req).toEqual({ id: 'L1' });
    expect(opts.metadata.get('authorization')).toBe('Bearer manager');
    expect(opts.metadata.has('x-crm-user-id')).toBe(false);
    expect(opts.metadata.get('x-request-id')).toBe('abc-123');
    expect(opts.deadline).toBeInstanceOf(Date);
  });
});

describe('input validation', () => {
  it('rejects {"lastName": {"$gt": ""}} with 400 problem+json and errors[]', async () => {
    const res = await post('/api/v1/leads', '{"lastName": {"$gt": ""}}', jsonHeaders('rep'));
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(PROBLEM);
    const body = await json(res);
    expect(body.errors[0].field).toBe('lastName');
    expect(h.client.createLead).not.toHaveBeenCalled();
  });

  it('rejects unknown fields', async () => {
    const res = await post('/api/v1/leads', '{"lastName":"Doe","$where":"1"}', jsonHeaders('rep'));
    expect(res.status).toBe(400);
  });

  it('answers 400 for malformed JSON', async () => {
    const res = await post('/api/v1/leads', '{"lastName": ', jsonHeaders('rep'));
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(PROBLEM);
    expect(JSON.stringify(await json(res))).not.toMatch(/at .*\.js/);
  });

  it('answers 413 for a 3 MB body', async () => {
    const big = JSON.stringify({ lastName: 'x'.repeat(3 * 1024 * 1024) });
    const res = await post('/api/v1/leads', big, jsonHeaders('rep'));
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toMatch(PROBLEM);
  });

  it('answers 415 for a non-JSON body', async () => {
    const res = await post(
      '/api/v1/leads',
      'lastName=Doe',
      auth('rep', { 'content-type': 'application/x-www-form-urlencoded' }),
    );
    expect(res.status).toBe(415);
  });

  it('validates list query parameters', async () => {
    expect((await fetch(`${h.url}/api/v1/leads?limit=500`, { headers: auth('rep') })).status).toBe(400);
    expect((await fetch(`${h.url}/api/v1/leads?status=bogus`, { headers: auth('rep') })).status).toBe(400);
    h.client.listLeads.mockResolvedValue({ leads: [sampleLead()], page: { nextCursor: 'c2' } });
    const ok = await fetch(`${h.url}/api/v1/leads?status=new,working&ownerId=me&limit=10`, {
      headers: auth('rep'),
    });
    expect(ok.status).toBe(200);
    expect(await json(ok)).toMatchObject({
      items: [{ id: 'L1', status: 'new', version: 1 }],
      nextCursor: 'c2',
    });
    const [req] = h.client.listLeads.mock.calls[0];
    expect(req.ownerId).toBe('u-rep');
    expect(req.statuses).toEqual([lead.LeadStatus.LEAD_STATUS_NEW, lead.LeadStatus.LEAD_STATUS_WORKING]);
    expect(req.page).toEqual({ limit: 10, cursor: '' });
  });

  it('answers a disqualification without a reason with the service’s 400 naming reason', async () => {
    h.client.changeLeadStatus.mockRejectedValueOnce(
      new RichClientError('/x', Status.INVALID_ARGUMENT, 'invalid', [
        BadRequest.fromPartial({
          fieldViolations: [{ field: 'reason', description: 'is required to disqualify a lead' }],
        }),
      ]),
    );
    const res = await post('/api/v1/leads/L1/status', '{"status":"disqualified"}', jsonHeaders('rep'));
    expect(res.status).toBe(400);
    expect((await json(res)).errors).toEqual([
      { field: 'reason', message: 'is required to disqualify a lead' },
    ]);
    expect(h.client.changeLeadStatus.mock.calls[0][0]).toMatchObject({
      status: lead.LeadStatus.LEAD_STATUS_DISQUALIFIED,
      reason: '',
    });
  });
});

describe('gRPC error mapping', () => {
  it('maps ALREADY_EXISTS to 409 with existingLeadId', async () => {
    h.client.createLead.mockRejectedValue(
      new RichClientError('/crm.lead.v1.LeadService/CreateLead', Status.ALREADY_EXISTS, 'duplicate', [
        ErrorInfo.fromPartial({
          reason: 'DUPLICATE_LEAD',
          domain: 'crm',
          metadata: { existing_lead_id: 'L0' },
        }),
      ]),
    );
    const res = await post('/api/v1/leads', '{"lastName":"Doe","email":"a@b.c"}', jsonHeaders('rep'));
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toMatch(PROBLEM);
    expect(await json(res)).toMatchObject({ status: 409, existingLeadId: 'L0' });
  });

  it('maps ABORTED VERSION_MISMATCH to 412 and passes If-Match as expected_version', async () => {
    h.client.updateLead.mockRejectedValue(
      new RichClientError('/x', Status.ABORTED, 'version mismatch', [
        ErrorInfo.fromPartial({ reason: 'VERSION_MISMATCH' }),
      ]),
    );
    const res = await fetch(`${h.url}/api/v1/leads/L1`, {
      method: 'PATCH',
      headers: jsonHeaders('rep', { 'if-match': '"3"' }),
      body: '{"title":"CTO"}',
    });
    expect(res.status).toBe(412);
    expect(h.client.updateLead.mock.calls[0][0].expectedVersion).toBe('3');
  });

  it('maps UNAVAILABLE to 503 with Retry-After', async () => {
    h.client.getLead.mockRejectedValue(new ClientError('/x', Status.UNAVAILABLE, 'connect ECONNREFUSED'));
    const res = await fetch(`${h.url}/api/v1/leads/L1`, { headers: auth('rep') });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect((await json(res)).detail).not.toMatch(/ECONNREFUSED/);
  });

  it('maps INVALID_ARGUMENT field violations, NOT_FOUND, FAILED_PRECONDITION, DEADLINE_EXCEEDED and others', async () => {
    h.client.createLead.mockRejectedValueOnce(
      new RichClientError('/x', Status.INVALID_ARGUMENT, 'invalid', [
        BadRequest.fromPartial({
          fieldViolations: [{ field: 'contact_level', description: 'unknown level' }],
        }),
      ]),
    );
    const bad = await post('/api/v1/leads', '{"lastName":"Doe","contactLevel":"x"}', jsonHeaders('rep'));
    expect(bad.status).toBe(400);
    expect((await json(bad)).errors).toEqual([{ field: 'contactLevel', message: 'unknown level' }]);

    const cases: [Status, number][] = [
      [Status.NOT_FOUND, 404],
      [Status.FAILED_PRECONDITION, 409],
      [Status.PERMISSION_DENIED, 403],
      [Status.DEADLINE_EXCEEDED, 504],
      [Status.INTERNAL, 502],
    ];
    for (const [code, http] of cases) {
      h.client.getLead.mockRejectedValueOnce(new ClientError('/x', code, 'secret internal detail'));
      const res = await fetch(`${h.url}/api/v1/leads/L1`, { headers: auth('rep') });
      expect(res.status).toBe(http);
      if (http === 502) expect((await json(res)).detail).not.toMatch(/secret/);
    }
  });
});

describe('create, idempotency and import', () => {
  it('creates with 201, Location and ETag, and replays by Idempotency-Key', async () => {
    h.client.createLead.mockResolvedValue(sampleLead({ id: 'L9', version: '1' }));
    const headers = jsonHeaders('rep', { 'idempotency-key': 'k-1' });
    const first = await post('/api/v1/leads', '{"lastName":"Doe"}', headers);
    expect(first.status).toBe(201);
    expect(first.headers.get('location')).toBe('/api/v1/leads/L9');
    expect(first.headers.get('etag')).toBe('"1"');
    const again = await post('/api/v1/leads', '{"lastName":"Doe"}', headers);
    expect(again.status).toBe(201);
    expect(await json(again)).toMatchObject({ id: 'L9' });
    expect(h.client.createLead).toHaveBeenCalledTimes(1);
    const other = await post('/api/v1/leads', '{"lastName":"Smith"}', headers);
    expect(other.status).toBe(422);
  });

  it('imports CSV rows in one call and reports per row', async () => {
    h.client.importLeads.mockImplementation(async (req: lead.ImportLeadsRequest) => {
      expect(req.rows).toHaveLength(2);
      return lead.ImportLeadsResponse.fromPartial({
        created: 1,
        duplicates: 1,
        results: [
          { row: 1, outcome: lead.ImportOutcome.IMPORT_OUTCOME_CREATED, leadId: 'N1' },
          { row: 2, outcome: lead.ImportOutcome.IMPORT_OUTCOME_DUPLICATE, existingLeadId: 'E1' },
        ],
      });
    });
    const csv =
      'firstName,lastName,email,companySize\nAda,Lovelace,ada@x.io,10\nBob,Dup,dup@x.io,\nCy,Bad,c@x.io,many\n';
    const res = await post('/api/v1/leads/import', csv, auth('manager', { 'content-type': 'text/csv' }));
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ created: 1, duplicates: 1, rejected: 1 });
    expect(body.results).toEqual([
      { row: 1, outcome: 'created', leadId: 'N1' },
      { row: 2, outcome: 'duplicate', existingLeadId: 'E1' },
      { row: 3, outcome: 'rejected', errors: [{ field: 'companySize', message: expect.any(String) }] },
    ]);
  });

  it('rejects malformed CSV, unknown columns, wrong media type, and allowDuplicates for reps', async () => {
    const csvHeaders = auth('manager', { 'content-type': 'text/csv' });
    expect((await post('/api/v1/leads/import', 'lastName,email\n"unterminated,x\n', csvHeaders)).status).toBe(
      400,
    );
    expect((await post('/api/v1/leads/import', 'lastName,email\nA\n', csvHeaders)).status).toBe(400);
    expect((await post('/api/v1/leads/import', 'lastName,password\nA,b\n', csvHeaders)).status).toBe(400);
    expect((await post('/api/v1/leads/import', '{}', jsonHeaders('manager'))).status).toBe(415);
    expect(
      (await post('/api/v1/leads/import', 'lastName\nA\n', auth('rep', { 'content-type': 'text/csv' })))
        .status,
    ).toBe(403);
    expect(h.client.importLeads).not.toHaveBeenCalled();
  });
});

describe('plumbing', () => {
  it('answers unknown routes with a 404 problem', async () => {
    const res = await fetch(`${h.url}/nope`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(PROBLEM);
  });

  it('echoes a valid X-Request-Id and replaces an invalid one', async () => {
    const res = await fetch(`${h.url}/healthz`, { headers: { 'x-request-id': 'req-42.a_b' } });
    expect(res.headers.get('x-request-id')).toBe('req-42.a_b');
    const bad = await fetch(`${h.url}/healthz`, { headers: { 'x-request-id': 'a b<script>' } });
    expect(bad.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves an OpenAPI 3.1 document listing /api/v1/leads, and the docs page', async () => {
    const res = await fetch(`${h.url}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    const doc = await json(res);
    expect(doc.openapi).toMatch(/^3\.1/);
    expect(doc.paths['/api/v1/leads']).toBeDefined();
    expect(doc.paths['/api/v1/leads/{id}']).toBeDefined();
    const docs = await fetch(`${h.url}/api/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger-ui-bundle.js');
    expect((await fetch(`${h.url}/api/docs/assets/swagger-ui-bundle.js`)).status).toBe(200);
  });

  it('serves healthz, readyz and metrics', async () => {
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${h.url}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toContain('http_request_duration_seconds');
    expect(metrics).toContain('process_cpu');
  });

  it('with a metrics port, /metrics is not on the public port but on its own', async () => {
    const split = await startApp({ separateMetricsPort: true });
    const metricsServer = await new Promise<Server>((resolve) => {
      const s = metricsApp(split.app).listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      expect((await fetch(`${split.url}/metrics`)).status).toBe(404);
      const { port } = metricsServer.address() as AddressInfo;
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(text).toContain('http_request_duration_seconds');
    } finally {
      metricsServer.close();
      await split.close();
    }
  });

  it('readyz is 503 when the lead service is not serving', async () => {
    const down = await startApp({ ready: false });
    try {
      expect((await fetch(`${down.url}/readyz`)).status).toBe(503);
    } finally {
      await down.close();
    }
  });

  it('rate limits per client with a 429 problem', async () => {
    const limited = await startApp({ rateLimitPerMinute: 2 });
    try {
      limited.client.getLead.mockResolvedValue(sampleLead());
      const codes: number[] = [];
      for (let i = 0; i < 3; i++)
        codes.push((await fetch(`${limited.url}/api/v1/leads/L1`, { headers: auth('rep') })).status);
      expect(codes).toEqual([200, 200, 429]);
    } finally {
      await limited.close();
    }
  });

  it('names each rate limit policy in the headers, so a client can tell them apart', async () => {
    h.client.getLead.mockResolvedValue(sampleLead());
    const res = await fetch(`${h.url}/api/v1/leads/L1`, { headers: auth('rep') });
    const policies = (res.headers.get('ratelimit-policy') ?? '').split(/,\s*(?=")/);
    expect(policies.map((p) => p.split(';')[0])).toEqual(['"failed-per-ip"', '"per-client"']);
    expect(res.headers.get('ratelimit')).toMatch(
      /^"failed-per-ip"; r=\d+; t=\d+, "per-client"; r=\d+; t=\d+$/,
    );
  });
});
