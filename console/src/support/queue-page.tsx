import { Anchor, Badge, Group, SegmentedControl, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { useConsole } from '../app';
import { unwrap } from '../api/client';
import { LoadState } from '../layout/load-state';
import { useLoaded } from '../layout/use-loaded';
import { SlaBadge } from './sla-badge';
import { byNearestDue, PRIORITY_COLOURS, slaOf, type Ticket } from './tickets';
import { useNow } from './use-now';

const REFRESH_MS = 30_000;
const STATUSES = ['new', 'open', 'pending', 'resolved', 'closed'] as const;
const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;

type Status = (typeof STATUSES)[number];
type Priority = (typeof PRIORITIES)[number];
const SLA_STATES = ['ok', 'warning', 'breached', 'paused'] as const;
type SlaState = (typeof SLA_STATES)[number];

/**
 * The agent's work: their own tickets or their queues', nearest SLA due first, refreshed every 30 s.
 * Keys: j / k move, Enter opens.
 */
export function QueuePage() {
  const { t } = useTranslation();
  const { api } = useConsole();
  const navigate = useNavigate();
  const now = useNow(REFRESH_MS / 2);
  const [view, setView] = useState<'mine' | 'queues'>('mine');
  const [status, setStatus] = useState<Status | null>(null);
  const [priority, setPriority] = useState<Priority | null>(null);
  const [slaState, setSlaState] = useState<SlaState | null>(null);
  const [selected, setSelected] = useState(0);
  const tickets = useLoaded(async () => {
    const page = unwrap(
      await api.GET('/api/v1/tickets', {
        params: {
          query: {
            assigneeId: view === 'mine' ? 'me' : undefined,
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
  }, [api, view, status, priority, slaState]);
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
            onChange={(v) => setView(v as 'mine' | 'queues')}
            data={[
              { value: 'mine', label: t('support.myTickets') },
              { value: 'queues', label: t('support.myQueues') },
            ]}
          />
          <Select
            aria-label={t('common.status')}
            placeholder={t('common.status')}
            clearable
            value={status}
            onChange={(v) => setStatus(v as Status | null)}
            data={STATUSES.map((s) => ({ value: s, label: t(`support.status.${s}`) }))}
          />
          <Select
            aria-label={t('support.priority')}
            placeholder={t('support.priority')}
            clearable
            value={priority}
            onChange={(v) => setPriority(v as Priority | null)}
            data={PRIORITIES.map((p) => ({ value: p, label: t(`support.priorities.${p}`) }))}
          />
          <Select
            aria-label={t('support.sla')}
            placeholder={t('support.sla')}
            clearable
            value={slaState}
            onChange={(v) => setSlaState(v as SlaState | null)}
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
