import './telemetry';
import { consumeEvents, runService, startAll } from '@crm/kit';
import { analytics as pb, descriptorSet } from '@crm/proto';
import { z } from 'zod';
import { ExchangeRateSettings } from './application/exchange-rate-settings';
import { Figures } from './application/figures';
import { LiveGate } from './application/live-gate';
import { Projections } from './application/projections';
import { Rebuild } from './application/rebuild';
import { ANALYTICS_STREAMS, eventApplier } from './events/stream-events.consumer';
import { natsStreamReader } from './events/stream-reader';
import { analyticsGrpc } from './grpc/analytics.grpc';
import { MongoFactStore, MongoGenerations, MongoRatesStore, MongoRebuildLog } from './store/facts.repository';

void runService({
  name: 'analytics',
  grpcPort: 50056,
  dbName: 'crm_analytics',
  descriptorSet: descriptorSet(),
  env: {
    /** Events applied at once per stream (each record's events still in order). */
    ANALYTICS_CONCURRENCY: z.coerce.number().int().min(1).max(50).default(8),
  },
  // Reads the other services' streams; publishes nothing of its own.
  streams: [],
  async setup({ db, grpc, logger, nats, config }) {
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
    grpc.server.add(
      pb.AnalyticsServiceDefinition,
      analyticsGrpc(new Figures(generations, store, rates), rebuild, new ExchangeRateSettings(rates)),
    );
    return {
      services: [pb.AnalyticsServiceDefinition.fullName],
      outboxModels: [],
      consumers: (nc) =>
        startAll(
          ANALYTICS_STREAMS.map(
            (s) => () =>
              consumeEvents(nc, db, logger, {
                ...s,
                // Events of different records apply side by side (each record's in order): one at a time,
                // the consumer fell behind a few lead creations a second (about five reads and writes each).
                concurrency: config.ANALYTICS_CONCURRENCY,
                handle: (env) => gate.live(async () => apply(await generations.current(), env)),
              }),
          ),
        ),
    };
  },
});
