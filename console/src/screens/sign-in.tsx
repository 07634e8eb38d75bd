/** Sign-in with email and password (USER_PASSWORD_AUTH), and the challenges Cognito may ask. */
import { useState } from 'preact/hooks';
import { answerChallenge, passwordSignIn, type SignInStep, signInMessage } from '../cognito.ts';
import type { ConsoleConfig } from '../config.ts';
import { session } from '../session.ts';
import { ErrorMessage, SubmitButton, TextField } from '../ui.tsx';

type Challenge = Extract<SignInStep, { kind: 'challenge' }>;

export function SignIn({ config }: { config: ConsoleConfig }) {
  const [notice] = useState(() => session.takeEndedReason());
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [challenge, setChallenge] = useState<Challenge | null>(null);
  const [answer, setAnswer] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const proceed = (step: SignInStep) => {
    if (step.kind === 'done') {
      session.start(step.tokens);
      return;
    }
    setAnswer('');
    setChallenge(step);
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      if (!challenge) {
        proceed(await passwordSignIn(config, email.trim(), password));
      } else if (challenge.name === 'NEW_PASSWORD_REQUIRED') {
        proceed(
          await answerChallenge(config, challenge, {
            USERNAME: email.trim(),
            NEW_PASSWORD: answer,
          }),
        );
      } else {
        proceed(
          await answerChallenge(config, challenge, {
            USERNAME: email.trim(),
            SOFTWARE_TOKEN_MFA_CODE: answer.trim(),
          }),
        );
      }
    } catch (err) {
      setError(signInMessage(err, challenge ? 'challenge' : 'password'));
    } finally {
      setBusy(false);
    }
  };

  const supported =
    !challenge || ['NEW_PASSWORD_REQUIRED', 'SOFTWARE_TOKEN_MFA'].includes(challenge.name);

  return (
    <div class="sign-in">
      <h1 tabIndex={-1}>Sign in to the admin console</h1>
      <p class="lead">
        Manage your organizations' verified domains, auto-provisioning, SSO connections, members and
        seats.
      </p>
      {notice ? <p class="notice">{notice}</p> : null}
      <form onSubmit={submit} class="card">
        {!challenge ? (
          <>
            <TextField
              label="Email"
              type="email"
              autocomplete="username"
              required
              value={email}
              onValue={setEmail}
            />
            <TextField
              label="Password"
              type="password"
              autocomplete="current-password"
              required
              value={password}
              onValue={setPassword}
            />
          </>
        ) : challenge.name === 'NEW_PASSWORD_REQUIRED' ? (
          <TextField
            label="Choose a new password"
            hint="Your administrator gave you a temporary password; pick your own to continue."
            type="password"
            autocomplete="new-password"
            required
            value={answer}
            onValue={setAnswer}
          />
        ) : challenge.name === 'SOFTWARE_TOKEN_MFA' ? (
          <TextField
            label="Authentication code"
            hint="The 6-digit code your authenticator app shows for this account."
            inputMode="numeric"
            autocomplete="one-time-code"
            pattern="[0-9]{6}"
            required
            value={answer}
            onValue={setAnswer}
          />
        ) : (
          <ErrorMessage>
            This account needs a sign-in step the console does not offer ({challenge.name}). Sign in
            through your product's own sign-in page.
          </ErrorMessage>
        )}
        {error ? <ErrorMessage>{error}</ErrorMessage> : null}
        {supported ? (
          <SubmitButton busy={busy} busyLabel="Signing in…">
            {challenge ? 'Continue' : 'Sign in'}
          </SubmitButton>
        ) : null}
      </form>
    </div>
  );
}
