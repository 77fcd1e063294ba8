import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { Clock } from '../domain/time.js';

/**
 * Seals the 申請用パスワード for the trip through the check page: AES-256-GCM under a key derived
 * from the server secret, with an expiry inside, so the password is never in the page as typed and a
 * sealed value from another server or an altered one is refused.
 */
export const SEAL_TTL_MS = 60 * 60 * 1000;

export function makePasswordSeal(secret: string, clock: Clock) {
  const key = Buffer.from(hkdfSync('sha256', secret, 'kei-oss', 'apply-password-seal-v1', 32));
  return {
    seal(password: string): string {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(`${clock.now().getTime() + SEAL_TTL_MS}.${password}`, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
    },
    /** The password, or null when the value is altered, foreign or expired. */
    open(sealed: string | undefined): string | null {
      if (!sealed || sealed.length > 400) return null;
      try {
        const raw = Buffer.from(sealed, 'base64url');
        if (raw.length < 29) return null;
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
        decipher.setAuthTag(raw.subarray(12, 28));
        const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
        const dot = text.indexOf('.');
        const expires = Number(text.slice(0, dot));
        if (dot < 1 || !Number.isFinite(expires) || expires <= clock.now().getTime()) return null;
        return text.slice(dot + 1);
      } catch {
        return null;
      }
    },
  };
}

export type PasswordSealer = ReturnType<typeof makePasswordSeal>;
