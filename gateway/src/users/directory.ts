import { HttpProblem } from '../http/problem';

/** A user as the CRM sees them: the Keycloak subject, names, CRM roles and teams (groups). */
export interface DirectoryUser {
  id: string;
  username: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  enabled: boolean;
  roles: string[];
  teams: string[];
}

/** The gateway's own identity (kit ServiceIdentity): the token its admin API calls go with. */
export interface DirectoryIdentity {
  token(): Promise<string>;
  forget(): void;
}

export interface DirectoryOptions {
  url: string;
  realm: string;
  identity: DirectoryIdentity;
  /** CRM realm roles worth reporting (others, like default-roles-*, are noise). */
  roles: readonly string[];
  cacheMs?: number;
  fetch?: typeof fetch;
}

export class DirectoryUnavailable extends Error {}

interface KcUser {
  id: string;
  username: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  enabled?: boolean;
}
interface KcGroup {
  id: string;
  name: string;
  subGroups?: KcGroup[];
}

/**
 * The user directory from Keycloak's admin API, read with the gateway's own service account
 * (client credentials; realm-management view-users and query-groups only). Users, role members and
 * group members are fetched together and cached briefly: the directory changes seldom, and a manager
 * paging through users should not cost Keycloak dozens of calls each time.
 */
export class UserDirectory {
  private cache?: { users: DirectoryUser[]; until: number };
  private loading?: Promise<DirectoryUser[]>;
  private readonly fetch: typeof fetch;

  constructor(private readonly o: DirectoryOptions) {
    this.fetch = o.fetch ?? fetch;
  }

  async list(): Promise<DirectoryUser[]> {
    if (this.cache && this.cache.until > Date.now()) return this.cache.users;
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async load(): Promise<DirectoryUser[]> {
    const users = await this.get<KcUser[]>('/users?briefRepresentation=true&first=0&max=2000');
    const roles = new Map<string, string[]>();
    for (const role of this.o.roles) {
      const members = await this.get<KcUser[]>(
        `/roles/${encodeURIComponent(role)}/users?briefRepresentation=true&first=0&max=2000`,
      ).catch((err: Error) => {
        if (/404/.test(err.message)) return [];
        throw err;
      });
      for (const m of members) roles.set(m.id, [...(roles.get(m.id) ?? []), role]);
    }
    const teams = new Map<string, string[]>();
    const groups = await this.get<KcGroup[]>('/groups?briefRepresentation=true&max=500');
    for (const g of groups) {
      const members = await this.get<KcUser[]>(
        `/groups/${encodeURIComponent(g.id)}/members?briefRepresentation=true&first=0&max=2000`,
      );
      for (const m of members) teams.set(m.id, [...(teams.get(m.id) ?? []), g.name]);
    }
    const list = users
      // Service accounts are clients, not people to assign records to.
      .filter((u) => !u.username.startsWith('service-account-'))
      .map((u) => ({
        id: u.id,
        username: u.username,
        firstName: u.firstName ?? null,
        lastName: u.lastName ?? null,
        email: u.email ?? null,
        enabled: u.enabled ?? true,
        roles: roles.get(u.id) ?? [],
        teams: teams.get(u.id) ?? [],
      }))
      .sort((a, b) => a.username.localeCompare(b.username));
    this.cache = { users: list, until: Date.now() + (this.o.cacheMs ?? 30_000) };
    return list;
  }

  private async get<T>(path: string): Promise<T> {
    const token = await this.serviceToken();
    const res = await this.fetch(`${this.o.url}/admin/realms/${encodeURIComponent(this.o.realm)}${path}`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(5000),
    }).catch((err: Error) => {
      throw new DirectoryUnavailable(`Keycloak is not reachable: ${err.message}`);
    });
    // A refused token may predate a role change: the next call gets a fresh one.
    if (res.status === 401 || res.status === 403) this.o.identity.forget();
    if (!res.ok)
      throw new DirectoryUnavailable(`Keycloak admin API answered ${res.status} for ${path.split('?')[0]}`);
    return (await res.json()) as T;
  }

  private async serviceToken(): Promise<string> {
    return this.o.identity.token().catch((err: Error) => {
      throw new DirectoryUnavailable(`the gateway's service account got no token: ${err.message}`);
    });
  }
}

/** The directory's users, or a 503 problem with Retry-After while Keycloak cannot be read. */
export async function directoryUsers(directory: Pick<UserDirectory, 'list'>): Promise<DirectoryUser[]> {
  try {
    return await directory.list();
  } catch (err) {
    if (err instanceof DirectoryUnavailable)
      throw new HttpProblem(
        503,
        `The user directory is unavailable: ${err.message}.`,
        {},
        { 'Retry-After': '5' },
      );
    throw err;
  }
}
