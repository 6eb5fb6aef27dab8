import {
  ConflictError,
  DuplicateError,
  ForbiddenError,
  NotFoundError,
  Roles,
  ValidationError,
} from '@crm/kit';
import { LossReasons, OpportunityClosing } from '../src/application/opportunity-closing';
import { Opportunities } from '../src/application/opportunities';
import { Pipelines } from '../src/application/pipelines';
import type { Caller } from '../src/application/ports';
import { Products } from '../src/application/products';
import { Quotes } from '../src/application/quotes';
import type { ProductFields } from '../src/domain/product';
import type { QuoteInput } from '../src/domain/quote';
import { inMemoryPorts } from './support/in-memory-repositories';
import { inMemoryQuotePorts } from './support/in-memory-quotes';

const caller = (userId: string, roles: string[], teams: string[] = []): Caller => ({
  actor: { userId, username: userId, roles, teams },
  requestId: `req-${userId}`,
});
const rep1 = caller('rep1', [Roles.rep], ['east']);
const rep2 = caller('rep2', [Roles.rep], ['west']);
const admin = caller('admin', [Roles.admin]);

const product = (over: Partial<ProductFields> = {}): ProductFields => ({
  code: 'CRM-SEAT',
  name: '客户管理系统 席位',
  unit: 'seat/year',
  listPrices: [{ currency: 'CNY', amountMinor: 999_00 }],
  active: true,
  description: '',
  ...over,
});

function setup() {
  const mem = inMemoryPorts();
  const pipelines = new Pipelines(mem.ports);
  const opportunities = new Opportunities(mem.ports, pipelines);
  const q = inMemoryQuotePorts({ approvals: mem.approvals, opportunities: mem.opportunities });
  return {
    q,
    mem,
    pipelines,
    approvals: mem.approvals,
    opportunities,
    products: new Products(q.ports),
    quotes: new Quotes(q.ports, opportunities),
  };
}

async function dealWithProduct() {
  const s = setup();
  const seat = await s.products.create(product(), admin);
  const deal = await s.opportunities.create(
    { name: 'ACME rollout', accountId: 'acc-1', amountMinor: 0, currency: 'CNY' },
    '',
    '',
    rep1,
  );
  const lines = (discountPercent = '') => [{ productId: seat._id, quantity: '10', discountPercent }];
  const input = (over: Partial<QuoteInput> = {}): QuoteInput => ({
    lines: lines(),
    taxRatePercent: '13',
    validUntil: '2027-01-31',
    note: '',
    ...over,
  });
  return { ...s, seat, deal, input, lines };
}

describe('products', () => {
  it('are written by admins only and read by every seller', async () => {
    const { products } = setup();
    await expect(products.create(product(), rep1)).rejects.toThrow(ForbiddenError);
    const p = await products.create(product(), admin);
    expect(await products.list(false, rep1)).toEqual([
      expect.objectContaining({ code: 'CRM-SEAT', createdBy: 'admin' }),
    ]);
    await expect(products.get(p._id, rep2)).resolves.toMatchObject({ name: '客户管理系统 席位' });
  });

  it('have a unique code', async () => {
    const { products, q } = setup();
    await products.create(product(), admin);
    await expect(products.create(product({ code: 'crm-seat' }), admin)).rejects.toThrow(DuplicateError);
    const other = await products.create(product({ code: 'SVC-DAY' }), admin);
    await expect(products.update(other._id, 1, product(), admin)).rejects.toThrow(DuplicateError);
    expect(q.products.subjects()).toEqual(['ProductSaved', 'ProductSaved']);
  });

  it('retired ones drop out of the list but stay readable', async () => {
    const { products } = setup();
    const p = await products.create(product(), admin);
    await products.update(p._id, 1, product({ active: false }), admin);
    expect(await products.list(false, rep1)).toEqual([]);
    expect(await products.list(true, rep1)).toHaveLength(1);
  });
});

describe('quotes', () => {
  it('are priced by the service from the catalogue in the deal currency', async () => {
    const { quotes, deal, input, q } = await dealWithProduct();
    const quote = await quotes.create(deal._id, input(), rep1);
    expect(quote).toMatchObject({
      status: 'draft',
      revision: 1,
      currency: 'CNY',
      subtotalMinor: 9_990_00,
      taxMinor: 1_298_70,
      totalMinor: 11_288_70,
      createdBy: 'rep1',
    });
    expect(quote.quoteNumber).toMatch(/^Q-[0-9A-F]{8}$/);
    expect(q.quotes.subjects()).toEqual(['QuoteSaved']);
  });

  it('follow the deal: another rep neither reads nor writes them', async () => {
    const { quotes, deal, input } = await dealWithProduct();
    const quote = await quotes.create(deal._id, input(), rep1);
    await expect(quotes.list(deal._id, rep2)).rejects.toThrow(NotFoundError);
    await expect(quotes.get({ opportunityId: deal._id, quoteId: quote._id }, rep2)).rejects.toThrow(
      NotFoundError,
    );
    await expect(quotes.create(deal._id, input(), rep2)).rejects.toThrow(NotFoundError);
  });

  it('are changed by whoever changes the deal: a deal team member reads them but gets 403 to write', async () => {
    const { quotes, opportunities, deal, input } = await dealWithProduct();
    const quote = await quotes.create(deal._id, input(), rep1);
    await opportunities.setTeam(deal._id, 0, [{ userId: 'rep2', role: 'presales' }], rep1);
    await expect(quotes.list(deal._id, rep2)).resolves.toHaveLength(1);
    await expect(quotes.create(deal._id, input(), rep2)).rejects.toThrow(ForbiddenError);
    const ref = { opportunityId: deal._id, quoteId: quote._id };
    await expect(quotes.update(ref, 1, input(), rep2)).rejects.toThrow(ForbiddenError);
    await expect(quotes.submit(ref, 1, rep2)).rejects.toThrow(ForbiddenError);
  });

  it('are frozen with a won or lost deal (409), and still read', async () => {
    const { quotes, opportunities, mem, pipelines, deal, input } = await dealWithProduct();
    const quote = await quotes.create(deal._id, input(), rep1);
    const closing = new OpportunityClosing(mem.ports, pipelines, opportunities, new LossReasons(mem.ports));
    await closing.close(deal._id, 0, { outcome: 'lost', lossReason: 'price', competitor: '' }, rep1);
    await expect(quotes.create(deal._id, input(), rep1)).rejects.toThrow(ConflictError);
    const ref = { opportunityId: deal._id, quoteId: quote._id };
    await expect(quotes.update(ref, 1, input(), rep1)).rejects.toThrow(ConflictError);
    await expect(quotes.get(ref, rep1)).resolves.toMatchObject({ _id: quote._id });
  });

  it('are not reached through another deal', async () => {
    const { quotes, deal, input, opportunities } = await dealWithProduct();
    const quote = await quotes.create(deal._id, input(), rep1);
    const other = await opportunities.create(
      { name: 'Other', accountId: 'acc-2', amountMinor: 0, currency: 'CNY' },
      '',
      '',
      rep1,
    );
    await expect(quotes.get({ opportunityId: other._id, quoteId: quote._id }, rep1)).rejects.toThrow(
      NotFoundError,
    );
  });

  it('are edited while a draft, then sent and frozen; a revision is a new draft version', async () => {
    const { quotes, deal, input, lines, q } = await dealWithProduct();
    const first = await quotes.create(deal._id, input(), rep1);
    const ref = { opportunityId: deal._id, quoteId: first._id };
    const edited = await quotes.update(ref, 1, input({ lines: lines('10') }), rep1);
    expect(edited).toMatchObject({ version: 2, maxDiscountPercent: '10', subtotalMinor: 8_991_00 });
    await expect(quotes.markSent(ref, 2, rep1)).rejects.toThrow(/submit/);
    await quotes.submit(ref, 2, rep1);
    const sent = await quotes.markSent(ref, 3, rep1);
    expect(sent).toMatchObject({ status: 'sent', sentBy: 'rep1' });
    await expect(quotes.update(ref, 4, input(), rep1)).rejects.toThrow(ConflictError);
    await expect(quotes.markSent(ref, 4, rep1)).rejects.toThrow(ConflictError);

    const second = await quotes.revise(ref, 4, rep1);
    expect(second).toMatchObject({
      _id: `${first._id}-r2`,
      revision: 2,
      status: 'draft',
      quoteNumber: first.quoteNumber,
      subtotalMinor: 8_991_00,
    });
    expect(await quotes.get(ref, rep1)).toMatchObject({ status: 'sent', supersededBy: second._id });
    await expect(quotes.revise(ref, 5, rep1)).rejects.toThrow(ConflictError);
    expect((await quotes.list(deal._id, rep1)).map((x) => x.revision).sort()).toEqual([1, 2]);
    expect(q.quotes.subjects()).toEqual([
      'QuoteSaved',
      'QuoteSaved',
      'QuoteSubmitted',
      'QuoteApproved',
      'QuoteSent',
      'QuoteSaved',
    ]);
  });

  it('name bad lines as fields', async () => {
    const { quotes, deal, input } = await dealWithProduct();
    await expect(
      quotes.create(
        deal._id,
        input({ lines: [{ productId: 'missing', quantity: '1', discountPercent: '' }] }),
        rep1,
      ),
    ).rejects.toThrow(ValidationError);
  });
});

describe('quote approval', () => {
  /** A policy like the seeded one: more than 15% discount needs an approver. */
  async function withPolicy() {
    const s = await dealWithProduct();
    const engine = s.approvals;
    engine.decide = (ask) => (Number(ask.snapshot.discountPercent) > 15 ? 'pending' : 'approved');
    return s;
  }

  it('asks the engine as subject quote with the figures policies read; no policy matching approves at once', async () => {
    const { quotes, deal, input, lines, approvals } = await withPolicy();
    const quote = await quotes.create(deal._id, input({ lines: lines('10') }), rep1);
    const submitted = await quotes.submit({ opportunityId: deal._id, quoteId: quote._id }, 1, rep1);
    expect(submitted).toMatchObject({ status: 'approved', approvalDecidedBy: 'approval-service' });
    expect(approvals.asked).toEqual([
      {
        by: 'rep1',
        ask: expect.objectContaining({
          subjectType: 'quote',
          subjectId: quote._id,
          idempotencyKey: `quote:${quote._id}:v1`,
          snapshot: expect.objectContaining({
            discountPercent: 10,
            totalMinor: 10_159_83,
            currency: 'CNY',
            ownerId: 'rep1',
          }),
        }),
      },
    ]);
  });

  it('keeps a 25% discount pending until approved: not sent before (409), sent after', async () => {
    const { quotes, deal, input, lines, q } = await withPolicy();
    const quote = await quotes.create(deal._id, input({ lines: lines('25') }), rep1);
    const ref = { opportunityId: deal._id, quoteId: quote._id };
    const pending = await quotes.submit(ref, 1, rep1);
    expect(pending).toMatchObject({ status: 'pending-approval', approvalRequestId: 'approval-1' });
    await expect(quotes.markSent(ref, 2, rep1)).rejects.toThrow(ConflictError);
    await expect(quotes.update(ref, 2, input(), rep1)).rejects.toThrow(ConflictError);

    const decision = {
      requestId: 'approval-1',
      subjectType: 'quote',
      subjectId: quote._id,
      idempotencyKey: `quote:${quote._id}:v1`,
      outcome: 'approved' as const,
      decidedBy: 'approver',
      decidedAt: new Date(),
    };
    await quotes.applyDecision(decision);
    await quotes.applyDecision(decision); // redelivered: changes nothing twice
    expect(await quotes.get(ref, rep1)).toMatchObject({
      status: 'approved',
      approvalDecidedBy: 'approver',
      version: 3,
    });
    expect((await quotes.markSent(ref, 3, rep1)).status).toBe('sent');
    expect(q.quotes.subjects()).toEqual(['QuoteSaved', 'QuoteSubmitted', 'QuoteApproved', 'QuoteSent']);
  });

  it("turns a rejected quote back into a draft with the approver's comment, to be changed and submitted again", async () => {
    const { quotes, deal, input, lines, q } = await withPolicy();
    const quote = await quotes.create(deal._id, input({ lines: lines('25') }), rep1);
    const ref = { opportunityId: deal._id, quoteId: quote._id };
    await quotes.submit(ref, 1, rep1);
    await quotes.applyDecision({
      requestId: 'approval-1',
      subjectType: 'quote',
      subjectId: quote._id,
      idempotencyKey: `quote:${quote._id}:v1`,
      outcome: 'changes-requested',
      decidedBy: 'approver',
      decidedAt: new Date(),
      comment: 'At most 15% for a first order',
    });
    expect(await quotes.get(ref, rep1)).toMatchObject({
      status: 'draft',
      approvalOutcome: 'changes-requested',
      approvalComment: 'At most 15% for a first order',
    });
    const fixed = await quotes.update(ref, 3, input({ lines: lines('15') }), rep1);
    // The next submission starts afresh: the old comment does not stick to the new outcome.
    expect(await quotes.submit(ref, fixed.version, rep1)).toMatchObject({
      status: 'approved',
      approvalComment: '',
    });
    expect(q.quotes.subjects()).toContain('QuoteRejected');
  });

  it('asks NATS to bring a decision again when it overtook the recorded submission', async () => {
    const { quotes, deal, input } = await withPolicy();
    const quote = await quotes.create(deal._id, input(), rep1);
    await expect(
      quotes.applyDecision({
        requestId: 'approval-9',
        subjectType: 'quote',
        subjectId: quote._id,
        idempotencyKey: `quote:${quote._id}:v1`,
        outcome: 'approved',
        decidedBy: 'approver',
        decidedAt: new Date(),
      }),
    ).rejects.toThrow(ConflictError);
  });
});
