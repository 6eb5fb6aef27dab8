import type { approval as pb } from '@crm/proto';
import { operation, type Operation, type Reply } from '../api/operation';
import {
  Approval,
  ApprovalList,
  ApprovalListQuery,
  approvalToJson,
  DecisionBody,
  Delegation,
  DelegationBody,
  DelegationList,
  DelegationListQuery,
  delegationToJson,
  IdParams,
  Policy,
  PolicyBody,
  PolicyList,
  PolicyListQuery,
  policyToJson,
  WithdrawBody,
} from './schemas';

const approvalReply = (a: pb.ApprovalRequest): Reply => ({ body: approvalToJson(a), etag: a.version });
const policyReply = (p: pb.ApprovalPolicy, status = 200): Reply => ({
  status,
  body: policyToJson(p),
  etag: p.version,
});
const theApproval = {
  200: { description: 'The approval request', schema: Approval, headers: ['ETag' as const] },
};
const thePolicy = { 200: { description: 'The policy', schema: Policy, headers: ['ETag' as const] } };

/** The approval engine: approvers' inbox and decisions, requesters' withdrawals, policies, delegations. */
export const approvalOperations: Operation[] = [
  operation({
    method: 'get',
    path: '/approvals',
    operationId: 'listApprovals',
    tag: 'Approvals',
    summary: 'List approval requests (the inbox)',
    description:
      'Requests the caller takes part in (as requester, approver or delegate; admins see all), newest first. ' +
      '`assignedTo=me&status=pending` is the inbox: what waits for the caller now, including what waits for ' +
      'someone who delegated to them.',
    permission: 'approval.use',
    query: ApprovalListQuery,
    responses: { 200: { description: 'A page of approval requests', schema: ApprovalList } },
    async handler({ query: q, call, deps }) {
      const reply = await call((o) =>
        deps.clients.approval.inbox.listApprovals(
          {
            assignedTo: q.assignedTo ?? '',
            requesterId: q.requesterId ?? '',
            status: q.status ?? '',
            limit: q.limit,
            cursor: q.cursor ?? '',
          },
          o,
        ),
      );
      return { body: { items: reply.approvals.map(approvalToJson), nextCursor: reply.nextCursor || null } };
    },
  }),
  operation({
    method: 'get',
    path: '/approvals/{id}',
    operationId: 'getApproval',
    tag: 'Approvals',
    summary: 'Get an approval request',
    description:
      'With its snapshot, current approvers and full trail (every step, decision, delegation, escalation).',
    permission: 'approval.use',
    params: IdParams,
    responses: theApproval,
    errors: [404],
    async handler({ params, call, deps }) {
      return approvalReply(
        await call((o) => deps.clients.approval.requests.getApprovalRequest({ id: params.id }, o)),
      );
    },
  }),
  operation({
    method: 'post',
    path: '/approvals/{id}/decision',
    operationId: 'decideApproval',
    tag: 'Approvals',
    summary: 'Decide the current step of an approval request',
    description:
      'As an approver of the current step (or their delegate). 403: your own request, or you are not an ' +
      'approver of the step. 409: the step or the request is already decided (of two approvers deciding at ' +
      'once, one gets 409). 400: reject and request-changes need a comment.',
    permission: 'approval.use',
    params: IdParams,
    body: DecisionBody,
    ifMatch: true,
    responses: theApproval,
    errors: [404, 409],
    async handler({ params, body, call, deps, expectedVersion }) {
      const a = await call((o) =>
        deps.clients.approval.inbox.decideApproval(
          {
            id: params.id,
            decision: body.decision,
            comment: body.comment,
            expectedVersion: expectedVersion(),
          },
          o,
        ),
      );
      return approvalReply(a);
    },
  }),
  operation({
    method: 'post',
    path: '/approvals/{id}/withdraw',
    operationId: 'withdrawApproval',
    tag: 'Approvals',
    summary: 'Withdraw an approval request',
    description: 'By its requester while it is pending; 409 once decided.',
    permission: 'approval.use',
    params: IdParams,
    body: WithdrawBody,
    responses: theApproval,
    errors: [404, 409],
    async handler({ params, body, call, deps }) {
      return approvalReply(
        await call((o) =>
          deps.clients.approval.requests.withdrawApproval({ id: params.id, comment: body.comment }, o),
        ),
      );
    },
  }),
  operation({
    method: 'get',
    path: '/approval-policies',
    operationId: 'listApprovalPolicies',
    tag: 'Approval policies',
    summary: 'List approval policies',
    description: 'Latest versions, by subject type then priority.',
    permission: 'approval-policy.read',
    query: PolicyListQuery,
    responses: { 200: { description: 'The policies', schema: PolicyList } },
    async handler({ query, call, deps }) {
      const reply = await call((o) =>
        deps.clients.approval.policies.listPolicies({ subjectType: query.subjectType ?? '' }, o),
      );
      return { body: { items: reply.policies.map(policyToJson) } };
    },
  }),
  operation({
    method: 'post',
    path: '/approval-policies',
    operationId: 'createApprovalPolicy',
    tag: 'Approval policies',
    summary: 'Create an approval policy',
    description:
      'Validated whole when saved: the condition must parse and read only fields of the subject type ' +
      '(or listed in snapshotFields); every step names approvers.',
    permission: 'settings.write',
    body: PolicyBody,
    responses: { 201: { description: 'Created', schema: Policy, headers: ['ETag', 'Location'] } },
    async handler({ body, call, deps }) {
      const p = await call((o) =>
        deps.clients.approval.policies.savePolicy({ id: '', expectedVersion: '0', policy: body }, o),
      );
      return { ...policyReply(p, 201), location: `/api/v1/approval-policies/${encodeURIComponent(p.id)}` };
    },
  }),
  operation({
    method: 'get',
    path: '/approval-policies/{id}',
    operationId: 'getApprovalPolicy',
    tag: 'Approval policies',
    summary: 'Get an approval policy',
    description: 'At its latest version; requests keep the version they started with.',
    permission: 'approval-policy.read',
    params: IdParams,
    responses: thePolicy,
    errors: [404],
    async handler({ params, call, deps }) {
      return policyReply(await call((o) => deps.clients.approval.policies.getPolicy({ id: params.id }, o)));
    },
  }),
  operation({
    method: 'put',
    path: '/approval-policies/{id}',
    operationId: 'replaceApprovalPolicy',
    tag: 'Approval policies',
    summary: 'Replace an approval policy (a new version)',
    description: 'Requests already under way keep following the version they started with.',
    permission: 'settings.write',
    params: IdParams,
    body: PolicyBody,
    ifMatch: true,
    responses: thePolicy,
    errors: [404],
    async handler({ params, body, call, deps, expectedVersion }) {
      const p = await call((o) =>
        deps.clients.approval.policies.savePolicy(
          { id: params.id, expectedVersion: expectedVersion(), policy: body },
          o,
        ),
      );
      return policyReply(p);
    },
  }),
  operation({
    method: 'get',
    path: '/approval-delegations',
    operationId: 'listApprovalDelegations',
    tag: 'Approvals',
    summary: 'List delegations',
    description: "The caller's delegations (every one for an admin); `includeEnded=true` adds ended ones.",
    permission: 'approval.use',
    query: DelegationListQuery,
    responses: { 200: { description: 'The delegations', schema: DelegationList } },
    async handler({ query, call, deps }) {
      const reply = await call((o) =>
        deps.clients.approval.delegations.listDelegations({ includeEnded: query.includeEnded === 'true' }, o),
      );
      return { body: { items: reply.delegations.map(delegationToJson) } };
    },
  }),
  operation({
    method: 'post',
    path: '/approval-delegations',
    operationId: 'createApprovalDelegation',
    tag: 'Approvals',
    summary: 'Delegate approvals while away',
    description:
      'From startsOn to endsOn (UTC days, both included) the delegate sees and decides what waits for the ' +
      'delegator; the trail records both.',
    permission: 'approval.use',
    body: DelegationBody,
    responses: { 201: { description: 'Created', schema: Delegation, headers: ['Location'] } },
    async handler({ body, call, deps }) {
      const d = await call((o) => deps.clients.approval.delegations.createDelegation(body, o));
      return {
        status: 201,
        body: delegationToJson(d),
        location: `/api/v1/approval-delegations/${encodeURIComponent(d.id)}`,
      };
    },
  }),
  operation({
    method: 'delete',
    path: '/approval-delegations/{id}',
    operationId: 'endApprovalDelegation',
    tag: 'Approvals',
    summary: 'End a delegation early',
    description: 'It stays listed with includeEnded=true.',
    permission: 'approval.use',
    params: IdParams,
    responses: { 200: { description: 'The ended delegation', schema: Delegation } },
    errors: [404],
    async handler({ params, call, deps }) {
      const d = await call((o) => deps.clients.approval.delegations.deleteDelegation({ id: params.id }, o));
      return { body: delegationToJson(d) };
    },
  }),
];
