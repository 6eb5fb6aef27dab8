import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from 'zod';
import { ROLES, requireRole } from '../auth';
import { HttpProblem } from '../http/problem';
import { validate } from '../http/validate';
import type { RouteDeps } from '../route-deps';
import { DirectoryUnavailable } from './directory';

extendZodWithOpenApi(z);

export const UsersQuery = z
  .object({
    q: z.string().trim().max(100).optional().openapi({ description: 'Part of the username, name or email' }),
    role: z.string().max(50).optional(),
    team: z.string().max(100).optional(),
  })
  .strict();
export const User = z
  .object({
    id: z.string().openapi({ description: 'Keycloak subject: the id used as ownerId everywhere' }),
    username: z.string(),
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    email: z.string().nullable(),
    enabled: z.boolean(),
    roles: z.array(z.string()),
    teams: z.array(z.string()),
  })
  .openapi('User');
export const UserList = z
  .object({ items: z.array(User), nextCursor: z.string().nullable() })
  .openapi('UserList');

/** GET /users: who can own records, for managers and admins assigning and transferring them. */
export function userRoutes(deps: RouteDeps): Router {
  const r = Router();
  r.get('/users', requireRole(...ROLES.transfer), validate({ query: UsersQuery }), async (_req, res) => {
    const q = res.locals.query as z.infer<typeof UsersQuery>;
    let users;
    try {
      users = await deps.users.list();
    } catch (err) {
      if (err instanceof DirectoryUnavailable)
        throw new HttpProblem(
          503,
          `The user directory is unavailable: ${err.message}.`,
          {},
          {
            'Retry-After': '5',
          },
        );
      throw err;
    }
    const text = q.q?.toLowerCase();
    const items = users.filter(
      (u) =>
        (!text ||
          [u.username, u.firstName, u.lastName, u.email].some((s) => s?.toLowerCase().includes(text))) &&
        (!q.role || u.roles.includes(q.role)) &&
        (!q.team || u.teams.includes(q.team)),
    );
    res.json({ items, nextCursor: null });
  });
  return r;
}
