/**
 * The listener page's stage while a Space is live: who is on it, the
 * listener's own part (ask to speak, the green room once accepted, their
 * microphone on stage), and reactions. Guests are offered sign-in for
 * what needs an account.
 */
import { GreenRoom, type GreenRoomProps } from './green-room.tsx';
import { ReactionsBar } from './reactions-bar.tsx';
import { SpeakControls, type MyPart, type SpeakActions } from './speak-controls.tsx';
import { StagePeople, type StagePerson } from './stage-people.tsx';

export type ListenerStageView = {
  people: readonly StagePerson[];
  myPeerId: string | null;
  part: MyPart;
  /** Accepted onto the stage, microphone not yet published: the green room. */
  inGreenRoom: boolean;
  /** The emoji the server allows. */
  reactions: readonly string[];
};

export type ListenerStageActions = SpeakActions & {
  react: (emoji: string) => Promise<void>;
  joinStage: (track: MediaStreamTrack) => Promise<void>;
};

export function ListenerStage({ view, actions, mic }: { view: ListenerStageView; actions: ListenerStageActions; mic: Pick<GreenRoomProps, 'openMic' | 'listMicrophones'> }) {
  return (
    <>
      <StagePeople people={view.people} myPeerId={view.myPeerId} />
      {view.inGreenRoom ? (
        <GreenRoom openMic={mic.openMic} listMicrophones={mic.listMicrophones} onJoin={actions.joinStage} onLeave={actions.leaveStage} />
      ) : (
        <SpeakControls part={view.part} actions={actions} />
      )}
      {!view.inGreenRoom && (view.part.role === 'listener' || view.part.role === 'speaker') ? (
        <ReactionsBar emoji={view.reactions} signedIn={view.part.signedIn} onReact={actions.react} needSignIn={actions.needSignIn} />
      ) : null}
    </>
  );
}
