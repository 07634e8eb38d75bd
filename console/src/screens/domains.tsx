/**
 * Domain management, as in the seeds: add a domain and publish its TXT record, verify it, then
 * per row an actions menu to verify, enable or disable auto-provisioning (choosing the org at
 * company level, with a confirmation) and delete.
 */
import { useState } from 'preact/hooks';
import { ApiProblem, api } from '../api.ts';
import { formatDate, formatDateTime } from '../format.ts';
import type { Domain, SsoConnection } from '../model.ts';
import { usePaged } from '../paged.ts';
import { explain } from '../problems.ts';
import { href } from '../router.ts';
import { SessionEnded } from '../session.ts';
import {
  ActionsMenu,
  announce,
  Badge,
  Button,
  ConfirmDialog,
  CopyValue,
  Dialog,
  Empty,
  ErrorMessage,
  FormDialog,
  Loading,
  type MenuItem,
  PagedList,
  Panel,
  SelectField,
  SubmitForm,
  Table,
  TextField,
  useSubmit,
} from '../ui.tsx';
import { orgName, type Scope } from './scope.ts';

const path = (scope: Scope, domain?: string, rest = '') =>
  `${scope.base}/domains${domain ? `/${encodeURIComponent(domain)}` : ''}${rest}`;

interface Check {
  busy: boolean;
  error?: string;
}

export function Domains({ scope }: { scope: Scope }) {
  const domains = usePaged<Domain>(path(scope), 100);
  const connections = usePaged<SsoConnection>(`${scope.base}/sso-connections`, 100);
  const [name, setName] = useState('');
  const [txtFor, setTxtFor] = useState<Domain | null>(null);
  const [checks, setChecks] = useState<Record<string, Check>>({});
  const [dialog, setDialog] = useState<{
    kind: 'enable' | 'disable' | 'delete';
    domain: Domain;
  } | null>(null);

  const add = useSubmit(async () => {
    const added = await api.post<Domain>(path(scope), { domain: name.trim() });
    setName('');
    setTxtFor(added);
    await domains.reload();
    announce(`${added.domain} added. Publish its TXT record, then verify it.`);
  });

  const verify = async (d: Domain) => {
    setChecks((c) => ({ ...c, [d.domain]: { busy: true } }));
    try {
      await api.post<Domain>(path(scope, d.domain, '/verify'));
      setChecks((c) => ({ ...c, [d.domain]: { busy: false } }));
      if (txtFor?.domain === d.domain) setTxtFor(null);
      await domains.reload();
      announce(`${d.domain} is verified`);
    } catch (e) {
      if (e instanceof SessionEnded) return;
      setChecks((c) => ({ ...c, [d.domain]: { busy: false, error: verifyMessage(e) } }));
    }
  };

  const connectionName = (id: string | null) =>
    id ? (connections.items.find((c) => c.id === id)?.name ?? 'an SSO connection') : null;

  return (
    <>
      <Panel id="domains-title" title="Domain management">
        <p class="hint">
          Add the email domains your people use and prove you own them with a DNS TXT record. Once a
          domain is verified, turn on auto-provisioning: people who sign in with a verified address
          on it join {scope.kind === 'org' ? scope.name : 'the organization you choose'}{' '}
          automatically.
        </p>
        <SubmitForm submit={add} fields={['domain']} action="Add domain" busyLabel="Adding…" inline>
          <TextField
            label="Domain"
            hint="For example example.com. Subdomains are separate domains."
            required
            autocomplete="off"
            spellcheck={false}
            value={name}
            onValue={setName}
            error={add.fieldError('domain')}
          />
        </SubmitForm>
      </Panel>

      {txtFor ? (
        <TxtRecord
          domain={txtFor}
          check={checks[txtFor.domain]}
          onVerify={() => void verify(txtFor)}
          onDismiss={() => setTxtFor(null)}
        />
      ) : null}

      <Panel id="domain-list-title" title="Domains" heading="h3">
        <PagedList
          list={domains}
          loading="Loading domains…"
          empty={
            <Empty title="No domains yet.">
              Add your email domain above, publish the TXT record it shows at your DNS provider,
              then verify it.
            </Empty>
          }
          what="domains"
        >
          <Table
            describedBy="domain-list-title"
            columns={['Domain', 'Status', 'Auto-provisioning', 'SSO connection']}
            actions
            items={domains.items}
            row={(d) => {
              const check = checks[d.domain];
              const items: MenuItem[] = [];
              if (d.status === 'pending') {
                items.push({ label: 'Show TXT record', onSelect: () => setTxtFor(d) });
              }
              items.push({
                label: d.status === 'pending' ? 'Verify' : 'Verify again',
                onSelect: () => void verify(d),
              });
              if (d.status === 'verified') {
                items.push(
                  d.autoProvisioning.enabled
                    ? {
                        label: 'Disable auto-provisioning',
                        onSelect: () => setDialog({ kind: 'disable', domain: d }),
                      }
                    : {
                        label: 'Enable auto-provisioning',
                        onSelect: () => setDialog({ kind: 'enable', domain: d }),
                      },
                );
              }
              items.push({
                label: 'Delete',
                danger: true,
                onSelect: () => setDialog({ kind: 'delete', domain: d }),
              });
              const sso = connectionName(d.ssoConnectionId);
              const rows = [
                <tr key={d.domain} data-domain={d.domain}>
                  <th scope="row" data-label="Domain" class="cell-domain">
                    {d.domain}
                  </th>
                  <td data-label="Status">
                    {check?.busy ? (
                      <Loading>Checking DNS…</Loading>
                    ) : d.status === 'verified' ? (
                      <>
                        <Badge tone="ok">Verified</Badge>
                        {d.verifiedAt ? (
                          <span class="muted small"> since {formatDate(d.verifiedAt)}</span>
                        ) : null}
                      </>
                    ) : (
                      <Badge tone="warn">Pending</Badge>
                    )}
                    {check?.busy ? null : <StatusNote domain={d} />}
                  </td>
                  <td data-label="Auto-provisioning">
                    {d.autoProvisioning.enabled ? (
                      <>
                        <Badge tone="ok">Enabled</Badge>
                        {scope.kind === 'company' && d.autoProvisioning.orgId ? (
                          <span class="small">
                            {' '}
                            into {orgName(scope, d.autoProvisioning.orgId)}
                          </span>
                        ) : null}
                      </>
                    ) : (
                      <Badge tone="off">Disabled</Badge>
                    )}
                  </td>
                  <td data-label="SSO connection">{sso ?? <span class="muted">none</span>}</td>
                  <td class="cell-actions">
                    <ActionsMenu label={d.domain} items={items} />
                  </td>
                </tr>,
              ];
              if (check?.error && txtFor?.domain !== d.domain) {
                rows.push(
                  <tr key={`${d.domain}-error`} class="row-message">
                    <td colSpan={5}>
                      <ErrorMessage>{check.error}</ErrorMessage>
                    </td>
                  </tr>,
                );
              }
              return rows;
            }}
          />
        </PagedList>
      </Panel>

      {dialog?.kind === 'enable' ? (
        <EnableDialog
          scope={scope}
          domain={dialog.domain}
          sso={connectionName(dialog.domain.ssoConnectionId)}
          onClose={() => setDialog(null)}
          onDone={domains.reload}
        />
      ) : null}
      {dialog?.kind === 'disable' ? (
        <ConfirmDialog
          title="Disable auto-provisioning?"
          confirmLabel="Disable"
          busyLabel="Disabling…"
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            await api.put(path(scope, dialog.domain.domain, '/auto-provisioning'), {
              enabled: false,
            });
            await domains.reload();
          }}
          done={`Auto-provisioning disabled for ${dialog.domain.domain}`}
        >
          <p>
            People who sign in with an @{dialog.domain.domain} address will no longer join
            automatically. Current members stay.
          </p>
        </ConfirmDialog>
      ) : null}
      {dialog?.kind === 'delete' ? (
        <ConfirmDialog
          title={`Delete ${dialog.domain.domain}?`}
          confirmLabel="Delete domain"
          busyLabel="Deleting…"
          danger
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            await api.del(path(scope, dialog.domain.domain));
            if (txtFor?.domain === dialog.domain.domain) setTxtFor(null);
            await domains.reload();
          }}
          done={`${dialog.domain.domain} deleted`}
        >
          <p>
            Auto-provisioning for it turns off and SSO connections stop serving it; a connection
            left with no verified domain denies its sign-ins until you attach one. Members who
            joined through it stay. To use it again you will have to verify it again.
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}

/** What the domain checker will do (or did) about a domain, when there is something to say. */
function StatusNote({ domain: d }: { domain: Domain }) {
  let note: string | null = null;
  if (d.status === 'verified' && d.missingSince) {
    note = `TXT record missing since ${formatDate(d.missingSince)}: put it back, or verification is lost 7 days after that.`;
  } else if (d.status === 'pending' && d.checkExpired) {
    note = 'No longer checked automatically: publish the record, then verify.';
  } else if (d.status === 'pending' && d.nextCheckAt) {
    note = `Checked automatically; next check ${formatDateTime(d.nextCheckAt)}.`;
  }
  return note ? <span class="status-note">{note}</span> : null;
}

/** A failed verification: what the API looked for and what it found, in words. */
function verifyMessage(error: unknown): string {
  if (error instanceof ApiProblem && error.status === 409 && Array.isArray(error.extra.found)) {
    const found = error.extra.found as string[];
    return found.length === 0
      ? 'No TXT record was found yet. Publish the record, wait for DNS to update (it can take a while), then verify again.'
      : `The TXT records found (${found.map((f) => `"${f}"`).join(', ')}) do not match the value to publish. Check the value and verify again.`;
  }
  return explain(error).message;
}

function TxtRecord(props: {
  domain: Domain;
  check: Check | undefined;
  onVerify: () => void;
  onDismiss: () => void;
}) {
  const { domain: d } = props;
  return (
    <Panel
      id="txt-title"
      title={`Publish this TXT record for ${d.domain}`}
      heading="h3"
      class="card txt-record"
    >
      <p>
        At your DNS provider, add a TXT record with this name and value, then select Verify. Most
        DNS consoles write the name of the domain itself as <code>@</code>.
      </p>
      <dl class="record">
        <div>
          <dt>Type</dt>
          <dd>
            <code>TXT</code>
          </dd>
        </div>
        <CopyValue label="Name" copy="record name" testId="txt-name" value={d.txtRecord.name} />
        <CopyValue label="Value" copy="record value" testId="txt-value" value={d.txtRecord.value} />
      </dl>
      {props.check?.error ? <ErrorMessage>{props.check.error}</ErrorMessage> : null}
      <div class="actions">
        <Button
          variant="primary"
          onClick={props.onVerify}
          busy={props.check?.busy}
          busyLabel="Checking DNS…"
        >
          Verify now
        </Button>
        <Button onClick={props.onDismiss}>Later</Button>
      </div>
      <p class="hint">
        Provisio also checks pending domains every hour for 72 hours, so you can come back later.
      </p>
    </Panel>
  );
}

function EnableDialog(props: {
  scope: Scope;
  domain: Domain;
  sso: string | null;
  onClose: () => void;
  onDone: () => Promise<void>;
}) {
  const { scope, domain } = props;
  const orgs = scope.kind === 'company' ? scope.company.orgs : [];
  const [orgId, setOrgId] = useState(orgs[0]?.id ?? '');
  const submit = useSubmit(async () => {
    await api.put(path(scope, domain.domain, '/auto-provisioning'), {
      enabled: true,
      ...(scope.kind === 'company' ? { orgId } : {}),
    });
    await props.onDone();
    announce(`Auto-provisioning enabled for ${domain.domain}`);
    props.onClose();
  });
  const target = scope.kind === 'org' ? scope.name : orgName(scope, orgId);
  if (scope.kind === 'company' && orgs.length === 0) {
    return (
      <Dialog title="Enable auto-provisioning?" onClose={props.onClose}>
        <p>
          Auto-provisioning adds people to one organization of the company, and {scope.name} has
          none yet.
        </p>
        <p>
          <a href={href.company(scope.id, 'orgs')}>Add an organization to the company</a> first.
        </p>
        <div class="actions">
          <Button onClick={props.onClose}>Close</Button>
        </div>
      </Dialog>
    );
  }
  return (
    <FormDialog
      title="Enable auto-provisioning?"
      onClose={props.onClose}
      submit={submit}
      fields={['orgId']}
      action="Enable"
      busyLabel="Enabling…"
    >
      {scope.kind === 'company' ? (
        <SelectField
          label="Organization people join"
          value={orgId}
          onValue={setOrgId}
          options={orgs.map((o) => ({ value: o.id, label: o.name }))}
          error={submit.fieldError('orgId')}
        />
      ) : null}
      <p>
        People who sign in with a verified @{domain.domain} address will join{' '}
        <strong>{target}</strong> as members, using a seat each. Owners get an email for each.
      </p>
      {props.sso ? (
        <p class="notice">
          {domain.domain} is part of the SSO connection {props.sso}: people signing in through it
          join by Just-in-Time provisioning, which takes precedence.
        </p>
      ) : null}
    </FormDialog>
  );
}
