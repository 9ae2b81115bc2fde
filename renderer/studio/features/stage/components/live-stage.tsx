/**
 * The studio's live stage screen, beside the on-air controls: requests to speak
 * (host and co-hosts), the people on stage with what my role may do to them,
 * and the reactions coming in.
 */
import { StreamAudio } from '../../../../lib/stream-audio.tsx';
import { ReactionsFeed, useReactionLog, type ReactionCount } from './reactions-feed.tsx';
import { RequestQueue, type QueuedRequest } from './request-queue.tsx';
import { StageRoster, type RosterActions, type RosterMember, type StageRole } from './stage-roster.tsx';
import './stage.css';

export type LiveStageProps = {
  members: readonly RosterMember[];
  /** My part ('listener': a co-host moved off the stage, who moderates no more). */
  me: StageRole | 'listener';
  myPeerId: string | null;
  requests: readonly QueuedRequest[];
  /** The latest batch of reactions (a new array for each batch). */
  reactions: readonly ReactionCount[] | null;
  /** Everyone else on stage, each to hear in the studio (one element each). */
  monitor?: ReadonlyArray<{ producerId: string; stream: MediaStream }>;
  actions: RosterActions & { answer: (peerId: string, accept: boolean) => Promise<void> };
};

export function LiveStage({ members, me, myPeerId, requests, reactions, monitor = [], actions }: LiveStageProps) {
  const log = useReactionLog(reactions);
  return (
    <div className="stage-live">
      {monitor.map((m) => (
        <StreamAudio key={m.producerId} stream={m.stream} className="monitor" />
      ))}
      {me === 'host' || me === 'cohost' ? <RequestQueue requests={requests} answer={actions.answer} /> : null}
      <StageRoster members={members} me={me} myPeerId={myPeerId} actions={actions} />
      <ReactionsFeed bursts={log.bursts} totals={log.totals} />
    </div>
  );
}
