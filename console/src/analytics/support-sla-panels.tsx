import { SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { components } from '../api/schema.gen';
import { PRIORITIES } from '../support/queue-filters';
import { readableDuration, slaByQueue, slaOverall, slaTrend } from './support-figures';

type SlaRow = components['schemas']['SlaRow'];
type ResolutionTimeRow = components['schemas']['ResolutionTimeRow'];

/** A rate as a percentage in the user's language; a dash when nothing was measured. */
export function percent(rate: number | null, language: string): string {
  if (rate === null) return '—';
  return new Intl.NumberFormat(language, { style: 'percent', maximumFractionDigits: 1 }).format(rate);
}

/** First-response and resolution compliance: overall, per period (line chart) and per queue. */
export function SlaPanel({ rows }: { rows: SlaRow[] }) {
  const { t, i18n } = useTranslation();
  if (rows.length === 0) return <Text c="dimmed">{t('dashboards.empty')}</Text>;
  const overall = slaOverall(rows);
  const trend = slaTrend(rows);
  return (
    <Stack gap="xs">
      <SimpleGrid cols={2}>
        {(['firstResponse', 'resolution'] as const).map((target) => (
          <Stack key={target} gap={0} data-testid={`sla-${target}`}>
            <Text size="sm" c="dimmed">
              {t(`supportDashboard.${target}Compliance`)}
            </Text>
            <Text size="xl" fw={700}>
              {percent(overall[`${target}Compliance`], i18n.language)}
            </Text>
            <Text size="xs" c="dimmed">
              {t('supportDashboard.metBreached', {
                met: overall[`${target}Met`],
                breached: overall[`${target}Breached`],
              })}
            </Text>
          </Stack>
        ))}
      </SimpleGrid>
      <ResponsiveContainer width="100%" height={200}>
        <LineChart data={trend}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="period" />
          <YAxis domain={[0, 100]} ticks={[0, 25, 50, 75, 100]} interval={0} unit="%" />
          <Tooltip formatter={(v) => `${String(v)}%`} />
          <Legend itemSorter="dataKey" />
          <Line
            type="monotone"
            dataKey="firstResponse"
            name={t('supportDashboard.firstResponseCompliance')}
            stroke="#1c7ed6"
            connectNulls
            isAnimationActive={false}
          />
          <Line
            type="monotone"
            dataKey="resolution"
            name={t('supportDashboard.resolutionCompliance')}
            stroke="#2f9e44"
            connectNulls
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
      <Table striped withTableBorder fz="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('support.queueName')}</Table.Th>
            <Table.Th>{t('supportDashboard.tickets')}</Table.Th>
            <Table.Th>{t('supportDashboard.firstResponseCompliance')}</Table.Th>
            <Table.Th>{t('supportDashboard.resolutionCompliance')}</Table.Th>
            <Table.Th>{t('supportDashboard.breaches')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {slaByQueue(rows).map((q) => (
            <Table.Tr key={q.queue}>
              <Table.Td>{q.queue}</Table.Td>
              <Table.Td>{q.tickets}</Table.Td>
              <Table.Td>{percent(q.firstResponseCompliance, i18n.language)}</Table.Td>
              <Table.Td>{percent(q.resolutionCompliance, i18n.language)}</Table.Td>
              <Table.Td>{q.firstResponseBreached + q.resolutionBreached}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

/** Resolution and first-response times per priority (most urgent first), and the reopen rate. */
export function ResolutionPanel({ rows }: { rows: ResolutionTimeRow[] }) {
  const { t, i18n } = useTranslation();
  if (rows.length === 0) return <Text c="dimmed">{t('supportDashboard.noneResolved')}</Text>;
  const rank = (p: string) => -(PRIORITIES as readonly string[]).indexOf(p);
  const sorted = [...rows].sort((a, b) => rank(a.priority) - rank(b.priority));
  const priority = (p: string) => t(`support.priorities.${p}`, { defaultValue: p });
  const duration = (minutes: number) => {
    const d = readableDuration(minutes);
    return t(`supportDashboard.duration.${d.unit}`, { value: d.value });
  };
  const chart = sorted.map((r) => ({
    priority: priority(r.priority),
    average: Math.round((r.averageResolutionMinutes / 60) * 10) / 10,
    median: Math.round((r.medianResolutionMinutes / 60) * 10) / 10,
  }));
  return (
    <Stack gap="xs">
      <Text size="xs" c="dimmed">
        {t('supportDashboard.wallClock')}
      </Text>
      <ResponsiveContainer width="100%" height={200}>
        <BarChart data={chart}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="priority" interval={0} />
          <YAxis unit={t('supportDashboard.hoursUnit')} />
          <Tooltip />
          <Legend itemSorter="dataKey" />
          <Bar
            dataKey="average"
            name={t('supportDashboard.averageResolution')}
            fill="#4dabf7"
            isAnimationActive={false}
          />
          <Bar
            dataKey="median"
            name={t('supportDashboard.medianResolution')}
            fill="#1971c2"
            isAnimationActive={false}
          />
        </BarChart>
      </ResponsiveContainer>
      <Table striped withTableBorder fz="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('support.priority')}</Table.Th>
            <Table.Th>{t('supportDashboard.resolved')}</Table.Th>
            <Table.Th>{t('supportDashboard.medianResolution')}</Table.Th>
            <Table.Th>{t('supportDashboard.medianFirstResponse')}</Table.Th>
            <Table.Th>{t('supportDashboard.reopenRate')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {sorted.map((r) => (
            <Table.Tr key={r.priority}>
              <Table.Td>{priority(r.priority)}</Table.Td>
              <Table.Td>{r.resolved}</Table.Td>
              <Table.Td>{duration(r.medianResolutionMinutes)}</Table.Td>
              <Table.Td>{duration(r.medianFirstResponseMinutes)}</Table.Td>
              <Table.Td>{percent(r.reopenRate, i18n.language)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
