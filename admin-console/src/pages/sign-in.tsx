import { useState } from 'preact/hooks';
import { ApiError, api } from '../api.js';
import { ErrorMessage } from '../ui.js';

/** Only paths of the console: `next` must not send a signed-in admin to another site. */
function nextPage(): string {
  const next = new URLSearchParams(location.search).get('next');
  return next && /^\/admin(\/|$|\?)/.test(next) && !next.startsWith('/admin/sign-in') ? next : '/admin';
}

export function SignInPage() {
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const input = form.elements.namedItem('apiKey') as HTMLInputElement;
    setBusy(true);
    setError(null);
    try {
      await api('POST', '/v1/admin/session', { apiKey: input.value.trim() }, { signIn: true });
      // The key goes no further than this request: the session cookie stands for it from now on.
      input.value = '';
      location.assign(nextPage());
    } catch (failure) {
      setError(
        failure instanceof ApiError && failure.status === 403 && failure.code === 'forbidden'
          ? new ApiError(403, 'forbidden', 'This key has no admin scope: only admin keys may use the console.')
          : (failure as Error),
      );
      setBusy(false);
      input.focus();
    }
  };

  return (
    <main id="main" class="sign-in">
      <h1>Admin console</h1>
      <form onSubmit={(event) => void submit(event)}>
        <label for="api-key">Admin API key</label>
        <input id="api-key" name="apiKey" type="password" autocomplete="off" spellcheck={false} required autofocus placeholder="llm_…" />
        <p class="hint">
          A key with the <code>admin</code> scope. It is exchanged for a session cookie that lasts a short while; the page does not
          keep it. In the embedded default, the development key is in <code>.data/dev-api-key</code>.
        </p>
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <ErrorMessage error={error} />
    </main>
  );
}
