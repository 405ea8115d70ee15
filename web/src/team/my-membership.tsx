/** A member's (or admin's) own row: role, cap, spent this period, and Leave team (after a confirm). */
import { useEffect, useRef, useState } from 'react';
import { messageOf } from '../api/client';
import { useApp } from '../app-context';
import { Section } from '../billing/section';
import { ErrorText } from '../components/notice';
import { formatCredits, formatDay } from '../format';
import { describeCap, ROLE_WORDS, unwrapNoContent, type TeamMember } from './team-words';

export function MyMembershipSection({ me, accountId, onLeft }: { me: TeamMember; accountId: string; onLeft(): void }) {
  const { api } = useApp();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const keep = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) keep.current?.focus();
  }, [confirming]);
  const cap = me.monthlyCapCredits;
  const leave = async () => {
    setBusy(true);
    setError(null);
    try {
      await unwrapNoContent(api.DELETE('/v1/team/members/{userId}', { params: { path: { userId: me.userId } } }));
      onLeft();
    } catch (e) {
      setError(messageOf(e));
      setBusy(false);
    }
  };
  return (
    <Section title="Your membership">
      <dl className="facts">
        <dt>Wallet</dt>
        <dd>{accountId}</dd>
        <dt>Role</dt>
        <dd>{ROLE_WORDS[me.role]}</dd>
        <dt>Monthly cap</dt>
        <dd>{describeCap(cap)}</dd>
        <dt>Spent this period</dt>
        <dd>
          {formatCredits(me.spentThisPeriodCredits)}
          {cap !== null ? ` of ${formatCredits(cap)} (${formatCredits(Math.max(0, cap - me.spentThisPeriodCredits))} left)` : ''}
        </dd>
        <dt>Joined</dt>
        <dd>{formatDay(me.joinedAt)}</dd>
      </dl>
      {cap !== null && me.spentThisPeriodCredits >= cap ? <p className="notice">You have reached your monthly cap: generations are refused until the next billing period or until the owner raises it.</p> : null}
      {confirming ? (
        <div className="stack editor" role="group" aria-label="Leave the team?">
          <p>Leave the team? You can no longer use this wallet&apos;s credits; rejoining needs a new invite.</p>
          <div className="row">
            <button type="button" className="danger" disabled={busy} onClick={() => void leave()}>
              Yes, leave the team
            </button>
            <button type="button" className="secondary" ref={keep} disabled={busy} onClick={() => setConfirming(false)}>
              Stay
            </button>
          </div>
        </div>
      ) : (
        <button type="button" className="secondary" onClick={() => setConfirming(true)}>
          Leave team
        </button>
      )}
      <ErrorText message={error} />
    </Section>
  );
}
