import { isDuplicateKey, type OutboxEntry, writesTo } from '@crm/kit';
import type { Connection } from 'mongoose';
import type { SegmentStore } from '../application/ports';
import type { PublishedSegment, SegmentChange } from '../domain/account-segments';
import { segmentModel } from './facts.model';

/** The published segments: one small document per account scored, its events in its outbox. */
export class MongoSegmentStore implements SegmentStore {
  constructor(
    private readonly db: Connection,
    /** Tells the outbox relay a document has events to send. */
    private readonly written: (id: string) => void,
  ) {}

  async published(): Promise<PublishedSegment[]> {
    const docs = await segmentModel(this.db).find({}, { segment: 1, version: 1 }).lean();
    return docs.map((d) => ({ accountId: d._id, segment: d.segment, version: d.version }));
  }

  async publish(change: SegmentChange, event: (version: number) => OutboxEntry): Promise<boolean> {
    const Segment = segmentModel(this.db);
    const version = change.version + 1;
    const fields = {
      segment: change.segment,
      recencyScore: change.recencyScore,
      frequencyScore: change.frequencyScore,
      monetaryScore: change.monetaryScore,
      version,
      updatedAt: new Date(),
    };
    let done: boolean;
    if (change.version === 0) {
      done = await Segment.create({ _id: change.accountId, ...fields, outbox: [event(version)] }).then(
        () => true,
        (err: unknown) => {
          if (isDuplicateKey(err)) return false;
          throw err;
        },
      );
    } else {
      done = await writesTo(Segment).updateAtVersion(change.accountId, change.version, {
        $set: fields,
        $push: { outbox: event(version) },
      });
    }
    if (done) this.written(change.accountId);
    return done;
  }
}
