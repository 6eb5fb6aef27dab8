import './telemetry';
import { consumeEvents, runService, startAll } from '@crm/kit';
import { analytics as pb, descriptorSet } from '@crm/proto';
import { Figures } from './application/figures';
import { OneAtATime } from './application/one-at-a-time';
import { Projections } from './application/projections';
import { Rebuild } from './application/rebuild';
import { ANALYTICS_STREAMS, eventApplier } from './events/stream-events.consumer';
import { natsStreamReader } from './events/stream-reader';
import { analyticsGrpc } from './grpc/analytics.grpc';
import { MongoFactStore, MongoGenerations, MongoRebuildLog } from './store/facts.repository';

void runService({
  name: 'analytics',
  grpcPort: 50056,
  dbName: 'crm_analytics',
  descriptorSet: descriptorSet(),
  // Reads the other services' streams; publishes nothing of its own.
  streams: [],
  async setup({ db, grpc, logger, nats }) {
    const store = new MongoFactStore(db);
    const generations = new MongoGenerations(db);
    const apply = eventApplier(new Projections(store));
    const liveTurn = new OneAtATime();
    const streams = natsStreamReader(
      nats,
      ANALYTICS_STREAMS.map((s) => s.stream),
    );
    const rebuild = new Rebuild(generations, store, streams, apply, liveTurn, new MongoRebuildLog(db));
    grpc.server.add(pb.AnalyticsServiceDefinition, analyticsGrpc(new Figures(generations, store), rebuild));
    return {
      services: [pb.AnalyticsServiceDefinition.fullName],
      outboxModels: [],
      consumers: (nc) =>
        startAll(
          ANALYTICS_STREAMS.map(
            (s) => () =>
              consumeEvents(nc, db, logger, {
                ...s,
                handle: (env) => liveTurn.run(async () => apply(await generations.current(), env)),
              }),
          ),
        ),
    };
  },
});
