import { allows } from '@crm/kit/permissions';
import type { lead } from '@crm/proto';
import { HttpProblem } from '../http/problem';
import type { PatchLeadContext } from './lead.operations';
import { leadPatchToProto } from './mapping';

/**
 * PATCH /leads/{id}: field changes go to UpdateLead, ownerId/teamId to AssignLead. Two calls, so the
 * second can fail after the first succeeded (the fields are then changed and the lead not reassigned).
 * Kept here, in one place, until the lead service takes both in one rpc. Until then the role check of
 * a reassignment runs before the first call, so a caller who may not reassign changes nothing.
 */
export async function reassignByPatch(ctx: PatchLeadContext): Promise<lead.Lead> {
  const { params, body, actor, call, deps } = ctx;
  const { ownerId, teamId, ...fields } = body;
  const reassign = ownerId !== undefined || teamId !== undefined;
  if (reassign && !allows(actor.roles, 'lead.assign'))
    throw new HttpProblem(403, 'Only sales managers and admins may reassign leads.');
  const hasFields = Object.values(fields).some((v) => v !== undefined);
  if (!hasFields && !reassign) throw new HttpProblem(400, 'The patch changes nothing.');
  const id = params.id;
  let version = ctx.expectedVersion();
  let result: lead.Lead | undefined;
  if (hasFields) {
    result = await call((o) =>
      deps.clients.lead.updateLead({ id, expectedVersion: version, patch: leadPatchToProto(fields) }, o),
    );
    version = result.version;
  }
  if (reassign) {
    result = await call((o) =>
      deps.clients.lead.assignLead(
        {
          id,
          expectedVersion: version,
          ownerId: ownerId ?? '',
          teamId: teamId ?? '',
          reason: 'reassigned via PATCH',
        },
        o,
      ),
    );
  }
  return result!;
}
