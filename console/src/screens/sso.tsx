/**
 * SSO connections: create and edit (provider, domains, JIT, SCIM, default org and team). Turning
 * JIT off asks for confirmation and says who will still get in: members and invitees only.
 */
import { useId, useState } from 'preact/hooks';
import { api } from '../api.ts';
import type { Domain, SsoConnection } from '../model.ts';
import { usePaged } from '../paged.ts';
import { href } from '../router.ts';
import {
  ActionsMenu,
  announce,
  Badge,
  Button,
  CheckboxField,
  ConfirmDialog,
  Dialog,
  Empty,
  ErrorMessage,
  PagedList,
  SelectField,
  SubmitForm,
  TableHead,
  TextField,
  useSubmit,
} from '../ui.tsx';
import { orgName, type Scope } from './scope.ts';

const JIT_OFF_WARNING =
  'With Just-in-Time provisioning off, only people who are already members or have a pending invitation can sign in through this connection. Everyone else sees "Access denied" and must be invited by an administrator.';

export function SsoConnections({ scope }: { scope: Scope }) {
  const connections = usePaged<SsoConnection>(`${scope.base}/sso-connections`, 100);
  const domains = usePaged<Domain>(`${scope.base}/domains`, 100);
  const [dialog, setDialog] = useState<
    | { kind: 'form'; connection: SsoConnection | null }
    | { kind: 'jit-off' | 'jit-on' | 'delete'; connection: SsoConnection }
    | null
  >(null);
  const close = () => setDialog(null);
  const verified = domains.items.filter((d) => d.status === 'verified').map((d) => d.domain);
  const one = (id: string) => `${scope.base}/sso-connections/${encodeURIComponent(id)}`;

  return (
    <>
      <section class="card" aria-labelledby="sso-title">
        <div class="section-head">
          <h2 id="sso-title" class="panel-title" tabIndex={-1}>
            SSO connections
          </h2>
          <Button variant="primary" onClick={() => setDialog({ kind: 'form', connection: null })}>
            New SSO connection
          </Button>
        </div>
        <p class="hint">
          A connection names the identity provider configured in your user pool and the verified
          domains it serves. With Just-in-Time provisioning on, people signing in through it join
          the default organization (or the ones their IdP groups name).
        </p>
        <PagedList
          list={connections}
          loading="Loading SSO connections…"
          empty={
            <Empty title="No SSO connections yet.">
              {verified.length ? (
                'Select "New SSO connection" to connect your identity provider.'
              ) : (
                <>
                  A connection serves verified domains: first{' '}
                  <a
                    href={
                      scope.kind === 'org'
                        ? href.org(scope.id, 'domains')
                        : href.company(scope.id, 'domains')
                    }
                  >
                    verify a domain
                  </a>
                  , then create the connection.
                </>
              )}
            </Empty>
          }
          what="connections"
        >
          <table class="table">
            <caption class="visually-hidden">SSO connections of {scope.name}</caption>
            <TableHead
              columns={['Connection', 'Domains', 'Just-in-Time', 'SCIM', 'Default org and team']}
              actions
            />
            <tbody>
              {connections.items.map((c) => (
                <tr key={c.id}>
                  <th scope="row" data-label="Connection">
                    <div class="who">
                      <span class="who-name">{c.name}</span>
                      <span class="who-email">provider {c.providerName}</span>
                    </div>
                  </th>
                  <td data-label="Domains">{c.domains.join(', ')}</td>
                  <td data-label="Just-in-Time">
                    {c.jit ? <Badge tone="ok">On</Badge> : <Badge tone="warn">Off</Badge>}
                  </td>
                  <td data-label="SCIM">
                    {c.scim ? <Badge tone="ok">On</Badge> : <Badge tone="off">Off</Badge>}
                  </td>
                  <td data-label="Default org and team">
                    {orgName(scope, c.defaultOrgId)}
                    {c.defaultTeam ? ` / ${c.defaultTeam}` : ''}
                  </td>
                  <td class="cell-actions">
                    <ActionsMenu
                      label={c.name}
                      items={[
                        {
                          label: 'Edit',
                          onSelect: () => setDialog({ kind: 'form', connection: c }),
                        },
                        c.jit
                          ? {
                              label: 'Turn off Just-in-Time',
                              onSelect: () => setDialog({ kind: 'jit-off', connection: c }),
                            }
                          : {
                              label: 'Turn on Just-in-Time',
                              onSelect: () => setDialog({ kind: 'jit-on', connection: c }),
                            },
                        {
                          label: 'Delete',
                          danger: true,
                          onSelect: () => setDialog({ kind: 'delete', connection: c }),
                        },
                      ]}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </PagedList>
      </section>

      {dialog?.kind === 'form' ? (
        <ConnectionForm
          scope={scope}
          connection={dialog.connection}
          verified={verified}
          onClose={close}
          onSaved={async (saved, created) => {
            await Promise.all([connections.reload(), domains.reload()]);
            announce(`SSO connection ${saved.name} ${created ? 'created' : 'saved'}`);
            close();
          }}
        />
      ) : null}
      {dialog?.kind === 'jit-off' ? (
        <ConfirmDialog
          title="Turn off Just-in-Time provisioning?"
          confirmLabel="Turn off Just-in-Time"
          busyLabel="Saving…"
          danger
          onClose={close}
          onConfirm={async () => {
            await api.patch(one(dialog.connection.id), { jit: false });
            await connections.reload();
            announce(`Just-in-Time provisioning is off for ${dialog.connection.name}`);
            close();
          }}
        >
          <p class="warning">{JIT_OFF_WARNING}</p>
          {!dialog.connection.scim ? (
            <p>Group mapping stops too: without SCIM, IdP groups are ignored while JIT is off.</p>
          ) : null}
        </ConfirmDialog>
      ) : null}
      {dialog?.kind === 'jit-on' ? (
        <ConfirmDialog
          title="Turn on Just-in-Time provisioning?"
          confirmLabel="Turn on Just-in-Time"
          busyLabel="Saving…"
          onClose={close}
          onConfirm={async () => {
            await api.patch(one(dialog.connection.id), { jit: true });
            await connections.reload();
            announce(`Just-in-Time provisioning is on for ${dialog.connection.name}`);
            close();
          }}
        >
          <p>
            Anyone who signs in through {dialog.connection.providerName} with an address on its
            domains will join {orgName(scope, dialog.connection.defaultOrgId)} (or the organizations
            their IdP groups name), using a seat each.
          </p>
        </ConfirmDialog>
      ) : null}
      {dialog?.kind === 'delete' ? (
        <ConfirmDialog
          title={`Delete ${dialog.connection.name}?`}
          confirmLabel="Delete connection"
          busyLabel="Deleting…"
          danger
          onClose={close}
          onConfirm={async () => {
            await api.del(one(dialog.connection.id));
            await Promise.all([connections.reload(), domains.reload()]);
            announce(`SSO connection ${dialog.connection.name} deleted`);
            close();
          }}
        >
          <p>
            Sign-ins through {dialog.connection.providerName} will no longer be matched to your
            organizations; its domains fall back to auto-provisioning if it is enabled.
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}

function ConnectionForm(props: {
  scope: Scope;
  connection: SsoConnection | null;
  verified: string[];
  onClose: () => void;
  onSaved: (saved: SsoConnection, created: boolean) => Promise<void>;
}) {
  const { scope, connection } = props;
  const orgs = scope.kind === 'company' ? scope.company.orgs : [];
  const [name, setName] = useState(connection?.name ?? '');
  const [providerName, setProviderName] = useState(connection?.providerName ?? '');
  const [domains, setDomains] = useState<string[]>(connection?.domains ?? []);
  const [jit, setJit] = useState(connection?.jit ?? true);
  const [scim, setScim] = useState(connection?.scim ?? false);
  const [defaultOrgId, setDefaultOrgId] = useState(connection?.defaultOrgId ?? orgs[0]?.id ?? '');
  const [defaultTeam, setDefaultTeam] = useState(connection?.defaultTeam ?? '');
  const [confirmingJitOff, setConfirmingJitOff] = useState(false);
  const legendId = useId();

  const turningJitOff = !jit && (connection ? connection.jit : true);
  const submit = useSubmit(async () => {
    const body = {
      name: name.trim(),
      providerName: providerName.trim(),
      domains,
      jit,
      scim,
      ...(scope.kind === 'company' ? { defaultOrgId } : {}),
      defaultTeam: defaultTeam.trim() || null,
    };
    const base = `${scope.base}/sso-connections`;
    const saved = connection
      ? await api.patch<SsoConnection>(`${base}/${encodeURIComponent(connection.id)}`, body)
      : await api.post<SsoConnection>(base, body);
    await props.onSaved(saved, !connection);
  });
  const fields = ['name', 'providerName', 'domains', 'jit', 'scim', 'defaultOrgId', 'defaultTeam'];
  const choices = Array.from(new Set([...props.verified, ...(connection?.domains ?? [])])).sort();

  const save = () => {
    if (turningJitOff && !confirmingJitOff) {
      setConfirmingJitOff(true);
      return;
    }
    setConfirmingJitOff(false);
    void submit.run();
  };

  return (
    <Dialog
      title={connection ? `Edit ${connection.name}` : 'New SSO connection'}
      onClose={props.onClose}
      wide
    >
      <SubmitForm
        submit={submit}
        fields={fields}
        action={
          confirmingJitOff
            ? 'Turn off JIT and save'
            : connection
              ? 'Save changes'
              : 'Create connection'
        }
        busyLabel="Saving…"
        variant={confirmingJitOff ? 'danger' : 'primary'}
        onCancel={props.onClose}
        note={
          confirmingJitOff ? (
            <div class="confirm-box" role="alert">
              <p>
                <strong>Turn off Just-in-Time provisioning?</strong> Only members and people with a
                pending invitation will get in. Select the button again to confirm.
              </p>
            </div>
          ) : null
        }
        onSubmit={save}
      >
        <TextField
          label="Connection name"
          hint="A name for people, like Acme Okta."
          required
          autocomplete="off"
          value={name}
          onValue={setName}
          error={submit.fieldError('name')}
        />
        <TextField
          label="Provider name"
          hint="The identity provider's name in your Cognito user pool (no spaces), like AcmeOkta."
          required
          autocomplete="off"
          spellcheck={false}
          value={providerName}
          onValue={setProviderName}
          error={submit.fieldError('providerName')}
        />
        <fieldset
          class="fieldset"
          aria-describedby={submit.fieldError('domains') ? `${legendId}-error` : undefined}
        >
          <legend id={legendId}>Domains</legend>
          {choices.length === 0 ? (
            <p class="hint">
              No verified domains yet. Verify a domain on the Domains tab first: a connection can
              only serve verified domains.
            </p>
          ) : (
            choices.map((d) => (
              <CheckboxField
                key={d}
                label={d}
                checked={domains.includes(d)}
                onChecked={(on) =>
                  setDomains(on ? [...domains, d] : domains.filter((x) => x !== d))
                }
              />
            ))
          )}
          {submit.fieldError('domains') ? (
            <div class="field-error" id={`${legendId}-error`}>
              {submit.fieldError('domains')}
            </div>
          ) : null}
        </fieldset>
        <CheckboxField
          label="Just-in-Time provisioning"
          description={
            jit
              ? 'People signing in through this connection join the default organization (or the organizations their IdP groups name).'
              : undefined
          }
          checked={jit}
          onChecked={(on) => {
            setJit(on);
            setConfirmingJitOff(false);
          }}
          error={submit.fieldError('jit')}
        />
        {!jit ? <p class="warning">{JIT_OFF_WARNING}</p> : null}
        <CheckboxField
          label="SCIM"
          description="Your IdP provisions users and groups. With JIT off, group mapping applies only with SCIM on."
          checked={scim}
          onChecked={setScim}
          error={submit.fieldError('scim')}
        />
        {scope.kind === 'company' ? (
          orgs.length ? (
            <SelectField
              label="Default organization"
              value={defaultOrgId}
              onValue={setDefaultOrgId}
              options={orgs.map((o) => ({ value: o.id, label: o.name }))}
              error={submit.fieldError('defaultOrgId')}
            />
          ) : (
            <ErrorMessage>
              The company has no organizations: add one on the Organizations tab before creating a
              connection.
            </ErrorMessage>
          )
        ) : null}
        <TextField
          label="Default team (optional)"
          hint="New people join this team of the default organization. It is created if missing."
          autocomplete="off"
          value={defaultTeam}
          onValue={setDefaultTeam}
          error={submit.fieldError('defaultTeam')}
        />
      </SubmitForm>
    </Dialog>
  );
}
