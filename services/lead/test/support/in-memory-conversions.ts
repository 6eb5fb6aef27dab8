import type { Actor } from '@crm/kit';
import type { SagaState } from '@crm/saga';
import type { ConversionRepository } from '../../src/application/ports';
import type { ConversionData } from '../../src/domain/convert-lead';
import type { ConversionSagaDoc, LeadDoc, OpenConversionDoc } from '../../src/store/lead.model';
import type { InMemoryLeadRepository } from './in-memory-leads';

/** The saga's journal and lease kept in the in-memory leads, like the store keeps them in the lead. */
export class InMemoryConversionRepository implements ConversionRepository {
  readonly open = new Map<string, OpenConversionDoc>();

  constructor(private readonly leads: InMemoryLeadRepository) {}

  async noteOpen(leadId: string, key: string, since: Date): Promise<void> {
    this.open.set(leadId, { _id: leadId, key, since });
  }

  async openConversions(limit: number): Promise<OpenConversionDoc[]> {
    return [...this.open.values()].sort((a, b) => +a.since - +b.since).slice(0, limit);
  }

  async closeOpen(leadId: string): Promise<void> {
    this.open.delete(leadId);
  }

  async start(lead: LeadDoc, saga: ConversionSagaDoc, actor: Actor): Promise<void> {
    await this.leads.save(lead, { conversionSaga: structuredClone(saga) }, actor, () => []);
  }

  async takeOver(leadId: string, key: string, expiredLease: Date, leaseUntil: Date): Promise<boolean> {
    const saga = this.sagaOf(leadId, key);
    if (!saga || +saga.leaseUntil !== +expiredLease) return false;
    saga.leaseUntil = leaseUntil;
    return true;
  }

  async journal(leadId: string, state: SagaState<ConversionData>, leaseUntil: Date): Promise<void> {
    const saga = this.sagaOf(leadId, state.key);
    if (saga) Object.assign(saga, { state: structuredClone(state), leaseUntil });
  }

  async endLease(leadId: string, key: string): Promise<void> {
    const saga = this.sagaOf(leadId, key);
    if (saga) saga.leaseUntil = new Date(0);
  }

  private sagaOf(leadId: string, key: string): ConversionSagaDoc | undefined {
    const saga = this.leads.docs.get(leadId)?.conversionSaga;
    return saga?.state.key === key ? saga : undefined;
  }
}
