// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { useAction } from './use-action.ts';

afterEach(cleanup);

function Button({ action }: { action: () => Promise<void> }) {
  const { busy, error, run } = useAction();
  return (
    <>
      <button type="button" disabled={busy} onClick={() => run(action)}>
        Go
      </button>
      {error ? <p role="alert">{(error as Error).message}</p> : null}
    </>
  );
}

describe('one action at a time', () => {
  it('is busy while the action runs, keeps its failure, and clears it when the next one starts', async () => {
    const pending: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
    const action = () => new Promise<void>((resolve, reject) => void pending.push({ resolve, reject }));
    render(<Button action={action} />);
    const button = screen.getByRole('button', { name: 'Go' }) as HTMLButtonElement;

    fireEvent.click(button);
    expect(button.disabled).toBe(true);
    await act(async () => pending[0]!.reject(new Error('refused')));
    expect(button.disabled).toBe(false);
    expect(screen.getByRole('alert').textContent).toBe('refused');

    fireEvent.click(button);
    expect(screen.queryByRole('alert')).toBeNull();
    expect(button.disabled).toBe(true);
    await act(async () => pending[1]!.resolve());
    expect(button.disabled).toBe(false);
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
