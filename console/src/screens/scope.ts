/** Where domains, SSO connections and events live: an org, or a company (SPEC §5 `{scope}`). */
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
