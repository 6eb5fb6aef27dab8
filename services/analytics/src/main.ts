import './telemetry';
import { consumeEvents, runService, serviceActor, startAll } from '@crm/kit';
import { analytics as pb, descriptorSet } from '@crm/proto';
import { z } from 'zod';
import { AccountSegments } from './application/account-segments';
import { ExchangeRateSettings } from './application/exchange-rate-settings';
import { Figures } from './application/figures';
import { LiveGate } from './application/live-gate';
import { Projections } from './application/projections';
import { Rebuild } from './application/rebuild';
import { ANALYTICS_STREAMS, eventApplier } from './events/stream-events.consumer';
import { natsStreamReader } from './events/stream-reader';
import { analyticsGrpc } from './grpc/analytics.grpc';
import { segmentModel } from './store/facts.model';
import { MongoFactStore, MongoGenerations, MongoRatesStore, MongoRebuildLog } from './store/facts.repository';
import { MongoSegmentStore } from './store/segment.repository';

void runService({
  name: 'analytics',
  grpcPort: 50056,
  dbName: 'crm_analytics',
  descriptorSet: descriptorSet(),
  env: {
    /** Events applied at once per stream (each record's events still in order). */
    ANALYTICS_CONCURRENCY: z.coerce.number().int().min(1).max(50).default(8),
    /** How often every account's RFM segment is scored and the changed ones published. */
    RFM_SCORING_EVERY_MS: z.coerce
      .number()
      .int()
      .positive()
      .default(15 * 60_000),
  },
  // Reads the other services' streams; publishes only the account segments it concludes.
  streams: [{ name: 'CRM_ANALYTICS', subjects: ['crm.analytics.>'] }],
  async setup({ db, grpc, logger, nats, config, written }) {
    const store = new MongoFactStore(db);
    const generations = new MongoGenerations(db);
    const apply = eventApplier(new Projections(store));
    const gate = new LiveGate();
    const streams = natsStreamReader(
      nats,
      ANALYTICS_STREAMS.map((s) => s.stream),
    );
    const rebuild = new Rebuild(generations, store, streams, apply, gate, new MongoRebuildLog(db));
    const rates = new MongoRatesStore(db);
    const figures = new Figures(generations, store, rates);
    grpc.server.add(
      pb.AnalyticsServiceDefinition,
      analyticsGrpc(figures, rebuild, new ExchangeRateSettings(rates)),
    );
    const Segment = segmentModel(db);
    const segments = new AccountSegments(
      figures,
      new MongoSegmentStore(db, (id) => written(Segment, id)),
      serviceActor,
    );
    return {
      services: [pb.AnalyticsServiceDefinition.fullName],
      outboxModels: [Segment],
      schedules: [
        {
          name: 'rfm-segments',
          everyMs: config.RFM_SCORING_EVERY_MS,
          run: async () => {
            const published = await segments.score();
            if (published) logger.info({ published }, 'account segments published');
          },
        },
      ],
      consumers: (nc) =>
        startAll(
          ANALYTICS_STREAMS.map(
            (s) => () =>
              consumeEvents(nc, db, logger, {
                ...s,
                // Events of different records apply side by side (each record's in order): one at a time,
                // the consumer fell behind a few lead creations a second (about five reads and writes each).
                concurrency: config.ANALYTICS_CONCURRENCY,
                // Every projection skips an event not newer than the fact it keeps (as a rebuild relies on).
                idempotentByVersion: true,
                handle: (env) => gate.live(async () => apply(await generations.current(), env)),
              }),
          ),
        ),
    };
  },
});
