/** The sidebar on every page: navigation, the balance (a button that opens the top-up modal), who is signed in. */
import { useState } from 'react';
import { useApp } from '../app-context';
import { formatCredits } from '../format';
import { Link, usePath } from '../router';
import { TopupDialog } from './topup-dialog';

export function Sidebar() {
  const { session, balance, balanceError, signOut } = useApp();
  const [topupOpen, setTopupOpen] = useState(false);
  const path = usePath();
  const links = [
    { href: '/generate', label: 'Generate' },
    { href: '/billing', label: 'Billing' },
    { href: '/team', label: 'Team' },
    ...(session.isAdmin ? [{ href: '/admin', label: 'Admin' }] : []),
  ];
  return (
    <aside className="sidebar">
      <p className="brand">Banana Flow</p>
      <button type="button" className="balance" onClick={() => setTopupOpen(true)} aria-describedby="balance-hint">
        {balance ? formatCredits(balance.available) : '… credits'}
      </button>
      <span id="balance-hint" className="visually-hidden">
        Opens the top-up window
      </span>
      {balanceError ? (
        <p role="alert" className="error small">
          {balanceError}
        </p>
      ) : null}
      <nav aria-label="Main">
        <ul>
          {links.map((link) => (
            <li key={link.href}>
              <Link href={link.href} aria-current={path === link.href ? 'page' : undefined}>
                {link.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <div className="who">
        <p className="small">
          Signed in as {session.sub}
          <br />
          <span className="muted">
            {session.role === 'owner' ? 'Owner' : 'Member'} of {session.accountId}
          </span>
        </p>
        <button type="button" className="secondary" onClick={signOut}>
          Sign out
        </button>
      </div>
      {topupOpen ? <TopupDialog onClose={() => setTopupOpen(false)} /> : null}
    </aside>
  );
}
