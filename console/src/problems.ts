/**
 * Problem documents and other failures in plain words, and where to show them: a 400 names the
 * request field (`name`, `domains[1]`, `idp.issuer`), and each form asks for its fields by those
 * names (`useSubmit().fieldError`), so the message shows next to that input.
 */
import { ApiProblem, NetworkProblem } from './api.ts';
import { SessionEnded } from './session.ts';

export interface Explained {
  /** What went wrong, for a person. */
  readonly message: string;
  /** The request field it concerns, when the API named one. */
  readonly field?: string;
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Request field names the API mentions in its details, as words. */
const FIELD_WORDS: Record<string, string> = {
  seatLimit: 'seat limit',
  orgId: 'organization id',
  defaultOrgId: 'default organization',
  defaultTeam: 'default team',
  providerName: 'provider name',
  metadataUrl: 'metadata URL',
  metadataXml: 'metadata XML',
  clientId: 'client ID',
  clientSecret: 'client secret',
  groupsClaim: 'groups claim',
};
const words = (detail: string) =>
  detail.replace(
    /\b(seatLimit|orgId|defaultOrgId|defaultTeam|providerName|metadataUrl|metadataXml|clientId|clientSecret|groupsClaim)\b/g,
    (f) => FIELD_WORDS[f] ?? f,
  );

/** Turns any error from an API call into a message, and the field it belongs to. */
export function explain(error: unknown): Explained {
  if (error instanceof NetworkProblem) {
    return { message: 'Could not reach Provisio. Check your connection and try again.' };
  }
  if (error instanceof SessionEnded) {
    return { message: 'Your session has ended. Sign in again to continue.' };
  }
  if (!(error instanceof ApiProblem)) {
    return { message: 'Something went wrong in the console. Reload the page and try again.' };
  }
  const { status, field } = error;
  const detail = words(error.detail);
  if (status === 400 && field) {
    // The API writes `<field>: <what is wrong>` (`idp.metadataUrl: must be…`); next to the
    // input the field name is implied. Cut it before putting names into words, or it no
    // longer matches.
    const prefix = `${field}: `;
    const own = error.detail.startsWith(prefix) ? error.detail.slice(prefix.length) : error.detail;
    return { message: `${capitalise(words(own))}.`.replace(/\.\.$/, '.'), field };
  }
  if (status === 401) return { message: 'Your session has ended. Sign in again to continue.' };
  if (status === 404) {
    return {
      message: `${capitalise(detail || 'Not found')}. It does not exist, or you do not administer it.`,
    };
  }
  if (status === 429) {
    // A resend within 10 minutes says when it may be sent again (SPEC §13); the gateway's does not.
    return error.detail
      ? { message: `${capitalise(detail)}.`.replace(/\.\.$/, '.') }
      : { message: 'Too many requests right now. Wait a moment and try again.' };
  }
  if (status >= 500) {
    return { message: 'Provisio is having trouble right now. Try again in a moment.' };
  }
  return { message: `${capitalise(detail || error.title)}.`.replace(/\.\.$/, '.') };
}
