import { ClientError, Status } from 'nice-grpc';
import { approval as pb } from '@crm/proto';
import { json, jsonHeaders, startApp, type Harness } from './helpers';

const sample = (over: Partial<pb.ApprovalRequest> = {}) =>
  pb.ApprovalRequest.fromPartial({
    id: 'R1',
    version: 3,
    subjectType: 'quote',
    subjectId: 'Q1',
    snapshot: { discountPercent: 25, currency: 'CNY' },
    requesterId: 'u-rep',
    status: 'pending',
    currentApproverIds: ['u-manager'],
    trail: [{ action: 'requested', actorId: 'u-rep', at: new Date('2026-03-02T09:00:00Z') }],
    ...over,
  });

const DECIDE = '/crm.approval.v1.ApprovalInboxService/DecideApproval';

let h: Harness;
let inbox: { listApprovals: jest.Mock; decideApproval: jest.Mock };
beforeEach(async () => {
  inbox = {
    listApprovals: jest.fn(async () => ({ approvals: [sample()], nextCursor: '' })),
    decideApproval: jest.fn(async () => sample({ status: 'approved' })),
  };
  h = await startApp({ approval: { inbox, requests: {}, policies: {}, delegations: {} } });
});
afterEach(async () => {
  await h.close();
});

const decide = (user: string, body: unknown) =>
  fetch(`${h.url}/api/v1/approvals/R1/decision`, {
    method: 'POST',
    headers: jsonHeaders(user),
    body: JSON.stringify(body),
  });

describe('approvals through the gateway', () => {
  it("serves the inbox with 'me' passed on for the service to resolve, snapshot and trail as JSON", async () => {
    const res = await fetch(`${h.url}/api/v1/approvals?assignedTo=me&status=pending`, {
      headers: jsonHeaders('manager'),
    });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.items[0]).toMatchObject({
      id: 'R1',
      snapshot: { discountPercent: 25, currency: 'CNY' },
      trail: [{ action: 'requested', at: '2026-03-02T09:00:00.000Z' }],
    });
    expect(inbox.listApprovals.mock.calls[0][0]).toMatchObject({ assignedTo: 'me', status: 'pending' });
  });

  it('refuses an unknown decision with a 400 before asking the service', async () => {
    const res = await decide('manager', { decision: 'maybe' });
    expect(res.status).toBe(400);
    expect(inbox.decideApproval).not.toHaveBeenCalled();
  });

  it('answers a decided step with 409 and your own request with 403, as problems', async () => {
    inbox.decideApproval.mockRejectedValueOnce(
      new ClientError(DECIDE, Status.FAILED_PRECONDITION, 'the request is already approved'),
    );
    const again = await decide('manager', { decision: 'approve' });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    inbox.decideApproval.mockRejectedValueOnce(
      new ClientError(DECIDE, Status.PERMISSION_DENIED, 'nobody approves their own request'),
    );
    expect((await decide('rep', { decision: 'approve' })).status).toBe(403);
  });
});
