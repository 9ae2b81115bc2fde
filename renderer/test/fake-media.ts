/** A published producer for the renderer's session tests (listener page and studio): pause, resume and close, each kept for the test to read. */
export type FakeProducer = { paused: boolean; closed: boolean; pause(): void; resume(): void; close(): void };

export function fakeProducer(): FakeProducer {
  const producer: FakeProducer = {
    paused: false,
    closed: false,
    pause: () => void (producer.paused = true),
    resume: () => void (producer.paused = false),
    close: () => void (producer.closed = true),
  };
  return producer;
}
