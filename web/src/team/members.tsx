/**
 * The member table (owner and admins): role, monthly cap, spent this period of that cap, joined; per
 * member Change (role and cap) and Remove (after a confirm). The owner manages everyone else; an
 * admin manages members only (the API refuses the rest and says why).
 */
import { useEffect, useId, useRef, useState } from 'react';
import { messageOf, unwrap, type Schemas } from '../api/client';
import { useApp } from '../app-context';
import { Section } from '../billing/section';
import { ErrorText, StatusText } from '../components/notice';
import { formatDay } from '../format';
import { describeCap, describeSpent, memberName, parseCap, ROLE_WORDS, unwrapNoContent, type TeamMember, type TeamRole } from './team-words';

type InvitedRole = Schemas['InvitedRole'];
type Pending = { kind: 'change' | 'remove'; member: TeamMember } | null;

/** Whether someone with `myRole` may change or remove `target` (the API decides; this only hides buttons it would refuse). */
export function canManage(myRole: TeamRole, myUserId: string, target: TeamMember): boolean {
  if (target.role === 'owner' || target.userId === myUserId) return false;
  return myRole === 'owner' || (myRole === 'admin' && target.role === 'member');
}

export function MembersSection({ members, myRole, myUserId, onChanged }: { members: TeamMember[]; myRole: TeamRole; myUserId: string; onChanged(): void }) {
  const [pending, setPending] = useState<Pending>(null);
  const [done, setDone] = useState<string | null>(null);
  const anyActions = members.some((m) => canManage(myRole, myUserId, m));
  const open = (next: Pending) => {
    setDone(null);
    setPending(next);
  };
  const finish = (message: string | null) => {
    setPending(null);
    setDone(message);
    if (message) onChanged();
  };
  return (
    <Section title="Members" wide>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Member</th>
              <th scope="col">Role</th>
              <th scope="col">Monthly cap</th>
              <th scope="col">Spent this period</th>
              <th scope="col">Joined</th>
              {anyActions ? (
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {members.map((m) => {
              const name = memberName(m);
              return (
                <tr key={m.userId}>
                  <th scope="row" className="break">
                    {name}
                    {m.userId === myUserId ? <span className="badge">You</span> : null}
                  </th>
                  <td>{ROLE_WORDS[m.role]}</td>
                  <td>{describeCap(m.monthlyCapCredits)}</td>
                  <td className="num">{describeSpent(m.spentThisPeriodCredits, m.monthlyCapCredits)}</td>
                  <td>{formatDay(m.joinedAt)}</td>
                  {anyActions ? (
                    <td>
                      {canManage(myRole, myUserId, m) ? (
                        <div className="row nowrap">
                          <button type="button" className="secondary" aria-label={`Change ${name}`} onClick={() => open({ kind: 'change', member: m })}>
                            Change
                          </button>
                          <button type="button" className="secondary" aria-label={`Remove ${name}`} onClick={() => open({ kind: 'remove', member: m })}>
                            Remove
                          </button>
                        </div>
                      ) : null}
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {pending?.kind === 'change' ? <ChangeMember key={pending.member.userId} member={pending.member} myRole={myRole} onDone={finish} /> : null}
      {pending?.kind === 'remove' ? <RemoveMember key={pending.member.userId} member={pending.member} onDone={finish} /> : null}
      <StatusText message={done} />
    </Section>
  );
}

function ChangeMember({ member, myRole, onDone }: { member: TeamMember; myRole: TeamRole; onDone(message: string | null): void }) {
  const { api } = useApp();
  const name = memberName(member);
  const ids = { title: useId(), role: useId(), cap: useId(), hint: useId() };
  const [role, setRole] = useState<InvitedRole>(member.role === 'admin' ? 'admin' : 'member');
  const [cap, setCap] = useState(member.monthlyCapCredits === null ? '' : String(member.monthlyCapCredits));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const form = useRef<HTMLFormElement>(null);
  // Opening the editor moves focus into it (its first field), as a person using the keyboard expects.
  useEffect(() => form.current?.querySelector<HTMLElement>('select, input')?.focus(), []);
  const capCheck = parseCap(cap);
  const save = async () => {
    if (capCheck.error) return;
    setBusy(true);
    setError(null);
    try {
      const body = { ...(role !== member.role ? { role } : {}), monthlyCapCredits: capCheck.cap };
      const changed = await unwrap(api.PATCH('/v1/team/members/{userId}', { params: { path: { userId: member.userId } }, body }));
      onDone(`Saved ${name}: ${ROLE_WORDS[changed.role]}, ${describeCap(changed.monthlyCapCredits).toLowerCase()}.`);
    } catch (e) {
      setError(messageOf(e));
      setBusy(false);
    }
  };
  return (
    <form
      ref={form}
      className="stack editor"
      aria-labelledby={ids.title}
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <h3 id={ids.title}>Change {name}</h3>
      <div className="fields">
        {myRole === 'owner' ? (
          <div>
            <label htmlFor={ids.role}>Role</label>
            <select id={ids.role} value={role} onChange={(e) => setRole(e.target.value as InvitedRole)}>
              <option value="member">Member</option>
              <option value="admin">Admin</option>
            </select>
          </div>
        ) : null}
        <div>
          <label htmlFor={ids.cap}>Monthly cap (credits)</label>
          <input id={ids.cap} type="number" min={0} step={1} inputMode="numeric" value={cap} onChange={(e) => setCap(e.target.value)} aria-describedby={ids.hint} aria-invalid={capCheck.error ? true : undefined} />
        </div>
      </div>
      <p id={ids.hint} className={capCheck.error ? 'small error' : 'small muted'}>
        {capCheck.error ?? 'Empty for no cap. The cap counts what they spend in each billing period of the wallet.'}
      </p>
      <div className="row">
        <button type="submit" disabled={busy || Boolean(capCheck.error)}>
          Save
        </button>
        <button type="button" className="secondary" disabled={busy} onClick={() => onDone(null)}>
          Cancel
        </button>
      </div>
      <ErrorText message={error} />
    </form>
  );
}

function RemoveMember({ member, onDone }: { member: TeamMember; onDone(message: string | null): void }) {
  const { api } = useApp();
  const name = memberName(member);
  const title = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const keep = useRef<HTMLButtonElement>(null);
  useEffect(() => keep.current?.focus(), []);
  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      await unwrapNoContent(api.DELETE('/v1/team/members/{userId}', { params: { path: { userId: member.userId } } }));
      onDone(`Removed ${name} from the team.`);
    } catch (e) {
      setError(messageOf(e));
      setBusy(false);
    }
  };
  return (
    <div className="stack editor" role="group" aria-labelledby={title}>
      <h3 id={title}>Remove {name}?</h3>
      <p>They can no longer use this wallet, and their seat is free. What they spent stays in the usage.</p>
      <div className="row">
        <button type="button" className="danger" disabled={busy} onClick={() => void remove()}>
          Yes, remove {name}
        </button>
        <button type="button" className="secondary" ref={keep} disabled={busy} onClick={() => onDone(null)}>
          Keep {name}
        </button>
      </div>
      <ErrorText message={error} />
    </div>
  );
}
