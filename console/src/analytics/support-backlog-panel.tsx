import { Anchor, Badge, Group, Stack, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Rectangle,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
  type BarShapeProps,
} from 'recharts';
import type { components } from '../api/schema.gen';
import { PRIORITY_COLOURS } from '../support/tickets';
import {
  BACKLOG_STATUSES,
  backlogByPriority,
  backlogByQueue,
  ticketsBehind,
  type BacklogBar,
} from './support-figures';

type BacklogRow = components['schemas']['BacklogRow'];

const STATUS_COLOURS: Record<(typeof BACKLOG_STATUSES)[number], string> = {
  new: '#74c0fc',
  open: '#1c7ed6',
  pending: '#fab005',
};

/** A queue key short enough for the chart's axis; the table and the tooltip show it whole. */
const shortened = (key: string) => (key.length > 14 ? `${key.slice(0, 13)}…` : key);

/**
 * Open tickets per queue, stacked by status. A bar segment (or a count in the table) opens the queue
 * page filtered to that queue and status: the tickets behind the figure.
 */
export function BacklogPanel({ rows }: { rows: BacklogRow[] }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  if (rows.length === 0) return <Text c="dimmed">{t('supportDashboard.noBacklog')}</Text>;
  const bars = backlogByQueue(rows);
  const total = bars.reduce((n, b) => n + b.total, 0);
  const unassigned = bars.reduce((n, b) => n + b.unassigned, 0);
  return (
    <Stack gap="xs">
      <Group gap="xs">
        <Text size="sm" data-testid="backlog-total">
          {t('supportDashboard.backlogTotal', { count: total, unassigned })}
        </Text>
        {backlogByPriority(rows).map((p) => (
          <Badge key={p.priority} color={PRIORITY_COLOURS[p.priority] ?? 'gray'} variant="light">
            {t(`support.priorities.${p.priority}`, { defaultValue: p.priority })}: {p.tickets}
          </Badge>
        ))}
      </Group>
      <ResponsiveContainer width="100%" height={Math.max(160, bars.length * 40 + 60)}>
        <BarChart data={bars} layout="vertical" margin={{ left: 24 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis type="number" allowDecimals={false} />
          {/* Every queue named (recharts would skip labels it finds too close), long keys shortened. */}
          <YAxis type="category" dataKey="queue" width={140} interval={0} tickFormatter={shortened} />
          <Tooltip />
          {/* In the statuses' order (new, open, pending), not sorted by the translated names. */}
          <Legend itemSorter="dataKey" />
          {BACKLOG_STATUSES.map((status) => (
            <Bar
              key={status}
              dataKey={status}
              stackId="backlog"
              name={t(`support.status.${status}`)}
              fill={STATUS_COLOURS[status]}
              cursor="pointer"
              isAnimationActive={false}
              // A segment says which queue and status it counts, for a test (and a reader of the DOM).
              shape={(props: BarShapeProps) => (
                <g
                  data-queue={(props.payload as BacklogBar).queue}
                  data-status={status}
                  data-testid="backlog-bar"
                >
                  <Rectangle {...props} />
                </g>
              )}
              onClick={(bar) => navigate(ticketsBehind({ queue: (bar.payload as BacklogBar).queue, status }))}
            />
          ))}
        </BarChart>
      </ResponsiveContainer>
      <Table striped withTableBorder fz="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('support.queueName')}</Table.Th>
            {BACKLOG_STATUSES.map((s) => (
              <Table.Th key={s}>{t(`support.status.${s}`)}</Table.Th>
            ))}
            <Table.Th>{t('supportDashboard.unassigned')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {bars.map((bar) => (
            <Table.Tr key={bar.queue}>
              <Table.Td>
                <Anchor component={Link} to={ticketsBehind({ queue: bar.queue })}>
                  {bar.queue}
                </Anchor>
              </Table.Td>
              {BACKLOG_STATUSES.map((status) => (
                <Table.Td key={status}>
                  {bar[status] === 0 ? (
                    0
                  ) : (
                    <Anchor component={Link} to={ticketsBehind({ queue: bar.queue, status })}>
                      {bar[status]}
                    </Anchor>
                  )}
                </Table.Td>
              ))}
              <Table.Td>{bar.unassigned}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
