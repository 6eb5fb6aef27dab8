import { isSpanContextValid, trace } from '@opentelemetry/api';
import pino, { type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs; every line carries the active trace and span ids so logs join traces. */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin() {
      const span = trace.getActiveSpan();
      const ctx = span?.spanContext();
      if (!ctx || !isSpanContextValid(ctx)) return {};
      const { traceId, spanId } = ctx;
      return { traceId, spanId };
    },
  });
}
