import { type EventEnvelope, fromItsProducer } from '@crm/kit';
import { event as eventProto } from '@crm/proto';
import type { NatsConnection } from 'nats';
import type { StreamReader } from '../application/ports';

/**
 * Reads a stream message by message (JetStream "get message" by sequence): a read-only request the
 * analytics NATS user is allowed, with no consumer to create or delete for a rebuild. Messages removed
 * from the stream are skipped; one that claims another producer than its subject is skipped as the
 * live consumer refuses it.
 */
export function natsStreamReader(nats: () => NatsConnection, streams: string[]): StreamReader<EventEnvelope> {
  const manager = () => nats().jetstreamManager();
  return {
    streams,
    async lastSeq(stream) {
      return (await (await manager()).streams.info(stream)).state.last_seq;
    },
    async *read(stream, fromSeq, toSeq) {
      const jsm = await manager();
      const first = (await jsm.streams.info(stream)).state.first_seq;
      for (let seq = Math.max(fromSeq, first); seq <= toSeq; seq += 1) {
        let message;
        try {
          message = await jsm.streams.getMessage(stream, { seq });
        } catch (err) {
          if (/no message found/i.test((err as Error).message)) continue;
          throw err;
        }
        const event = eventProto.EventEnvelope.decode(message.data);
        if (fromItsProducer(message.subject, event)) yield { seq, event };
      }
    },
  };
}
