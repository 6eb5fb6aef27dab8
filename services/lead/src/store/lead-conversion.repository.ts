import { type Actor, isDuplicateKey, saveAtVersion, updateExclusively } from '@crm/kit';
import type { SagaState } from '@crm/saga';
import type { ConversionRepository } from '../application/ports';
import type { ConversionData } from '../domain/convert-lead';
import type { ConversionSagaDoc, LeadDoc, LeadModels, OpenConversionDoc } from './lead.model';

/** The conversion saga's journal and lease in the lead document, and the list of open conversions. */
export class MongoConversionRepository implements ConversionRepository {
  constructor(private readonly m: LeadModels) {}

  async noteOpen(leadId: string, key: string, since: Date): Promise<void> {
    const entry = { key, since };
    if (await updateExclusively(this.m.OpenConversion, leadId, { $set: entry })) return;
    await this.m.OpenConversion.create({ _id: leadId, ...entry }).catch((err: unknown) => {
      if (!isDuplicateKey(err)) throw err; // noted by a concurrent start of the same lead
    });
  }

  openConversions(limit: number): Promise<OpenConversionDoc[]> {
    return this.m.OpenConversion.find({}).sort({ since: 1 }).limit(limit).lean<OpenConversionDoc[]>();
  }

  async closeOpen(leadId: string): Promise<void> {
    await this.m.OpenConversion.deleteOne({ _id: leadId }).catch(() => undefined);
  }

  async start(lead: LeadDoc, saga: ConversionSagaDoc, actor: Actor): Promise<void> {
    await saveAtVersion<LeadDoc>(this.m.Lead, lead, { conversionSaga: saga }, actor, () => []);
  }

  takeOver(leadId: string, key: string, expiredLease: Date, leaseUntil: Date): Promise<boolean> {
    // In turn with the lead's other writers, so of two runners seeing the same expired lease one wins.
    return updateExclusively(
      this.m.Lead,
      leadId,
      { $set: { 'conversionSaga.leaseUntil': leaseUntil } },
      { 'conversionSaga.state.key': key, 'conversionSaga.leaseUntil': new Date(expiredLease) },
    );
  }

  async journal(leadId: string, state: SagaState<ConversionData>, leaseUntil: Date): Promise<void> {
    await updateExclusively(
      this.m.Lead,
      leadId,
      { $set: { 'conversionSaga.state': state, 'conversionSaga.leaseUntil': leaseUntil } },
      { 'conversionSaga.state.key': state.key },
    );
  }

  async endLease(leadId: string, key: string): Promise<void> {
    await updateExclusively(
      this.m.Lead,
      leadId,
      { $set: { 'conversionSaga.leaseUntil': new Date(0) } },
      { 'conversionSaga.state.key': key },
    );
  }
}
