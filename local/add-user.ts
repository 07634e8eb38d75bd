/**
 * `npm run local:user -- <email> [password]`: a confirmed cognito-local user with a verified
 * email and a permanent password, in the running local stack's pool, so that you can sign in to
 * the admin console (http://localhost:3000/console/). As an administrator would create it:
 * no sign-in trigger runs until the person signs in.
 */
import { readLocalConfig } from './local-config.ts';
import { cognitoSdk, localClientConfig } from './sdk.ts';

const DEFAULT_PASSWORD = 'Correct-horse-1';

async function main([email, password = DEFAULT_PASSWORD]: string[]): Promise<void> {
  if (!email?.includes('@')) throw new Error('usage: npm run local:user -- <email> [password]');
  const config = await readLocalConfig();
  const sdk = cognitoSdk();
  const client = new sdk.CognitoIdentityProviderClient(localClientConfig(config.cognito.endpoint));
  const UserPoolId = config.cognito.userPoolId;
  try {
    await client.send(
      new sdk.AdminCreateUserCommand({
        UserPoolId,
        Username: email,
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: email },
          { Name: 'email_verified', Value: 'true' },
        ],
      }),
    );
    await client.send(
      new sdk.AdminSetUserPasswordCommand({
        UserPoolId,
        Username: email,
        Password: password,
        Permanent: true,
      }),
    );
  } finally {
    client.destroy();
  }
  process.stdout.write(
    `${email} can sign in with password ${password} at ${config.apiUrl}/console/\n`,
  );
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`provisio: ${(error as Error)?.message ?? error}\n`);
  process.exit(1);
});
