import { randomUUID } from 'node:crypto';
import {
  type Actor,
  type ApprovalSnapshot,
  checkVersion,
  ConflictError,
  NotFoundError,
  retryOnVersionMismatch,
} from '@crm/kit';
import { mustBeOpen } from '../domain/closing';
import { listPriceIn } from '../domain/product';
import {
  assertEditable,
  assertRevisable,
  assertSendable,
  assertSubmittable,
  priceQuote,
  type QuoteInput,
  type QuotedProduct,
} from '../domain/quote';
import { quoteEvents as events } from '../events/quote-events';
import type { OpportunityDoc } from '../store/opportunity.model';
import type { QuoteDoc } from '../store/quote.model';
import type { ApprovalDecision } from './approvals';
import type { Opportunities } from './opportunities';
import type { Caller } from './ports';
import type { QuotePorts } from './quote-ports';

/** The approval engine's subject type for quotes (policies select on it). */
export const QUOTE_SUBJECT = 'quote';

/** One approval request per submitted version: a retried submit asks the same request again. */
export const quoteApprovalKey = (q: Pick<QuoteDoc, '_id' | 'version'>) => `quote:${q._id}:v${q.version}`;

const deciderActor = (userId: string): Actor => ({ userId, username: userId, roles: [], teams: [] });

const NOT_SUBMITTED = {
  approvalRequestId: '',
  approvalOutcome: '',
  approvalDecidedBy: '',
  approvalDecidedAt: null,
  approvalComment: '',
} as const;

/** A quote is addressed through its deal: whoever may see the deal works its quotes. */
export interface QuoteRef {
  opportunityId: string;
  quoteId: string;
}

/**
 * Quotes on an opportunity: priced by the service (integer minor units, see domain/quote.ts), edited
 * while a draft, frozen once sent; a revision is a new document, so every version stays readable.
 */
export class Quotes {
  constructor(
    private readonly p: QuotePorts,
    private readonly opportunities: Opportunities,
  ) {}

  async create(opportunityId: string, input: QuoteInput, c: Caller): Promise<QuoteDoc> {
    const deal = await this.dealForChange(opportunityId, c);
    const content = priceQuote(input, deal.currency, await this.productsOf(input, deal.currency));
    const id = randomUUID();
    const now = new Date();
    const doc: QuoteDoc = {
      _id: id,
      version: 1,
      opportunityId: deal._id,
      firstVersionId: id,
      quoteNumber: `Q-${id.slice(0, 8).toUpperCase()}`,
      revision: 1,
      status: 'draft',
      currency: deal.currency,
      ...content,
      supersededBy: '',
      sentAt: null,
      sentBy: '',
      ...NOT_SUBMITTED,
      createdAt: now,
      createdBy: c.actor.userId,
      updatedAt: now,
      updatedBy: c.actor.userId,
      outbox: [],
    };
    doc.outbox = [events.quoteSaved(doc, c.actor, c.requestId)];
    await this.p.quotes.insert(doc);
    this.p.written('quote', id);
    return doc;
  }

  async list(opportunityId: string, c: Caller): Promise<QuoteDoc[]> {
    const deal = await this.opportunities.get(opportunityId, c);
    return this.p.quotes.listOf(deal._id);
  }

  async get(ref: QuoteRef, c: Caller): Promise<QuoteDoc> {
    return (await this.withDeal(ref, c)).quote;
  }

  async update(ref: QuoteRef, expectedVersion: number, input: QuoteInput, c: Caller): Promise<QuoteDoc> {
    const { quote } = await this.withDeal(ref, c, 'change');
    checkVersion(expectedVersion, quote.version);
    assertEditable(quote);
    const kept = new Set(quote.lines.map((l) => l.productId));
    const content = priceQuote(input, quote.currency, await this.productsOf(input, quote.currency), kept);
    const next = await this.p.quotes.save(quote, content, c.actor, (n) => [
      events.quoteSaved(n, c.actor, c.requestId),
    ]);
    this.p.written('quote', quote._id);
    return next;
  }

  /**
   * Asks the approval engine about a draft, with the figures its policies read. The engine answers
   * approved at once when no policy matches; otherwise the quote waits for its decision (applyDecision).
   * The engine is asked before the quote is written, with a key of this version: a retry after a
   * failed write asks the same request again.
   */
  async submit(ref: QuoteRef, expectedVersion: number, c: Caller): Promise<QuoteDoc> {
    const { deal, quote } = await this.withDeal(ref, c, 'change');
    checkVersion(expectedVersion, quote.version);
    assertSubmittable(quote);
    const ticket = await this.p.approvals.request(
      {
        subjectType: QUOTE_SUBJECT,
        subjectId: quote._id,
        idempotencyKey: quoteApprovalKey(quote),
        snapshot: {
          discountPercent: Number(quote.maxDiscountPercent),
          totalMinor: quote.totalMinor,
          subtotalMinor: quote.subtotalMinor,
          discountMinor: quote.discountMinor,
          currency: quote.currency,
          ownerId: deal.ownerId,
          teamId: deal.teamId,
          accountId: deal.accountId,
          opportunityId: deal._id,
          quoteNumber: quote.quoteNumber,
          revision: quote.revision,
        } satisfies ApprovalSnapshot<typeof QUOTE_SUBJECT>,
        title: `Quote ${quote.quoteNumber} r${quote.revision} for "${deal.name}": ${quote.totalMinor} ${quote.currency} (minor units), max discount ${quote.maxDiscountPercent}%`,
        requesterId: c.actor.userId,
      },
      c,
    );
    if (ticket.status !== 'approved' && ticket.status !== 'pending')
      throw new ConflictError(`the approval engine answered ${ticket.status} for this quote`);
    const approved = ticket.status === 'approved';
    const next = await this.p.quotes.save(
      quote,
      {
        status: approved ? 'approved' : 'pending-approval',
        approvalRequestId: ticket.id,
        approvalOutcome: approved ? 'approved' : '',
        approvalDecidedBy: approved ? 'approval-service' : '',
        approvalDecidedAt: approved ? new Date() : null,
        approvalComment: '',
      },
      c.actor,
      (n) => [
        events.quoteSubmitted(n, deal.ownerId, c.actor, c.requestId),
        ...(approved ? [events.quoteApproved(n, deal.ownerId, c.actor, c.requestId)] : []),
      ],
    );
    this.p.written('quote', quote._id);
    return next;
  }

  /**
   * The engine decided a submitted quote: approved -> approved; rejected, changes requested or
   * withdrawn -> a draft again, the outcome recorded. Idempotent: a decision the quote does not wait
   * for changes nothing.
   */
  applyDecision(d: ApprovalDecision): Promise<void> {
    return retryOnVersionMismatch(async () => {
      const quote = await this.p.quotes.get(d.subjectId);
      if (!quote) return;
      if (quote.status !== 'pending-approval' || quote.approvalRequestId !== d.requestId) {
        // The decision overtook the write that records the submission: let NATS bring it again.
        if (quote.status === 'draft' && d.idempotencyKey === quoteApprovalKey(quote))
          throw new ConflictError('the quote submission is not recorded yet');
        return;
      }
      const ownerId = await this.p.dealOwnerOf(quote.opportunityId);
      const decider = deciderActor(d.decidedBy);
      const requestId = `approval:${d.requestId}`;
      const approved = d.outcome === 'approved';
      await this.p.quotes.save(
        quote,
        {
          status: approved ? 'approved' : 'draft',
          approvalOutcome: d.outcome,
          approvalDecidedBy: d.decidedBy,
          approvalDecidedAt: d.decidedAt,
          // What the approver said (why rejected, what to change) goes back to the seller with the draft.
          approvalComment: d.comment ?? '',
        },
        decider,
        (n) => [
          approved
            ? events.quoteApproved(n, ownerId, decider, requestId)
            : events.quoteRejected(n, ownerId, decider, requestId),
        ],
      );
      this.p.written('quote', quote._id);
    });
  }

  async markSent(ref: QuoteRef, expectedVersion: number, c: Caller): Promise<QuoteDoc> {
    const { deal, quote } = await this.withDeal(ref, c, 'change');
    checkVersion(expectedVersion, quote.version);
    assertSendable(quote);
    const next = await this.p.quotes.save(
      quote,
      { status: 'sent', sentAt: new Date(), sentBy: c.actor.userId },
      c.actor,
      (n) => [events.quoteSent(n, deal.ownerId, c.actor, c.requestId)],
    );
    this.p.written('quote', quote._id);
    return next;
  }

  /**
   * The next version as a draft with the same lines, priced again at today's catalogue only where
   * the seller changes them. The new id is derived from the first version's, so two revisions of
   * one version at once cannot both be made (an insert by id); the old version points to the new one.
   */
  async revise(ref: QuoteRef, expectedVersion: number, c: Caller): Promise<QuoteDoc> {
    const { quote } = await this.withDeal(ref, c, 'change');
    checkVersion(expectedVersion, quote.version);
    const revision = quote.revision + 1;
    const id = `${quote.firstVersionId}-r${revision}`;
    // A crash between the two writes leaves supersededBy naming a missing version; revising again completes it.
    if (!(quote.supersededBy === id && !(await this.p.quotes.get(id)))) assertRevisable(quote);
    const now = new Date();
    const doc: QuoteDoc = {
      ...structuredClone(quote),
      _id: id,
      version: 1,
      revision,
      status: 'draft',
      supersededBy: '',
      sentAt: null,
      sentBy: '',
      ...NOT_SUBMITTED,
      createdAt: now,
      createdBy: c.actor.userId,
      updatedAt: now,
      updatedBy: c.actor.userId,
      outbox: [],
    };
    doc.outbox = [events.quoteSaved(doc, c.actor, c.requestId)];
    if (quote.supersededBy !== id) await this.p.quotes.save(quote, { supersededBy: id }, c.actor, () => []);
    if (!(await this.p.quotes.insert(doc))) throw new ConflictError('the quote was revised meanwhile');
    this.p.written('quote', id);
    return doc;
  }

  /** Any version as a PDF for the customer, with a file name naming the quote and its revision. */
  async pdf(ref: QuoteRef, c: Caller): Promise<{ content: Buffer; fileName: string }> {
    const { deal, quote } = await this.withDeal(ref, c);
    return {
      content: await this.p.pdf.render(quote, deal.name),
      fileName: `${quote.quoteNumber}-r${quote.revision}.pdf`,
    };
  }

  /**
   * The quote and its deal; NotFound when the deal is not visible or the quote is another deal's. To
   * change a quote is to change the deal: its owner, their manager or an admin, on an open deal.
   */
  private async withDeal(
    ref: QuoteRef,
    c: Caller,
    intent: 'read' | 'change' = 'read',
  ): Promise<{ deal: OpportunityDoc; quote: QuoteDoc }> {
    const deal =
      intent === 'change'
        ? await this.dealForChange(ref.opportunityId, c)
        : await this.opportunities.get(ref.opportunityId, c);
    const quote = await this.p.quotes.get(ref.quoteId);
    if (!quote || quote.opportunityId !== deal._id) throw new NotFoundError('quote', ref.quoteId);
    return { deal, quote };
  }

  /** A deal team member reads the quotes (403 to change them); a won or lost deal's quotes are frozen (409). */
  private async dealForChange(opportunityId: string, c: Caller): Promise<OpportunityDoc> {
    const deal = await this.opportunities.getForChange(opportunityId, c);
    mustBeOpen(deal);
    return deal;
  }

  private async productsOf(input: QuoteInput, currency: string): Promise<Map<string, QuotedProduct>> {
    const ids = [...new Set((input.lines ?? []).map((l) => l.productId.trim()).filter(Boolean))];
    const found = ids.length ? await this.p.products.getMany(ids) : [];
    return new Map(
      found.map((p) => [
        p._id,
        {
          id: p._id,
          code: p.code,
          name: p.name,
          unit: p.unit,
          active: p.active,
          listPriceMinor: listPriceIn(p, currency),
        },
      ]),
    );
  }
}
