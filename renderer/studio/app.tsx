import { useEffect, useState } from 'react';
import type { ProgramMix } from '../lib/program-mix.ts';
import { useAccount } from './features/account/api/account.ts';
import { AccountCard } from './features/account/components/account-card.tsx';
import { SignInPanel } from './features/account/components/sign-in-panel.tsx';
import { useSettings } from './features/mixer/api/settings.ts';
import { MixerPanel } from './features/mixer/components/mixer-panel.tsx';
import { ServerStatusPill } from './features/server/components/server-status-pill.tsx';
import { InviteCohost } from './features/invites/components/invite-cohost.tsx';
import { AcceptInvite } from './features/invites/components/accept-invite.tsx';
import { UpcomingSpaces } from './features/schedule/components/upcoming-spaces.tsx';
import { PayoutsCard } from './features/tickets/components/payouts-card.tsx';
import { StripeKeysCard } from './features/tickets/components/stripe-keys-card.tsx';
import { SalesDashboard } from './features/tickets/components/sales-dashboard.tsx';
import { TicketPricing } from './features/tickets/components/ticket-pricing.tsx';
import { StagePanel, type ScheduledStart } from './features/stage/components/stage-panel.tsx';
import type { LiveSession } from './features/stage/lib/live-session.ts';
import { PremierePanel } from './features/premiere/components/premiere-panel.tsx';
import { CaptionsPanel } from './features/captions/components/captions-panel.tsx';
import { usePremiere } from './features/premiere/lib/use-premiere.ts';
import { useProgramMix } from './use-program-mix.ts';
import { describeError } from '../lib/error-messages.ts';

export function App() {
  const mix = useProgramMix();
  return (
    <div className="studio">
      <header className="topbar">
        <h1>Spacecraft</h1>
        <ServerStatusPill />
      </header>
      {mix ? <Studio mix={mix} /> : null}
    </div>
  );
}

function Studio({ mix }: { mix: ProgramMix }) {
  const settings = useSettings();
  const account = useAccount();
  const [micReady, setMicReady] = useState(false);
  const [scheduled, setScheduled] = useState<ScheduledStart>(null);
  const [cohostOf, setCohostOf] = useState<string | null>(null);
  const [live, setLive] = useState<LiveSession | null>(null);
  // A premiere track holds the mixer in music mode while it is loaded; the host's own mode comes back after.
  const premiere = usePremiere(mix.trackPlayer, live);
  useEffect(() => {
    // Browsers start audio only after a gesture; the first click anywhere wakes the mix.
    const wake = () => void mix.resume();
    window.addEventListener('pointerdown', wake);
    void mix.resume();
    return () => window.removeEventListener('pointerdown', wake);
  }, [mix]);
  return (
    <main className="columns">
      <MixerPanel mix={mix} onReadyChange={setMicReady} modeOverride={premiere.state.current ? 'music' : null} />
      {account.data ? (
        <div className="column">
          <AccountCard account={account.data} />
          <StagePanel
            track={mix.track}
            ready={micReady && (account.data.mayHost || cohostOf !== null)}
            defaultTitle={settings.data?.spaceTitle ?? 'My Space'}
            scheduled={scheduled}
            onScheduledDone={() => setScheduled(null)}
            cohostOf={cohostOf}
            onCohostDone={() => setCohostOf(null)}
            hostTools={(spaceId) => (
              <>
                <InviteCohost spaceId={spaceId} />
                <TicketPricing spaceId={spaceId} />
                <SalesDashboard spaceId={spaceId} />
              </>
            )}
            onSessionChange={setLive}
          />
          <CaptionsPanel live={live} />
          {account.data.mayHost && premiere.controller ? <PremierePanel controller={premiere.controller} state={premiere.state} /> : null}
          {account.data.mayHost ? (
            <UpcomingSpaces
              canGoLive={micReady}
              onGoLive={(space) => {
                setScheduled({ id: space.id, title: space.title });
                document.getElementById('stage-heading')?.scrollIntoView({ behavior: 'smooth' });
              }}
              extra={(space) => (
                <>
                  <InviteCohost spaceId={space.id} />
                  <TicketPricing spaceId={space.id} />
                  <SalesDashboard spaceId={space.id} />
                </>
              )}
              cancelledExtra={(space) => <SalesDashboard spaceId={space.id} />}
            />
          ) : null}
          {account.data.mayHost ? <PayoutsCard /> : null}
          {account.data.mayHost ? <StripeKeysCard /> : null}
          <AcceptInvite onAccepted={setCohostOf} />
        </div>
      ) : account.data === null ? (
        <SignInPanel />
      ) : account.isError ? (
        <p className="error" role="alert">
          {describeError(account.error)}
        </p>
      ) : null}
    </main>
  );
}
