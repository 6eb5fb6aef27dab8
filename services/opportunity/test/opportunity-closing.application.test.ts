import { ConflictError, ForbiddenError, Roles, ValidationError } from '@crm/kit';
import type { ApprovalDecision } from '../src/application/approvals';
import { Opportunities, type OpportunityPatch } from '../src/application/opportunities';
import { CLOSE_SUBJECT, LossReasons, OpportunityClosing } from '../src/application/opportunity-closing';
import { Pipelines } from '../src/application/pipelines';
import type { Caller } from '../src/application/ports';
import { inMemoryPorts } from './support/in-memory-repositories';

const caller = (userId: string, roles: string[], teams: string[] = []): Caller => ({
  actor: { userId, username: userId, roles, teams },
  requestId: `req-${userId}`,
});
const rep1 = caller('rep1', [Roles.rep], ['east']);
const manager = caller('manager', [Roles.manager], ['east']);
const admin = caller('admin', [Roles.admin]);

const deal: OpportunityPatch = {
  name: 'ACME ERP rollout',
  accountId: 'acc-1',
  amountMinor: 2_000_000_00,
  currency: 'CNY',
  decisionMakerContactId: 'contact-ceo',
};

function setup() {
  const mem = inMemoryPorts();
  const pipelines = new Pipelines(mem.ports);
  const opportunities = new Opportunities(mem.ports, pipelines);
  const lossReasons = new LossReasons(mem.ports);
  const closing = new OpportunityClosing(mem.ports, pipelines, opportunities, lossReasons);
  return { mem, opportunities, closing, lossReasons };
}

/** A deal in `negotiation`, the stage it will be closed from. */
async function openDeal(s: ReturnType<typeof setup>) {
  const o = await s.opportunities.create(deal, '', '', rep1);
  await s.opportunities.moveStage(o._id, 0, 'needs-analysis', rep1);
  return s.opportunities.moveStage(o._id, 0, 'negotiation', rep1);
}

const lost = { outcome: 'lost', lossReason: 'price', competitor: 'Globex' };
const won = { outcome: 'won', lossReason: '', competitor: '' };

const decided = (
  requestId: string,
  subjectId: string,
  over: Partial<ApprovalDecision> = {},
): ApprovalDecision => ({
  requestId,
  subjectType: CLOSE_SUBJECT,
  subjectId,
  idempotencyKey: '',
  outcome: 'approved',
  decidedBy: 'cfo',
  decidedAt: new Date(),
  ...over,
});

describe('closing a deal as lost', () => {
  it('needs a reason from the list (400 naming lossReason), then lands in the lost stage with it', async () => {
    const s = setup();
    const o = await openDeal(s);
    for (const lossReason of ['', 'we-were-unlucky'])
      await expect(s.closing.close(o._id, 0, { ...lost, lossReason }, rep1)).rejects.toMatchObject({
        violations: [expect.objectContaining({ field: 'lossReason' })],
      });
    const r = await s.closing.close(o._id, 0, lost, rep1);
    expect(r.result).toBe('lost');
    expect(r.opportunity).toMatchObject({
      status: 'lost',
      stageKey: 'closed-lost',
      lossReason: 'price',
      competitor: 'Globex',
      closedBy: 'rep1',
    });
    expect(r.opportunity.closeHistory).toEqual([
      expect.objectContaining({ action: 'lost', by: 'rep1', fromStage: 'negotiation', lossReason: 'price' }),
    ]);
    expect(s.mem.opportunities.subjects().slice(-2)).toEqual(['OpportunityStageChanged', 'OpportunityLost']);
  });

  it("uses the admin's own list once saved; only admins save it, validated as a whole", async () => {
    const s = setup();
    await expect(s.lossReasons.put(0, [{ key: 'budget-cut', name: 'Budget cut' }], rep1)).rejects.toThrow(
      ForbiddenError,
    );
    await expect(
      s.lossReasons.put(
        0,
        [
          { key: 'budget-cut', name: 'Budget cut' },
          { key: 'Budget Cut', name: '' },
        ],
        admin,
      ),
    ).rejects.toMatchObject({
      violations: [
        { field: 'reasons[1].key', description: expect.any(String) },
        { field: 'reasons[1].name', description: 'is required' },
      ],
    });
    const saved = await s.lossReasons.put(0, [{ key: 'budget-cut', name: 'Budget cut' }], admin);
    expect(saved).toMatchObject({ version: 1, updatedBy: 'admin' });
    const o = await openDeal(s);
    await expect(s.closing.close(o._id, 0, lost, rep1)).rejects.toThrow(ValidationError);
    await expect(
      s.closing.close(o._id, 0, { ...lost, lossReason: 'budget-cut' }, rep1),
    ).resolves.toMatchObject({
      result: 'lost',
    });
  });
});

describe('closing a deal as won', () => {
  it('is won at once when no approval policy matches, asked with what policies read', async () => {
    const s = setup();
    const o = await openDeal(s);
    const r = await s.closing.close(o._id, 0, won, rep1);
    expect(r).toMatchObject({ result: 'won', opportunity: { status: 'won', stageKey: 'closed-won' } });
    expect(s.mem.approvals.asked).toEqual([
      {
        by: 'rep1',
        ask: expect.objectContaining({
          subjectType: 'opportunity-close',
          subjectId: o._id,
          requesterId: 'rep1',
          snapshot: expect.objectContaining({
            amountMinor: 2_000_000_00,
            currency: 'CNY',
            stageKey: 'negotiation',
          }),
        }),
      },
    ]);
    expect(s.mem.opportunities.subjects().slice(-2)).toEqual(['OpportunityStageChanged', 'OpportunityWon']);
  });

  it('waits for the approval when a policy matches, read-only meanwhile, and is won when approved (once)', async () => {
    const s = setup();
    s.mem.approvals.decide = () => 'pending';
    const o = await openDeal(s);
    const r = await s.closing.close(o._id, 0, won, rep1);
    expect(r).toMatchObject({ result: 'pending-approval', opportunity: { status: 'open' } });
    await expect(s.opportunities.update(o._id, 0, { amountMinor: 1 }, rep1)).rejects.toThrow(ConflictError);
    await expect(s.closing.close(o._id, 0, won, rep1)).rejects.toThrow(ConflictError);

    await s.closing.applyDecision(decided(r.approvalRequestId, o._id));
    await s.closing.applyDecision(decided(r.approvalRequestId, o._id));
    const after = await s.opportunities.get(o._id, rep1);
    expect(after).toMatchObject({
      status: 'won',
      stageKey: 'closed-won',
      closedBy: 'rep1',
      updatedBy: 'cfo',
    });
    expect(after.closeHistory.map((e) => `${e.action}:${e.by}`)).toEqual(['close-requested:rep1', 'won:cfo']);
    expect(s.mem.opportunities.subjects().filter((x) => x === 'OpportunityWon')).toHaveLength(1);
  });

  it('stays open when the approval is rejected, recorded, and may be edited again', async () => {
    const s = setup();
    s.mem.approvals.decide = () => 'pending';
    const o = await openDeal(s);
    const r = await s.closing.close(o._id, 0, won, rep1);
    await s.closing.applyDecision(decided(r.approvalRequestId, o._id, { outcome: 'rejected' }));
    const after = await s.opportunities.get(o._id, rep1);
    expect(after).toMatchObject({ status: 'open', stageKey: 'negotiation', pendingCloseApprovalId: '' });
    expect(after.closeHistory.at(-1)).toMatchObject({
      action: 'close-rejected',
      by: 'cfo',
      comment: 'rejected',
    });
    await expect(
      s.opportunities.update(o._id, 0, { nextStep: 'lower the price' }, rep1),
    ).resolves.toBeDefined();
  });

  it('a decision about another request changes nothing', async () => {
    const s = setup();
    s.mem.approvals.decide = () => 'pending';
    const o = await openDeal(s);
    await s.closing.close(o._id, 0, won, rep1);
    await s.closing.applyDecision(decided('someone-elses-request', o._id));
    await s.closing.applyDecision(decided('x', 'no-such-deal'));
    await expect(s.opportunities.get(o._id, rep1)).resolves.toMatchObject({ status: 'open' });
  });

  it('an approval engine that is away leaves the deal as it was', async () => {
    const s = setup();
    s.mem.approvals.failWith = new Error('engine away');
    const o = await openDeal(s);
    await expect(s.closing.close(o._id, 0, won, rep1)).rejects.toThrow('engine away');
    await expect(s.opportunities.get(o._id, rep1)).resolves.toMatchObject({
      status: 'open',
      version: o.version,
    });
  });
});

describe('a closed deal', () => {
  it('is read-only: no edits, no stage moves, no second close', async () => {
    const s = setup();
    const o = await openDeal(s);
    await s.closing.close(o._id, 0, lost, rep1);
    await expect(s.opportunities.update(o._id, 0, { nextStep: 'try again' }, rep1)).rejects.toThrow(
      ConflictError,
    );
    await expect(s.opportunities.moveStage(o._id, 0, 'proposal', rep1)).rejects.toThrow(ConflictError);
    await expect(s.closing.close(o._id, 0, won, rep1)).rejects.toThrow(ConflictError);
  });

  it('is reopened by a manager only, into the stage it was closed from, recorded', async () => {
    const s = setup();
    const o = await openDeal(s);
    await s.closing.close(o._id, 0, won, rep1);
    await expect(s.closing.reopen(o._id, 0, 'signed the wrong deal', rep1)).rejects.toThrow(ForbiddenError);
    const back = await s.closing.reopen(o._id, 0, 'signed the wrong deal', manager);
    expect(back).toMatchObject({ status: 'open', stageKey: 'negotiation', closedAt: null, closedBy: '' });
    expect(back.closeHistory.at(-1)).toMatchObject({
      action: 'reopened',
      by: 'manager',
      comment: 'signed the wrong deal',
      fromStage: 'closed-won',
    });
    expect(back.stageHistory.at(-1)).toMatchObject({ fromStage: 'closed-won', toStage: 'negotiation' });
    expect(s.mem.opportunities.subjects().slice(-2)).toEqual([
      'OpportunityStageChanged',
      'OpportunityReopened',
    ]);
    await expect(s.closing.reopen(o._id, 0, '', manager)).rejects.toThrow(ConflictError);
  });
});
