/**
 * SSO connections: create and edit (the IdP's SAML or OIDC settings, domains, JIT, SCIM, default
 * org and team). Provisio creates the identity provider (SPEC §8) and shows what to paste into
 * the IdP, with copy buttons. Turning JIT off asks for confirmation and says who will still get
 * in: members and invitees only. A connection without a domain shows as inactive. SSO
 * enforcement (SPEC §12) shows its mode and break-glass owners; turning it on asks for
 * confirmation, saying beforehand how many people signed in without SSO lately, and is not
 * offered while nobody signed in through the connection in the last 30 days. For a connection in
 * report mode (or on), the screen lists whom enforcement would refuse (or let through by
 * break-glass), from the scope's events.
 */
import { useEffect, useId, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { formatDate, formatDateTime } from '../format.ts';
import type {
  AuditEvent,
  Domain,
  EnforcementCheck,
  EnforcementMode,
  ScimToken,
  ServiceProvider,
  SsoConnection,
} from '../model.ts';
import { type Paged, usePaged } from '../paged.ts';
import { explain } from '../problems.ts';
import { href } from '../router.ts';
import {
  ActionsMenu,
  announce,
  Badge,
  Button,
  CheckboxField,
  ConfirmDialog,
  CopyValue,
  DoneDialog,
  Empty,
  ErrorMessage,
  FormDialog,
  PagedList,
  Panel,
  RadioGroup,
  SelectField,
  Table,
  TextAreaField,
  TextField,
  useSubmit,
} from '../ui.tsx';
import { orgName, type Scope } from './scope.ts';

const INACTIVE =
  'Serves no verified domain: sign-ins through it are denied until you attach a verified domain.';

const JIT_OFF_WARNING =
  'With Just-in-Time provisioning off, only people who are already members or have a pending invitation can sign in through this connection. Everyone else sees "Access denied" and must be invited by an administrator.';

export function SsoConnections({ scope }: { scope: Scope }) {
  const connections = usePaged<SsoConnection>(`${scope.base}/sso-connections`, 100);
  const domains = usePaged<Domain>(`${scope.base}/domains`, 100);
  const [dialog, setDialog] = useState<
    | { kind: 'form'; connection: SsoConnection | null }
    | {
        kind: 'delete' | 'idp-values' | 'scim-token' | 'scim-revoke';
        connection: SsoConnection;
      }
    | { kind: 'jit'; connection: SsoConnection; on: boolean }
    | { kind: 'enforcement'; connection: SsoConnection }
    | { kind: 'scim-values'; connection: SsoConnection; token: ScimToken }
    | null
  >(null);
  const close = () => setDialog(null);
  const verified = domains.items.filter((d) => d.status === 'verified').map((d) => d.domain);
  const one = (id: string) => `${scope.base}/sso-connections/${encodeURIComponent(id)}`;

  return (
    <>
      <Panel
        id="sso-title"
        title="SSO connections"
        action={
          <Button variant="primary" onClick={() => setDialog({ kind: 'form', connection: null })}>
            New SSO connection
          </Button>
        }
      >
        <p class="hint">
          A connection takes your identity provider's SAML metadata or OIDC settings, and the
          verified domains it serves: Provisio sets the provider up and shows what to paste into
          your IdP. It speaks only for those domains. With Just-in-Time provisioning on, people
          signing in through it join the default organization (or the ones their IdP groups name).
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
          <Table
            caption={`SSO connections of ${scope.name}`}
            columns={[
              'Connection',
              'Domains',
              'Just-in-Time',
              'SCIM',
              'SSO enforcement',
              'Default org and team',
            ]}
            actions
            items={connections.items}
            row={(c) => (
              <tr key={c.id}>
                <th scope="row" data-label="Connection">
                  <div class="who">
                    <span class="who-name">
                      {c.name} {c.active ? null : <Badge tone="warn">Inactive</Badge>}
                    </span>
                    <span class="who-email">
                      {c.idp.source === 'created'
                        ? `${c.idp.type.toUpperCase()}, provider ${c.providerName}`
                        : `provider ${c.providerName}, set up by your operator`}
                    </span>
                  </div>
                </th>
                <td data-label="Domains">
                  {c.active ? c.domains.join(', ') : <span class="hint">{INACTIVE}</span>}
                </td>
                <td data-label="Just-in-Time">
                  {c.jit ? <Badge tone="ok">On</Badge> : <Badge tone="warn">Off</Badge>}
                </td>
                <td data-label="SCIM">
                  {c.scim ? <Badge tone="ok">On</Badge> : <Badge tone="off">Off</Badge>}
                </td>
                <td data-label="SSO enforcement">
                  <EnforcementBadge mode={c.enforcement} />
                  {c.breakGlass.length ? (
                    <span class="who-email"> Break-glass: {c.breakGlass.join(', ')}</span>
                  ) : null}
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
                      ...(c.serviceProvider
                        ? [
                            {
                              label: 'Values for your identity provider',
                              onSelect: () => setDialog({ kind: 'idp-values', connection: c }),
                            },
                          ]
                        : []),
                      ...(c.scim
                        ? [
                            {
                              label: 'Set up SCIM (new token)',
                              onSelect: () => setDialog({ kind: 'scim-token', connection: c }),
                            },
                            {
                              label: 'Revoke SCIM token',
                              onSelect: () => setDialog({ kind: 'scim-revoke', connection: c }),
                            },
                          ]
                        : []),
                      {
                        label: 'SSO enforcement',
                        onSelect: () => setDialog({ kind: 'enforcement', connection: c }),
                      },
                      {
                        label: `Turn ${c.jit ? 'off' : 'on'} Just-in-Time`,
                        onSelect: () => setDialog({ kind: 'jit', connection: c, on: !c.jit }),
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
            )}
          />
        </PagedList>
      </Panel>

      {connections.items.some((c) => c.enforcement !== 'off') ? (
        <EnforcementReport
          key={connections.items.map((c) => `${c.id}:${c.enforcement}`).join(',')}
          scope={scope}
          connections={connections.items.filter((c) => c.enforcement !== 'off')}
        />
      ) : null}

      {dialog?.kind === 'form' ? (
        <ConnectionForm
          scope={scope}
          connection={dialog.connection}
          verified={verified}
          onClose={close}
          onSaved={async (saved, created) => {
            await Promise.all([connections.reload(), domains.reload()]);
            announce(`SSO connection ${saved.name} ${created ? 'created' : 'saved'}`);
            // A new provider needs its values pasted into the IdP: show them at once.
            if (created && saved.serviceProvider) {
              setDialog({ kind: 'idp-values', connection: saved });
            } else close();
          }}
        />
      ) : null}
      {dialog?.kind === 'idp-values' && dialog.connection.serviceProvider ? (
        <DoneDialog title={`Set up ${dialog.connection.name} in your IdP`} onClose={close}>
          <ServiceProviderValues sp={dialog.connection.serviceProvider} />
        </DoneDialog>
      ) : null}
      {dialog?.kind === 'scim-token' ? (
        <ConfirmDialog
          title={`Set up SCIM for ${dialog.connection.name}`}
          confirmLabel="Generate token"
          busyLabel="Generating…"
          onClose={close}
          onConfirm={async () => {
            const token = await api.post<ScimToken>(`${one(dialog.connection.id)}/scim-token`);
            announce(`SCIM token generated for ${dialog.connection.name}`);
            setDialog({ kind: 'scim-values', connection: dialog.connection, token });
          }}
        >
          <p>
            Your identity provider creates, updates and deactivates people and pushes groups through
            SCIM, with a token of this connection. Provisio shows the token once and keeps only its
            hash; generating a new one stops the previous token at once.
          </p>
        </ConfirmDialog>
      ) : null}
      {dialog?.kind === 'scim-values' ? (
        <DoneDialog title={`SCIM for ${dialog.connection.name}`} onClose={close}>
          <ScimValues token={dialog.token} />
        </DoneDialog>
      ) : null}
      {dialog?.kind === 'scim-revoke' ? (
        <ConfirmDialog
          title={`Revoke the SCIM token of ${dialog.connection.name}?`}
          confirmLabel="Revoke token"
          busyLabel="Revoking…"
          danger
          onClose={close}
          onConfirm={async () => {
            await api.del(`${one(dialog.connection.id)}/scim-token`);
          }}
          done={`SCIM token of ${dialog.connection.name} revoked`}
        >
          <p>Your identity provider's SCIM requests are refused from now on.</p>
        </ConfirmDialog>
      ) : null}
      {dialog?.kind === 'jit' ? (
        <ConfirmDialog
          title={`Turn ${dialog.on ? 'on' : 'off'} Just-in-Time provisioning?`}
          confirmLabel={`Turn ${dialog.on ? 'on' : 'off'} Just-in-Time`}
          busyLabel="Saving…"
          danger={!dialog.on}
          onClose={close}
          onConfirm={async () => {
            await api.patch(one(dialog.connection.id), { jit: dialog.on });
            await connections.reload();
          }}
          done={`Just-in-Time provisioning is ${dialog.on ? 'on' : 'off'} for ${dialog.connection.name}`}
        >
          {dialog.on ? (
            <p>
              Anyone who signs in through {dialog.connection.providerName} with an address on its
              domains will join {orgName(scope, dialog.connection.defaultOrgId)} (or the
              organizations their IdP groups name), using a seat each.
            </p>
          ) : (
            <>
              <p class="warning">{JIT_OFF_WARNING}</p>
              {!dialog.connection.scim ? (
                <p>
                  Group mapping stops too: without SCIM, IdP groups are ignored while JIT is off.
                </p>
              ) : null}
            </>
          )}
        </ConfirmDialog>
      ) : null}
      {dialog?.kind === 'enforcement' ? (
        <EnforcementForm
          connection={dialog.connection}
          url={one(dialog.connection.id)}
          onClose={close}
          onSaved={async (message) => {
            await connections.reload();
            announce(message);
            close();
          }}
        />
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
          }}
          done={`SSO connection ${dialog.connection.name} deleted`}
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

/** The SCIM base URL and the new token, shown once, each with a copy button (SPEC §10). */
function ScimValues({ token }: { token: ScimToken }) {
  return (
    <section class="txt-record" aria-label="Values for SCIM in your identity provider">
      <p>
        In your IdP's provisioning settings, enter this base URL (Okta: SCIM connector base URL;
        Entra ID: Tenant URL) and token (HTTP header / Secret Token). Copy the token now: it is not
        shown again. Groups named <code>org:team</code> become teams.
      </p>
      <dl class="record record-wide">
        <CopyValue
          label="SCIM base URL"
          copy="SCIM base URL"
          testId="scim-base-url"
          value={token.baseUrl}
        />
        <CopyValue label="Token" copy="SCIM token" testId="scim-token" value={token.token} />
      </dl>
    </section>
  );
}

/** What the IdP's administrator pastes into the IdP, each value with a copy button. */
function ServiceProviderValues({ sp }: { sp: ServiceProvider }) {
  const rows =
    sp.type === 'saml'
      ? [
          { label: 'ACS URL', copy: 'ACS URL', value: sp.acsUrl },
          { label: 'Audience', copy: 'audience', value: sp.entityId },
        ]
      : [{ label: 'Redirect URI', copy: 'redirect URI', value: sp.redirectUri }];
  return (
    <section class="txt-record" aria-label="Values for your identity provider">
      <p>
        {sp.type === 'saml'
          ? "In your IdP, create a SAML application with this ACS URL (also called the single sign-on or reply URL) and audience (the SP entity ID), and send the user's email, name and groups as attributes."
          : 'In your IdP, register an application with this redirect URI, allowing the openid, email and profile scopes.'}
      </p>
      <dl class="record record-wide">
        {rows.map((r) => (
          <CopyValue
            key={r.label}
            label={r.label}
            copy={r.copy}
            testId={`sp-${r.copy.replace(/ /g, '-')}`}
            value={r.value}
            missing={
              <span class="hint">Not known: the user pool has no hosted domain configured.</span>
            }
          />
        ))}
      </dl>
    </section>
  );
}

type Protocol = 'saml' | 'oidc';

const PROTOCOLS: Record<Protocol, string> = { saml: 'SAML 2.0', oidc: 'OpenID Connect' };

function ConnectionForm(props: {
  scope: Scope;
  connection: SsoConnection | null;
  verified: string[];
  onClose: () => void;
  onSaved: (saved: SsoConnection, created: boolean) => Promise<void>;
}) {
  const { scope, connection } = props;
  const orgs = scope.kind === 'company' ? scope.company.orgs : [];
  const idp = connection?.idp;
  const [name, setName] = useState(connection?.name ?? '');
  // A new connection, or one on an operator-bound provider, starts with no settings to keep.
  const [changeSettings, setChangeSettings] = useState(!connection);
  const [protocol, setProtocol] = useState<Protocol>(idp?.source === 'created' ? idp.type : 'saml');
  // A created SAML provider without a metadata URL was set up from a pasted document.
  const [metadataSource, setMetadataSource] = useState<'url' | 'xml'>(
    idp?.source === 'created' && idp.type === 'saml' && idp.metadataUrl === null ? 'xml' : 'url',
  );
  const [metadataUrl, setMetadataUrl] = useState(
    idp?.source === 'created' && idp.type === 'saml' ? (idp.metadataUrl ?? '') : '',
  );
  const [metadataXml, setMetadataXml] = useState('');
  const [issuer, setIssuer] = useState(
    idp?.source === 'created' && idp.type === 'oidc' ? idp.issuer : '',
  );
  const [clientId, setClientId] = useState(
    idp?.source === 'created' && idp.type === 'oidc' ? idp.clientId : '',
  );
  const [clientSecret, setClientSecret] = useState('');
  const [groupsClaim, setGroupsClaim] = useState(
    idp?.source === 'created' ? idp.groupsClaim : 'groups',
  );
  const [domains, setDomains] = useState<string[]>(connection?.domains ?? []);
  const [jit, setJit] = useState(connection?.jit ?? true);
  const [scim, setScim] = useState(connection?.scim ?? false);
  const [defaultOrgId, setDefaultOrgId] = useState(connection?.defaultOrgId ?? orgs[0]?.id ?? '');
  const [defaultTeam, setDefaultTeam] = useState(connection?.defaultTeam ?? '');
  const [confirmingJitOff, setConfirmingJitOff] = useState(false);
  const legendId = useId();

  const settings = () => {
    const groups = groupsClaim.trim() ? { groupsClaim: groupsClaim.trim() } : {};
    if (protocol === 'oidc') {
      return {
        type: 'oidc',
        issuer: issuer.trim(),
        clientId: clientId.trim(),
        clientSecret,
        ...groups,
      };
    }
    return metadataSource === 'url'
      ? { type: 'saml', metadataUrl: metadataUrl.trim(), ...groups }
      : { type: 'saml', metadataXml, ...groups };
  };

  const turningJitOff = !jit && (connection ? connection.jit : true);
  const submit = useSubmit(async () => {
    const body = {
      name: name.trim(),
      ...(changeSettings ? { idp: settings() } : {}),
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
  const fields = [
    'name',
    'idp',
    'idp.type',
    'idp.metadataUrl',
    'idp.metadataXml',
    'idp.issuer',
    'idp.clientId',
    'idp.clientSecret',
    'idp.groupsClaim',
    'providerName',
    'domains',
    'jit',
    'scim',
    'defaultOrgId',
    'defaultTeam',
  ];
  const choices = Array.from(new Set([...props.verified, ...(connection?.domains ?? [])])).sort();
  // Errors about the settings as a whole show under the protocol choice.
  const settingsError =
    submit.fieldError('idp') ?? submit.fieldError('idp.type') ?? submit.fieldError('providerName');

  const save = () => {
    if (turningJitOff && !confirmingJitOff) {
      setConfirmingJitOff(true);
      return;
    }
    setConfirmingJitOff(false);
    void submit.run();
  };

  return (
    <FormDialog
      title={connection ? `Edit ${connection.name}` : 'New SSO connection'}
      onClose={props.onClose}
      wide
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
      {connection ? (
        <CheckboxField
          label={
            connection.idp.source === 'bound'
              ? "Replace the operator's provider with your IdP's settings"
              : "Change the identity provider's settings"
          }
          description={
            connection.idp.source === 'created' && connection.idp.type === 'oidc'
              ? 'Enter the client secret again: Provisio never keeps it.'
              : undefined
          }
          checked={changeSettings}
          onChecked={setChangeSettings}
        />
      ) : null}
      {changeSettings ? (
        <>
          {idp?.source === 'created' ? (
            // The API refuses another type for a provider it created (400 idp.type).
            <p class="hint">
              Protocol: {PROTOCOLS[idp.type]}. To use another protocol, create a new connection.
            </p>
          ) : (
            <RadioGroup
              legend="Protocol"
              value={protocol}
              onValue={setProtocol}
              options={[
                { value: 'saml', label: PROTOCOLS.saml },
                { value: 'oidc', label: PROTOCOLS.oidc },
              ]}
            />
          )}
          {settingsError ? <ErrorMessage>{settingsError}</ErrorMessage> : null}
          {protocol === 'saml' ? (
            <>
              <RadioGroup
                legend="Metadata"
                value={metadataSource}
                onValue={setMetadataSource}
                options={[
                  { value: 'url', label: 'From a URL' },
                  { value: 'xml', label: 'Paste the metadata XML' },
                ]}
              />
              {metadataSource === 'url' ? (
                <TextField
                  label="Metadata URL"
                  hint="Your IdP's SAML metadata address (https), from its application settings."
                  required
                  autocomplete="off"
                  spellcheck={false}
                  value={metadataUrl}
                  onValue={setMetadataUrl}
                  error={submit.fieldError('idp.metadataUrl')}
                />
              ) : (
                <TextAreaField
                  label="Metadata XML"
                  hint="The EntityDescriptor document your IdP offers for download."
                  required
                  value={metadataXml}
                  onValue={setMetadataXml}
                  error={submit.fieldError('idp.metadataXml')}
                />
              )}
            </>
          ) : (
            <>
              <TextField
                label="Issuer URL"
                hint="Your IdP's OpenID issuer (https), like https://login.example.com."
                required
                autocomplete="off"
                spellcheck={false}
                value={issuer}
                onValue={setIssuer}
                error={submit.fieldError('idp.issuer')}
              />
              <TextField
                label="Client ID"
                required
                autocomplete="off"
                spellcheck={false}
                value={clientId}
                onValue={setClientId}
                error={submit.fieldError('idp.clientId')}
              />
              <TextField
                label="Client secret"
                hint="Sent to the identity provider setup only: Provisio never stores or shows it."
                type="password"
                required
                autocomplete="new-password"
                value={clientSecret}
                onValue={setClientSecret}
                error={submit.fieldError('idp.clientSecret')}
              />
            </>
          )}
          <TextField
            label="Groups claim (optional)"
            hint="The claim or attribute your IdP sends groups in; groups named org:team map people to teams."
            autocomplete="off"
            spellcheck={false}
            value={groupsClaim}
            onValue={setGroupsClaim}
            error={submit.fieldError('idp.groupsClaim')}
          />
        </>
      ) : null}
      <fieldset
        class="fieldset"
        aria-describedby={submit.fieldError('domains') ? `${legendId}-error` : undefined}
      >
        <legend id={legendId}>Domains</legend>
        {choices.length === 0 ? (
          <p class="hint">
            No verified domains yet. Verify a domain on the Domains tab first: a connection can only
            serve verified domains.
          </p>
        ) : (
          choices.map((d) => (
            <CheckboxField
              key={d}
              label={d}
              checked={domains.includes(d)}
              onChecked={(on) => setDomains(on ? [...domains, d] : domains.filter((x) => x !== d))}
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
    </FormDialog>
  );
}

const MODES: readonly { value: EnforcementMode; label: string }[] = [
  { value: 'off', label: 'Off: people may sign in any way' },
  { value: 'report', label: 'Report: refuse nothing, record who would be refused' },
  { value: 'on', label: 'On: people on its domains must sign in through this connection' },
];

function EnforcementBadge({ mode }: { mode: EnforcementMode }) {
  if (mode === 'on') return <Badge tone="ok">On</Badge>;
  if (mode === 'report') return <Badge tone="warn">Report</Badge>;
  return <Badge tone="off">Off</Badge>;
}

const people = (n: number) => `${n} ${n === 1 ? 'person' : 'people'}`;

/** Why "On" is not offered: nobody signed in through the connection in the last 30 days. */
const cannotEnforce = (connection: SsoConnection, check: EnforcementCheck) =>
  `Not available yet: nobody signed in through ${connection.name} in the last 30 days (last: ${
    check.lastSsoSignInOn ? formatDate(check.lastSsoSignInOn) : 'never'
  }). Sign in through it once, so turning enforcement on locks nobody out.`;

/**
 * SPEC §12: the connection's enforcement mode and break-glass owners. Before anything is chosen it
 * reads the no-lockout check: "On" is not offered while nobody signed in through the connection
 * in the last 30 days, and the confirmation says how many people signed in without SSO meanwhile.
 * The API refuses (409) on its own too, should the check have changed since.
 */
function EnforcementForm(props: {
  connection: SsoConnection;
  url: string;
  onClose: () => void;
  onSaved: (message: string) => Promise<void>;
}) {
  const { connection } = props;
  const [mode, setMode] = useState<EnforcementMode>(connection.enforcement);
  const [breakGlass, setBreakGlass] = useState(connection.breakGlass.join(', '));
  const [confirming, setConfirming] = useState(false);
  const [check, setCheck] = useState<EnforcementCheck | null>(null);
  const [checkError, setCheckError] = useState<string>();
  useEffect(() => {
    let current = true;
    api.get<EnforcementCheck>(`${props.url}/enforcement-check`).then(
      (c) => current && setCheck(c),
      (e) => current && setCheckError(explain(e).message),
    );
    return () => {
      current = false;
    };
  }, [props.url]);
  const turningOn = mode === 'on' && connection.enforcement !== 'on';
  // A connection already on keeps its mode on offer; otherwise "On" waits for a recent SSO sign-in.
  const onRefused = check !== null && !check.canEnforce && connection.enforcement !== 'on';
  const submit = useSubmit(async () => {
    const emails = breakGlass
      .split(/[\s,;]+/)
      .map((e) => e.trim())
      .filter(Boolean);
    const saved = await api.patch<SsoConnection>(props.url, {
      enforcement: mode,
      breakGlass: emails,
    });
    const switched = saved.enforcementCheck;
    await props.onSaved(
      switched
        ? `SSO enforcement is on for ${connection.name}. ${people(switched.peopleWithoutSso)} signed in on its domains without SSO in the last 30 days and must now use it.`
        : `SSO enforcement of ${connection.name} saved`,
    );
  });
  const save = () => {
    if (turningOn && !confirming) {
      setConfirming(true);
      return;
    }
    setConfirming(false);
    void submit.run();
  };
  const domains = connection.domains.join(', ') || 'its domains';
  return (
    <FormDialog
      title={`SSO enforcement of ${connection.name}`}
      onClose={props.onClose}
      submit={submit}
      fields={['enforcement', 'breakGlass']}
      action={confirming ? 'Turn enforcement on' : 'Save'}
      busyLabel="Saving…"
      variant={confirming ? 'danger' : 'primary'}
      note={
        confirming ? (
          <div class="confirm-box" role="alert">
            <p>
              <strong>Require SSO?</strong> Everyone with an address on {domains} must then sign in
              through {connection.name}: password and social sign-ins are refused, and sessions
              opened without SSO end at their next refresh. Only the break-glass owners may still
              use a password.{' '}
              {check ? (
                <strong class="enforcement-count">
                  {people(check.peopleWithoutSso)} signed in on {domains} without SSO in the last 30
                  days and will have to use it.
                </strong>
              ) : (
                'Provisio refuses this unless someone signed in through the connection in the last 30 days, and tells you how many people signed in without SSO.'
              )}{' '}
              Select the button again to confirm.
            </p>
          </div>
        ) : checkError ? (
          <p class="hint">Could not check who signed in without SSO: {checkError}</p>
        ) : null
      }
      onSubmit={save}
    >
      <RadioGroup
        legend="Enforcement"
        value={mode}
        onValue={(v) => {
          setMode(v);
          setConfirming(false);
        }}
        options={MODES.map((m) =>
          m.value === 'on' && onRefused
            ? { ...m, disabled: true, why: cannotEnforce(connection, check) }
            : m,
        )}
      />
      <TextField
        label="Break-glass owners"
        hint="Up to 3 owners' emails, separated by commas: they may still sign in with a password while enforcement is on. Each sign-in of theirs is recorded and the owners are told."
        autocomplete="off"
        value={breakGlass}
        onValue={setBreakGlass}
        error={submit.fieldError('breakGlass')}
      />
    </FormDialog>
  );
}

/** Events of the scope read for the report: the newest, in one page. */
const REPORT_EVENTS = 100;
/** People listed per connection; the rest are in Activity. */
const REPORT_CAP = 10;

const REPORTED: readonly AuditEvent['type'][] = [
  'sso_enforcement_would_deny',
  'sso_enforcement_bypassed',
];

/** Whom a connection's enforcement refused in report mode, or let through by break-glass. */
const reportOf = (events: readonly AuditEvent[], c: SsoConnection) =>
  events.filter((e) => REPORTED.includes(e.type) && e.details.connection === c.name);

/**
 * SPEC §12 report mode, as owners read it: for each connection in report mode (or on), the people
 * its `sso_enforcement_would_deny` and `sso_enforcement_bypassed` events name, newest first, from
 * the newest page of the scope's events (the API filters nothing), capped; Activity has the rest.
 */
function EnforcementReport(props: { scope: Scope; connections: readonly SsoConnection[] }) {
  const { scope } = props;
  const events = usePaged<AuditEvent>(`${scope.base}/events`, REPORT_EVENTS);
  const activity =
    scope.kind === 'org' ? href.org(scope.id, 'activity') : href.company(scope.id, 'activity');
  return (
    <Panel id="sso-report-title" title="Who SSO enforcement affects" heading="h2">
      <p class="hint">
        In report mode nothing is refused: each person who signs in on the connection's domains
        without it is recorded, at most once a day, so you see who enforcement would refuse. With
        enforcement on, the break-glass owners' password sign-ins are listed.
      </p>
      {events.error ? (
        <ErrorMessage>{events.error}</ErrorMessage>
      ) : events.loading && events.items.length === 0 ? (
        <p class="hint">Loading recent sign-ins…</p>
      ) : (
        props.connections.map((c) => (
          <ConnectionReport key={c.id} connection={c} events={events} activity={activity} />
        ))
      )}
    </Panel>
  );
}

function ConnectionReport(props: {
  connection: SsoConnection;
  events: Paged<AuditEvent>;
  activity: string;
}) {
  const { connection: c, events } = props;
  const id = `sso-report-${useId()}`;
  const all = reportOf(events.items, c);
  const shown = all.slice(0, REPORT_CAP);
  const more = all.length > REPORT_CAP || events.more;
  return (
    <section class="sso-report" aria-labelledby={id} data-connection={c.name}>
      <h3 id={id}>
        {c.name} <EnforcementBadge mode={c.enforcement} />
      </h3>
      {shown.length === 0 ? (
        <p class="hint">
          {c.enforcement === 'report'
            ? 'Nobody would have been refused among the recent sign-ins.'
            : 'No break-glass sign-ins or would-be refusals among the recent events.'}
        </p>
      ) : (
        <Table
          caption={`People SSO enforcement of ${c.name} would refuse or let through, newest first`}
          columns={['Person', 'What happened', 'When']}
          items={shown}
          row={(e) => (
            <tr key={e.id} data-event-type={e.type}>
              <th scope="row" data-label="Person">
                {e.subject}
              </th>
              <td data-label="What happened">
                {e.type === 'sso_enforcement_bypassed'
                  ? 'Signed in with a password as a break-glass owner'
                  : `Would be refused: signed ${e.details.via === 'sign-up' ? 'up' : 'in'} without ${c.name}`}
              </td>
              <td data-label="When">
                <time dateTime={e.at}>{formatDateTime(e.at)}</time>
              </td>
            </tr>
          )}
        />
      )}
      {more ? (
        <p>
          <a href={props.activity}>
            {all.length > REPORT_CAP
              ? `${all.length - REPORT_CAP} more, and older sign-ins, in Activity`
              : 'Older sign-ins in Activity'}
          </a>
        </p>
      ) : null}
    </section>
  );
}
