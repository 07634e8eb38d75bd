/**
 * How every function logs when deployed (SPEC §7; docs/performance.md, "Logs"): JSON lines, so
 * that Lambda filters them by level before they reach CloudWatch Logs (what is filtered is not
 * billed). Application lines below INFO are dropped, and so are Lambda's own platform lines below
 * WARN (START, END and REPORT are INFO), so a sign-in that changes nothing is billed no log line.
 * Plain values, no CDK import: the benchmark's cost model reads the same settings.
 * https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html
 */
export const FUNCTION_LOGGING = {
  format: 'JSON',
  applicationLogLevel: 'INFO',
  systemLogLevel: 'WARN',
} as const;
