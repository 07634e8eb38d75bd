/**
 * One webhook POST (SPEC §11) to the address the caller checked: the connection goes to that
 * address (the `lookup` answers it, so no second DNS look-up can swap it: DNS rebinding), while
 * the Host header and TLS server name stay the URL's host. Redirects are not followed (node:http
 * never does); the answer's body is read up to a small limit and dropped; no answer within the
 * timeout is an error.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';

/** What an attempt got: a status (and `Retry-After`), or why there was none. */
export type PostResult =
  | { statusCode: number; retryAfter: string | null; durationMs: number }
  | { error: string; durationMs: number };

export interface WebhookPost {
  url: string;
  /** The checked address to connect to. */
  address: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

/** How much of an answer's body is read (then the socket is let go). */
const MAX_ANSWER_BYTES = 64 * 1024;

export function postWebhook(post: WebhookPost): Promise<PostResult> {
  const started = Date.now();
  const url = new URL(post.url);
  const family = isIP(post.address);
  const pinned: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all) {
      (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [
        { address: post.address, family },
      ]);
    } else callback(null, post.address, family);
  };
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<PostResult>((resolve) => {
    let settled = false;
    const done = (result: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const req = request(
      url,
      {
        method: 'POST',
        lookup: pinned,
        headers: {
          ...post.headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(post.body)),
          'user-agent': 'Provisio-Webhooks/1',
        },
        // A fresh connection per attempt: no pooled socket to an address checked before.
        agent: false,
      },
      (res: IncomingMessage) => {
        let read = 0;
        const finish = () => {
          const retryAfter = res.headers['retry-after'];
          done({
            statusCode: res.statusCode ?? 0,
            retryAfter: typeof retryAfter === 'string' ? retryAfter : null,
            durationMs: Date.now() - started,
          });
          res.destroy();
        };
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_ANSWER_BYTES) finish();
        });
        res.on('end', finish);
        res.on('error', finish);
      },
    );
    const timer = setTimeout(() => {
      done({
        error: `no answer within ${post.timeoutMs / 1000} s`,
        durationMs: Date.now() - started,
      });
      req.destroy();
    }, post.timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) =>
      done({ error: error.code ?? error.message, durationMs: Date.now() - started }),
    );
    req.end(post.body);
  });
}
