import { ForbiddenError, UnavailableError, ValidationError } from '@crm/kit';
import { approvalEvents } from '@crm/proto';
import { ClientError, Status } from 'nice-grpc';
import { type ApprovalDecision, ApprovalOutcomes } from '../src/application/approvals';
import { toDecision } from '../src/events/approval-events.consumer';
import { approvalFailure, toTicket } from '../src/grpc/approval.client';

const answer = (code: Status) =>
  new ClientError('/crm.approval.v1.ApprovalRequestService/RequestApproval', code, 'said');

const decision = (over: Partial<ApprovalDecision> = {}): ApprovalDecision => ({
  requestId: 'ar-1',
  subjectType: 'opportunity-close',
  subjectId: 'opp-1',
  idempotencyKey: 'close:opp-1:v3',
  outcome: 'approved',
  decidedBy: 'boss',
  decidedAt: new Date('2026-12-01T10:00:00Z'),
  ...over,
});

describe('asking the approval engine', () => {
  it('an engine that is away or slow is a 503 the caller may retry, never a 500', () => {
    for (const err of [
      answer(Status.UNAVAILABLE),
      answer(Status.DEADLINE_EXCEEDED),
      new Error('socket hang up'),
    ])
      expect(() => approvalFailure(err)).toThrow(UnavailableError);
  });

  it('a refusal of the engine reaches the caller as a refusal', () => {
    expect(() => approvalFailure(answer(Status.PERMISSION_DENIED))).toThrow(ForbiddenError);
    expect(() => approvalFailure(answer(Status.INVALID_ARGUMENT))).toThrow(ValidationError);
  });

  it('reads the status of the request, and refuses one it does not know', () => {
    expect(toTicket({ id: 'ar-1', status: 'pending' })).toEqual({ id: 'ar-1', status: 'pending' });
    expect(() => toTicket({ id: 'ar-1', status: 'escalated-to-mars' })).toThrow(UnavailableError);
  });
});

describe('outcomes of the approval engine', () => {
  it('go to the handler of their subject type only', async () => {
    const closes: string[] = [];
    const quotes: string[] = [];
    const outcomes = new ApprovalOutcomes({
      'opportunity-close': async (d) => void closes.push(`${d.subjectId}:${d.outcome}`),
      quote: async (d) => void quotes.push(`${d.subjectId}:${d.outcome}`),
    });
    await outcomes.apply(decision());
    await outcomes.apply(decision({ subjectType: 'quote', subjectId: 'q-1', outcome: 'rejected' }));
    expect(closes).toEqual(['opp-1:approved']);
    expect(quotes).toEqual(['q-1:rejected']);
  });

  it("skip subjects another service owns (the engine serves the whole CRM), even named like Object's own keys", async () => {
    const outcomes = new ApprovalOutcomes({ 'opportunity-close': async () => {} });
    await expect(outcomes.apply(decision({ subjectType: 'service-ticket' }))).resolves.toBeUndefined();
    await expect(outcomes.apply(decision({ subjectType: 'constructor' }))).resolves.toBeUndefined();
  });

  it('a handler failure fails the delivery, so the event comes again', async () => {
    const outcomes = new ApprovalOutcomes({
      'opportunity-close': async () => {
        throw new Error('database away');
      },
    });
    await expect(outcomes.apply(decision())).rejects.toThrow('database away');
  });

  it('read from ApprovalRequestDecided; a pending request is not an outcome', () => {
    const event = approvalEvents.ApprovalRequestDecided.fromPartial({
      request: {
        id: 'ar-9',
        idempotencyKey: 'close:opp-2:v4',
        status: 'rejected',
        decidedAt: new Date('2026-12-01T11:00:00Z'),
      },
      subjectType: 'opportunity-close',
      subjectId: 'opp-2',
      outcome: 'rejected',
      decidedBy: 'boss',
    });
    expect(toDecision(event)).toEqual({
      requestId: 'ar-9',
      subjectType: 'opportunity-close',
      subjectId: 'opp-2',
      idempotencyKey: 'close:opp-2:v4',
      outcome: 'rejected',
      decidedBy: 'boss',
      decidedAt: new Date('2026-12-01T11:00:00Z'),
      comment: '',
    });
    expect(
      toDecision({ ...event, outcome: 'pending', request: { ...event.request!, status: 'pending' } }),
    ).toBeUndefined();
  });

  it("carry the comment of the decision that ended the request, not an earlier step's", () => {
    const at = new Date('2026-12-01T11:00:00Z');
    const event = (outcome: string, trail: { action: string; step: number; comment: string }[]) =>
      approvalEvents.ApprovalRequestDecided.fromPartial({
        request: { id: 'ar-3', status: outcome, trail: trail.map((t) => ({ ...t, actorId: 'x', at })) },
        subjectType: 'quote',
        subjectId: 'q-3',
        outcome,
        decidedBy: 'finance',
      });
    const rejected = event('rejected', [
      { action: 'requested', step: 0, comment: '' },
      { action: 'approved', step: 0, comment: 'fine by sales' },
      { action: 'rejected', step: 1, comment: 'Margin below 20%' },
    ]);
    expect(toDecision(rejected)?.comment).toBe('Margin below 20%');
    const approved = event('approved', [
      { action: 'approved', step: 0, comment: 'fine by sales' },
      { action: 'approved', step: 1, comment: 'ok for finance' },
    ]);
    expect(toDecision(approved)?.comment).toBe('ok for finance');
  });
});
