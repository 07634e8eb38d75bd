/**
 * The HTTP sign-in hook's signature (SPEC §5):
 * `Provisio-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far the signature's timestamp may be from the server's clock, either way. */
export const SIGNATURE_TOLERANCE_S = 5 * 60;

/** The header value for a body, as a caller computes it. */
export function signHookBody(secret: string, rawBody: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${rawBody}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/** Why a signature was refused, or `undefined` when it is valid. */
export function checkHookSignature(
  secret: string,
  rawBody: string,
  header: string | undefined,
  nowSeconds: number,
): string | undefined {
  if (!header) return 'Missing Provisio-Signature header';
  let t: string | undefined;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const [k, v] = part.trim().split('=', 2);
    if (k === 't') t = v;
    else if (k === 'v1' && v) candidates.push(v);
  }
  if (!t || !/^\d{1,12}$/.test(t) || candidates.length === 0)
    return 'Malformed Provisio-Signature header';
  if (Math.abs(nowSeconds - Number(t)) > SIGNATURE_TOLERANCE_S)
    return 'Signature timestamp is outside the allowed window';
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  const ok = candidates.some((c) => {
    if (!/^[0-9a-f]{64}$/i.test(c)) return false;
    return timingSafeEqual(Buffer.from(c, 'hex'), expected);
  });
  return ok ? undefined : 'Signature does not match';
}
