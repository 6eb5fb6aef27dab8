/**
 * The approval engine against the real stack: policies through the gateway, requests made over gRPC as
 * the opportunity service makes them (the rep's token forwarded), decisions through the gateway,
 * escalation by the durable timer across a restart. Each test uses a subject type of its own, so the
 * seeded policies and other tests' policies never match its requests.
 */
import { createChannel, createClient, Metadata } from 'nice-grpc';
import { approval as pb } from '@crm/proto';
import { startApps, stopApp } from './stack';
import { api, RUN, token, type User, userId } from './support';

const APPROVAL_GRPC_ADDR = process.env.APPROVAL_GRPC_ADDR ?? '127.0.0.1:50054';
const PROBLEM = /^application\/problem\+json/;
const channel = createChannel(APPROVAL_GRPC_ADDR);
const requests = createClient(pb.ApprovalRequestServiceDefinition, channel);
afterAll(() => channel.close());

let seq = 0;
/** A subject type no other test's policy applies to. */
const subjectType = () => `it-${RUN}-${++seq}`;

async function policy(type: string, steps: Record<string, unknown>[], condition = 'amount >= 100') {
  const res = await api('POST', '/api/v1/approval-policies', {
    as: 'admin',
    json: { name: `IT ${type}`, subjectType: type, condition, snapshotFields: ['amount'], steps },
  });
  expect(res.status).toBe(201);
  return res.body as { id: string; version: number };
}

/** Asks as the opportunity service does for a user: their token forwarded. */
async function ask(type: string, amount: number, as: User = 'rep1', key = `${type}:${++seq}`) {
  return requests.requestApproval(
    {
      subjectType: type,
      subjectId: `s-${seq}`,
      idempotencyKey: key,
      snapshot: { amount },
      title: `IT ${type}`,
      requesterId: '',
    },
    { metadata: Metadata({ authorization: `Bearer ${await token(as)}` }) },
  );
}

const decide = (id: string, as: User, decision = 'approve', comment = '') =>
  api('POST', `/api/v1/approvals/${id}/decision`, { as, json: { decision, comment } });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('approval policies', () => {
  it('are validated when saved, written by admins and read by managers', async () => {
    const type = subjectType();
    const bad = await api('POST', '/api/v1/approval-policies', {
      as: 'admin',
      json: {
        name: 'Typo',
        subjectType: 'quote',
        condition: 'discount > 20',
        steps: [{ requesterManager: true }],
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.contentType).toMatch(PROBLEM);
    expect(bad.body.errors).toEqual([
      expect.objectContaining({ field: 'condition', message: expect.stringContaining('discount') }),
    ]);
    const unsafe = await api('POST', '/api/v1/approval-policies', {
      as: 'admin',
      json: {
        name: 'Sneaky',
        subjectType: type,
        condition: 'amount.constructor',
        snapshotFields: ['amount'],
        steps: [{ requesterManager: true }],
      },
    });
    expect(unsafe.status).toBe(400);
    const byRep = await api('POST', '/api/v1/approval-policies', {
      as: 'rep1',
      json: { name: 'Mine', subjectType: type, steps: [{ requesterManager: true }] },
    });
    expect(byRep.status).toBe(403);
    const p = await policy(type, [{ requesterManager: true }]);
    const read = await api('GET', `/api/v1/approval-policies/${p.id}`, { as: 'manager' });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ version: 1, condition: 'amount >= 100', subjectType: type });
  });
});

describe('approval requests', () => {
  it('approves at once, recorded, when no policy matches', async () => {
    const type = subjectType();
    await policy(type, [{ requesterManager: true }]);
    const r = await ask(type, 5);
    expect(r).toMatchObject({ status: 'approved', policyId: '' });
    const seen = await api('GET', `/api/v1/approvals/${r.id}`, { as: 'rep1' });
    expect(seen.body.trail.map((t: { action: string }) => t.action)).toEqual(['requested', 'auto-approved']);
  });

  it('repeating the idempotency key returns the same request', async () => {
    const type = subjectType();
    await policy(type, [{ requesterManager: true }]);
    const key = `${type}:same`;
    const [a, b] = await Promise.all([ask(type, 500, 'rep1', key), ask(type, 500, 'rep1', key)]);
    expect(b.id).toBe(a.id);
  });

  it("waits in the manager's inbox; the rep cannot approve their own (403); deciding again is 409", async () => {
    const type = subjectType();
    const p = await policy(type, [{ requesterManager: true }]);
    const r = await ask(type, 500);
    expect(r).toMatchObject({ status: 'pending', policyId: p.id, policyVersion: 1 });
    expect(r.currentApproverIds).toEqual([await userId('manager')]);

    const inbox = await api('GET', '/api/v1/approvals?assignedTo=me&status=pending&limit=200', {
      as: 'manager',
    });
    expect(inbox.status).toBe(200);
    expect(inbox.body.items.map((a: { id: string }) => a.id)).toContain(r.id);
    const others = await api('GET', '/api/v1/approvals?assignedTo=me&status=pending&limit=200', {
      as: 'rep2',
    });
    expect(others.body.items.map((a: { id: string }) => a.id)).not.toContain(r.id);
    expect((await api('GET', `/api/v1/approvals/${r.id}`, { as: 'rep2' })).status).toBe(404);

    const own = await decide(r.id, 'rep1');
    expect(own.status).toBe(403);
    expect(own.contentType).toMatch(PROBLEM);
    const ok = await decide(r.id, 'manager', 'approve', 'margin is fine');
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'approved' });
    expect(ok.body.trail.map((t: { action: string }) => t.action)).toEqual([
      'requested',
      'step-assigned',
      'approved',
    ]);
    const again = await decide(r.id, 'manager');
    expect(again.status).toBe(409);
  });

  it('of two approvers deciding at once exactly one wins (compare-and-set on FerretDB)', async () => {
    const type = subjectType();
    await policy(type, [{ roles: ['sales-manager', 'crm-admin'] }]);
    const asked = await Promise.all([1, 2, 3, 4, 5, 6].map(() => ask(type, 500)));
    for (const r of asked) {
      const answers = await Promise.all([decide(r.id, 'manager'), decide(r.id, 'admin', 'reject', 'no')]);
      expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
      const final = await api('GET', `/api/v1/approvals/${r.id}`, { as: 'admin' });
      const decisions = final.body.trail.filter((t: { action: string }) =>
        ['approved', 'rejected'].includes(t.action),
      );
      expect(decisions).toHaveLength(1);
    }
  });

  it('the requester withdraws a pending request, once', async () => {
    const type = subjectType();
    await policy(type, [{ requesterManager: true }]);
    const r = await ask(type, 500);
    expect((await api('POST', `/api/v1/approvals/${r.id}/withdraw`, { as: 'rep2', json: {} })).status).toBe(
      404,
    );
    const w = await api('POST', `/api/v1/approvals/${r.id}/withdraw`, {
      as: 'rep1',
      json: { comment: 'customer paused' },
    });
    expect(w.status).toBe(200);
    expect(w.body.status).toBe('withdrawn');
    expect((await api('POST', `/api/v1/approvals/${r.id}/withdraw`, { as: 'rep1', json: {} })).status).toBe(
      409,
    );
    expect((await decide(r.id, 'manager')).status).toBe(409);
  });

  it('a delegate decides while the approver is away, and the trail names both', async () => {
    const type = subjectType();
    await policy(type, [{ requesterManager: true }]);
    const r = await ask(type, 500);
    const today = new Date().toISOString().slice(0, 10);
    const made = await api('POST', '/api/v1/approval-delegations', {
      as: 'manager',
      json: { delegateId: await userId('admin'), startsOn: today, endsOn: today, comment: 'on leave' },
    });
    expect(made.status).toBe(201);
    try {
      const ok = await decide(r.id, 'admin');
      expect(ok.status).toBe(200);
      expect(ok.body.trail.slice(-2)).toEqual([
        expect.objectContaining({
          action: 'delegated',
          actorId: await userId('admin'),
          userIds: [await userId('manager')],
        }),
        expect.objectContaining({ action: 'approved', actorId: await userId('admin') }),
      ]);
    } finally {
      expect(
        (await api('DELETE', `/api/v1/approval-delegations/${made.body.id}`, { as: 'manager' })).status,
      ).toBe(200);
    }
    const bad = await api('POST', '/api/v1/approval-delegations', {
      as: 'manager',
      json: { delegateId: 'someone', startsOn: today, endsOn: '2000-01-01' },
    });
    expect(bad.status).toBe(400);
  });
});

describe('escalation', () => {
  it('a one-minute limit fires exactly once across a restart of the approval service', async () => {
    const type = subjectType();
    await policy(type, [
      {
        userIds: [await userId('admin')],
        timeLimitMinutes: 1,
        escalateTo: 'user',
        escalateToUserId: await userId('manager'),
      },
    ]);
    const r = await ask(type, 500);
    const escalations = async () => {
      const got = await api('GET', `/api/v1/approvals/${r.id}`, { as: 'admin' });
      return got.body.trail.filter((t: { action: string }) => t.action === 'escalated') as unknown[];
    };
    // Down while the limit passes: the timer lives in the database, not in the process.
    await stopApp('approval');
    try {
      await sleep(62_000);
    } finally {
      await startApps();
    }
    const deadline = Date.now() + 60_000;
    while ((await escalations()).length === 0 && Date.now() < deadline) await sleep(1000);
    expect(await escalations()).toHaveLength(1);
    // Another restart and a few more timer rounds change nothing.
    await stopApp('approval');
    await startApps();
    await sleep(35_000);
    expect(await escalations()).toHaveLength(1);
    const now = await api('GET', `/api/v1/approvals/${r.id}`, { as: 'manager' });
    expect(now.body.currentApproverIds).toContain(await userId('manager'));
    expect((await decide(r.id, 'manager')).status).toBe(200);
  }, 300_000);
});
