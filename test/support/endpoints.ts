/**
 * Endpoints of the local stack that the integration globalSetup started.
 */
export function dynamodbEndpoint(): string {
  const endpoint = process.env.PROVISIO_TEST_DYNAMODB_ENDPOINT;
  if (!endpoint) throw new Error('The integration globalSetup did not provide a DynamoDB endpoint');
  return endpoint;
}
