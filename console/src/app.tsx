/** The console: configuration, session, header, and the screen the route names. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { configureApi } from './api.ts';
import { type ConsoleConfig, loadConfig } from './config.ts';
import { href, useRoute } from './router.ts';
import { CompanyScreen } from './screens/company.tsx';
import { OrgScreen } from './screens/org.tsx';
import { Profiles } from './screens/profiles.tsx';
import { SignIn } from './screens/sign-in.tsx';
import { type Session, session } from './session.ts';
import { Announcer, Button, ErrorMessage, Loading } from './ui.tsx';

function useSession(): Session | null {
  const [current, setCurrent] = useState(session.current());
  useEffect(() => session.subscribe(() => setCurrent(session.current())), []);
  return current;
}

/** After navigating, focus the new screen's heading, so keyboard and screen reader users follow. */
function useFocusOnNavigation(key: string): void {
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const target =
      document.querySelector<HTMLElement>('main .panel-title') ??
      document.querySelector<HTMLElement>('main h1');
    target?.focus();
  }, [key]);
}

export function App() {
  const [config, setConfig] = useState<ConsoleConfig | null>(null);
  const [configError, setConfigError] = useState<string | null>(null);
  const [signingOut, setSigningOut] = useState(false);
  const current = useSession();
  const route = useRoute();
  useFocusOnNavigation(`${JSON.stringify(route)}|${current?.email ?? ''}`);

  useEffect(() => {
    loadConfig().then(
      (c) => {
        configureApi(c);
        setConfig(c);
      },
      (e: unknown) => setConfigError((e as Error).message),
    );
  }, []);

  const signOut = async () => {
    if (!config) return;
    setSigningOut(true);
    await session.signOut(config);
    setSigningOut(false);
    window.location.hash = href.profiles();
  };

  let screen = null;
  if (configError) {
    screen = (
      <div class="stack">
        <h1 tabIndex={-1}>The console cannot start</h1>
        <ErrorMessage>
          Its configuration could not be loaded ({configError}). If you run Provisio locally, start
          it with <code>npm start</code> and open the address it prints.
        </ErrorMessage>
      </div>
    );
  } else if (!config) {
    screen = <Loading>Starting the console…</Loading>;
  } else if (!current) {
    screen = <SignIn config={config} />;
  } else if (route.name === 'profiles') {
    screen = <Profiles />;
  } else if (route.name === 'org') {
    screen = <OrgScreen id={route.id} tab={route.tab} />;
  } else if (route.name === 'company') {
    screen = <CompanyScreen id={route.id} tab={route.tab} />;
  } else {
    screen = (
      <div class="stack">
        <h1 tabIndex={-1}>Page not found</h1>
        <p>
          <a href={href.profiles()}>Choose a profile</a> to continue.
        </p>
      </div>
    );
  }

  return (
    <>
      <button
        type="button"
        class="skip-link"
        // A button, not `href="#main"`: the hash is the router's.
        onClick={() => document.getElementById('main')?.focus()}
      >
        Skip to main content
      </button>
      <header class="topbar">
        <a class="brand" href={href.profiles()}>
          Provisio <span class="brand-sub">admin console</span>
        </a>
        {current ? (
          <div class="user">
            <span class="user-email" title="Signed in as">
              {current.email}
            </span>
            <Button onClick={signOut} busy={signingOut} busyLabel="Signing out…">
              Sign out
            </Button>
          </div>
        ) : null}
      </header>
      <Announcer />
      <main id="main" tabIndex={-1}>
        {screen}
      </main>
    </>
  );
}
