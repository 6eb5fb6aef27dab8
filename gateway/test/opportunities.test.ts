import { Status } from 'nice-grpc';
import { BadRequest, RichClientError } from 'nice-grpc-error-details';
import { opportunity as pb } from '@crm/proto';
import { auth, json, jsonHeaders, startApp, type Harness } from './helpers';

const sample = (over: Partial<pb.Opportunity> = {}) =>
  pb.Opportunity.fromPartial({
    id: 'O1',
    version: '2',
    name: 'ACME ERP',
    accountId: 'A1',
    amountMinor: '200000000',
    currency: 'CNY',
    pipelineId: 'default',
    stageKey: 'needs-analysis',
    stageHistory: [{ fromStage: '', toStage: 'qualification', movedBy: 'u-rep', daysInStage: 0 }],
    ...over,
  });

let h: Harness;
let opportunity: {
  createOpportunity: jest.Mock;
  moveStage: jest.Mock;
  listOpportunities: jest.Mock;
  closeOpportunity: jest.Mock;
  updateOpportunity: jest.Mock;
};
beforeEach(async () => {
  opportunity = {
    createOpportunity: jest.fn(async () => sample()),
    moveStage: jest.fn(),
    listOpportunities: jest.fn(async () => ({ opportunities: [sample()], nextCursor: '' })),
    closeOpportunity: jest.fn(),
    updateOpportunity: jest.fn(async () => sample({ version: '3' })),
  };
  h = await startApp({ opportunity });
});
afterEach(async () => {
  await h.close();
});

const move = (user: string, stageKey: string) =>
  fetch(`${h.url}/api/v1/opportunities/O1/stage`, {
    method: 'POST',
    headers: jsonHeaders(user, { 'if-match': '"2"' }),
    body: JSON.stringify({ stageKey }),
  });

describe('opportunities through the gateway', () => {
  it('creates a deal with its amount as whole minor units, and answers it with an ETag', async () => {
    const res = await fetch(`${h.url}/api/v1/opportunities`, {
      method: 'POST',
      headers: jsonHeaders('rep'),
      body: JSON.stringify({ name: 'ACME ERP', accountId: 'A1', amountMinor: 200000000, currency: 'CNY' }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('etag')).toBe('"2"');
    expect(await json(res)).toMatchObject({ id: 'O1', amountMinor: 200000000, stageKey: 'needs-analysis' });
    expect(opportunity.createOpportunity.mock.calls[0][0]).toMatchObject({
      fields: { name: 'ACME ERP', amountMinor: '200000000' },
      pipelineId: '',
    });
  });

  it('refuses a fractional amount with a 400 before asking the service', async () => {
    const res = await fetch(`${h.url}/api/v1/opportunities`, {
      method: 'POST',
      headers: jsonHeaders('rep'),
      body: JSON.stringify({ name: 'ACME', accountId: 'A1', amountMinor: 10.5, currency: 'EUR' }),
    });
    expect(res.status).toBe(400);
    expect(opportunity.createOpportunity).not.toHaveBeenCalled();
  });

  it('answers unmet exit criteria with a 422 naming the field to fill', async () => {
    opportunity.moveStage.mockRejectedValueOnce(
      new RichClientError(
        '/x',
        Status.FAILED_PRECONDITION,
        'leaving needs-analysis needs decisionMakerContactId',
        [
          BadRequest.fromPartial({
            fieldViolations: [
              {
                field: 'decisionMakerContactId',
                description: 'must be filled before leaving needs-analysis',
              },
            ],
          }),
        ],
      ),
    );
    const res = await move('rep', 'solution');
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await json(res)).errors).toEqual([
      { field: 'decisionMakerContactId', message: 'must be filled before leaving needs-analysis' },
    ]);
    expect(opportunity.moveStage.mock.calls[0][0]).toEqual({
      id: 'O1',
      expectedVersion: '2',
      stageKey: 'solution',
    });
  });

  it('keeps a plain state conflict a 409', async () => {
    opportunity.moveStage.mockRejectedValueOnce(
      new RichClientError('/x', Status.FAILED_PRECONDITION, 'a closed deal is reopened, not moved', []),
    );
    expect((await move('rep', 'proposal')).status).toBe(409);
  });

  it('passes the list filters on, "me" as the caller, and refuses an unknown forecast category', async () => {
    const res = await fetch(
      `${h.url}/api/v1/opportunities?ownerId=me&forecastCategory=commit&amountMinMinor=100&closeDateTo=2027-06-30`,
      { headers: auth('rep') },
    );
    expect(res.status).toBe(200);
    expect((await json(res)).items).toHaveLength(1);
    expect(opportunity.listOpportunities.mock.calls[0][0]).toMatchObject({
      ownerId: 'u-rep',
      forecastCategory: 'commit',
      amountMinMinor: '100',
      amountMaxMinor: undefined,
      closeDateTo: '2027-06-30',
    });
    const bad = await fetch(`${h.url}/api/v1/opportunities?forecastCategory=hot`, { headers: auth('rep') });
    expect(bad.status).toBe(400);
    expect(opportunity.listOpportunities).toHaveBeenCalledTimes(1);
  });

  it('passes the sort and cf.<key> custom field filters on, and refuses an unknown sort or parameter', async () => {
    const list = (query: string) => fetch(`${h.url}/api/v1/opportunities?${query}`, { headers: auth('rep') });
    expect((await list('sort=-amount&cf.deal_type=renewal&cf.po_number=PO-7')).status).toBe(200);
    expect(opportunity.listOpportunities.mock.calls[0][0]).toMatchObject({
      sort: '-amount',
      customFilters: { deal_type: 'renewal', po_number: 'PO-7' },
    });
    expect((await list('')).status).toBe(200);
    expect(opportunity.listOpportunities.mock.calls[1][0]).toMatchObject({ sort: '', customFilters: {} });
    for (const bad of [
      'sort=probability',
      'sort=amount,name',
      'colour=red',
      'amountMinMinor=lots',
      'closeDateFrom=03/31/2027',
    ]) {
      const res = await list(bad);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    expect(opportunity.listOpportunities).toHaveBeenCalledTimes(2);
  });

  it('answers a range the service finds malformed with a 400 naming the parameter', async () => {
    opportunity.listOpportunities.mockRejectedValueOnce(
      new RichClientError('/x', Status.INVALID_ARGUMENT, 'bad range', [
        BadRequest.fromPartial({
          fieldViolations: [{ field: 'closeDateTo', description: 'must not be before closeDateFrom' }],
        }),
      ]),
    );
    const res = await fetch(`${h.url}/api/v1/opportunities?closeDateFrom=2027-05-01&closeDateTo=2027-04-01`, {
      headers: auth('rep'),
    });
    expect(res.status).toBe(400);
    expect((await json(res)).errors).toEqual([
      { field: 'closeDateTo', message: 'must not be before closeDateFrom' },
    ]);
  });

  it('carries custom field values both ways on create and update', async () => {
    opportunity.createOpportunity.mockResolvedValueOnce(sample({ customFields: { deal_type: 'renewal' } }));
    const res = await fetch(`${h.url}/api/v1/opportunities`, {
      method: 'POST',
      headers: jsonHeaders('rep'),
      body: JSON.stringify({
        name: 'ACME ERP',
        accountId: 'A1',
        currency: 'CNY',
        customFields: { deal_type: 'renewal', seats: 40 },
      }),
    });
    expect(res.status).toBe(201);
    expect((await json(res)).customFields).toEqual({ deal_type: 'renewal' });
    expect(opportunity.createOpportunity.mock.calls[0][0].fields.customFields).toEqual({
      deal_type: 'renewal',
      seats: 40,
    });
    const patch = await fetch(`${h.url}/api/v1/opportunities/O1`, {
      method: 'PATCH',
      headers: jsonHeaders('rep', { 'if-match': '"2"' }),
      body: JSON.stringify({ customFields: { po_number: null } }),
    });
    expect(patch.status).toBe(200);
    expect(opportunity.updateOpportunity.mock.calls[0][0]).toMatchObject({
      id: 'O1',
      expectedVersion: '2',
      patch: { customFields: { po_number: null } },
    });
  });

  it('answers a custom field value the service refuses with a 400 naming customFields.<key>', async () => {
    opportunity.createOpportunity.mockRejectedValueOnce(
      new RichClientError('/x', Status.INVALID_ARGUMENT, 'invalid', [
        BadRequest.fromPartial({
          fieldViolations: [{ field: 'customFields.deal_type', description: 'must be one of new, renewal' }],
        }),
      ]),
    );
    const res = await fetch(`${h.url}/api/v1/opportunities`, {
      method: 'POST',
      headers: jsonHeaders('rep'),
      body: JSON.stringify({
        name: 'ACME',
        accountId: 'A1',
        currency: 'EUR',
        customFields: { deal_type: 'x' },
      }),
    });
    expect(res.status).toBe(400);
    expect((await json(res)).errors).toEqual([
      { field: 'customFields.deal_type', message: 'must be one of new, renewal' },
    ]);
  });

  it('lets no support agent move a deal', async () => {
    expect((await move('agent', 'solution')).status).toBe(403);
    expect(opportunity.moveStage).not.toHaveBeenCalled();
    const list = await fetch(`${h.url}/api/v1/opportunities`, { headers: auth('agent') });
    expect(list.status).toBe(403);
  });

  const close = (body: unknown) =>
    fetch(`${h.url}/api/v1/opportunities/O1/close`, {
      method: 'POST',
      headers: jsonHeaders('rep', { 'if-match': '"2"' }),
      body: JSON.stringify(body),
    });

  it('answers a close waiting for approval with 202 and one won at once with 200', async () => {
    opportunity.closeOpportunity.mockResolvedValueOnce({
      opportunity: sample({ version: '3', pendingCloseApprovalId: 'AR1' }),
      result: 'pending-approval',
      approvalRequestId: 'AR1',
    });
    const pending = await close({ outcome: 'won' });
    expect(pending.status).toBe(202);
    expect(pending.headers.get('etag')).toBe('"3"');
    expect(await json(pending)).toMatchObject({
      result: 'pending-approval',
      approvalRequestId: 'AR1',
      opportunity: { id: 'O1', status: '', pendingCloseApprovalId: 'AR1' },
    });
    expect(opportunity.closeOpportunity.mock.calls[0][0]).toEqual({
      id: 'O1',
      expectedVersion: '2',
      outcome: 'won',
      lossReason: '',
      competitor: '',
    });
    opportunity.closeOpportunity.mockResolvedValueOnce({
      opportunity: sample({ version: '3', status: 'won', stageKey: 'closed-won' }),
      result: 'won',
      approvalRequestId: 'AR2',
    });
    const now = await close({ outcome: 'won' });
    expect(now.status).toBe(200);
    expect(await json(now)).toMatchObject({ result: 'won', opportunity: { status: 'won' } });
  });

  it('refuses an unknown outcome with a 400 before asking the service', async () => {
    expect((await close({ outcome: 'abandoned' })).status).toBe(400);
    expect(opportunity.closeOpportunity).not.toHaveBeenCalled();
  });
});
