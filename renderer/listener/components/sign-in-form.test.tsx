// @vitest-environment happy-dom
/**
 * The listener page's sign-in form: field problems beside their fields, refusals as sentences,
 * focus. The account routes answer from a small in-memory fake with the real server's answers
 * (the client against the real server: test/integration/listener-account.test.ts; in Chromium:
 * test/e2e/stage.test.ts).
 */
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AccountApi } from '../account/account-api.ts';
import { AccountStore } from '../account/account-store.ts';
import { SignInForm } from './sign-in-form.tsx';

afterEach(() => {
  cleanup();
  localStorage.clear();
});

/** POST /api/accounts and /api/accounts/sessions as the server answers them. */
function fakeAccountRoutes() {
  const accounts = new Map<string, { displayName: string; password: string }>();
  let tokens = 0;
  const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const session = (handle: string) => ({ token: `token-${++tokens}`, expiresAt: new Date(Date.now() + 86_400_000).toISOString(), account: { id: `id-${handle}`, handle, displayName: accounts.get(handle)!.displayName } });
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const path = new URL(String(input)).pathname;
    const body = JSON.parse(String(init?.body)) as { handle: string; displayName?: string; password: string };
    const handle = body.handle.trim().toLowerCase();
    if (path === '/api/accounts') {
      const problems: string[] = [];
      if (!/^[a-z0-9_]{3,20}$/.test(handle)) problems.push('handle: 3–20 characters: lowercase letters, digits and underscores');
      if (!body.displayName?.trim()) problems.push('displayName: 1–50 characters');
      if (body.password.length < 10) problems.push('password: at least 10 characters');
      if (problems.length) return json(400, { error: { code: 'VALIDATION', message: 'That sign-up is not valid.', details: problems } });
      if (accounts.has(handle)) return json(409, { error: { code: 'INVALID_STATE', message: `The handle @${handle} is taken.`, details: { field: 'handle' } } });
      accounts.set(handle, { displayName: body.displayName!.trim(), password: body.password });
      return json(201, session(handle));
    }
    if (accounts.get(handle)?.password !== body.password) return json(403, { error: { code: 'PERMISSION_DENIED', message: 'That handle and password do not match an account.' } });
    return json(201, session(handle));
  };
  return { accounts, fetchImpl };
}

function renderForm(reason?: string) {
  const routes = fakeAccountRoutes();
  routes.accounts.set('form_bob', { displayName: 'Bob', password: 'bob-password-1' });
  const store = new AccountStore(new AccountApi('http://127.0.0.1:4400', routes.fetchImpl), localStorage);
  const onDone = vi.fn();
  const onCancel = vi.fn();
  render(<SignInForm store={store} reason={reason} onDone={onDone} onCancel={onCancel} />);
  return { store, onDone, onCancel };
}

const type = (label: string, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });

describe('SignInForm', () => {
  it('says why it is shown and puts the focus on the handle', () => {
    renderForm('Sign in to ask to speak.');
    expect(screen.getByRole('heading', { name: 'Sign in' })).toBeTruthy();
    expect(screen.getByText('Sign in to ask to speak.')).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByLabelText('Handle'));
  });

  it('creates an account, keeps the session in localStorage and not in a cookie', async () => {
    const { store, onDone } = renderForm();
    fireEvent.click(screen.getByRole('button', { name: 'Create an account' }));
    expect(screen.getByRole('heading', { name: 'Create an account' })).toBeTruthy();
    type('Handle', 'form_ada');
    type('Display name', 'Ada L.');
    type('Password', 'form-password-1');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Create account' })));
    await vi.waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(store.snapshot).toMatchObject({ status: 'signed-in', account: { handle: 'form_ada', displayName: 'Ada L.' } });
    expect(localStorage.getItem('spacecraft.listener.session')).toContain(store.snapshot.token!);
    expect(document.cookie).toBe('');
    expect(window.location.href).not.toContain(store.snapshot.token!);
  });

  it('shows each wrong sign-up field beside it, linked for screen readers', async () => {
    const { onDone } = renderForm();
    fireEvent.click(screen.getByRole('button', { name: 'Create an account' }));
    type('Handle', 'x!');
    type('Display name', 'Bo');
    type('Password', 'short');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Create account' })));
    const password = screen.getByLabelText('Password');
    await vi.waitFor(() => expect(password.getAttribute('aria-invalid')).toBe('true'));
    const described = (password.getAttribute('aria-describedby') ?? '').split(' ').map((id) => document.getElementById(id)?.textContent);
    expect(described).toContain('At least 10 characters.');
    expect(screen.getByLabelText('Handle').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByLabelText('Display name').getAttribute('aria-invalid')).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(onDone).not.toHaveBeenCalled();
  });

  it('says a wrong password in a sentence, and signs in after', async () => {
    const { onDone, store } = renderForm();
    type('Handle', 'form_bob');
    type('Password', 'not-his-password');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Sign in' })));
    await vi.waitFor(() => expect(screen.getByRole('alert').textContent).toMatch(/\w+ \w+ \w+/));
    expect(screen.getByRole('alert').textContent).not.toMatch(/PERMISSION_DENIED/);
    expect(onDone).not.toHaveBeenCalled();
    type('Password', 'bob-password-1');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Sign in' })));
    await vi.waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(store.snapshot.account?.handle).toBe('form_bob');
  });

  it('lets the listener go back to listening without an account', () => {
    const { onCancel } = renderForm();
    fireEvent.click(screen.getByRole('button', { name: 'Not now' }));
    expect(onCancel).toHaveBeenCalled();
  });
});
