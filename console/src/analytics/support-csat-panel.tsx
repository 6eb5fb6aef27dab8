import { SegmentedControl, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { components } from '../api/schema.gen';
import { csatBy, csatDistribution, csatTrend } from './support-figures';

type CsatRow = components['schemas']['CsatRow'];
type Dimension = 'queue' | 'tier' | 'agent';

/**
 * Customer satisfaction (1-5): the average per period as a line, how many gave each score, and the
 * average per queue, account tier or agent. Agents are named where the user may list users.
 */
export function CsatPanel({ rows, names }: { rows: CsatRow[]; names: (userId: string) => string }) {
  const { t, i18n } = useTranslation();
  const [dimension, setDimension] = useState<Dimension>('queue');
  const trend = csatTrend(rows);
  if (trend.length === 0) return <Text c="dimmed">{t('supportDashboard.noAnswers')}</Text>;
  const distribution = csatDistribution(rows);
  const rated = distribution.reduce((n, s) => n + s.answers, 0);
  const average = distribution.reduce((n, s) => n + s.score * s.answers, 0) / rated;
  const number = (n: number) => new Intl.NumberFormat(i18n.language, { maximumFractionDigits: 2 }).format(n);
  const label = (key: string) => (dimension === 'agent' ? names(key) : key || '—');
  return (
    <Stack gap="xs">
      <Text size="sm" data-testid="csat-average">
        {t('supportDashboard.csatAverage', { average: number(average), count: rated })}
      </Text>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Stack gap={0}>
          <Text size="xs" c="dimmed">
            {t('supportDashboard.csatTrend')}
          </Text>
          <ResponsiveContainer width="100%" height={200}>
            <LineChart data={trend}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="period" />
              <YAxis domain={[1, 5]} ticks={[1, 2, 3, 4, 5]} />
              <Tooltip />
              <Line
                type="monotone"
                dataKey="average"
                name={t('supportDashboard.average')}
                stroke="#e8590c"
                dot={{ r: 4 }}
                isAnimationActive={false}
              />
            </LineChart>
          </ResponsiveContainer>
        </Stack>
        <Stack gap={0}>
          <Text size="xs" c="dimmed">
            {t('supportDashboard.csatDistribution')}
          </Text>
          <ResponsiveContainer width="100%" height={200}>
            <BarChart data={distribution}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="score" />
              <YAxis allowDecimals={false} />
              <Tooltip />
              <Bar
                dataKey="answers"
                name={t('supportDashboard.answers')}
                fill="#fd7e14"
                isAnimationActive={false}
              />
            </BarChart>
          </ResponsiveContainer>
        </Stack>
      </SimpleGrid>
      <SegmentedControl
        size="xs"
        aria-label={t('supportDashboard.csatBy')}
        value={dimension}
        onChange={(d) => setDimension(d as Dimension)}
        data={(['queue', 'tier', 'agent'] as const).map((d) => ({
          value: d,
          label: t(`supportDashboard.dimensions.${d}`),
        }))}
      />
      <Table striped withTableBorder fz="sm" data-testid="csat-by">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t(`supportDashboard.dimensions.${dimension}`)}</Table.Th>
            <Table.Th>{t('supportDashboard.answers')}</Table.Th>
            <Table.Th>{t('supportDashboard.average')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {csatBy(rows, dimension).map((r) => (
            <Table.Tr key={r.key}>
              <Table.Td>{label(r.key)}</Table.Td>
              <Table.Td>{r.rated}</Table.Td>
              <Table.Td>{r.average === null ? '—' : number(r.average)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
