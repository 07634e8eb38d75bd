/**
 * The frame of an org's or a company's screens: breadcrumbs, the heading with what the scope is,
 * its tabs, and the tabs both have (domains, SSO connections, webhooks, activity); and the page
 * shown while the scope loads or when it cannot be loaded.
 */
import type { ComponentChildren } from 'preact';
import { type CompanyTab, href, navigate } from '../router.ts';
import { Button, Empty, ErrorMessage, Loading } from '../ui.tsx';
import { Activity } from './activity.tsx';
import { DomainAudit } from './domain-audit.tsx';
import { Domains } from './domains.tsx';
import type { Scope } from './scope.ts';
import { SsoConnections } from './sso.tsx';
import { Webhooks } from './webhooks.tsx';

export function Breadcrumbs({ children }: { children?: ComponentChildren }) {
  return (
    <nav aria-label="Breadcrumb" class="breadcrumbs">
      <ol>
        <li>
          <a href={href.profiles()}>Profiles</a>
        </li>
        {children}
      </ol>
    </nav>
  );
}

export function Tabs(props: {
  label: string;
  tabs: { id: string; label: string; href: string }[];
  current: string;
}) {
  return (
    <nav aria-label={props.label} class="tabs">
      <ul>
        {props.tabs.map((t) => (
          <li key={t.id}>
            <a href={t.href} aria-current={t.id === props.current ? 'page' : undefined}>
              {t.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** The screen's heading, `name`, and what it is (`meta`: kind, id, counts). */
export function ScopeHead({ name, meta }: { name: string; meta: ComponentChildren }) {
  return (
    <header class="scope-head">
      <h1 tabIndex={-1}>{name}</h1>
      <p class="scope-meta">{meta}</p>
    </header>
  );
}

/** A profile (org or company) that is loading, or that could not be loaded. */
export function ProfileNotLoaded({
  kind,
  error,
}: {
  kind: 'org' | 'company';
  error: string | undefined;
}) {
  const noun = kind === 'org' ? 'organization' : 'company';
  return (
    <div class="stack">
      <Breadcrumbs />
      <h1 tabIndex={-1}>{kind === 'org' ? 'Organization' : 'Company'}</h1>
      {error ? (
        <>
          <ErrorMessage>{error}</ErrorMessage>
          <p>
            <Button onClick={() => navigate(href.profiles())}>Back to your profiles</Button>
          </p>
        </>
      ) : (
        <Loading>Loading the {noun}…</Loading>
      )}
    </div>
  );
}

/**
 * An org's or a company's screen: `crumbs` after Profiles, the heading, the `tabs` with `tab`
 * current, then the tab: `children` for the scope's own tabs, or its domains, SSO connections,
 * webhooks or activity.
 */
export function ScopePage(props: {
  scope: Scope;
  crumbs?: ComponentChildren;
  meta: ComponentChildren;
  tabs: { id: string; label: string; href: string }[];
  tab: string;
  children?: ComponentChildren;
}) {
  const { scope, tab } = props;
  return (
    <div class="stack">
      <Breadcrumbs>{props.crumbs}</Breadcrumbs>
      <ScopeHead name={scope.name} meta={props.meta} />
      <Tabs label={`${scope.name} sections`} tabs={props.tabs} current={tab} />
      {props.children}
      {tab === 'domains' ? (
        <CompanyManaged scope={scope} what="Domains">
          <Domains scope={scope} />
        </CompanyManaged>
      ) : null}
      {tab === 'audit' ? (
        <CompanyManaged scope={scope} what="Domain audit">
          <DomainAudit scope={scope} />
        </CompanyManaged>
      ) : null}
      {tab === 'sso' ? (
        <CompanyManaged scope={scope} what="SSO connections">
          <SsoConnections scope={scope} />
        </CompanyManaged>
      ) : null}
      {tab === 'webhooks' ? <Webhooks scope={scope} /> : null}
      {tab === 'activity' ? <Activity scope={scope} /> : null}
    </div>
  );
}

/** The company's tab of what an org in a company has managed there. */
const COMPANY_TAB: Readonly<Record<string, CompanyTab>> = {
  Domains: 'domains',
  'Domain audit': 'audit',
  'SSO connections': 'sso',
};

/** SPEC §1: an org in a company has its domains and SSO connections managed by the company. */
function CompanyManaged(props: { scope: Scope; what: string; children: ComponentChildren }) {
  const { scope } = props;
  if (scope.kind !== 'org' || !scope.org.companyId) return <>{props.children}</>;
  return (
    <section class="card">
      <h2 class="panel-title" tabIndex={-1}>
        {props.what}
      </h2>
      <Empty
        title={
          props.what === 'Domain audit'
            ? `The domains of ${scope.name} are its company's: the company's domain audit lists them.`
            : `${props.what} of ${scope.name} are managed by its company.`
        }
      >
        <a href={href.company(scope.org.companyId, COMPANY_TAB[props.what] ?? 'sso')}>
          Open the company's {props.what.toLowerCase()}
        </a>{' '}
        (you need to be an owner of the company).
      </Empty>
    </section>
  );
}
