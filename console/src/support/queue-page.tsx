import { Anchor, Badge, Group, SegmentedControl, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { useConsole } from '../app';
import { unwrap } from '../api/client';
import { LoadState } from '../layout/load-state';
import { useLoaded } from '../layout/use-loaded';
import {
  PRIORITIES,
  queueFiltersFrom,
  queueFiltersQuery,
  SLA_STATES,
  STATUSES,
  type QueueFilters,
  type View,
} from './queue-filters';
import { SlaBadge } from './sla-badge';
import { byNearestDue, PRIORITY_COLOURS, slaOf, type Ticket } from './tickets';
import { useNow } from './use-now';

const REFRESH_MS = 30_000;

/**
 * The agent's work: their own tickets or their queues', nearest SLA due first, refreshed every 30 s.
 * The filters live in the URL (`?view=queues&queue=support&status=new`), so a dashboard can link here.
 * Keys: j / k move, Enter opens.
 */
export function QueuePage() {
  const { t } = useTranslation();
  const { api } = useConsole();
  const navigate = useNavigate();
  const now = useNow(REFRESH_MS / 2);
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => queueFiltersFrom(params), [params]);
  const { view, status, priority, slaState, queue } = filters;
  const change = (patch: Partial<QueueFilters>) =>
    setParams(queueFiltersQuery({ ...filters, ...patch }), { replace: true });
  const [selected, setSelected] = useState(0);
  const queues = useLoaded(async () => {
    const res = await api.GET('/api/v1/queues', {});
    // The queue names are a convenience: without them the filter offers the keys it knows.
    return res.response.ok && res.data ? res.data.items : [];
  }, [api]);
  const tickets = useLoaded(async () => {
    const page = unwrap(
      await api.GET('/api/v1/tickets', {
        params: {
          query: {
            assigneeId: view === 'mine' ? 'me' : undefined,
            queue: queue ?? undefined,
            status: status ?? undefined,
            priority: priority ?? undefined,
            slaState: slaState ?? undefined,
            sort: 'sla',
            limit: 100,
          },
        },
      }),
    );
    return [...page.items].sort(byNearestDue);
  }, [api, view, queue, status, priority, slaState]);
  const queueOptions = [
    ...(queues.data ?? []).map((q) => ({ value: q.key, label: q.name || q.key })),
    // A queue from the URL that the list does not hold (yet) still shows as picked.
    ...(queue && !queues.data?.some((q) => q.key === queue) ? [{ value: queue, label: queue }] : []),
  ];
  const { reload } = tickets;
  useEffect(() => {
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);

  const rows: Ticket[] = tickets.data ?? [];
  useHotkeys([
    ['j', () => setSelected((i) => Math.min(i + 1, rows.length - 1))],
    ['k', () => setSelected((i) => Math.max(i - 1, 0))],
    ['Enter', () => rows[selected] && navigate(`/tickets/${rows[selected].id}`)],
  ]);

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t('support.queue')}</Title>
        <Group>
          <SegmentedControl
            aria-label={t('support.view')}
            value={view}
            onChange={(v) => change({ view: v as View })}
            data={[
              { value: 'mine', label: t('support.myTickets') },
              { value: 'queues', label: t('support.myQueues') },
            ]}
          />
          <Select
            aria-label={t('support.queueName')}
            placeholder={t('support.queueName')}
            clearable
            value={queue}
            onChange={(v) => change({ queue: v })}
            data={queueOptions}
          />
          <Select
            aria-label={t('common.status')}
            placeholder={t('common.status')}
            clearable
            value={status}
            onChange={(v) => change({ status: v as QueueFilters['status'] })}
            data={STATUSES.map((s) => ({ value: s, label: t(`support.status.${s}`) }))}
          />
          <Select
            aria-label={t('support.priority')}
            placeholder={t('support.priority')}
            clearable
            value={priority}
            onChange={(v) => change({ priority: v as QueueFilters['priority'] })}
            data={PRIORITIES.map((p) => ({ value: p, label: t(`support.priorities.${p}`) }))}
          />
          <Select
            aria-label={t('support.sla')}
            placeholder={t('support.sla')}
            clearable
            value={slaState}
            onChange={(v) => change({ slaState: v as QueueFilters['slaState'] })}
            data={SLA_STATES.map((s) => ({ value: s, label: t(`support.slaStates.${s}`) }))}
          />
        </Group>
      </Group>
      <LoadState loaded={tickets}>
        {(list) =>
          list.length === 0 ? (
            <Text c="dimmed">{t('support.empty')}</Text>
          ) : (
            <Table highlightOnHover data-testid="ticket-queue">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('support.sla')}</Table.Th>
                  <Table.Th>{t('support.subject')}</Table.Th>
                  <Table.Th>{t('support.priority')}</Table.Th>
                  <Table.Th>{t('common.status')}</Table.Th>
                  <Table.Th>{t('support.queueName')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.map((ticket, i) => (
                  <Table.Tr
                    key={ticket.id}
                    data-testid="queue-row"
                    bg={i === selected ? 'var(--mantine-color-blue-light)' : undefined}
                  >
                    <Table.Td>
                      <Group gap={4}>
                        <SlaBadge
                          label={t('support.firstResponse')}
                          dueAt={slaOf(ticket).firstResponseDueAt}
                          metAt={slaOf(ticket).firstRespondedAt}
                          startedAt={ticket.createdAt}
                          paused={slaOf(ticket).paused}
                          now={now}
                        />
                        <SlaBadge
                          label={t('support.resolution')}
                          dueAt={slaOf(ticket).resolutionDueAt}
                          metAt={ticket.resolvedAt}
                          startedAt={ticket.createdAt}
                          paused={slaOf(ticket).paused}
                          now={now}
                        />
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      <Anchor component={Link} to={`/tickets/${ticket.id}`}>
                        {ticket.subject}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      <Badge color={PRIORITY_COLOURS[ticket.priority]}>
                        {t(`support.priorities.${ticket.priority}`)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{t(`support.status.${ticket.status}`)}</Table.Td>
                    <Table.Td>{ticket.queue}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )
        }
      </LoadState>
    </Stack>
  );
}
