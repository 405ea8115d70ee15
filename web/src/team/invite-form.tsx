/**
 * Invite someone (owner and admins): e-mail, role (an admin invites members only), optional monthly
 * cap. The code is shown once, with a Copy button; the API keeps only its hash.
 */
import { useId, useState } from 'react';
import { messageOf, unwrap, type Schemas } from '../api/client';
import { useApp } from '../app-context';
import { Section } from '../billing/section';
import { ErrorText, StatusText } from '../components/notice';
import { formatDay } from '../format';
import { Link } from '../router';
import { parseCap, ROLE_WORDS, type TeamRole } from './team-words';

type InvitedRole = Schemas['InvitedRole'];

export function InviteSection({ team, myRole, onInvited }: { team: Schemas['Team']; myRole: TeamRole; onInvited(): void }) {
  const { api } = useApp();
  const ids = { email: useId(), role: useId(), cap: useId(), capHint: useId(), code: useId() };
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<InvitedRole>('member');
  const [cap, setCap] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<Schemas['InviteCreated'] | null>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const roles: readonly InvitedRole[] = myRole === 'owner' ? ['member', 'admin'] : ['member'];
  const { limit, used } = team.seats;
  const capCheck = parseCap(cap);

  if (limit <= 1) {
    return (
      <Section title="Invite someone">
        <p>
          You cannot invite anyone on {team.plan}: it has one seat, the owner&apos;s. <Link href="/billing">Upgrade on Billing</Link> for seats.
        </p>
      </Section>
    );
  }

  const invite = async () => {
    if (capCheck.error) return;
    setBusy(true);
    setError(null);
    setCopied(null);
    setCreated(null);
    try {
      const answer = await unwrap(api.POST('/v1/team/invites', { body: { email: email.trim(), role, ...(capCheck.cap === null ? {} : { monthlyCapCredits: capCheck.cap }) } }));
      setCreated(answer);
      setEmail('');
      setCap('');
      onInvited();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  const copy = async (code: string) => {
    try {
      await window.navigator.clipboard.writeText(code);
      setCopied('Copied the code.');
    } catch {
      setCopied('Copying is not allowed here: select the code and copy it.');
    }
  };

  const full = used >= limit;
  return (
    <Section title="Invite someone">
      <form
        className="stack"
        onSubmit={(event) => {
          event.preventDefault();
          void invite();
        }}
      >
        <div className="fields">
          <div>
            <label htmlFor={ids.email}>E-mail</label>
            <input id={ids.email} type="email" required autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} />
          </div>
          <div>
            <label htmlFor={ids.role}>Role</label>
            <select id={ids.role} value={role} onChange={(e) => setRole(e.target.value as InvitedRole)}>
              {roles.map((r) => (
                <option key={r} value={r}>
                  {ROLE_WORDS[r]}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor={ids.cap}>Monthly cap (credits)</label>
            <input id={ids.cap} type="number" min={0} step={1} inputMode="numeric" value={cap} onChange={(e) => setCap(e.target.value)} aria-describedby={ids.capHint} aria-invalid={capCheck.error ? true : undefined} />
          </div>
        </div>
        <p id={ids.capHint} className={capCheck.error ? 'small error' : 'small muted'}>
          {capCheck.error ?? 'Optional: leave empty for no cap.'}
          {myRole === 'admin' ? ' Only the owner can invite admins.' : ''}
        </p>
        {full ? <p className="small">All {limit} seats are taken: free one before inviting.</p> : null}
        <button type="submit" disabled={busy || full || Boolean(capCheck.error)}>
          Create invite
        </button>
        <StatusText message={busy ? 'Creating the invite…' : null} />
        <ErrorText message={error} />
      </form>
      {created ? (
        <div className="invite-code" role="group" aria-labelledby={ids.code}>
          <h3 id={ids.code}>Invite code for {created.email}</h3>
          <p className="row">
            <code className="code">{created.code}</code>
            <button type="button" className="secondary" onClick={() => void copy(created.code)} aria-label={`Copy the invite code for ${created.email}`}>
              Copy
            </button>
          </p>
          <p className="small">
            Share it with them: it works once, until {formatDay(created.expiresAt)}, as {ROLE_WORDS[created.role].toLowerCase()}. It is shown only now.
          </p>
          <StatusText message={copied} />
        </div>
      ) : null}
    </Section>
  );
}
