import pino, { type Logger } from 'pino';

/**
 * JSON logs with personal data and secrets redacted: passwords, session and CSRF cookies, bearer
 * tokens, and names that reach a log line through an object.
 */
export const REDACT_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  'headers.cookie',
  'headers.authorization',
  'password',
  '*.password',
  'passwordHash',
  '*.passwordHash',
  'password_hash',
  '*.password_hash',
  'passwordPending',
  '*.passwordPending',
  'password_pending',
  '*.password_pending',
  'token',
  '*.token',
  'sessionToken',
  '*.sessionToken',
  '_csrf',
  '*._csrf',
  'applicantName',
  '*.applicantName',
  'userName',
  '*.userName',
  'ownerName',
  '*.ownerName',
  'name',
  '*.name',
  'address',
  '*.address',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      base: { service: 'kei-oss' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
