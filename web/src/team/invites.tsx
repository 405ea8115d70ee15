/** Pending invites (owner and admins): each holds a seat until it is used, revoked or expires. */
import { useState } from 'react';
import { messageOf, type Schemas } from '../api/client';
import { useApp } from '../app-context';
import { Section } from '../billing/section';
import { ErrorText, StatusText } from '../components/notice';
import { formatDay } from '../format';
import { describeCap, ROLE_WORDS, unwrapNoContent } from './team-words';

export function PendingInvitesSection({ invites, onChanged }: { invites: Schemas['TeamInvite'][]; onChanged(): void }) {
  const { api } = useApp();
  const [busy, setBusy] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const revoke = async (invite: Schemas['TeamInvite']) => {
    setBusy(invite.id);
    setDone(null);
    setError(null);
    try {
      await unwrapNoContent(api.DELETE('/v1/team/invites/{id}', { params: { path: { id: invite.id } } }));
      setDone(`Revoked the invite for ${invite.email}: its seat is free.`);
      onChanged();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(null);
    }
  };
  return (
    <Section title="Pending invites">
      {invites.length === 0 ? (
        <p className="muted">No pending invites.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">E-mail</th>
                <th scope="col">Role</th>
                <th scope="col">Monthly cap</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {invites.map((i) => (
                <tr key={i.id}>
                  <th scope="row" className="break">
                    {i.email}
                  </th>
                  <td>{ROLE_WORDS[i.role]}</td>
                  <td>{describeCap(i.monthlyCapCredits)}</td>
                  <td>{formatDay(i.expiresAt)}</td>
                  <td>
                    <button type="button" className="secondary" disabled={busy !== null} onClick={() => void revoke(i)} aria-label={`Revoke the invite for ${i.email}`}>
                      Revoke
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <StatusText message={busy ? 'Revoking…' : done} />
      <ErrorText message={error} />
    </Section>
  );
}
