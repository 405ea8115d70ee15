/** Seats used of the plan's limit; a one-seat plan explains that it has no seats for members. */
import type { Schemas } from '../api/client';
import { Section } from '../billing/section';
import { Link } from '../router';

export function SeatsSection({ team }: { team: Schemas['Team'] }) {
  const { limit, used } = team.seats;
  return (
    <Section title="Seats">
      <p className="seat-line">
        <strong>
          {used} of {limit} seat{limit === 1 ? '' : 's'} used
        </strong>{' '}
        <span className="muted">on {team.plan}</span>
      </p>
      <p className="small muted">The owner, each member and each pending invite take a seat.</p>
      {limit <= 1 ? (
        <p className="notice">
          The {team.plan} plan has no seats for members: only the owner uses this wallet. <Link href="/billing">Upgrade on Billing</Link> to PRO (3 seats) or TEAM (10 seats) to invite people.
        </p>
      ) : used >= limit ? (
        <p className="notice">All seats are taken. Revoke a pending invite, remove a member, or upgrade on <Link href="/billing">Billing</Link> for more seats.</p>
      ) : null}
    </Section>
  );
}
