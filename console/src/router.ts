/**
 * Hash routes (`#/orgs/<id>/domains`): the console is static files, so no server needs to know
 * its routes, and a reload or a shared link opens the same screen.
 */
import { useEffect, useState } from 'preact/hooks';

export const ORG_TABS = [
  'members',
  'invitations',
  'teams',
  'domains',
  'audit',
  'sso',
  'webhooks',
  'activity',
] as const;
export const COMPANY_TABS = ['orgs', 'domains', 'audit', 'sso', 'webhooks', 'activity'] as const;
export type OrgTab = (typeof ORG_TABS)[number];
export type CompanyTab = (typeof COMPANY_TABS)[number];

export type Route =
  | { readonly name: 'profiles' }
  | { readonly name: 'org'; readonly id: string; readonly tab: OrgTab }
  | { readonly name: 'company'; readonly id: string; readonly tab: CompanyTab }
  | { readonly name: 'not-found' };

export function parseRoute(hash: string): Route {
  const parts = hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter(Boolean)
    .map((p) => decodeURIComponent(p));
  if (parts.length === 0) return { name: 'profiles' };
  const [kind, id, tab] = parts;
  if (kind === 'orgs' && id && parts.length <= 3) {
    const t = (tab ?? 'members') as OrgTab;
    return ORG_TABS.includes(t) ? { name: 'org', id, tab: t } : { name: 'not-found' };
  }
  if (kind === 'companies' && id && parts.length <= 3) {
    const t = (tab ?? 'domains') as CompanyTab;
    return COMPANY_TABS.includes(t) ? { name: 'company', id, tab: t } : { name: 'not-found' };
  }
  return { name: 'not-found' };
}

export const href = {
  profiles: () => '#/',
  org: (id: string, tab: OrgTab = 'members') => `#/orgs/${encodeURIComponent(id)}/${tab}`,
  company: (id: string, tab: CompanyTab = 'domains') =>
    `#/companies/${encodeURIComponent(id)}/${tab}`,
};

export function navigate(to: string): void {
  window.location.hash = to;
}

/** The current route; re-renders on navigation. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
