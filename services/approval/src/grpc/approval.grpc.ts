import { type CallerContext, callerOf, expectedVersionOf } from '@crm/kit';
import { approval as pb } from '@crm/proto';
import type { ApprovalRequests } from '../application/approval-requests';
import type { Delegations } from '../application/delegations';
import type { Policies } from '../application/policies';
import { fromProtoPolicy, toProtoDelegation, toProtoPolicy, toProtoRequest } from './approval.mapper';

type Ctx = CallerContext;

/** proto <-> application only; the rules live in the domain and the use cases. */
export function requestGrpc(requests: ApprovalRequests): pb.ApprovalRequestServiceImplementation<Ctx> {
  return {
    async requestApproval(req, ctx) {
      return toProtoRequest(await requests.request({ ...req, snapshot: req.snapshot ?? {} }, callerOf(ctx)));
    },
    async getApprovalRequest(req, ctx) {
      return toProtoRequest(await requests.get(req.id, callerOf(ctx)));
    },
    async withdrawApproval(req, ctx) {
      return toProtoRequest(await requests.withdraw(req.id, req.comment, callerOf(ctx)));
    },
  };
}

export function inboxGrpc(requests: ApprovalRequests): pb.ApprovalInboxServiceImplementation<Ctx> {
  return {
    async listApprovals(req, ctx) {
      const { requests: page, nextCursor } = await requests.list(
        {
          assignedTo: req.assignedTo,
          requesterId: req.requesterId,
          status: req.status,
          limit: req.limit,
          cursor: req.cursor,
        },
        callerOf(ctx),
      );
      return { approvals: page.map(toProtoRequest), nextCursor };
    },
    async decideApproval(req, ctx) {
      const r = await requests.decide(
        req.id,
        expectedVersionOf(req.expectedVersion),
        req.decision,
        req.comment,
        callerOf(ctx),
      );
      return toProtoRequest(r);
    },
  };
}

export function policyGrpc(policies: Policies): pb.ApprovalPolicyServiceImplementation<Ctx> {
  return {
    async listPolicies(req, ctx) {
      return { policies: (await policies.list(req.subjectType, callerOf(ctx))).map(toProtoPolicy) };
    },
    async getPolicy(req, ctx) {
      return toProtoPolicy(await policies.get(req.id, callerOf(ctx)));
    },
    async savePolicy(req, ctx) {
      const p = await policies.save(
        req.id,
        expectedVersionOf(req.expectedVersion),
        fromProtoPolicy(req.policy),
        callerOf(ctx),
      );
      return toProtoPolicy(p);
    },
  };
}

export function delegationGrpc(delegations: Delegations): pb.ApprovalDelegationServiceImplementation<Ctx> {
  return {
    async listDelegations(req, ctx) {
      return {
        delegations: (await delegations.list(req.includeEnded, callerOf(ctx))).map(toProtoDelegation),
      };
    },
    async createDelegation(req, ctx) {
      return toProtoDelegation(await delegations.create(req, callerOf(ctx)));
    },
    async deleteDelegation(req, ctx) {
      return toProtoDelegation(await delegations.end(req.id, callerOf(ctx)));
    },
  };
}
