/**
 * Billing (sidebar → Billing): everything the help page lists. The owner sees it all (GET /v1/billing);
 * a member sees the balance, the ledger and the coupon field, and is told what only the owner can do.
 * A failed section shows its error in words and the rest of the page stays usable.
 */
import { useCallback, useEffect, useState } from 'react';
import { messageOf, unwrap, type Schemas } from '../api/client';
import { useApp } from '../app-context';
import { AutoRefillSection } from '../billing/auto-refill';
import { BucketsSection } from '../billing/buckets';
import { InvoicesSection, TopupsSection, UsageLimitsSection } from '../billing/history';
import { LedgerSection } from '../billing/ledger';
import { PaygSection } from '../billing/payg';
import { PlanSection } from '../billing/plan';
import { RedeemCouponSection } from '../billing/redeem-coupon';
import { ErrorText } from '../components/notice';

export function BillingPage() {
  const { session, balance, refreshBalance } = useApp();
  const [version, setVersion] = useState(0);
  const changed = useCallback(() => setVersion((v) => v + 1), []);
  return (
    <>
      <h1>Billing</h1>
      {session.role === 'owner' ? (
        <OwnerBilling version={version} changed={changed} />
      ) : (
        <div className="grid">
          <p className="notice wide">Only the wallet&apos;s owner can manage the plan, top-ups, auto-refill and pay-as-you-go.</p>
          <BucketsSection balance={balance} />
          <RedeemCouponSection
            onRedeemed={() => {
              void refreshBalance();
              changed();
            }}
          />
          <LedgerSection version={version} />
        </div>
      )}
    </>
  );
}

function OwnerBilling({ version, changed }: { version: number; changed(): void }) {
  const { api, balance, refreshBalance } = useApp();
  const [billing, setBilling] = useState<Schemas['Billing'] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(async () => {
    try {
      const next = await unwrap(api.GET('/v1/billing'));
      setBilling(next);
      setError(null);
      return next;
    } catch (e) {
      setError(messageOf(e));
      return null;
    }
  }, [api]);
  // Reload when anything here changed, and when the shared balance moved (a top-up landed, a job was paid).
  useEffect(() => {
    void reload();
  }, [reload, version, balance]);
  // A plan change moves credits too (a grant when paid): the sidebar balance follows, and the new
  // balance (like the version bump) reloads the billing through the effect above.
  const afterChange = useCallback(() => {
    void refreshBalance();
    changed();
  }, [refreshBalance, changed]);

  return (
    <div className="grid">
      <ErrorText message={error} />
      {billing ? <PlanSection billing={billing} reload={reload} onChanged={afterChange} /> : <p className="muted">Loading your billing…</p>}
      <BucketsSection balance={billing?.balance ?? balance} debtCredits={billing?.debtCredits} />
      <RedeemCouponSection onRedeemed={changed} />
      <LedgerSection version={version} />
      {billing ? (
        <>
          <TopupsSection topups={billing.topups} />
          <InvoicesSection invoices={billing.invoices} />
          <UsageLimitsSection limits={billing.usageLimits} current={billing.plan.id} />
          <AutoRefillSection version={version} onSaved={() => void reload()} />
          <PaygSection billing={billing} onChanged={() => void reload()} />
        </>
      ) : null}
    </div>
  );
}
