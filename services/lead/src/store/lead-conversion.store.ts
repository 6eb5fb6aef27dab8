import {
  ConflictError,
  isTransientGrpcError,
  type Logger,
  claimKey,
  releaseKey,
  UnavailableError,
  updateAtVersion,
  updateExclusively,
  VersionMismatchError,
} from '@crm/kit';
import { ClientError, ServerError } from 'nice-grpc';
import { SagaCompensated, SagaSuspended, type SagaState } from '@crm/saga';
import {
  type AccountPort,
  checkConvertible,
  type ConversionContext,
  type ConversionData,
  conversionSaga,
  type LeadSnapshot,
} from '../domain/convert-lead';
import { LeadEvents } from '../events/lead-events';
import type { ConversionSagaDoc, LeadDoc, LeadModels } from './lead.model';
import type { Caller, LeadStore } from './lead.store';

/** How long one run may hold a conversion before another runner (a retry, the recovery job) may take over. */
const LEASE_MS = 30_000;
const ACTIVE = ['running', 'compensating'];

export const isConverting = (lead: LeadDoc) => ACTIVE.includes(lead.conversionSaga?.state.status ?? '');

export interface ConversionResult {
  lead: LeadDoc;
  accountId: string;
  contactId: string;
  opportunityId: string;
  accountCreated: boolean;
}

/**
 * Runs lead conversions: the saga's journal and its lease live in the lead document, so a retry with
 * the same key, or the recovery job after a crash, continues where the last run stopped.
 */
export class LeadConversions {
  private readonly saga;

  constructor(
    private readonly m: LeadModels,
    private readonly leads: LeadStore,
    accounts: AccountPort,
    private readonly onWrite: (leadId: string) => void,
    private readonly logger: Logger,
  ) {
    this.saga = conversionSaga(
      accounts,
      { markConverted: (ctx, data) => this.markConverted(ctx, data) },
      isTransientGrpcError,
    );
  }

  async convert(
    id: string,
    idempotencyKey: string,
    requestedAccountId: string,
    expectedVersion: number,
    c: Caller,
  ): Promise<ConversionResult> {
    const lead = await this.leads.get(id, c);
    const key = idempotencyKey || id;
    const saga = lead.conversionSaga;
    if (lead.status === 'converted') {
      if (!saga || saga.state.key === key) return result(lead);
      const cv = lead.conversion!;
      throw new ConflictError(
        `the lead was already converted (account ${cv.accountId}, contact ${cv.contactId}) with another idempotency key`,
      );
    }
    if (saga && ACTIVE.includes(saga.state.status)) {
      if (saga.state.key !== key)
        throw new ConflictError('a conversion of this lead with another idempotency key is in progress');
      return this.resume(lead._id, key);
    }
    checkConvertible(lead.status);
    if (expectedVersion && expectedVersion !== lead.version)
      throw new VersionMismatchError(expectedVersion, lead.version);

    const doc: ConversionSagaDoc = {
      state: this.saga.begin(key, { requestedAccountId }),
      actor: c.actor,
      requestId: c.requestId,
      lead: snapshot(lead),
      leaseUntil: new Date(Date.now() + LEASE_MS),
    };
    // Listed first, so a crash right after the start below still leaves the recovery job a trace.
    await this.m.OpenConversion.updateOne(
      { _id: lead._id },
      { $set: { key, since: new Date() } },
      { upsert: true },
    );
    // Starting is a change of the lead (it is read-only from now on): compare-and-set on its version.
    const started = await updateAtVersion(this.m.Lead, lead._id, lead.version, {
      $set: { conversionSaga: doc, updatedAt: new Date(), updatedBy: c.actor.userId },
      $inc: { version: 1 },
    });
    if (!started) return this.convert(id, idempotencyKey, requestedAccountId, 0, c);
    return this.runHeld(lead._id, doc);
  }

  /** Resumes conversions whose runner went away (crash, restart, service outage); run by a schedule. */
  async resumeStalled(now = new Date()): Promise<number> {
    const open = await this.m.OpenConversion.find({}).sort({ since: 1 }).limit(50).lean();
    let resumed = 0;
    for (const o of open) {
      const l = await this.m.Lead.findById(o._id, { conversionSaga: 1 }).lean<LeadDoc>();
      if (!l || !isConverting(l)) {
        // Not converting (any more): drop the entry, unless it may belong to a start in progress.
        if (now.getTime() - new Date(o.since).getTime() > LEASE_MS)
          await this.m.OpenConversion.deleteOne({ _id: o._id });
        continue;
      }
      if (new Date(l.conversionSaga!.leaseUntil) >= now) continue; // its runner is still at it
      try {
        await this.resume(l._id, l.conversionSaga!.state.key);
        resumed++;
      } catch (err) {
        this.logger.info({ leadId: l._id, err: (err as Error).message }, 'conversion not finished yet');
      }
    }
    return resumed;
  }

  private async resume(leadId: string, key: string): Promise<ConversionResult> {
    const now = new Date();
    const lead = await this.m.Lead.findById(leadId, { conversionSaga: 1 }).lean<LeadDoc>();
    const saga = lead?.conversionSaga;
    if (!saga || saga.state.key !== key || saga.leaseUntil >= now) return this.awaitOtherRunner(leadId, key);
    // One runner per expired lease: the claim names the lease it takes over (see version-claim.ts).
    const claim = `leads/${leadId}/conversion@${new Date(saga.leaseUntil).getTime()}`;
    if (!(await claimKey(this.m.Lead.db, claim))) return this.awaitOtherRunner(leadId, key);
    try {
      const fresh = await this.m.Lead.findById(leadId, { conversionSaga: 1 }).lean<LeadDoc>();
      if (fresh?.conversionSaga?.leaseUntil?.getTime() !== new Date(saga.leaseUntil).getTime())
        return this.awaitOtherRunner(leadId, key); // someone took this lease over just before us
      await updateExclusively(
        this.m.Lead,
        leadId,
        { $set: { 'conversionSaga.leaseUntil': new Date(now.getTime() + LEASE_MS) } },
        { 'conversionSaga.state.key': key },
      );
    } finally {
      await releaseKey(this.m.Lead.db, claim);
    }
    return this.runHeld(leadId, saga);
  }

  /** Another request holds the conversion: wait briefly for its outcome instead of failing at once. */
  private async awaitOtherRunner(leadId: string, key: string): Promise<ConversionResult> {
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 250));
      const lead = await this.m.Lead.findById(leadId, { outbox: 0 }).lean<LeadDoc>();
      if (lead?.status === 'converted' && lead.conversionSaga?.state.key === key) return result(lead);
      if (!lead || !isConverting(lead)) break;
    }
    throw new ConflictError(
      'the conversion is in progress in another request; retry with the same key shortly',
    );
  }

  private async runHeld(leadId: string, doc: ConversionSagaDoc): Promise<ConversionResult> {
    const ctx: ConversionContext = { lead: doc.lead, actor: doc.actor, requestId: doc.requestId };
    const journal = async (state: SagaState<ConversionData>) => {
      await updateExclusively(
        this.m.Lead,
        leadId,
        {
          $set: {
            'conversionSaga.state': state,
            'conversionSaga.leaseUntil': new Date(Date.now() + LEASE_MS),
          },
        },
        { 'conversionSaga.state.key': state.key },
      );
    };
    try {
      await this.saga.run(ctx, doc.state, journal);
    } catch (err) {
      if (!(err instanceof SagaSuspended)) await this.closeOpen(leadId);
      if (err instanceof SagaSuspended)
        throw new UnavailableError(
          `the conversion is waiting for the account service (${(err.reason as Error)?.message ?? err.reason}); ` +
            'it resumes by itself, or retry with the same Idempotency-Key',
        );
      if (err instanceof SagaCompensated)
        throw new ConflictError(`the conversion was undone: ${err.message}`);
      // The account service's answer (e.g. NOT_FOUND for a named account) goes back to the caller as is.
      if (err instanceof ClientError) throw new ServerError(err.code, err.details);
      throw err;
    } finally {
      await updateExclusively(
        this.m.Lead,
        leadId,
        { $set: { 'conversionSaga.leaseUntil': new Date(0) } },
        { 'conversionSaga.state.key': doc.state.key },
      ).catch(() => undefined);
    }
    await this.closeOpen(leadId);
    const lead = await this.m.Lead.findById(leadId, { outbox: 0 }).lean<LeadDoc>();
    return result(lead!);
  }

  /** The conversion ended (done or undone): the recovery job need not look at this lead again. */
  private async closeOpen(leadId: string): Promise<void> {
    await this.m.OpenConversion.deleteOne({ _id: leadId }).catch(() => undefined);
  }

  /** The pivot step: status, what the lead became and the LeadConverted event in one write. */
  private async markConverted(ctx: ConversionContext, data: ConversionData): Promise<void> {
    const cur = await this.m.Lead.findById(ctx.lead._id, { outbox: 0 }).lean<LeadDoc>();
    if (!cur) throw new ConflictError('the lead no longer exists');
    if (cur.status === 'converted') return; // a re-run after the write but before the journal
    checkConvertible(cur.status);
    const now = new Date();
    const next: LeadDoc = {
      ...cur,
      status: 'converted',
      version: cur.version + 1,
      updatedAt: now,
      updatedBy: ctx.actor.userId,
      conversion: {
        accountId: data.accountId!,
        contactId: data.contactId!,
        opportunityId: data.opportunityId ?? '',
        accountCreated: data.accountCreated ?? false,
        convertedAt: now,
        convertedBy: ctx.actor.userId,
      },
    };
    const events = [
      LeadEvents.statusChanged(next, cur.status, 'converted', ctx.actor, ctx.requestId),
      LeadEvents.converted(next, ctx.actor, ctx.requestId),
    ];
    const saved = await updateAtVersion(this.m.Lead, cur._id, cur.version, {
      $set: {
        status: next.status,
        version: next.version,
        updatedAt: now,
        updatedBy: next.updatedBy,
        conversion: next.conversion,
      },
      $push: { outbox: { $each: events } },
    });
    // Not a domain error: the saga treats it as passing and the next run re-reads the lead.
    if (!saved) throw new Error('the lead changed while it was being converted');
    this.onWrite(cur._id);
  }
}

function snapshot(l: LeadDoc): LeadSnapshot {
  return {
    _id: l._id,
    firstName: l.firstName,
    lastName: l.lastName,
    email: l.email,
    phone: l.phone,
    company: l.company,
    title: l.title,
    contactLevel: l.contactLevel,
    region: l.region,
    industry: l.industry,
    source: l.source,
    companySize: l.companySize,
    attributes: {},
    ownerId: l.ownerId ?? '',
    teamId: l.teamId ?? '',
  };
}

function result(lead: LeadDoc): ConversionResult {
  const c = lead.conversion!;
  return {
    lead,
    accountId: c.accountId,
    contactId: c.contactId,
    opportunityId: c.opportunityId,
    accountCreated: c.accountCreated,
  };
}
