/**
 * Structured logs and CloudWatch metrics (Embedded Metric Format) in a few lines, so the sign-in
 * path carries no logging or metrics dependency. One JSON object per line on stdout.
 * EMF: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
const NAMESPACE = 'Provisio';

type Level = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const threshold = LEVELS[(process.env.LOG_LEVEL?.toLowerCase() as Level) ?? 'info'] ?? LEVELS.info;

function write(level: Level, message: string, fields: Record<string, unknown>): void {
  if (LEVELS[level] < threshold) return;
  process.stdout.write(
    `${JSON.stringify({ level, message, timestamp: new Date().toISOString(), ...fields })}\n`,
  );
}

export const log = {
  debug: (message: string, fields: Record<string, unknown> = {}) => write('debug', message, fields),
  info: (message: string, fields: Record<string, unknown> = {}) => write('info', message, fields),
  warn: (message: string, fields: Record<string, unknown> = {}) => write('warn', message, fields),
  error: (message: string, fields: Record<string, unknown> = {}) => write('error', message, fields),
};

/** Emits one metric (count by default) with dimensions as an EMF log line. */
export function metric(
  name: string,
  dimensions: Record<string, string> = {},
  value = 1,
  unit: 'Count' | 'Milliseconds' = 'Count',
): void {
  process.stdout.write(
    `${JSON.stringify({
      _aws: {
        Timestamp: Date.now(),
        CloudWatchMetrics: [
          {
            Namespace: NAMESPACE,
            Dimensions: [Object.keys(dimensions)],
            Metrics: [{ Name: name, Unit: unit }],
          },
        ],
      },
      ...dimensions,
      [name]: value,
    })}\n`,
  );
}
