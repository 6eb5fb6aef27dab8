import { NodeSDK } from '@opentelemetry/sdk-node';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';

/**
 * A database span's statement: the command's shape with every value as `?` (what the instrumentation
 * writes by default), except that bytes (an outbox entry's event) are one `?`. The default ran
 * JSON.stringify with a replacer, which turns every Buffer into an array of its bytes first: 4% of
 * the lead service's CPU went there.
 */
export function statementShape(command: unknown): string {
  const seen = new WeakSet<object>();
  const shape = (value: unknown): string => {
    // Scalars, dates, ids and bytes (whatever JSON would write through a toJSON) are one value.
    if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return '"?"';
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return '"?"';
    if (seen.has(value)) return '"[Circular]"';
    seen.add(value);
    if (Array.isArray(value)) return `[${value.map(shape).join(',')}]`;
    const fields = Object.keys(value).map(
      (k) => `${JSON.stringify(k)}:${shape((value as Record<string, unknown>)[k])}`,
    );
    return `{${fields.join(',')}}`;
  };
  return shape(command);
}

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
      new MongoDBInstrumentation({ dbStatementSerializer: statementShape }),
    ],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
