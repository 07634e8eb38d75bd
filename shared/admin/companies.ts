/**
 * Companies (SPEC §5): create, read, and move an org the caller owns into one. An org that
 * manages its own domains or SSO connections is not moved (409): the company would take over
 * verified domains and connections the sign-in path reads by scope, and doing that silently
 * could change who gets in. Its owner removes them first and re-adds them at the company.
 * The org's earlier events join the company's activity after the move.
 */
import { ConflictError, NotFoundError } from '../errors.ts';
import type { CompanyRecord } from '../model/writes.ts';
import { type Ctx, ownsOrg } from './context.ts';
import type { CompanyView } from './schemas.ts';

async function companyView(ctx: Ctx, company: CompanyRecord): Promise<CompanyView> {
  const orgs = await ctx.deps.store.companyOrgs(company.id);
  return { id: company.id, name: company.name, orgs };
}

/** `POST /v1/companies`: the caller becomes its owner. */
export async function createCompany(ctx: Ctx, body: { name: string }): Promise<CompanyView> {
  const company: CompanyRecord = { id: ctx.deps.newId(), name: body.name, createdAt: ctx.at };
  await ctx.deps.store.apply([
    { kind: 'putCompany', company },
    {
      kind: 'putCompanyOwner',
      companyId: company.id,
      companyName: company.name,
      email: ctx.caller.email,
      at: ctx.at,
    },
  ]);
  return { id: company.id, name: company.name, orgs: [] };
}

/** `GET /v1/companies/{companyId}`. */
export const getCompany = (ctx: Ctx, company: CompanyRecord): Promise<CompanyView> =>
  companyView(ctx, company);

/** `POST /v1/companies/{companyId}/orgs`: answers with the company as it now is. */
export async function addOrgToCompany(
  ctx: Ctx,
  company: CompanyRecord,
  body: { orgId: string },
): Promise<CompanyView> {
  const access = await ctx.deps.store.orgAccess(body.orgId, ctx.caller.email);
  // Only an owner of the org may move it; for anyone else it does not exist.
  if (!access || !ownsOrg(access)) throw new NotFoundError(`Org ${body.orgId} not found`);
  const org = access.org;
  if (org.companyId === company.id) return companyView(ctx, company);
  if (org.companyId) {
    throw new ConflictError(`Org ${org.name} already belongs to another company`);
  }
  await ctx.deps.store.apply([
    {
      kind: 'joinCompany',
      orgId: org.id,
      companyId: company.id,
      conflict: `Org ${org.name} has its own domains or SSO connections; remove them from the org before moving it into a company, then add them at the company`,
    },
    { kind: 'putCompanyOrg', companyId: company.id, orgId: org.id, name: org.name },
    { kind: 'setOrgNameCompany', name: org.name, orgId: org.id, companyId: company.id },
    // SPEC §5: a company's event list shows its orgs' events, the org's history included. The
    // history may be long: the stream worker indexes it after the commit, a batch at a time.
    {
      kind: 'task',
      id: ctx.deps.newId(),
      at: ctx.at,
      task: { type: 'indexOrgEvents', orgId: org.id, companyId: company.id },
    },
  ]);
  return companyView(ctx, company);
}
