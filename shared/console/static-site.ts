/**
 * Serves the built admin console (static files) and its `config.json` under `/console/`: the
 * console function does in AWS, the local API server does on port 3000. Only files under the
 * site's root are served: paths with `..`, empty or hidden segments, backslashes or NUL are 404.
 */
import { readFile } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { ConsoleConfig } from './config.ts';

/** Where the console lives, on the local stack and on the deployed HTTP API alike. */
export const CONSOLE_PATH = '/console';

export interface StaticResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const origin = (url: string) => {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
};

/**
 * Headers on every answer. The CSP allows scripts and styles from the console's own files only
 * (Vite emits no inline code) and network calls to this origin, the API and Cognito.
 */
export function securityHeaders(config: ConsoleConfig): Record<string, string> {
  const connect = [
    "'self'",
    origin(config.cognito.endpoint),
    config.apiUrl ? origin(config.apiUrl) : '',
  ]
    .filter(Boolean)
    .join(' ');
  return {
    'content-security-policy': [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      "font-src 'self'",
      `connect-src ${connect}`,
      "base-uri 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join('; '),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'strict-transport-security': 'max-age=31536000',
  };
}

/** The file a request path names, relative to the root, or undefined when it may not be served. */
export function siteFile(path: string): string | undefined {
  if (!path.startsWith(`${CONSOLE_PATH}/`)) return undefined;
  let rel: string;
  try {
    rel = decodeURIComponent(path.slice(CONSOLE_PATH.length + 1));
  } catch {
    return undefined;
  }
  if (rel === '') return 'index.html';
  if (rel.includes('\0') || rel.includes('\\')) return undefined;
  const segments = rel.split('/');
  // No `..`, no `.`, no empty segment (`//`), no hidden file (`.source-hash`).
  if (segments.some((s) => s === '' || s.startsWith('.'))) return undefined;
  return segments.join('/');
}

export interface ConsoleSiteOptions {
  /** The built console (`console/dist` locally, `site/` beside the function in AWS). */
  readonly root: string;
  readonly config: ConsoleConfig;
}

/** A request handler for `/console` and everything under it. */
export function createConsoleSite(options: ConsoleSiteOptions) {
  const root = resolve(options.root);
  const common = securityHeaders(options.config);
  const configBody = Buffer.from(`${JSON.stringify(options.config)}\n`);
  const text = (statusCode: number, message: string, headers: Record<string, string> = {}) => ({
    statusCode,
    headers: {
      ...common,
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
      ...headers,
    },
    body: Buffer.from(`${message}\n`),
  });

  return async function serve(method: string, path: string): Promise<StaticResponse> {
    if (path === CONSOLE_PATH) {
      // Relative URLs in the page resolve against `/console/`, so the slash matters.
      return text(308, 'Moved to /console/', { location: `${CONSOLE_PATH}/` });
    }
    if (method !== 'GET' && method !== 'HEAD')
      return text(405, 'Method not allowed', { allow: 'GET, HEAD' });
    const rel = siteFile(path);
    if (!rel) return text(404, 'Not found');
    const head = method === 'HEAD';
    if (rel === 'config.json') {
      return {
        statusCode: 200,
        headers: {
          ...common,
          'content-type': CONTENT_TYPES['.json']!,
          'cache-control': 'no-store',
        },
        body: head ? Buffer.alloc(0) : configBody,
      };
    }
    const file = join(root, ...rel.split('/'));
    if (!file.startsWith(`${root}${sep}`)) return text(404, 'Not found');
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (rel === 'index.html' && code === 'ENOENT') {
        return text(503, 'The console is not built yet: run `npm run build:console`, then reload.');
      }
      if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR')
        return text(404, 'Not found');
      throw error;
    }
    return {
      statusCode: 200,
      headers: {
        ...common,
        'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
        // Vite names assets by content hash: they never change. The page and config do.
        'cache-control': rel.startsWith('assets/')
          ? 'public, max-age=31536000, immutable'
          : 'no-cache',
      },
      body: head ? Buffer.alloc(0) : body,
    };
  };
}
