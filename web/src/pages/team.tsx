/**
 * Team (sidebar → Team): the wallet's seats, members and invites, and usage by member and model.
 * The owner and admins manage the team (invite with a code to share, change role or cap, remove,
 * revoke invites); a member sees their own role, cap and spending and may leave. What someone may
 * do comes from their row in GET /v1/team (the API's records), never from the token.
 * Loaded on first visit (lazy), so the first load of the app stays small.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError, messageOf, unwrap, type Schemas } from '../api/client';
import { useApp } from '../app-context';
import { ErrorText, StatusText } from '../components/notice';
import { InviteSection } from '../team/invite-form';
import { PendingInvitesSection } from '../team/invites';
import { MembersSection } from '../team/members';
import { MyMembershipSection } from '../team/my-membership';
import { SeatsSection } from '../team/seats';
import { memberName } from '../team/team-words';
import { UsageSection } from '../team/usage';

export function TeamPage() {
  const { api, session, signOut } = useApp();
  const [team, setTeam] = useState<Schemas['Team'] | null>(null);
  const [error, setError] = useState<{ message: string; notMember: boolean } | null>(null);
  const [left, setLeft] = useState(false);

  const reload = useCallback(async () => {
    try {
      setTeam(await unwrap(api.GET('/v1/team')));
      setError(null);
    } catch (e) {
      const notMember = e instanceof ApiError && (e.code === 'not_a_member' || e.code === 'member_suspended');
      setError({ message: messageOf(e), notMember });
      if (notMember) setTeam(null);
    }
  }, [api]);
  useEffect(() => {
    void reload();
  }, [reload]);

  const names = useMemo(() => new Map((team?.members ?? []).map((m) => [m.userId, m.userId === session.sub ? `${memberName(m)} (you)` : memberName(m)])), [team, session.sub]);
  const me = team?.members.find((m) => m.userId === session.sub);
  const myRole = me?.role ?? (team && team.accountId === session.sub ? 'owner' : null);

  if (left) {
    return (
      <>
        <h1>Team</h1>
        <StatusText message={`You left the team of ${session.accountId}.`} />
        <p>This sign-in was for that wallet: sign out, then sign in to your own wallet or join another team with a new invite code.</p>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </>
    );
  }

  return (
    <>
      <h1>Team</h1>
      <div className="grid">
        {error ? (
          <div role="alert" className="notice wide">
            <p className="error">{error.message}</p>
            {error.notMember ? <p>You cannot use this wallet now. Sign out and sign in to your own wallet, or ask its owner for a new invite.</p> : null}
          </div>
        ) : null}
        {!team ? (
          error ? null : <p className="muted wide">Loading your team…</p>
        ) : myRole === 'owner' || myRole === 'admin' ? (
          <>
            <SeatsSection team={team} />
            <InviteSection team={team} myRole={myRole} onInvited={() => void reload()} />
            <MembersSection members={team.members} myRole={myRole} myUserId={session.sub} onChanged={() => void reload()} />
            {myRole === 'admin' && me ? <MyMembershipSection me={me} accountId={team.accountId} onLeft={() => setLeft(true)} /> : null}
            <PendingInvitesSection invites={team.invites} onChanged={() => void reload()} />
            <UsageSection names={names} />
          </>
        ) : me ? (
          <>
            <MyMembershipSection me={me} accountId={team.accountId} onLeft={() => setLeft(true)} />
            <UsageSection names={names} />
          </>
        ) : (
          <ErrorText message="Your row in this team could not be found." />
        )}
      </div>
    </>
  );
}
