/**
 * Notification mail (SPEC §4): a subject, a plain-text and an HTML body naming the person by
 * email (and full name when known), the org by name, how they joined, and what to do next.
 * Pure: no I/O, no template engine.
 */

import type { PlannedNotification } from '../model/types.ts';
import type { Mail } from './mail.ts';

/** An outbox item's notification, as the sign-in and the admin API write it. */
export type Notification = PlannedNotification;

/** Where links in mail point; the admin console when it is deployed. */
export interface RenderContext {
  consoleUrl: string | undefined;
}

const HOW: Record<string, string> = {
  'auto-provisioning':
    'auto-provisioning (they signed in with a verified email address on a domain of yours)',
  jit: 'Just-in-Time provisioning through your SSO connection',
  'group-mapping': 'group mapping from your identity provider',
  invitation: 'accepting an invitation',
  admin: 'an administrator',
  scim: 'SCIM provisioning from your identity provider',
};

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** "Ada Lovelace <ada@acme.com>" or just the email. */
export function personLabel(n: Pick<Notification, 'email' | 'name'>): string {
  return n.name ? `${n.name} <${n.email}>` : n.email;
}

interface Content {
  subject: string;
  /** Paragraphs, plain text. */
  paragraphs: string[];
}

function content(n: Notification, ctx: RenderContext): Content {
  const who = personLabel(n);
  const org = n.orgName;
  const link = (path: string) =>
    ctx.consoleUrl ? ` ${ctx.consoleUrl.replace(/\/$/, '')}/${path}` : '';
  const str = (key: string) =>
    typeof n.details[key] === 'string' ? (n.details[key] as string) : undefined;
  switch (n.type) {
    case 'member_added': {
      const via = str('via') ?? 'admin';
      return {
        subject: `${who} joined ${org}`,
        paragraphs: [
          `${who} was added to the organization ${org} as ${str('role') ?? 'member'} through ${HOW[via] ?? via}.`,
          `They now use one seat of ${org}. If you did not expect this, review the members of ${org} and remove them, or turn auto-provisioning or Just-in-Time provisioning off.${link(`orgs/${n.orgId}/members`)}`,
        ],
      };
    }
    case 'seat_limit_reached': {
      const scim = str('via') === 'scim';
      return {
        subject: `${org} has no free seat: ${who} could not join`,
        paragraphs: [
          scim
            ? `Your identity provider provisioned ${who} (SCIM) to join the organization ${org}, but every seat is taken, so they were not added.`
            : `${who} signed in and would have joined the organization ${org}, but every seat is taken, so they were not added.`,
          `To let them in, raise the seat limit of ${org} or remove members who no longer need access; they join ${scim ? "at your identity provider's next attempt" : 'at their next sign-in'}.${link(`orgs/${n.orgId}/seats`)}`,
          'You will hear about this person and organization at most once a day.',
        ],
      };
    }
    case 'domain_verified':
      return {
        subject: `${str('domain') ?? 'Your domain'} is verified for ${org}`,
        paragraphs: [
          `The domain ${str('domain') ?? ''} is now verified for ${org}.`,
          `You can now turn on auto-provisioning for it, so that people who sign in with a verified address on this domain join ${org}, or use it in an SSO connection.${link('domains')}`,
        ],
      };
    case 'domain_verification_lost':
      return {
        subject: `${str('domain') ?? 'Your domain'} is no longer verified for ${org}`,
        paragraphs: [
          `The DNS TXT record proving ownership of ${str('domain') ?? 'your domain'} has been missing for 7 days, so the domain is pending again and auto-provisioning for it is off.`,
          `Publish the TXT record ${str('txtRecordName') ?? str('domain') ?? ''} = ${str('txtRecordValue') ?? 'provisio-verification=…'} again and verify the domain to restore it.${link('domains')}`,
        ],
      };
    case 'sso_domain_detached': {
      const connection = str('connectionName') ?? 'your SSO connection';
      const remaining = Array.isArray(n.details.remainingDomains)
        ? (n.details.remainingDomains as unknown[]).map(String)
        : [];
      const why =
        str('reason') === 'domain_verification_lost' ? 'lost its verification' : 'was removed';
      return {
        subject: `${str('domain') ?? 'A domain'} no longer signs in through ${connection}`,
        paragraphs: [
          `The domain ${str('domain') ?? ''} ${why}, so the SSO connection ${connection} of ${org} no longer serves it: its identity provider speaks only for verified domains.`,
          remaining.length
            ? `${connection} still serves ${remaining.join(', ')}.`
            : `${connection} now serves no domain: it is inactive and every sign-in through it is denied until a verified domain is attached again.`,
          `Verify the domain again and attach it to the connection to restore sign-ins for its people.${link('sso')}`,
        ],
      };
    }
    case 'member_suspended': {
      const connection = str('connectionName') ?? 'your SSO connection';
      return {
        subject: `${who} was deactivated and is suspended as the last owner of ${org}`,
        paragraphs: [
          `Your identity provider deactivated ${who} through SCIM provisioning (${connection}). They were the last owner of the organization ${org}, so their membership is kept but suspended, so that ${org} is not left without an owner: they administer nothing and ${org} has no owner in effect.`,
          `To restore them, a company owner sets their role to owner again, or the identity provider reactivates them. Otherwise make someone else an owner of ${org}.${link(`orgs/${n.orgId}/members`)}`,
        ],
      };
    }
    case 'member_restored': {
      const how =
        str('via') === 'scim'
          ? 'Your identity provider reactivated them through SCIM provisioning'
          : `${str('restoredBy') ?? 'A company owner'} restored them`;
      return {
        subject: `${who} is an owner of ${org} again`,
        paragraphs: [
          `${how}: their suspended membership of the organization ${org} is restored, and they are an owner of ${org} again.`,
          `If you did not expect this, review the members of ${org}.${link(`orgs/${n.orgId}/members`)}`,
        ],
      };
    }
    case 'sso_enforcement_bypassed': {
      const connection = str('connectionName') ?? 'your SSO connection';
      return {
        subject: `${who} signed in without SSO (break-glass)`,
        paragraphs: [
          `${who} signed in without the SSO connection ${connection}, which your organization ${org} requires for their domain. They are one of the connection's break-glass owners, so the sign-in was let through.`,
          `If you did not expect this, review the connection's break-glass owners or the person's access.${link('sso')}`,
        ],
      };
    }
    case 'webhook_disabled': {
      const url = str('url') ?? 'a webhook endpoint';
      const why =
        str('reason') === 'gone'
          ? 'it answered 410 Gone, which says it is gone for good'
          : `every delivery to it failed for 5 days in a row (since ${str('failingSince') ?? 'then'})`;
      return {
        subject: `Webhook deliveries to ${url} are disabled`,
        paragraphs: [
          `Provisio stopped delivering events of ${org} to the webhook endpoint ${url}: ${why}.`,
          `Once the endpoint answers again, enable it (PATCH {"enabled": true}) and replay what it missed from the last seq it received.${link('webhooks')}`,
        ],
      };
    }
    case 'invitation':
      return {
        subject: `You are invited to join ${org}`,
        paragraphs: [
          `${str('invitedBy') ?? 'An owner'} invited you (${n.email}) to join the organization ${org} as ${str('role') ?? 'member'}${str('team') ? `, in the team ${str('team')}` : ''}.`,
          `To accept, sign in with this email address; the invitation is accepted at your first sign-in once your address is verified.${link('')}`,
        ],
      };
  }
}

/** Renders one notification for one recipient. */
export function renderNotification(
  n: Notification,
  to: string,
  ctx: RenderContext = { consoleUrl: undefined },
): Mail {
  const c = content(n, ctx);
  const footer =
    n.type === 'invitation'
      ? 'You receive this because someone invited this address. If you do not know them, ignore this email.'
      : `You receive this as an owner of ${n.orgName}.`;
  const text = `${c.paragraphs.join('\n\n')}\n\n--\n${footer}\n`;
  const html = `<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">${c.paragraphs
    .map((p) => `<p>${escapeHtml(p)}</p>`)
    .join('')}<hr><p style="color:#666;font-size:small">${escapeHtml(footer)}</p></body></html>`;
  return { to, subject: c.subject, text, html };
}
