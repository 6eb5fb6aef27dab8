import { decodeJwt } from 'jose';
import { type Actor, withoutToken } from './actor';
import { actorFromClaims } from './access-token';

export interface ServiceIdentityOptions {
  /** The realm's token endpoint (<issuer>/protocol/openid-connect/token). */
  tokenUrl: string;
  /** The service's confidential client, e.g. crm-lead-service. */
  clientId: string;
  clientSecret: string;
  /** How the token is fetched (tests); the global fetch by default. */
  fetch?: typeof fetch;
  now?: () => number;
}

interface Held {
  token: string;
  actor: Actor;
  /** When to fetch the next one: well before the token expires, so no call goes out with a stale one. */
  renewAt: number;
}

/**
 * The service's own identity for work it does without a user (consumers, schedules, a saga resumed
 * after a restart): a client-credentials token of its Keycloak client, fetched when first needed,
 * shared by concurrent callers, and fetched again once half its lifetime (at most a minute before
 * expiry) has passed.
 */
export class ServiceIdentity {
  private held?: Held;
  private fetching?: Promise<Held>;

  constructor(private readonly o: ServiceIdentityOptions) {}

  get clientId(): string {
    return this.o.clientId;
  }

  /** A valid access token of the service; rejects when Keycloak cannot be reached or refuses. */
  async token(): Promise<string> {
    return (await this.current()).token;
  }

  /** The service as an actor (its service account), with its token, for writes that record who. */
  async actor(): Promise<Actor> {
    return (await this.current()).actor;
  }

  /** Drops the held token: a refusal may mean its roles changed, so the next call fetches a new one. */
  forget(): void {
    this.held = undefined;
  }

  private async current(): Promise<Held> {
    const now = (this.o.now ?? Date.now)();
    if (this.held && now < this.held.renewAt) return this.held;
    this.fetching ??= this.fetchToken().finally(() => (this.fetching = undefined));
    return (this.held = await this.fetching);
  }

  private async fetchToken(): Promise<Held> {
    const res = await (this.o.fetch ?? fetch)(this.o.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: this.o.clientId,
        client_secret: this.o.clientSecret,
      }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`service token for ${this.o.clientId}: Keycloak answered ${res.status}`);
    const body = (await res.json()) as { access_token?: string; expires_in?: number };
    if (!body.access_token) throw new Error(`service token for ${this.o.clientId}: no access_token`);
    const lifetimeMs = (body.expires_in ?? 60) * 1000;
    const now = (this.o.now ?? Date.now)();
    return {
      token: body.access_token,
      actor: actorFromClaims(decodeJwt(body.access_token), body.access_token),
      renewAt: now + Math.max(lifetimeMs / 2, lifetimeMs - 60_000),
    };
  }
}

let processIdentity: ServiceIdentity | undefined;

/** Makes identity the one this process acts as on its own; runService sets it from the config. */
export function useServiceIdentity(identity: ServiceIdentity | undefined): void {
  processIdentity = identity;
}

/** The identity this process acts as on its own, when it has one (a running service always does). */
export const serviceIdentity = (): ServiceIdentity | undefined => processIdentity;

/**
 * Who a service's own work is recorded as: its service account (without the token: calls it makes
 * get the service token from serviceClient). Only a process without an identity (package tests,
 * one-off tools) falls back to `system`.
 */
export async function serviceActor(): Promise<Actor> {
  return processIdentity
    ? withoutToken(await processIdentity.actor())
    : { userId: 'system', username: 'system', roles: [], teams: [] };
}
