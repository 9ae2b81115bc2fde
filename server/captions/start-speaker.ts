/** Starts the real pipeline (SpeakerCaptions over the Space's mediasoup router) for one producer on stage. */
import { SpacecraftError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { MediaRoom } from '../media/media-room.ts';
import type { StartSpeaker } from './space-captions.ts';
import { SpeakerCaptions } from './speaker-captions.ts';

export function startSpeakerCaptions(engineCommand: string[], logger: Logger): StartSpeaker {
  return async (space, producerId, vocabulary) => {
    const source = space.media instanceof MediaRoom ? space.media.captionSource(producerId) : null;
    if (!source) throw new SpacecraftError('CAPTIONS_UNAVAILABLE', 'Captions cannot follow this speaker: their audio is not on this server.');
    return SpeakerCaptions.start({ router: source.router, producer: source.producer, engineCommand, vocabulary, logger });
  };
}
