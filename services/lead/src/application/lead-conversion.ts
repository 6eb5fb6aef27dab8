import {
  type Actor,
  ConflictError,
  isTransientGrpcError,
  type Logger,
  UnavailableError,
  VersionMismatchError,
  checkVersion,
  withoutToken,
} from '@crm/kit';
import { SagaCompensated, SagaSuspended, type SagaState } from '@crm/saga';
import {
  checkConvertible,
  type ConversionContext,
  type ConversionData,
  conversionSaga,
  type LeadSnapshot,
  type OpportunityPort,
  opportunityStep,
  type RequestedOpportunity,
} from '../domain/convert-lead';
import { LeadEvents } from '../events/lead-events';
import type { ConversionSagaDoc, LeadDoc } from '../store/lead.model';
import { isConverting, type Leads } from './leads';
import type { AccountPort, Caller, ConversionRepository, LeadRepository } from './ports';

/** How long one run may hold a conversion before another runner (a retry, the recovery job) may take over. */
const LEASE_MS = 30_000;
/** How long a request waits for another request's run of the same conversion. */
const AWAIT_OTHER_RUNNER = { polls: 20, everyMs: 250 };

export interface ConversionResult {
  lead: LeadDoc;
  accountId: string;
  contactId: string;
  opportunityId: string;
  accountCreated: boolean;
}

export interface LeadConversionsDeps {
  leads: Leads;
  repository: LeadRepository;
  conversions: ConversionRepository;
  accounts: AccountPort;
  /** The opportunity service, for conversions that open a deal; without it none may ask for one. */
  opportunities?: OpportunityPort;
  written: (leadId: string) => void;
  logger: Logger;
  /** How long to pause between looks at another runner's progress (tests pass 0). */
  pause?: (ms: number) => Promise<void>;
}

const leaseFrom = (now: number) => new Date(now + LEASE_MS);

/**
 * Runs lead conversions: the saga's journal and its lease live in the lead document, so a retry with
 * the same key, or the recovery job after a crash, continues where the last run stopped.
 */
export class LeadConversions {
  private readonly saga;
  private readonly pause: (ms: number) => Promise<void>;

  constructor(private readonly d: LeadConversionsDeps) {
    this.saga = conversionSaga(
      d.accounts,
      { markConverted: (ctx, data) => this.markConverted(ctx, data) },
      isTransientGrpcError,
      d.opportunities ? [opportunityStep(d.opportunities)] : [],
    );
    this.pause = d.pause ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  async convert(
    id: string,
    idempotencyKey: string,
    requestedAccountId: string,
    expectedVersion: number,
    c: Caller,
    requestedOpportunity?: RequestedOpportunity,
  ): Promise<ConversionResult> {
    if (requestedOpportunity && !this.d.opportunities)
      throw new UnavailableError('the opportunity service is not configured; convert without an opportunity');
    const lead = await this.d.leads.get(id, c);
    const key = idempotencyKey || id;
    const saga = lead.conversionSaga;
    if (lead.status === 'converted') {
      if (!saga || saga.state.key === key) return result(lead);
      const cv = lead.conversion!;
      throw new ConflictError(
        `the lead was already converted (account ${cv.accountId}, contact ${cv.contactId}) with another idempotency key`,
      );
    }
    if (saga && isConverting(lead)) {
      if (saga.state.key !== key)
        throw new ConflictError('a conversion of this lead with another idempotency key is in progress');
      return this.resume(lead._id, key, c.actor);
    }
    checkConvertible(lead.status);
    checkVersion(expectedVersion, lead.version);
    const doc: ConversionSagaDoc = {
      state: this.saga.begin(key, { requestedAccountId, requestedOpportunity }),
      // Stored: the token stays out; a resumed run calls the account service with the service's own.
      actor: withoutToken(c.actor),
      requestId: c.requestId,
      lead: snapshot(lead),
      leaseUntil: leaseFrom(Date.now()),
    };
    // Noted first, so a crash right after the start below still leaves the recovery job a trace.
    await this.d.conversions.noteOpen(lead._id, key, new Date());
    try {
      // Starting is a change of the lead (it is read-only from now on): compare-and-set on its version.
      await this.d.conversions.start(lead, doc, c.actor);
    } catch (err) {
      if (!(err instanceof VersionMismatchError)) throw err;
      return this.convert(id, idempotencyKey, requestedAccountId, 0, c, requestedOpportunity);
    }
    return this.runHeld(lead._id, doc, c.actor);
  }

  /** Resumes conversions whose runner went away (crash, restart, service outage); run by a schedule. */
  async resumeStalled(now = new Date()): Promise<number> {
    let resumed = 0;
    for (const o of await this.d.conversions.openConversions(50)) {
      const lead = await this.d.repository.get(o._id);
      if (!lead || !isConverting(lead)) {
        // Not converting (any more): drop the entry, unless it may belong to a start in progress.
        if (now.getTime() - new Date(o.since).getTime() > LEASE_MS) await this.d.conversions.closeOpen(o._id);
        continue;
      }
      if (new Date(lead.conversionSaga!.leaseUntil) >= now) continue; // its runner is still at it
      try {
        await this.resume(lead._id, lead.conversionSaga!.state.key);
        resumed++;
      } catch (err) {
        this.d.logger.info({ leadId: lead._id, err: (err as Error).message }, 'conversion not finished yet');
      }
    }
    return resumed;
  }

  /** caller: who asks now (with their token); none when the recovery schedule resumes it. */
  private async resume(leadId: string, key: string, caller?: Actor): Promise<ConversionResult> {
    const now = new Date();
    const saga = (await this.d.repository.get(leadId))?.conversionSaga;
    if (!saga || saga.state.key !== key || new Date(saga.leaseUntil) >= now)
      return this.awaitOtherRunner(leadId, key);
    // One runner per expired lease: only the first to take it over runs.
    const took = await this.d.conversions.takeOver(leadId, key, saga.leaseUntil, leaseFrom(now.getTime()));
    if (!took) return this.awaitOtherRunner(leadId, key);
    return this.runHeld(leadId, saga, caller);
  }

  /** Another request holds the conversion: wait briefly for its outcome instead of failing at once. */
  private async awaitOtherRunner(leadId: string, key: string): Promise<ConversionResult> {
    for (let i = 0; i < AWAIT_OTHER_RUNNER.polls; i++) {
      await this.pause(AWAIT_OTHER_RUNNER.everyMs);
      const lead = await this.d.repository.get(leadId);
      if (lead?.status === 'converted' && lead.conversionSaga?.state.key === key) return result(lead);
      if (!lead || !isConverting(lead)) break;
    }
    // The same key is the same conversion, still running (another request or the recovery job):
    // nothing conflicts, the answer is just not ready, so the client retries as it would after a 503.
    throw new UnavailableError(
      'the conversion is still running in another request; retry with the same Idempotency-Key shortly',
    );
  }

  private async runHeld(leadId: string, doc: ConversionSagaDoc, caller?: Actor): Promise<ConversionResult> {
    // A caller's calls carry their token (their access rules apply); without one, the service's.
    const ctx: ConversionContext = { lead: doc.lead, actor: caller ?? doc.actor, requestId: doc.requestId };
    const journal = (state: SagaState<ConversionData>) =>
      this.d.conversions.journal(leadId, state, leaseFrom(Date.now()));
    try {
      await this.saga.run(ctx, doc.state, journal);
    } catch (err) {
      if (err instanceof SagaSuspended)
        throw new UnavailableError(
          `the conversion is waiting for ${waitingFor(err.step)} (${(err.reason as Error)?.message ?? err.reason}); ` +
            'it resumes by itself, or retry with the same Idempotency-Key',
        );
      await this.d.conversions.closeOpen(leadId);
      if (err instanceof SagaCompensated)
        throw new ConflictError(`the conversion was undone: ${err.message}`);
      // Anything else (the account service's answer, e.g. not found for a named account) goes back as it is.
      throw err;
    } finally {
      await this.d.conversions.endLease(leadId, doc.state.key).catch(() => undefined);
    }
    await this.d.conversions.closeOpen(leadId);
    return result((await this.d.repository.get(leadId))!);
  }

  /** The pivot step: status, what the lead became and the LeadConverted event in one write. */
  private async markConverted(ctx: ConversionContext, data: ConversionData): Promise<void> {
    const cur = await this.d.repository.get(ctx.lead._id);
    if (!cur) throw new ConflictError('the lead no longer exists');
    if (cur.status === 'converted') return; // a re-run after the write but before the journal
    checkConvertible(cur.status);
    const now = new Date();
    const conversion = {
      accountId: data.accountId!,
      contactId: data.contactId!,
      opportunityId: data.opportunityId ?? '',
      accountCreated: data.accountCreated ?? false,
      convertedAt: now,
      convertedBy: ctx.actor.userId,
    };
    try {
      await this.d.repository.save(cur, { status: 'converted', conversion }, ctx.actor, (next) => [
        LeadEvents.statusChanged(next, cur.status, 'converted', ctx.actor, ctx.requestId),
        LeadEvents.converted(next, ctx.actor, ctx.requestId),
      ]);
    } catch (err) {
      // Not a domain error: the saga treats it as passing and the next run re-reads the lead.
      if (err instanceof VersionMismatchError)
        throw new Error('the lead changed while it was being converted');
      throw err;
    }
    this.d.written(cur._id);
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

/** What a suspended step waits for, in the words of the 503 the caller reads ("compensate x" too). */
function waitingFor(step: string): string {
  if (step.endsWith('opportunity')) return 'the opportunity service';
  if (step.endsWith('lead')) return "the lead service's database";
  return 'the account service';
}
