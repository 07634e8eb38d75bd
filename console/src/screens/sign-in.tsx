/** Sign-in with email and password (USER_PASSWORD_AUTH), and the challenges Cognito may ask. */
import { useState } from 'preact/hooks';
import { answerChallenge, passwordSignIn, type SignInStep, signInMessage } from '../cognito.ts';
import type { ConsoleConfig } from '../config.ts';
import { session } from '../session.ts';
import { ErrorMessage, SubmitButton, TextField } from '../ui.tsx';

type Challenge = Extract<SignInStep, { kind: 'challenge' }>;

/**
 * The challenges the console answers: the field that asks for the answer, and the response that
 * carries it (`trim`: a code, typed with stray spaces; a password is taken as typed).
 */
const ANSWERS = new Map<
  string,
  {
    field: Omit<Parameters<typeof TextField>[0], 'value' | 'onValue'>;
    response: string;
    trim?: boolean;
  }
>([
  [
    'NEW_PASSWORD_REQUIRED',
    {
      field: {
        label: 'Choose a new password',
        hint: 'Your administrator gave you a temporary password; pick your own to continue.',
        type: 'password',
        autocomplete: 'new-password',
      },
      response: 'NEW_PASSWORD',
    },
  ],
  [
    'SOFTWARE_TOKEN_MFA',
    {
      field: {
        label: 'Authentication code',
        hint: 'The 6-digit code your authenticator app shows for this account.',
        inputMode: 'numeric',
        autocomplete: 'one-time-code',
        pattern: '[0-9]{6}',
      },
      response: 'SOFTWARE_TOKEN_MFA_CODE',
      trim: true,
    },
  ],
]);

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
      } else {
        const { response, trim } = ANSWERS.get(challenge.name)!;
        proceed(
          await answerChallenge(config, challenge, {
            USERNAME: email.trim(),
            [response]: trim ? answer.trim() : answer,
          }),
        );
      }
    } catch (err) {
      setError(signInMessage(err, challenge ? 'challenge' : 'password'));
    } finally {
      setBusy(false);
    }
  };

  const asked = challenge ? ANSWERS.get(challenge.name) : undefined;
  const supported = !challenge || asked !== undefined;

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
        ) : asked ? (
          <TextField {...asked.field} required value={answer} onValue={setAnswer} />
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
