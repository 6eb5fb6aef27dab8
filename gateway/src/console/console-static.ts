import fs from 'node:fs';
import path from 'node:path';
import express, { type RequestHandler, type Router } from 'express';

export interface ConsoleOptions {
  /** The console's build output (index.html and assets/). */
  dir: string;
  /** Keycloak as the browser reaches it (may differ from the gateway's own KEYCLOAK_URL in a cluster). */
  keycloakUrl: string;
  realm: string;
  clientId: string;
}

/** Paths the console never answers, so their own handlers (or the 404 problem) do. */
const NOT_CONSOLE = /^\/(api|public|docs|healthz|readyz|metrics)(\/|$)/;

/**
 * The console's Content-Security-Policy: its own scripts only, and Keycloak as the one other origin it
 * talks to (token refresh). Inline styles stay allowed: the component library sets CSS variables and
 * style attributes at run time.
 */
export function consoleCsp(keycloakUrl: string): string {
  const keycloak = new URL(keycloakUrl).origin;
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self' ${keycloak}`,
    `frame-src ${keycloak}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Serves the built console at `/`: hashed assets cached for a year, index.html (for every client-side
 * route) and the sign-in settings never cached, so a new release is picked up on the next load.
 * Returns undefined when the console was not built, and the gateway then serves only the API.
 */
export function consoleRouter(opts: ConsoleOptions): Router | undefined {
  const indexFile = path.join(opts.dir, 'index.html');
  if (!fs.existsSync(indexFile)) return undefined;
  const csp = consoleCsp(opts.keycloakUrl);
  const settings = JSON.stringify({
    keycloakUrl: opts.keycloakUrl,
    realm: opts.realm,
    clientId: opts.clientId,
  });
  const router = express.Router();
  const withCsp: RequestHandler = (_req, res, next) => {
    res.setHeader('Content-Security-Policy', csp);
    next();
  };

  router.get('/console-settings.json', (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.type('application/json').send(settings);
  });
  router.use(
    '/assets',
    express.static(path.join(opts.dir, 'assets'), { index: false, immutable: true, maxAge: '365d' }),
  );
  // Any other page the browser navigates to is a console route: the app decides what to show.
  router.get(/.*/, withCsp, (req, res, next) => {
    const navigation = (req.headers.accept ?? '').includes('text/html');
    if (NOT_CONSOLE.test(req.path) || req.path.startsWith('/assets/') || !navigation) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(indexFile);
  });
  return router;
}
