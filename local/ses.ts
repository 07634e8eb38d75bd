/**
 * A local SES (`aws-ses-v2-local`), in this process: it is an Express app, so it needs no child.
 * Its web page (`/`) shows every mail sent; `GET /store` returns them as JSON.
 */
import type { Server } from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

// `require` rather than `import`: under ESM the start function sits at `.default.default`
// (the CommonJS `exports.default` wrapped once more), depending on the loader.
type SesLocal = typeof import('aws-ses-v2-local');

/** A running local SES. */
export interface SesService {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Starts the local SES on `localhost:port`. */
export async function startSes(options: { port: number }): Promise<SesService> {
  const start = (require('aws-ses-v2-local') as SesLocal).default;
  const server: Server = await start({ host: 'localhost', port: options.port });
  // Express 5 calls back on a listen error too, so it resolves either way.
  if (!server.listening) throw new Error(`Local SES could not listen on port ${options.port}`);
  return {
    endpoint: `http://localhost:${options.port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
