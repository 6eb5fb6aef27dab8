import type { RfmRow } from './account-rfm';

/**
 * The RFM segment analytics publishes per account (AccountSegmentChanged), so the account service's
 * tier rules can use it. Scores are relative (quintiles), so one account's win can move others: the
 * scoring runs over every account periodically and publishes only the segments that changed.
 */
export interface PublishedSegment {
  accountId: string;
  /** '' while the account is not scored (no deal won). */
  segment: string;
  /** Times the account's segment was published; the next change is version + 1. */
  version: number;
}

export interface SegmentChange {
  accountId: string;
  previousSegment: string;
  segment: string;
  recencyScore: number;
  frequencyScore: number;
  monetaryScore: number;
  /** The published version this change replaces (0: never published). */
  version: number;
}

/**
 * What a scoring publishes: each account whose segment is not the one last published, and each
 * account published with a segment that the scoring no longer finds (its won deals were reopened or
 * discarded), which goes back to no segment. Sorted by account id, so a run is repeatable.
 */
export function segmentChanges(published: PublishedSegment[], rows: RfmRow[]): SegmentChange[] {
  const before = new Map(published.map((p) => [p.accountId, p]));
  const changes: SegmentChange[] = [];
  const scored = new Set<string>();
  for (const r of rows) {
    scored.add(r.accountId);
    const p = before.get(r.accountId);
    if (p?.segment === r.segment) continue;
    changes.push({
      accountId: r.accountId,
      previousSegment: p?.segment ?? '',
      segment: r.segment,
      recencyScore: r.recencyScore,
      frequencyScore: r.frequencyScore,
      monetaryScore: r.monetaryScore,
      version: p?.version ?? 0,
    });
  }
  for (const p of published) {
    if (scored.has(p.accountId) || !p.segment) continue;
    changes.push({
      accountId: p.accountId,
      previousSegment: p.segment,
      segment: '',
      recencyScore: 0,
      frequencyScore: 0,
      monetaryScore: 0,
      version: p.version,
    });
  }
  return changes.sort((a, b) => a.accountId.localeCompare(b.accountId));
}
