import { z } from 'zod';
import { Activity } from '../activities/schemas';
import { Opportunity } from '../opportunities/schemas';
import { CurrencyCollection } from '../opportunities/payment.schemas';
import { Ticket } from '../tickets/schemas';
import { Account, Contact } from './schemas';

const part = (items: z.ZodType, name: string) =>
  z
    .union([
      z.object({ status: z.literal('ok'), items: z.array(items), more: z.boolean() }),
      z.object({ status: z.literal('unavailable'), detail: z.string() }),
    ])
    .openapi(name, { description: 'A part of the overview, or why it is missing' });

export const Overview = z
  .object({
    account: Account,
    contacts: part(Contact, 'OverviewContacts').openapi({ description: 'Key persons first' }),
    activities: part(Activity, 'OverviewActivities').openapi({ description: 'The latest 20' }),
    opportunities: part(Opportunity, 'OverviewOpportunities').openapi({
      description: 'Open and won deals the caller can see, newest first (lost ones are left out)',
    }),
    tickets: part(Ticket, 'OverviewTickets').openapi({
      description: 'Service tickets not closed yet, nearest SLA due first',
    }),
    payments: z
      .union([
        z.object({ status: z.literal('ok'), currencies: z.array(CurrencyCollection) }),
        z.object({ status: z.literal('unavailable'), detail: z.string() }),
      ])
      .openapi('OverviewPayments', {
        description:
          "Collected vs outstanding per currency over the account's deals the caller can see (payment milestones)",
      }),
    partial: z.boolean().openapi({
      description: 'true when a part is unavailable (a Warning header names it); later services add parts',
    }),
  })
  .openapi('AccountOverview', { description: 'An account with its contacts and latest activities' });
