import {
  type Actor,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  Roles,
  ServiceRoles,
  ValidationError,
} from '@crm/kit';
import { approvalEvents, event } from '@crm/proto';
import { ApprovalRequests, type NewApprovalRequest } from '../src/application/approval-requests';
import { Delegations } from '../src/application/delegations';
import { Policies, type RawPolicy } from '../src/application/policies';
import { FakeDirectory, inMemoryPorts } from './support/in-memory-repositories';

const user = (userId: string, ...roles: string[]): Actor => ({ userId, username: userId, roles, teams: [] });
const as = (actor: Actor) => ({ actor, requestId: 'r1' });
const rep = as(user('rep1', Roles.rep));
const manager = as(user('manager', Roles.manager));
const manager2 = as(user('manager2', Roles.manager));
const admin = as(user('admin', Roles.admin));
const approver = as(user('approver', Roles.approver));
const oppService = as(user('svc-opp', ServiceRoles.opportunityService));

const ask = (over: Partial<NewApprovalRequest> = {}): NewApprovalRequest => ({
  subjectType: 'quote',
  subjectId: 'q1',
  idempotencyKey: 'quote:q1:v1',
  snapshot: { discountPercent: 25, totalMinor: 5000000, currency: 'CNY', ownerId: 'rep1' },
  title: 'Quote Q-1 for ACME, 25% discount',
  requesterId: '',
  ...over,
});

const managerStep = (over: Record<string, unknown> = {}) => ({
  name: 'Sales manager',
  requesterManager: true,
  ...over,
});
const quotePolicy = (over: RawPolicy = {}): RawPolicy => ({
  name: 'Quotes over 20% discount',
  subjectType: 'quote',
  condition: 'discountPercent > 20',
  steps: [managerStep()],
  ...over,
});

function setup() {
  const directory = new FakeDirectory(
    { [Roles.admin]: ['admin'], [Roles.approver]: ['approver'], [Roles.manager]: ['manager', 'manager2'] },
    { rep1: ['manager'], rep2: ['manager'], manager: [] },
  );
  const mem = inMemoryPorts(directory);
  return {
    ...mem,
    requests: new ApprovalRequests(mem.ports),
    policies: new Policies(mem.ports),
    delegations: new Delegations(mem.ports),
    eventTypes: () => mem.ports.requests.events.map((e) => e.subject.replace('crm.approval.v1.', '')),
    decided: () =>
      mem.ports.requests.events
        .filter((e) => e.subject === 'crm.approval.v1.ApprovalRequestDecided')
        .map((e) => approvalEvents.ApprovalRequestDecided.decode(event.EventEnvelope.decode(e.data).payload)),
  };
}

describe('asking for an approval', () => {
  it('approves at once when no policy matches, recorded and still published', async () => {
    const s = setup();
    const r = await s.requests.request(ask(), rep);
    expect(r).toMatchObject({
      status: 'approved',
      policyId: '',
      requesterId: 'rep1',
      currentApproverIds: [],
    });
    expect(r.trail.map((t) => t.action)).toEqual(['requested', 'auto-approved']);
    expect(s.eventTypes()).toEqual(['ApprovalRequested', 'ApprovalRequestDecided']);
    expect(s.decided()[0]).toMatchObject({
      outcome: 'approved',
      decidedBy: 'approval-service',
      subjectId: 'q1',
    });
  });

  it('returns the same request for the same idempotency key, and refuses the key for another subject', async () => {
    const s = setup();
    await s.policies.save('', 0, quotePolicy(), admin);
    const first = await s.requests.request(ask(), rep);
    const again = await s.requests.request(ask(), rep);
    expect(again._id).toBe(first._id);
    expect(s.eventTypes()).toEqual(['ApprovalRequested', 'ApprovalStepAssigned']);
    await expect(s.requests.request(ask({ subjectId: 'q2' }), rep)).rejects.toBeInstanceOf(ConflictError);
  });

  it('waits on the requester manager when the condition holds, keeping the policy version', async () => {
    const s = setup();
    const p = await s.policies.save('', 0, quotePolicy(), admin);
    const r = await s.requests.request(ask(), rep);
    expect(r).toMatchObject({
      status: 'pending',
      policyId: p._id,
      policyVersion: 1,
      currentApproverIds: ['manager'],
    });
    const small = await s.requests.request(
      ask({ idempotencyKey: 'k2', snapshot: { discountPercent: 10 } }),
      rep,
    );
    expect(small.status).toBe('approved');
  });

  it('a user asks only as themself; a service names the requester', async () => {
    const s = setup();
    await expect(s.requests.request(ask({ requesterId: 'rep2' }), rep)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    const r = await s.requests.request(ask({ requesterId: 'rep2' }), oppService);
    expect(r.requesterId).toBe('rep2');
    await expect(s.requests.request(ask({ idempotencyKey: 'k3' }), oppService)).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it('refuses a nested snapshot', async () => {
    const s = setup();
    await expect(s.requests.request(ask({ snapshot: { lines: [1, 2] } }), rep)).rejects.toBeInstanceOf(
      ValidationError,
    );
  });
});

describe('deciding', () => {
  it('nobody approves their own request; others than the approvers cannot; the approver can, once', async () => {
    const s = setup();
    await s.policies.save('', 0, quotePolicy({ steps: [managerStep(), { userIds: ['approver'] }] }), admin);
    const r = await s.requests.request(ask(), rep);
    await expect(s.requests.decide(r._id, 0, 'approve', '', rep)).rejects.toBeInstanceOf(ForbiddenError);
    // Outside the request it does not exist; an approver of a later step may not decide this one.
    await expect(s.requests.decide(r._id, 0, 'approve', '', manager2)).rejects.toBeInstanceOf(NotFoundError);
    await expect(s.requests.decide(r._id, 0, 'approve', '', approver)).rejects.toBeInstanceOf(ForbiddenError);
    await s.requests.decide(r._id, 0, 'approve', 'fine', manager);
    const done = await s.requests.decide(r._id, 0, 'approve', '', approver);
    expect(done).toMatchObject({ status: 'approved', decidedBy: 'approver', currentStep: 2 });
    await expect(s.requests.decide(r._id, 0, 'approve', '', approver)).rejects.toBeInstanceOf(ConflictError);
    expect(s.decided().map((d) => [d.outcome, d.decidedBy])).toEqual([['approved', 'approver']]);
  });

  it('the requester cannot approve even when a policy names them', async () => {
    const s = setup();
    await s.policies.save('', 0, quotePolicy({ steps: [{ userIds: ['rep1'] }] }), admin);
    const r = await s.requests.request(ask(), rep);
    // Nobody else was named: the admins decide it.
    expect(r.currentApproverIds).toEqual(['admin']);
    await expect(s.requests.decide(r._id, 0, 'approve', '', rep)).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('of two approvers deciding at once exactly one wins', async () => {
    const s = setup();
    await s.policies.save('', 0, quotePolicy({ steps: [{ roles: [Roles.manager] }] }), admin);
    const r = await s.requests.request(ask(), rep);
    const results = await Promise.allSettled([
      s.requests.decide(r._id, 0, 'approve', '', manager),
      s.requests.decide(r._id, 0, 'reject', 'too much', manager2),
    ]);
    expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((x) => x.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toBeInstanceOf(ConflictError);
    expect(s.decided()).toHaveLength(1);
  });

  it('an all-step needs every approver, then moves to the next step', async () => {
    const s = setup();
    await s.policies.save(
      '',
      0,
      quotePolicy({ steps: [{ roles: [Roles.manager], mode: 'all' }, { userIds: ['approver'] }] }),
      admin,
    );
    const r = await s.requests.request(ask(), rep);
    const one = await s.requests.decide(r._id, 0, 'approve', '', manager);
    expect(one).toMatchObject({ status: 'pending', currentStep: 0 });
    await expect(s.requests.decide(r._id, 0, 'approve', '', manager)).rejects.toBeInstanceOf(ConflictError);
    const two = await s.requests.decide(r._id, 0, 'approve', '', manager2);
    expect(two).toMatchObject({ status: 'pending', currentStep: 1, currentApproverIds: ['approver'] });
    const last = await s.requests.decide(r._id, 0, 'request-changes', 'split the discount', approver);
    expect(last.status).toBe('changes-requested');
    expect(last.trail.map((t) => t.action)).toEqual([
      'requested',
      'step-assigned',
      'approved',
      'approved',
      'step-assigned',
      'changes-requested',
    ]);
  });

  it('a rejection needs a comment', async () => {
    const s = setup();
    await s.policies.save('', 0, quotePolicy(), admin);
    const r = await s.requests.request(ask(), rep);
    await expect(s.requests.decide(r._id, 0, 'reject', ' ', manager)).rejects.toBeInstanceOf(ValidationError);
    await expect(s.requests.decide(r._id, 0, 'maybe', '', manager)).rejects.toBeInstanceOf(ValidationError);
  });

  it('a request keeps the policy version it started with', async () => {
    const s = setup();
    const p = await s.policies.save('', 0, quotePolicy(), admin);
    const r = await s.requests.request(ask(), rep);
    const v2 = await s.policies.save(p._id, 1, quotePolicy({ steps: [{ userIds: ['approver'] }] }), admin);
    expect(v2.history.map((h) => h.version)).toEqual([1, 2]);
    await expect(s.requests.decide(r._id, 0, 'approve', '', approver)).rejects.toBeInstanceOf(NotFoundError);
    expect((await s.requests.decide(r._id, 0, 'approve', '', manager)).policyVersion).toBe(1);
    const later = await s.requests.request(ask({ idempotencyKey: 'k2' }), rep);
    expect(later).toMatchObject({ policyVersion: 2, currentApproverIds: ['approver'] });
  });
});

describe('withdrawing', () => {
  it('only the requester withdraws, only while pending', async () => {
    const s = setup();
    await s.policies.save('', 0, quotePolicy(), admin);
    const r = await s.requests.request(ask(), rep);
    await expect(s.requests.withdraw(r._id, '', manager)).rejects.toBeInstanceOf(ForbiddenError);
    const w = await s.requests.withdraw(r._id, 'customer walked', rep);
    expect(w.status).toBe('withdrawn');
    await expect(s.requests.withdraw(r._id, '', rep)).rejects.toBeInstanceOf(ConflictError);
    expect(s.decided().map((d) => d.outcome)).toEqual(['withdrawn']);
  });

  it('hides a request from people outside it', async () => {
    const s = setup();
    await s.policies.save('', 0, quotePolicy(), admin);
    const r = await s.requests.request(ask(), rep);
    await expect(s.requests.get(r._id, as(user('rep2', Roles.rep)))).rejects.toThrow('not found');
    // Only services that ask for approvals read them all, not any service account.
    await expect(s.requests.get(r._id, as(user('gw', ServiceRoles.gatewayService)))).rejects.toThrow(
      'not found',
    );
    expect((await s.requests.get(r._id, oppService))._id).toBe(r._id);
    expect((await s.requests.get(r._id, manager))._id).toBe(r._id);
  });
});

describe('escalation', () => {
  it('goes to the next level once the time limit passes, once per step', async () => {
    const s = setup();
    await s.policies.save(
      '',
      0,
      quotePolicy({ steps: [{ userIds: ['approver'], timeLimitMinutes: 1 }] }),
      admin,
    );
    const r = await s.requests.request(ask(), rep);
    expect(r.currentApproverIds).toEqual(['approver']);
    s.advance(59_000);
    expect(await s.requests.escalateDue(admin)).toBe(0);
    s.advance(1_000);
    expect(await s.requests.escalateDue(admin)).toBe(1);
    expect(await s.requests.escalateDue(admin)).toBe(0);
    const now = await s.requests.get(r._id, admin);
    expect(now.currentApproverIds).toEqual(['approver', 'manager']);
    expect(now.trail.filter((t) => t.action === 'escalated')).toEqual([
      expect.objectContaining({ actorId: 'approval-service', userIds: ['manager'] }),
    ]);
    expect(s.eventTypes().filter((t) => t === 'ApprovalEscalated')).toHaveLength(1);
    expect((await s.requests.decide(r._id, 0, 'approve', '', manager)).status).toBe('approved');
  });

  it('goes to a named user', async () => {
    const s = setup();
    await s.policies.save(
      '',
      0,
      quotePolicy({
        steps: [managerStep({ timeLimitMinutes: 5, escalateTo: 'user', escalateToUserId: 'approver' })],
      }),
      admin,
    );
    const r = await s.requests.request(ask(), rep);
    s.advance(5 * 60_000);
    await s.requests.escalateDue(admin);
    expect((await s.requests.get(r._id, admin)).currentApproverIds).toEqual(['manager', 'approver']);
  });
});

describe('escalation of a step that needs all its approvers', () => {
  it('lets the escalation target finish the step for the approvers who did not decide in time', async () => {
    const s = setup();
    await s.policies.save(
      '',
      0,
      quotePolicy({
        steps: [
          {
            roles: [Roles.manager],
            mode: 'all',
            timeLimitMinutes: 10,
            escalateTo: 'user',
            escalateToUserId: 'approver',
          },
        ],
      }),
      admin,
    );
    const r = await s.requests.request(ask(), rep);
    expect((await s.requests.decide(r._id, 0, 'approve', '', manager)).status).toBe('pending');
    s.advance(10 * 60_000);
    expect(await s.requests.escalateDue(admin)).toBe(1);
    // manager2 is away: the step would otherwise wait on them still, escalation or not.
    const decided = await s.requests.decide(r._id, 0, 'approve', 'for manager2, who is away', approver);
    expect(decided.status).toBe('approved');
  });
});

describe('delegations', () => {
  it('a delegate sees and decides what waits for the delegator, and the trail names both', async () => {
    const s = setup();
    await s.policies.save('', 0, quotePolicy(), admin);
    const r = await s.requests.request(ask(), rep);
    const today = s.at().toISOString().slice(0, 10);
    await s.delegations.create(
      { delegatorId: '', delegateId: 'manager2', startsOn: today, endsOn: today, comment: 'holiday' },
      manager,
    );
    const inbox = await s.requests.list(
      { assignedTo: 'me', requesterId: '', status: 'pending', limit: 50, cursor: '' },
      manager2,
    );
    expect(inbox.requests.map((x) => x._id)).toEqual([r._id]);
    const own = await s.requests.request(
      ask({ idempotencyKey: 'own', subjectId: 'q9', snapshot: {} }),
      manager,
    );
    // The delegate decides for the delegator; they do not read the delegator's own requests.
    await expect(s.requests.get(own._id, manager2)).rejects.toBeInstanceOf(NotFoundError);
    const all = await s.requests.list(
      { assignedTo: '', requesterId: '', status: '', limit: 50, cursor: '' },
      manager2,
    );
    expect(all.requests.map((x) => x._id)).toEqual([r._id]);
    const done = await s.requests.decide(r._id, 0, 'approve', '', manager2);
    expect((await s.requests.get(r._id, manager2)).status).toBe('approved');
    expect(done.trail.slice(-2)).toEqual([
      expect.objectContaining({ action: 'delegated', actorId: 'manager2', userIds: ['manager'] }),
      expect.objectContaining({ action: 'approved', actorId: 'manager2' }),
    ]);
  });

  it('checks the dates and who delegates', async () => {
    const s = setup();
    await expect(
      s.delegations.create(
        { delegatorId: '', delegateId: 'x', startsOn: '2026-03-05', endsOn: '2026-03-01', comment: '' },
        manager,
      ),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      s.delegations.create(
        {
          delegatorId: 'manager2',
          delegateId: 'x',
          startsOn: '2026-03-01',
          endsOn: '2026-03-05',
          comment: '',
        },
        manager,
      ),
    ).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe('policies', () => {
  it('only admins write them; the condition is checked when saved', async () => {
    const s = setup();
    await expect(s.policies.save('', 0, quotePolicy(), manager)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      s.policies.save('', 0, quotePolicy({ condition: 'discount > 1' }), admin),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(s.policies.list('', rep)).rejects.toBeInstanceOf(ForbiddenError);
  });
});
