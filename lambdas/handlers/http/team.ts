/**
 * The team routes: GET /v1/team, POST/DELETE /v1/team/invites, POST /v1/team/join,
 * PATCH/DELETE /v1/team/members/{userId}. Roles are checked by authorize() (domain/team.ts), at the
 * gate and again by each use case on the account it commits.
 */
import * as z from 'zod';
import { DomainError } from '../../domain/errors';
import { MAX_INVITE_CODE_LENGTH } from '../../domain/invite-code';
import type { UseCaseDeps } from '../../use-cases/context';
import { changeMember, createInvite, getTeam, joinTeam, removeMember, revokeInvite } from '../../use-cases/team';
import { USER_ID_PATTERN } from '../../shared/caller';
import { httpEndpoint, teamAccess } from '../../shared/http-endpoint';
import { lambdaEntry } from '../../composition/production-deps';

export const INVITE_ID_PATTERN = /^inv_[0-9a-z]{26}$/;

const MonthlyCap = z.int().min(0).max(10_000_000).nullable().meta({ description: 'Credits the member may spend per billing period of the wallet; null = no cap.' });

export const InviteBody = z.strictObject({
  email: z.email().max(254),
  role: z.enum(['admin', 'member']),
  monthlyCapCredits: MonthlyCap.optional(),
});

export const JoinBody = z.strictObject({ code: z.string().min(1).max(MAX_INVITE_CODE_LENGTH + 16).meta({ example: 'JOIN-7KQ2-M9XR-4TWB-HC3P' }) });

export const MemberPatchBody = z
  .strictObject({ role: z.enum(['admin', 'member']).optional(), monthlyCapCredits: MonthlyCap.optional() })
  .refine((b) => b.role !== undefined || b.monthlyCapCredits !== undefined, { message: 'Send role, monthlyCapCredits or both.' });

function pathId(value: string | undefined, pattern: RegExp, notFound: DomainError): string {
  if (!value || !pattern.test(value)) throw notFound;
  return value;
}

const memberNotFound = () => new DomainError('member_not_found', 'No member of this wallet has that user id.');

export const createGetTeamHandler = (deps: UseCaseDeps) =>
  httpEndpoint({ access: teamAccess('member', deps.store) }, async ({ caller }) => ({ statusCode: 200, body: await getTeam(deps, caller) }));

export const createPostInviteHandler = (deps: UseCaseDeps) =>
  httpEndpoint({ access: teamAccess('manager', deps.store), body: InviteBody }, async ({ caller, body }) => ({
    statusCode: 201,
    body: await createInvite(deps, caller, { email: body.email, role: body.role, monthlyCapCredits: body.monthlyCapCredits ?? null }),
  }));

export const createDeleteInviteHandler = (deps: UseCaseDeps) =>
  httpEndpoint({ access: teamAccess('manager', deps.store) }, async ({ caller, pathParameters }) => {
    await revokeInvite(deps, caller, pathId(pathParameters.id, INVITE_ID_PATTERN, new DomainError('invite_not_found', 'No pending invite has that id.')));
    return { statusCode: 204, body: null };
  });

/** Any signed-in user joins for themselves; there is no wallet to check yet. */
export const createPostJoinHandler = (deps: UseCaseDeps) =>
  httpEndpoint({ access: 'token', body: JoinBody }, async ({ caller, body }) => ({ statusCode: 200, body: await joinTeam(deps, caller.userId, body.code) }));

export const createPatchMemberHandler = (deps: UseCaseDeps) =>
  httpEndpoint({ access: teamAccess('manager', deps.store), body: MemberPatchBody }, async ({ caller, body, pathParameters }) => ({
    statusCode: 200,
    body: await changeMember(deps, caller, pathId(pathParameters.userId, USER_ID_PATTERN, memberNotFound()), body),
  }));

/** Checked by the use case: a member may leave even while suspended. */
export const createDeleteMemberHandler = (deps: UseCaseDeps) =>
  httpEndpoint({ access: 'token' }, async ({ caller, pathParameters }) => {
    await removeMember(deps, caller, pathId(pathParameters.userId, USER_ID_PATTERN, memberNotFound()));
    return { statusCode: 204, body: null };
  });

export const getHandler = lambdaEntry(createGetTeamHandler, { access: { table: 'read-write' } });
export const postInviteHandler = lambdaEntry(createPostInviteHandler, { access: { table: 'read-write' } });
export const deleteInviteHandler = lambdaEntry(createDeleteInviteHandler, { access: { table: 'read-write' } });
export const postJoinHandler = lambdaEntry(createPostJoinHandler, { access: { table: 'read-write' } });
export const patchMemberHandler = lambdaEntry(createPatchMemberHandler, { access: { table: 'read-write' } });
export const deleteMemberHandler = lambdaEntry(createDeleteMemberHandler, { access: { table: 'read-write' } });
