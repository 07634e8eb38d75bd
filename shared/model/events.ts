/**
 * The audit event types of SPEC §5, named once: the sign-in, the admin API's schemas (and so
 * the OpenAPI document) and the admin console all take them from here.
 */
export const EVENT_TYPES = [
  'member_added',
  'member_removed',
  'member_suspended',
  'member_restored',
  'role_changed',
  'invitation_created',
  'invitation_accepted',
  'invitation_revoked',
  'invitation_expired',
  'invitation_resent',
  'sign_in_denied',
  'seat_limit_reached',
  'auto_provisioning_skipped',
  'domain_added',
  'domain_verified',
  'domain_verification_lost',
  'domain_removed',
  'auto_provisioning_enabled',
  'auto_provisioning_disabled',
  'group_mapping_applied',
  'sso_connection_created',
  'sso_connection_updated',
  'sso_connection_deleted',
  'sso_enforcement_changed',
  'sso_enforcement_bypassed',
  'sso_enforcement_would_deny',
  'seats_changed',
  'webhook_created',
  'webhook_updated',
  'webhook_deleted',
  'webhook_disabled',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];
