import type { LeadFact, OpportunityFact } from './facts';

/**
 * The source and region filters of the sales figures. A lead has both; a deal has neither of its own,
 * so it counts under the lead it was converted from, which keeps the funnel's steps comparable (the
 * deals of web leads follow the web leads). A deal opened without a lead matches no source or region.
 */
export interface Origin {
  source: string;
  region: string;
}

export const filtersByOrigin = (o: Origin) => !!(o.source || o.region);

const fromOrigin = (lead: Pick<LeadFact, 'source' | 'region'>, o: Origin) =>
  (!o.source || lead.source.toLowerCase() === o.source) &&
  (!o.region || lead.region.toLowerCase() === o.region);

export const leadsOfOrigin = (leads: LeadFact[], o: Origin) =>
  filtersByOrigin(o) ? leads.filter((l) => fromOrigin(l, o)) : leads;

/** The deals whose source lead (among `sourceLeads`, by id) is of the origin. */
export function dealsOfOrigin<D extends Pick<OpportunityFact, 'sourceLeadId'>>(
  deals: D[],
  sourceLeads: Map<string, LeadFact>,
  o: Origin,
): D[] {
  if (!filtersByOrigin(o)) return deals;
  return deals.filter((d) => {
    const lead = d.sourceLeadId ? sourceLeads.get(d.sourceLeadId) : undefined;
    return !!lead && fromOrigin(lead, o);
  });
}
