import './telemetry';
import { runService, serviceActor } from '@crm/kit';
import { z } from 'zod';
import { approval as pb, descriptorSet } from '@crm/proto';
import { ApprovalRequests } from './application/approval-requests';
import { Delegations } from './application/delegations';
import { Policies } from './application/policies';
import type { ApprovalPorts } from './application/ports';
import { KeycloakDirectory } from './directory/keycloak.directory';
import { delegationGrpc, inboxGrpc, policyGrpc, requestGrpc } from './grpc/approval.grpc';
import { registerModels } from './store/approval.model';
import {
  MongoApprovalRequestRepository,
  MongoDelegationRepository,
  MongoPolicyRepository,
} from './store/approval.repository';

void runService({
  name: 'approval',
  grpcPort: 50054,
  dbName: 'crm_approval',
  descriptorSet: descriptorSet(),
  env: {
    /** How often replicas look for steps past their time limit (a limit is in minutes). */
    ESCALATION_CHECK_MS: z.coerce.number().int().min(1000).default(15_000),
  },
  streams: [{ name: 'CRM_APPROVAL', subjects: ['crm.approval.>'] }],
  async setup({ db, grpc, config, written }) {
    const models = registerModels(db);
    const byKind = { request: models.ApprovalRequest, policy: models.Policy, delegation: models.Delegation };
    const ports: ApprovalPorts = {
      requests: new MongoApprovalRequestRepository(models),
      policies: new MongoPolicyRepository(models),
      delegations: new MongoDelegationRepository(models),
      directory: new KeycloakDirectory({ url: config.KEYCLOAK_URL, realm: config.KEYCLOAK_REALM }),
      written: (kind, id) => written(byKind[kind], id),
    };
    const requests = new ApprovalRequests(ports);
    grpc.server.add(pb.ApprovalRequestServiceDefinition, requestGrpc(requests));
    grpc.server.add(pb.ApprovalInboxServiceDefinition, inboxGrpc(requests));
    grpc.server.add(pb.ApprovalPolicyServiceDefinition, policyGrpc(new Policies(ports)));
    grpc.server.add(pb.ApprovalDelegationServiceDefinition, delegationGrpc(new Delegations(ports)));
    return {
      services: [
        pb.ApprovalRequestServiceDefinition.fullName,
        pb.ApprovalInboxServiceDefinition.fullName,
        pb.ApprovalPolicyServiceDefinition.fullName,
        pb.ApprovalDelegationServiceDefinition.fullName,
      ],
      outboxModels: [models.ApprovalRequest, models.Policy, models.Delegation],
      schedules: [
        {
          name: 'approval-escalation',
          everyMs: config.ESCALATION_CHECK_MS,
          run: async () =>
            void (await requests.escalateDue({ actor: await serviceActor(), requestId: 'escalation-timer' })),
        },
      ],
    };
  },
});
