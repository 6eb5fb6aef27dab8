import type { Actor } from '@crm/kit/domain';
import { segmentChanges } from '../domain/account-segments';
import { segmentChanged } from '../events/account-segment-events';
import type { Figures } from './figures';
import type { SegmentStore } from './ports';

/**
 * Publishes each account's RFM segment for the account service's tier rules: a scoring of every
 * account (run by a durable schedule) and an AccountSegmentChanged per account whose segment moved.
 * Works from current state, so a missed run is made up by the next one.
 */
export class AccountSegments {
  constructor(
    private readonly figures: Figures,
    private readonly store: SegmentStore,
    /** Who the changes are recorded as: the analytics service's own identity. */
    private readonly actor: () => Promise<Actor>,
  ) {}

  /** One scoring; returns how many segments it published. */
  async score(): Promise<number> {
    const rfm = await this.figures.everyAccountRfm();
    const changes = segmentChanges(await this.store.published(), rfm.rows);
    if (!changes.length) return 0;
    const actor = await this.actor();
    const requestId = `rfm-segments/${rfm.asOf}`;
    let published = 0;
    for (const c of changes) {
      const done = await this.store.publish(c, (version) =>
        segmentChanged(c, rfm.asOf, version, actor, requestId),
      );
      if (done) published += 1;
    }
    return published;
  }
}
