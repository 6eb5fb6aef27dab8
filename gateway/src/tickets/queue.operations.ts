import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import type { serviceTicketQueues as pb } from '@crm/proto';
import { z } from 'zod';
import { operation, type Operation } from '../api/operation';
import { HttpProblem } from '../http/problem';
import type { RouteDeps } from '../route-deps';
import { directoryUsers } from '../users/directory';
import { CHANNELS, PRIORITIES } from './schemas';

extendZodWithOpenApi(z);

const key = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'a key such as billing (a-z, 0-9 and -)');
const userId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a user id');
const AVAILABILITY = ['available', 'away'] as const;
const METHODS = ['round-robin', 'least-loaded'] as const;
const TIERS = ['strategic', 'A', 'B', 'C'] as const;
const iso = z.string().nullable();

const QueueParams = z.object({ key });

export const QueueBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    members: z
      .array(
        z
          .object({
            userId,
            availability: z
              .enum(AVAILABILITY)
              .optional()
              .openapi({ description: 'Left out: the member keeps theirs (new members: available)' }),
          })
          .strict(),
      )
      .max(200)
      .default([]),
    seniorQueue: z
      .union([key, z.literal('')])
      .default('')
      .openapi({ description: 'Key of the queue escalations go to; empty for none' }),
    managerId: z
      .union([userId, z.literal('')])
      .default('')
      .openapi({ description: 'Support manager escalations go to when there is no senior queue' }),
    assignmentMethod: z.enum(METHODS).default('round-robin'),
    active: z.boolean().default(true),
  })
  .strict()
  .openapi('QueueInput');

export const Queue = z
  .object({
    key: z.string(),
    version: z.number().int(),
    name: z.string(),
    members: z.array(z.object({ userId: z.string(), availability: z.enum(AVAILABILITY) })),
    seniorQueue: z.string(),
    managerId: z.string(),
    assignmentMethod: z.enum(METHODS),
    active: z.boolean(),
    updatedAt: iso,
    updatedBy: z.string(),
  })
  .openapi('Queue', {
    description: 'A support queue: its members, how it hands out tickets, where it escalates',
  });

const AvailabilityBody = z
  .object({
    availability: z.enum(AVAILABILITY),
    userId: userId.optional().openapi({ description: 'The member; left out: the caller' }),
  })
  .strict();

const Rule = z
  .object({
    name: z.string().trim().min(1).max(100),
    when: z
      .object({
        categories: z.array(key).max(50).default([]),
        tiers: z.array(z.enum(TIERS)).default([]),
        channels: z.array(z.enum(CHANNELS)).default([]),
        priorities: z.array(z.enum(PRIORITIES)).default([]),
      })
      .strict()
      .openapi({ description: 'What a new ticket must match; an empty list matches anything' }),
    queue: key,
  })
  .strict();

export const RulesBody = z
  .object({
    rules: z.array(Rule).max(100).openapi({ description: 'In order: the first that matches wins' }),
    defaultQueue: key.default('support').openapi({ description: 'Where a ticket goes when no rule matches' }),
  })
  .strict()
  .openapi('AssignmentRulesInput');

export const Rules = z
  .object({
    version: z.number().int(),
    rules: z.array(
      z.object({
        name: z.string(),
        when: z.object({
          categories: z.array(z.string()),
          tiers: z.array(z.string()),
          channels: z.array(z.string()),
          priorities: z.array(z.string()),
        }),
        queue: z.string(),
      }),
    ),
    defaultQueue: z.string(),
    updatedAt: iso,
    updatedBy: z.string(),
  })
  .openapi('AssignmentRules');

const at = (d: Date | undefined) => d?.toISOString() ?? null;

export const queueToJson = (q: pb.Queue): z.input<typeof Queue> => ({
  key: q.key,
  version: Number(q.version),
  name: q.name,
  members: q.members.map((m) => ({ userId: m.userId, availability: m.availability as never })),
  seniorQueue: q.seniorQueue,
  managerId: q.managerId,
  assignmentMethod: q.assignmentMethod as never,
  active: q.active,
  updatedAt: at(q.updatedAt),
  updatedBy: q.updatedBy,
});

const rulesToJson = (r: pb.AssignmentRules): z.input<typeof Rules> => ({
  version: Number(r.version),
  rules: r.rules.map((x) => ({
    name: x.name,
    queue: x.queue,
    when: {
      categories: x.when?.categories ?? [],
      tiers: x.when?.tiers ?? [],
      channels: x.when?.channels ?? [],
      priorities: x.when?.priorities ?? [],
    },
  })),
  defaultQueue: r.defaultQueue,
  updatedAt: at(r.updatedAt),
  updatedBy: r.updatedBy,
});

/**
 * Members and the manager must be users of the realm: checked against the user directory (Keycloak,
 * read with the gateway's own service account), which the service cannot see.
 */
async function requireUsers(deps: RouteDeps, body: z.output<typeof QueueBody>): Promise<void> {
  const known = new Set((await directoryUsers(deps.users)).map((u) => u.id));
  const errors = body.members
    .map((m, i) => ({ field: `members[${i}].userId`, id: m.userId }))
    .concat(body.managerId ? [{ field: 'managerId', id: body.managerId }] : [])
    .filter((x) => !known.has(x.id))
    .map((x) => ({ field: x.field, message: 'is not a user' }));
  if (errors.length) throw new HttpProblem(400, 'The request is invalid.', { errors });
}

const theQueue = { 200: { description: 'The queue', schema: Queue, headers: ['ETag' as const] } };

/** Support queues and the assignment rules that route new tickets to them. */
export const queueOperations: Operation[] = [
  operation({
    method: 'get',
    path: '/queues',
    operationId: 'listQueues',
    tag: 'Tickets',
    summary: 'List the support queues',
    description: 'Every queue with its members and their availability. `support` and `tier-2` always exist.',
    permission: 'queue.read',
    responses: { 200: { description: 'The queues', schema: z.object({ items: z.array(Queue) }) } },
    async handler({ call, deps }) {
      const reply = await call((o) => deps.clients.queues.listQueues({}, o));
      return { body: { items: reply.queues.map(queueToJson) } };
    },
  }),
  operation({
    method: 'get',
    path: '/queues/{key}',
    operationId: 'getQueue',
    tag: 'Tickets',
    summary: 'Get a support queue',
    description: 'Its members and their availability, its assignment method and senior queue.',
    permission: 'queue.read',
    params: QueueParams,
    responses: theQueue,
    errors: [404],
    async handler({ params, call, deps }) {
      const q = await call((o) => deps.clients.queues.getQueue({ key: params.key }, o));
      return { body: queueToJson(q), etag: q.version };
    },
  }),
  operation({
    method: 'put',
    path: '/queues/{key}',
    operationId: 'saveQueue',
    tag: 'Tickets',
    summary: 'Create or replace a support queue',
    description:
      'Support managers and admins. Members are user ids of the realm (400 for one that is not a user). ' +
      'New tickets routed to the queue go to its available members, in turn (`round-robin`) or to whoever has ' +
      'the fewest open tickets (`least-loaded`). Escalations go to `seniorQueue`, else to `managerId`. A ' +
      'Keycloak group named like the queue still gives its members access to the queue.',
    permission: 'support.manage',
    params: QueueParams,
    body: QueueBody,
    ifMatch: true,
    responses: theQueue,
    async handler({ params, body, call, deps, expectedVersion }) {
      await requireUsers(deps, body);
      const q = await call((o) =>
        deps.clients.queues.saveQueue(
          {
            queue: {
              ...body,
              key: params.key,
              members: body.members.map((m) => ({ userId: m.userId, availability: m.availability ?? '' })),
              version: '0',
              updatedBy: '',
            },
            expectedVersion: expectedVersion(),
          },
          o,
        ),
      );
      return { body: queueToJson(q), etag: q.version };
    },
  }),
  operation({
    method: 'put',
    path: '/queues/{key}/availability',
    operationId: 'setQueueAvailability',
    tag: 'Tickets',
    summary: 'Say a member is available or away',
    description:
      'A member sets their own (without `userId`); a support manager sets anyone’s. Away members get no new ' +
      'tickets. 400 when the user is not a member of the queue.',
    permission: 'queue.read',
    params: QueueParams,
    body: AvailabilityBody,
    responses: theQueue,
    errors: [404],
    async handler({ params, body, call, deps }) {
      const q = await call((o) =>
        deps.clients.queues.setAvailability(
          { key: params.key, userId: body.userId ?? '', availability: body.availability },
          o,
        ),
      );
      return { body: queueToJson(q), etag: q.version };
    },
  }),
  operation({
    method: 'get',
    path: '/assignment-rules',
    operationId: 'getTicketAssignmentRules',
    tag: 'Tickets',
    summary: 'Get the ticket assignment rules',
    description: 'The ordered rules that route a new ticket given no queue, and the default queue.',
    permission: 'queue.read',
    responses: { 200: { description: 'The rules', schema: Rules, headers: ['ETag'] } },
    async handler({ call, deps }) {
      const r = await call((o) => deps.clients.queues.getAssignmentRules({}, o));
      return { body: rulesToJson(r), etag: r.version };
    },
  }),
  operation({
    method: 'put',
    path: '/assignment-rules',
    operationId: 'saveTicketAssignmentRules',
    tag: 'Tickets',
    summary: 'Replace the ticket assignment rules',
    description:
      'Support managers and admins. A new ticket without a queue goes to the queue of the first rule whose ' +
      'conditions (category, account tier, channel, priority) it matches, else to `defaultQueue`. 400 when a ' +
      'rule names a queue that does not exist.',
    permission: 'support.manage',
    body: RulesBody,
    ifMatch: true,
    responses: { 200: { description: 'The rules', schema: Rules, headers: ['ETag'] } },
    async handler({ body, call, deps, expectedVersion }) {
      const r = await call((o) =>
        deps.clients.queues.saveAssignmentRules(
          { rules: { ...body, version: '0', updatedBy: '' }, expectedVersion: expectedVersion() },
          o,
        ),
      );
      return { body: rulesToJson(r), etag: r.version };
    },
  }),
];
