/** A company: its organizations (move one in, or create one in it), domains, SSO and activity. */
import { useState } from 'preact/hooks';
import { api, enc } from '../api.ts';
import { useMe } from '../me.ts';
import type { Company, Org } from '../model.ts';
import { COMPANY_TABS, type CompanyTab, href } from '../router.ts';
import {
  announce,
  Empty,
  Loading,
  Panel,
  SelectField,
  SubmitForm,
  TextField,
  useLoad,
  useSubmit,
} from '../ui.tsx';
import { scopeOf } from './scope.ts';
import { ProfileNotLoaded, ScopePage } from './scope-page.tsx';

const TAB_LABELS: Record<CompanyTab, string> = {
  orgs: 'Organizations',
  domains: 'Domains',
  audit: 'Domain audit',
  sso: 'SSO',
  webhooks: 'Webhooks',
  activity: 'Activity',
};

export function CompanyScreen({ id, tab }: { id: string; tab: CompanyTab }) {
  const company = useLoad(() => api.get<Company>(`/v1/companies/${enc(id)}`), `${id}/${tab}`);

  if (!company.data) {
    return <ProfileNotLoaded kind="company" error={company.error} />;
  }
  const c = company.data;
  return (
    <ScopePage
      scope={scopeOf({ kind: 'company', company: c })}
      meta={
        <>
          Company · id <code>{c.id}</code> · {c.orgs.length} organization
          {c.orgs.length === 1 ? '' : 's'}
        </>
      }
      tabs={COMPANY_TABS.map((t) => ({ id: t, label: TAB_LABELS[t], href: href.company(c.id, t) }))}
      tab={tab}
    >
      {tab === 'orgs' ? <CompanyOrgs company={c} onChange={company.set} /> : null}
    </ScopePage>
  );
}

const OTHER = '__other__';

function CompanyOrgs(props: { company: Company; onChange: (c: Company) => void }) {
  const { company } = props;
  const inCompany = new Set(company.orgs.map((o) => o.id));
  // The orgs this person owns that are not in the company yet (`GET /v1/me`).
  const me = useMe(`me/${company.orgs.length}`);
  const candidates = (me.data?.memberships ?? [])
    .filter((m) => m.role === 'owner' && !inCompany.has(m.orgId))
    .map((m) => ({ id: m.orgId, name: m.orgName }));
  const [choice, setChoice] = useState(candidates[0]?.id ?? OTHER);
  const [otherId, setOtherId] = useState('');
  const [newName, setNewName] = useState('');
  const [step, setStep] = useState('');

  const moved = (next: Company) => props.onChange(next);

  const move = useSubmit(async () => {
    const orgId = choice === OTHER ? otherId.trim() : choice;
    const next = await api.post<Company>(`/v1/companies/${enc(company.id)}/orgs`, { orgId });
    moved(next);
    setOtherId('');
    announce(
      `${next.orgs.find((o) => o.id === orgId)?.name ?? 'The organization'} moved into ${company.name}`,
    );
  });

  // Two calls, shown step by step: create the org (the caller owns it), then move it in.
  const create = useSubmit(async () => {
    setStep('Creating the organization (step 1 of 2)…');
    try {
      const org = await api.post<Org>('/v1/orgs', { name: newName.trim() });
      setStep(`Moving ${org.name} into ${company.name} (step 2 of 2)…`);
      moved(await api.post<Company>(`/v1/companies/${enc(company.id)}/orgs`, { orgId: org.id }));
      setNewName('');
      announce(`${org.name} created in ${company.name}`);
    } finally {
      setStep('');
    }
  });

  return (
    <>
      <Panel id="orgs-title" title="Organizations">
        {company.orgs.length === 0 ? (
          <Empty title="No organizations in this company yet.">
            Move an organization you own into it, or create a new one below.
          </Empty>
        ) : (
          <ul class="profile-list">
            {company.orgs.map((o) => (
              <li key={o.id}>
                <a class="profile-link" href={href.org(o.id)}>
                  <span class="profile-name">{o.name}</span>
                  <span class="profile-kind">id {o.id}</span>
                </a>
              </li>
            ))}
          </ul>
        )}
      </Panel>
      <div class="grid-2">
        <Panel id="move-title" title={`Move an organization into ${company.name}`} heading="h3">
          <p class="hint">
            You must own the organization. It must not have its own domains or SSO connections:
            remove them first, then add them here at the company.
          </p>
          <SubmitForm
            submit={move}
            fields={['orgId']}
            action="Move into company"
            busyLabel="Moving…"
          >
            <SelectField
              label="Organization"
              value={choice}
              onValue={setChoice}
              options={[
                ...candidates.map((p) => ({ value: p.id, label: p.name })),
                { value: OTHER, label: 'Another, by its id…' },
              ]}
              error={choice !== OTHER ? move.fieldError('orgId') : undefined}
            />
            {choice === OTHER ? (
              <TextField
                label="Organization id"
                required
                autocomplete="off"
                spellcheck={false}
                value={otherId}
                onValue={setOtherId}
                error={move.fieldError('orgId')}
              />
            ) : null}
          </SubmitForm>
        </Panel>
        <Panel id="new-org-title" title={`Create an organization in ${company.name}`} heading="h3">
          <SubmitForm
            submit={create}
            fields={['name']}
            action="Create in company"
            busyLabel="Working…"
            note={step ? <Loading>{step}</Loading> : null}
          >
            <TextField
              label="Organization name"
              hint="Lower-case letters, digits and hyphens. It must be unique."
              required
              autocomplete="off"
              value={newName}
              onValue={setNewName}
              error={create.fieldError('name')}
            />
          </SubmitForm>
        </Panel>
      </div>
    </>
  );
}
