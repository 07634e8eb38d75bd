/**
 * Endpoints of the local stack that the integration globalSetup started.
 */
import { localStack } from './local-stack.ts';

export function dynamodbEndpoint(): string {
  return localStack().dynamodb.endpoint;
}
