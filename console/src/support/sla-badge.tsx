import { Badge, Tooltip } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../layout/format';
import { formatRemaining, readSla, SLA_COLOURS } from './sla-clock';

/** One SLA target: the time left, coloured by how near the breach is; "met" once it was met. */
export function SlaBadge(props: {
  label: string;
  dueAt: string | null | undefined;
  metAt?: string | null;
  startedAt: string | null | undefined;
  /** The clock stands still while the ticket waits on the customer. */
  paused?: boolean;
  now: number;
}) {
  const { t, i18n } = useTranslation();
  if (!props.dueAt) return null;
  const due = formatDateTime(props.dueAt, i18n.language);
  if (props.metAt) {
    return (
      <Tooltip label={`${t('support.due')} ${due}`}>
        <Badge color={SLA_COLOURS.met} variant="light" data-sla="met">
          {props.label}: {t('support.slaMet')}
        </Badge>
      </Tooltip>
    );
  }
  if (props.paused) {
    return (
      <Tooltip label={`${t('support.due')} ${due}`}>
        <Badge color="gray" data-sla="paused">
          {props.label}: {t('support.slaPaused')}
        </Badge>
      </Tooltip>
    );
  }
  const reading = readSla(props.dueAt, props.startedAt, props.now);
  return (
    <Tooltip label={`${t('support.due')} ${due}`}>
      <Badge color={SLA_COLOURS[reading.level]} data-sla={reading.level}>
        {props.label}: {formatRemaining(reading.remainingMs)}
      </Badge>
    </Tooltip>
  );
}
