/** Where domains, SSO connections and events live: an org, or a company (SPEC §5 `{scope}`). */
import { enc } from '../api.ts';
import type { Company, Org } from '../model.ts';

export type Scope =
  | {
      readonly kind: 'org';
      readonly id: string;
      readonly name: string;
      /** `/v1/orgs/<id>` */
      readonly base: string;
      readonly org: Org;
    }
  | {
      readonly kind: 'company';
      readonly id: string;
      readonly name: string;
      /** `/v1/companies/<id>` */
      readonly base: string;
      readonly company: Company;
    };

/** The orgs a scope covers, for choosing a target org (company) or naming one (events). */
export const scopeOrgs = (scope: Scope): readonly { id: string; name: string }[] =>
  scope.kind === 'org' ? [{ id: scope.org.id, name: scope.org.name }] : scope.company.orgs;

export const orgName = (scope: Scope, id: string | null): string =>
  id ? (scopeOrgs(scope).find((o) => o.id === id)?.name ?? id) : '';

/** The scope of an org or a company: its id, name and the base of its routes. */
export const scopeOf = (of: { kind: 'org'; org: Org } | { kind: 'company'; company: Company }) => {
  const { id, name } = of.kind === 'org' ? of.org : of.company;
  const base = `/v1/${of.kind === 'org' ? 'orgs' : 'companies'}/${enc(id)}`;
  return { ...of, id, name, base } as Scope;
};
