import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import { rateLimit, ipKeyGenerator } from 'express-rate-limit';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';
import { authenticate, type TokenVerifier } from './auth';
import type { GatewayConfig } from './config';
import { IdempotencyStore } from './http/idempotency';
import { REDACT_PATHS, REDACTED, redactUrl } from './http/log-redaction';
import { HttpProblem, sendProblem } from './http/problem';
import { requestIdOf } from './http/request-id';
import { rpc } from './http/rpc';
import { operations } from './api/operations';
import { operationsRouter } from './api/router';
import { liveOpenApi } from './custom-fields/openapi';
import { publicConfirmationRouter } from './tickets/public-confirmation';
import type { UserDirectory } from './users/directory';
import type { Clients, RouteDeps } from './route-deps';
import { createMetrics } from './metrics';
import { buildOpenApiDocument } from './openapi';
import { consoleRouter } from './console/console-static';

export interface AppDeps {
  config: GatewayConfig;
  logger: Logger;
  clients: Clients;
  users: UserDirectory;
  /** Verifies a raw bearer token; injectable so tests need no Keycloak. */
  verifyToken: TokenVerifier;
  audience: string;
  /** Per backend service: true when it reports SERVING (used by /readyz). */
  readiness: Record<string, () => Promise<boolean>>;
  /** Idempotency-Key answers; shared by all replicas in production (in this process's memory if unset). */
  idempotency?: IdempotencyStore;
}

function swaggerUiDir(): string {
  // swagger-ui-dist exposes absolutePath(); resolve via require to stay CommonJS-friendly.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('swagger-ui-dist') as { absolutePath(): string }).absolutePath();
}

const DOCS_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>CRM API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script></body></html>`;
// Served as a file (not inline) so helmet's default CSP (script-src 'self') needs no relaxation.
const DOCS_INIT = `window.ui = SwaggerUIBundle({ url: '/api/v1/openapi.json', dom_id: '#swagger-ui' });`;

/** A second app that serves only the main app's /metrics, for a port the ingress does not route. */
export function metricsApp(main: Express): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', main.locals.serveMetrics as RequestHandler);
  return app;
}

export function buildApp(deps: AppDeps): Express {
  const { config, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  // ETags are set explicitly from resource versions; no automatic body-hash ETags (or 304s) elsewhere.
  app.set('etag', false);
  app.set('trust proxy', config.trustProxyHops ? config.trustProxyHops : false);
  app.set('query parser', 'simple');

  const metrics = createMetrics();
  // Built on request (cached a few seconds): entity descriptions list the current custom fields.
  const openapi = liveOpenApi({
    base: buildOpenApiDocument(),
    clients: deps.clients.customFields ?? {},
    logger,
    deadlineMs: Math.min(config.grpcDeadlineMs, 1000),
  });

  app.use((req, res, next) => {
    const id = requestIdOf(req);
    (req as { id?: unknown }).id = id;
    res.setHeader('X-Request-Id', id);
    next();
  });
  app.use(
    pinoHttp({
      logger: logger.child({}, { redact: { paths: REDACT_PATHS, censor: REDACTED } }),
      genReqId: (req) => (req as { id?: string }).id ?? requestIdOf(req),
      customLogLevel: (_req, res, err) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: redactUrl(req.url),
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
    }),
  );
  app.use(metrics.middleware);
  // Local mode serves plain HTTP, so no upgrade-insecure-requests (it would break the docs page assets).
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const names = Object.keys(deps.readiness);
    const up = await Promise.all(names.map((n) => deps.readiness[n]!().catch(() => false)));
    const checks = Object.fromEntries(names.map((n, i) => [n, up[i] ? 'SERVING' : 'NOT_SERVING']));
    const ready = up.every(Boolean);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks });
  });
  const serveMetrics: RequestHandler = async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  };
  app.locals.serveMetrics = serveMetrics;
  if (!config.separateMetricsPort) app.get('/metrics', serveMetrics);
  app.get('/api/v1/openapi.json', async (_req, res) => {
    res.type('application/json').send(await openapi());
  });
  app.get(['/api/docs', '/api/docs/'], (_req, res) => {
    res.type('html').send(DOCS_HTML);
  });
  app.get('/api/docs/init.js', (_req, res) => {
    res.type('application/javascript').send(DOCS_INIT);
  });
  app.use('/api/docs/assets', express.static(swaggerUiDir(), { index: false, maxAge: '1h' }));

  const tooMany: RequestHandler = (req, res) => {
    sendProblem(res, {
      status: 429,
      title: 'Too Many Requests',
      detail: 'Rate limit exceeded; retry later.',
    });
    void req;
  };
  // Failed requests (e.g. bad tokens) count per IP, so token guessing is throttled before verification.
  app.use(
    '/api',
    rateLimit({
      windowMs: 60_000,
      limit: config.rateLimitPerMinute,
      skipSuccessfulRequests: true,
      standardHeaders: 'draft-8',
      // Names the policy in the RateLimit headers: a client sees both limits and must tell them apart.
      identifier: 'failed-per-ip',
      legacyHeaders: false,
      keyGenerator: (req) => `ip:${ipKeyGenerator(req.ip ?? '')}`,
      handler: tooMany,
    }),
  );
  // Answers name people (leads, contacts, users...): no cache on the way may keep them, 401s included.
  app.use('/api/v1', (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.use('/api/v1', authenticate(deps.verifyToken, deps.audience));
  // Per client: token azp + sub once authenticated.
  app.use(
    '/api/v1',
    rateLimit({
      windowMs: 60_000,
      limit: config.rateLimitPerMinute,
      standardHeaders: 'draft-8',
      identifier: 'per-client',
      legacyHeaders: false,
      keyGenerator: (req) =>
        req.actor ? `client:${req.actor.clientId}:${req.actor.userId}` : `ip:${ipKeyGenerator(req.ip ?? '')}`,
      handler: tooMany,
    }),
  );
  const routeDeps: RouteDeps = {
    clients: deps.clients,
    users: deps.users,
    rpc: rpc(config.grpcDeadlineMs, logger),
    idempotency: deps.idempotency ?? new IdempotencyStore(),
    importBodyLimit: config.importBodyLimit,
    grpcDeadlineMs: config.grpcDeadlineMs,
    logger,
    overviewPartTimeoutMs: config.overviewPartTimeoutMs,
    publicBaseUrl: config.publicBaseUrl,
  };
  // Each operation brings its role gate, body parser, validation and handler (see api/operations.ts).
  app.use('/api/v1', operationsRouter(operations, routeDeps, config.bodyLimit));
  // The customer's confirmation of a resolved ticket: no login, the signed link is the authority.
  app.use(
    '/public',
    publicConfirmationRouter({
      serviceTicket: deps.clients.serviceTicket,
      grpcDeadlineMs: config.grpcDeadlineMs,
      logger,
      rateLimitPerMinute: config.rateLimitPerMinute,
    }),
  );

  const consoleRoutes = config.console && consoleRouter(config.console);
  if (consoleRoutes) app.use(consoleRoutes);
  else if (config.console) logger.warn({ dir: config.console.dir }, 'console not built: / serves nothing');

  app.use((req, res) => {
    sendProblem(res, { status: 404, title: 'Not Found', detail: `No route for ${req.method} ${req.path}.` });
  });

  const onError: ErrorRequestHandler = (err: unknown, req, res, _next) => {
    if (res.headersSent) {
      req.log?.error({ err }, 'error after response started');
      res.end();
      return;
    }
    if (err instanceof HttpProblem) return sendProblem(res, err.problem, err.headers);
    const e = err as { type?: string; status?: number; statusCode?: number; expose?: boolean };
    const status = e.status ?? e.statusCode;
    if (e.type === 'entity.parse.failed')
      return sendProblem(res, { status: 400, title: 'Bad Request', detail: 'The body is not valid JSON.' });
    if (e.type === 'entity.too.large')
      return sendProblem(res, {
        status: 413,
        title: 'Content Too Large',
        detail: 'The request body is too large.',
      });
    if (e.type === 'charset.unsupported') {
      const charset = String((err as { charset?: unknown }).charset ?? '').slice(0, 40);
      return sendProblem(res, {
        status: 415,
        title: 'Unsupported Media Type',
        detail: `The charset parameter names an encoding this API cannot read (${charset}); send UTF-8.`,
      });
    }
    if (e.type === 'encoding.unsupported') {
      return sendProblem(res, {
        status: 415,
        title: 'Unsupported Media Type',
        detail: 'Unsupported content encoding.',
      });
    }
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return sendProblem(res, {
        status,
        title: 'Bad Request',
        detail: 'The request could not be processed.',
      });
    }
    req.log?.error({ err }, 'unhandled error');
    sendProblem(res, {
      status: 500,
      title: 'Internal Server Error',
      detail: 'An unexpected error occurred.',
    });
  };
  app.use(onError);
  return app;
}
