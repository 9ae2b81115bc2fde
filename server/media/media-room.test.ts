import { describe, expect, it } from 'vitest';
import { mediaCall } from './media-room.ts';

describe('mediaCall', () => {
  it("turns mediasoup's TypeError (bad parameters) into VALIDATION", async () => {
    await expect(mediaCall('RTP parameters', () => Promise.reject(new TypeError('missing codecs')))).rejects.toMatchObject({
      code: 'VALIDATION',
      message: 'Invalid RTP parameters: missing codecs',
    });
  });

  it("turns mediasoup's InvalidStateError (a race with closing) into INVALID_STATE, not a stack trace", async () => {
    const closed = Object.assign(new Error('Channel closed'), { name: 'InvalidStateError' });
    await expect(mediaCall('consume request', () => Promise.reject(closed))).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });

  it('lets anything else through as it is', async () => {
    const surprise = new RangeError('surprise');
    await expect(mediaCall('transport', () => Promise.reject(surprise))).rejects.toBe(surprise);
  });
});
