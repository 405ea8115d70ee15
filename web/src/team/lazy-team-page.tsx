/** The Team page, loaded on first visit: it is not part of the app's first load. */
import { lazy, Suspense } from 'react';

const TeamPage = lazy(() => import('../pages/team').then((m) => ({ default: m.TeamPage })));

export function LazyTeamPage() {
  return (
    <Suspense fallback={<p className="muted">Loading the Team page…</p>}>
      <TeamPage />
    </Suspense>
  );
}
