import { z } from 'zod';
import { operation, type Operation } from '../api/operation';
import { directoryUsers } from './directory';

export const UsersQuery = z
  .object({
    q: z.string().trim().max(100).optional().openapi({ description: 'Part of the username, name or email' }),
    role: z.string().max(50).optional().openapi({ description: 'Only users holding this realm role' }),
    team: z.string().max(100).optional().openapi({ description: 'Only members of this team (group)' }),
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
  .openapi('User', { description: 'A person who can sign in and own records' });
export const UserList = z
  .object({ items: z.array(User), nextCursor: z.string().nullable() })
  .openapi('UserList', { description: 'Users; the directory is small, so one page holds all' });

/** The user directory (Keycloak): who can own records, for managers assigning and transferring them. */
export const userOperations: Operation[] = [
  operation({
    method: 'get',
    path: '/users',
    operationId: 'listUsers',
    tag: 'Users',
    summary: 'List users',
    description: 'The users of the realm with a CRM role, filtered by text, role or team.',
    permission: 'ownership.transfer',
    query: UsersQuery,
    responses: { 200: { description: 'The matching users', schema: UserList } },
    async handler({ query: q, deps }) {
      const users = await directoryUsers(deps.users);
      const text = q.q?.toLowerCase();
      const items = users.filter(
        (u) =>
          (!text ||
            [u.username, u.firstName, u.lastName, u.email].some((s) => s?.toLowerCase().includes(text))) &&
          (!q.role || u.roles.includes(q.role)) &&
          (!q.team || u.teams.includes(q.team)),
      );
      return { body: { items, nextCursor: null } };
    },
  }),
];
