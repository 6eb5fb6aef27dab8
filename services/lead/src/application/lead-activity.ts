import type { LeadRepository } from './ports';

/** What the account service's events change on leads. Each is idempotent: a redelivery changes nothing twice. */
export class LeadActivity {
  constructor(private readonly leads: LeadRepository) {}

  /** Activity on a lead (a call, a visit, a completed task) keeps it out of the pool's inactivity rule. */
  async logged(related: { type: string; id: string } | undefined, at: Date, now = new Date()): Promise<void> {
    if (related?.type !== 'lead' || !related.id) return;
    // Never past now: an activity dated ahead (the account service bounds it, older events did not) must
    // not keep the lead out of the pool's inactivity rule.
    const until = at.getTime() > now.getTime() ? now : at;
    // Only ever forward: an older activity arriving late does not make the lead look idle.
    await this.leads.touchActivity(related.id, until);
  }

  /** A converted lead keeps pointing at the account that survived a merge. */
  async accountsMerged(mergedId: string, survivorId: string): Promise<number> {
    if (!mergedId || !survivorId || mergedId === survivorId) return 0;
    return this.leads.repointConversions(mergedId, survivorId);
  }
}
