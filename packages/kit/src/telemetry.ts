import { NodeSDK } from '@opentelemetry/sdk-node';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';

/**
 * Starts OpenTelemetry before anything else is loaded, so http, express, grpc and mongodb are patched.
 * Spans are always created (trace ids reach logs and are propagated); they are exported over OTLP only
 * when OTEL_EXPORTER_OTLP_ENDPOINT is set.
 */
export function startTelemetry(serviceName: string): { shutdown: () => Promise<void> } {
  process.env.OTEL_SERVICE_NAME ??= serviceName;
  // Without a collector the default metrics exporter makes shutdown wait for seconds.
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  process.env.OTEL_NODE_RESOURCE_DETECTORS ??= 'env,host,os,process';
  if (!process.env.OTEL_EXPORTER_OTLP_ENDPOINT) process.env.OTEL_TRACES_EXPORTER ??= 'none';
  const sdk = new NodeSDK({
    instrumentations: [
      new HttpInstrumentation(),
      // No span per Express layer (a dozen per gateway request, a tenth of its CPU): the request's
      // http span still gets the matched route as its name, and gRPC calls are its children.
      new ExpressInstrumentation({ ignoreLayersType: Object.values(ExpressLayerType) }),
      new GrpcInstrumentation(),
      new MongoDBInstrumentation(),
    ],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
