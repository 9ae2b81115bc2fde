// @vitest-environment happy-dom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT } from '../../../../test/demo-account.ts';
import { installFakeStudio } from '../../../../test/fake-studio.ts';
import { accountKey } from '../api/account.ts';
import { SignInPanel } from './sign-in-panel.tsx';

afterEach(cleanup);

const demo = DEMO_ACCOUNT;

function renderPanel(): QueryClient {
  const client = new QueryClient();
  render(
    <QueryClientProvider client={client}>
      <SignInPanel />
    </QueryClientProvider>,
  );
  return client;
}

const fill = (label: string, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });

describe('SignInPanel', () => {
  it('signs in with the handle and password, and the studio then has the account', async () => {
    const studio = installFakeStudio({ 'studio:account:signIn': () => ({ ok: true, data: demo }) });
    const client = renderPanel();
    expect(screen.getByRole('heading', { name: 'Sign in to host' })).toBeTruthy();
    fill('Handle', 'demo_creator');
    fill('Password', 'spacecraft-demo');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Sign in' })));
    expect(studio.calls).toEqual([{ channel: 'studio:account:signIn', input: { handle: 'demo_creator', password: 'spacecraft-demo' } }]);
    expect(client.getQueryData(accountKey)).toEqual(demo);
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it("shows the server's refusal as its sentence, linked to the form", async () => {
    installFakeStudio({
      'studio:account:signIn': () => ({ ok: false, error: { code: 'PERMISSION_DENIED', message: 'That handle and password do not match an account.' } }),
    });
    const client = renderPanel();
    fill('Handle', 'demo_creator');
    fill('Password', 'wrong-password');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Sign in' })));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('That handle and password do not match an account.');
    expect(alert.closest('form')?.getAttribute('aria-describedby')).toBe(alert.id);
    expect(client.getQueryData(accountKey)).toBeUndefined();
    expect((screen.getByRole('button', { name: 'Sign in' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it("creates an account, and lists the server's problems with what was typed", async () => {
    const studio = installFakeStudio({
      'studio:account:signUp': () => ({
        ok: false,
        error: {
          code: 'VALIDATION',
          message: 'Some of that is not right.',
          details: ['handle: 3 to 20 letters, digits or _', 'password: at least 10 characters'],
        },
      }),
    });
    renderPanel();
    fireEvent.click(screen.getByRole('button', { name: 'New here? Create an account' }));
    expect(screen.getByRole('heading', { name: 'Create your account' })).toBeTruthy();
    fill('Handle', 'x');
    fill('Display name', 'X');
    fill('Password', 'short');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Create account' })));
    expect(studio.calls).toEqual([{ channel: 'studio:account:signUp', input: { handle: 'x', password: 'short', displayName: 'X' } }]);
    const alert = await screen.findByRole('alert');
    expect(alert.querySelector('p')?.textContent).toBe('Some of that is not right.');
    expect([...alert.querySelectorAll('li')].map((li) => li.textContent)).toEqual(['handle: 3 to 20 letters, digits or _', 'password: at least 10 characters']);
  });

  it('says in a sentence when the server cannot be reached', async () => {
    installFakeStudio({ 'studio:account:signIn': () => ({ ok: false, error: { code: 'UNAVAILABLE', message: 'The server cannot be reached right now.' } }) });
    renderPanel();
    fill('Handle', 'demo_creator');
    fill('Password', 'spacecraft-demo');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Sign in' })));
    expect((await screen.findByRole('alert')).textContent).toBe('The server cannot be reached right now.');
  });
});
