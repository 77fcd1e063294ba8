import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Decision 0017: the 申請用パスワード of a bulk-filed row waits for its hash encrypted, AES-256-GCM
 * under a key derived (HKDF-SHA-256) from PENDING_PASSWORD_KEY, a secret of the environment that the
 * database never holds. The application's id is the associated data: a value moved to another row
 * does not open. `v1.` + base64url(IV 12 bytes, tag 16 bytes, ciphertext).
 */
export function makePendingPasswordCipher(secret: string) {
  const key = Buffer.from(hkdfSync('sha256', secret, 'kei-oss', 'pending-application-password-v1', 32));
  return {
    seal(applicationId: string, password: string): string {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(applicationId, 'utf8'));
      const body = Buffer.concat([cipher.update(password, 'utf8'), cipher.final()]);
      return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
    },
    /** The password, or null when the value is altered, of another row, or under another key. */
    open(applicationId: string, sealed: string): string | null {
      if (!sealed.startsWith('v1.')) return null;
      try {
        const raw = Buffer.from(sealed.slice(3), 'base64url');
        if (raw.length < 29) return null;
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
        decipher.setAAD(Buffer.from(applicationId, 'utf8'));
        decipher.setAuthTag(raw.subarray(12, 28));
        return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      } catch {
        return null;
      }
    },
  };
}

export type PendingPasswordCipher = ReturnType<typeof makePendingPasswordCipher>;
