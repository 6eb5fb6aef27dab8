import { Roles, serviceIdentity, UnavailableError } from '@crm/kit';
import type { Directory } from '../application/ports';

interface KcEntity {
  id: string;
}

/**
 * Approvers by role and a requester's manager, from Keycloak's admin API, read with the service's own
 * account (realm-management view-users, query-groups). A requester's manager is a sales manager in
 * one of the requester's groups (teams). Answers are cached briefly: a burst of requests costs
 * Keycloak a handful of calls.
 */
export class KeycloakDirectory implements Directory {
  private readonly cache = new Map<string, { ids: string[]; until: number }>();

  constructor(private readonly o: { url: string; realm: string; cacheMs?: number; fetch?: typeof fetch }) {}

  usersWithRole(role: string): Promise<string[]> {
    return this.ids(`/roles/${encodeURIComponent(role)}/users?briefRepresentation=true&first=0&max=2000`);
  }

  async managersOf(userId: string): Promise<string[]> {
    const groups = await this.ids(`/users/${encodeURIComponent(userId)}/groups?briefRepresentation=true`);
    const managers = new Set(await this.usersWithRole(Roles.manager));
    const found = new Set<string>();
    for (const g of groups)
      for (const m of await this.ids(
        `/groups/${encodeURIComponent(g)}/members?briefRepresentation=true&first=0&max=2000`,
      ))
        if (managers.has(m) && m !== userId) found.add(m);
    return [...found];
  }

  private async ids(path: string): Promise<string[]> {
    const hit = this.cache.get(path);
    if (hit && hit.until > Date.now()) return hit.ids;
    const identity = serviceIdentity();
    if (!identity)
      throw new UnavailableError('the approval service has no identity to read the user directory');
    const token = await identity.token().catch((err: Error) => {
      throw new UnavailableError(`no service token to read the user directory: ${err.message}`);
    });
    const res = await (this.o.fetch ?? fetch)(
      `${this.o.url}/admin/realms/${encodeURIComponent(this.o.realm)}${path}`,
      { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(5000) },
    ).catch((err: Error) => {
      throw new UnavailableError(`Keycloak is not reachable: ${err.message}`);
    });
    if (res.status === 401 || res.status === 403) identity.forget();
    // An unknown role or user has no members: not an error for the approver lists.
    if (res.status === 404) return [];
    if (!res.ok)
      throw new UnavailableError(`Keycloak admin API answered ${res.status} for ${path.split('?')[0]}`);
    const ids = ((await res.json()) as KcEntity[]).map((e) => e.id);
    this.cache.set(path, { ids, until: Date.now() + (this.o.cacheMs ?? 30_000) });
    return ids;
  }
}
