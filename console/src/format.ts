/** Words and dates for what the API returns. */
import type { AuditEvent, EventType, Via } from './model.ts';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const date = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

export const formatDateTime = (iso: string) => dateTime.format(new Date(iso));
export const formatDate = (iso: string) => date.format(new Date(iso));

/** How a member joined, as the seeds word it. */
export const VIA_LABELS: Record<Via, string> = {
  creator: 'created the org',
  invitation: 'invitation',
  'auto-provisioning': 'auto-provisioning',
  jit: 'SSO (just-in-time)',
  'group-mapping': 'SSO group mapping',
  admin: 'added by an admin',
  scim: 'SCIM provisioning',
};

export const EVENT_LABELS: Record<EventType, string> = {
  member_added: 'Member added',
  member_removed: 'Member removed',
  member_suspended: 'Owner suspended (SCIM)',
  member_restored: 'Owner restored',
  role_changed: 'Role changed',
  invitation_created: 'Invitation sent',
  invitation_accepted: 'Invitation accepted',
  invitation_revoked: 'Invitation revoked',
  invitation_expired: 'Invitation expired',
  invitation_resent: 'Invitation resent',
  sign_in_denied: 'Sign-in denied',
  seat_limit_reached: 'Seat limit reached',
  auto_provisioning_skipped: 'Auto-provisioning skipped',
  domain_added: 'Domain added',
  domain_verified: 'Domain verified',
  domain_verification_lost: 'Domain verification lost',
  domain_removed: 'Domain removed',
  auto_provisioning_enabled: 'Auto-provisioning enabled',
  auto_provisioning_disabled: 'Auto-provisioning disabled',
  group_mapping_applied: 'Group mapping applied',
  sso_connection_created: 'SSO connection created',
  sso_connection_updated: 'SSO connection updated',
  sso_connection_deleted: 'SSO connection deleted',
  sso_enforcement_changed: 'SSO enforcement changed',
  sso_enforcement_bypassed: 'SSO enforcement bypassed (break-glass)',
  sso_enforcement_would_deny: 'Would be refused by SSO enforcement',
  seats_changed: 'Seat limit changed',
  webhook_created: 'Webhook added',
  webhook_updated: 'Webhook changed',
  webhook_deleted: 'Webhook deleted',
  webhook_disabled: 'Webhook disabled',
};

const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));
const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);

/** One line about what an event's details say. */
export function eventSummary(event: AuditEvent): string {
  const d = event.details;
  switch (event.type) {
    case 'member_added':
      if (d.via === 'creator') return 'created the org, as owner';
      return d.via
        ? `joined through ${VIA_LABELS[d.via as Via] ?? str(d.via)}${d.role ? `, as ${str(d.role)}` : ''}`
        : '';
    case 'member_removed':
      return d.role ? `was ${str(d.role)}` : '';
    case 'role_changed':
    case 'seats_changed':
      return `from ${d.from === null ? 'unlimited' : str(d.from)} to ${d.to === null ? 'unlimited' : str(d.to)}`;
    case 'invitation_created':
      return `as ${str(d.role) || 'member'}${d.team ? `, team ${str(d.team)}` : ''}`;
    case 'invitation_expired':
      return d.expiresAt ? `not accepted by ${formatDate(str(d.expiresAt))}; its seat is free` : '';
    case 'invitation_resent':
      return `${d.was === 'expired' ? 'expired, now pending again' : 'mailed again'}${d.expiresAt ? `; expires ${formatDate(str(d.expiresAt))}` : ''}`;
    case 'auto_provisioning_enabled':
      return d.orgName ? `into ${str(d.orgName)}` : '';
    case 'auto_provisioning_skipped':
      return d.reason === 'email_not_verified' ? 'email address not verified' : str(d.reason);
    case 'sign_in_denied':
      return str(d.reason);
    case 'group_mapping_applied': {
      const added = list(d.added);
      const removed = list(d.removed);
      return [
        added.length ? `added to ${added.join(', ')}` : '',
        removed.length ? `removed from ${removed.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('; ');
    }
    case 'sso_connection_updated':
      return d.changes && typeof d.changes === 'object'
        ? `changed ${Object.keys(d.changes).join(', ')}`
        : '';
    case 'sso_enforcement_changed': {
      const owners = list(d.breakGlass);
      return `from ${str(d.from)} to ${str(d.to)}${owners.length ? `; break-glass ${owners.join(', ')}` : ''}`;
    }
    case 'domain_removed':
      return d.autoProvisioningDisabled ? 'auto-provisioning turned off' : '';
    default:
      return '';
  }
}

export const seatsText = (used: number, limit: number | null) =>
  limit === null ? `${used} used, no limit` : `${used} of ${limit} used`;
