/**
 * `npm run local:token -- <email> [password]`: signs in to the running local stack and prints
 * the tokens, with the `orgs` claim the pre-token trigger adds (SPEC §9; see local/tokens.ts),
 * and the claims of the ID token, as JSON.
 */
import { readLocalConfig } from './local-config.ts';
import { localSignIn, tokenClaims } from './tokens.ts';

const DEFAULT_PASSWORD = 'Correct-horse-1';

async function main([email, password = DEFAULT_PASSWORD]: string[]): Promise<void> {
  if (!email?.includes('@')) throw new Error('usage: npm run local:token -- <email> [password]');
  const tokens = await localSignIn(await readLocalConfig(), email, password);
  process.stdout.write(
    `${JSON.stringify({ ...tokens, idTokenClaims: tokenClaims(tokens.idToken) }, null, 2)}\n`,
  );
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`provisio: ${(error as Error)?.message ?? error}\n`);
  process.exit(1);
});
