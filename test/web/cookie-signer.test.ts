import { Signer } from '@fastify/cookie';
import { describe, expect, it } from 'vitest';
import { rememberingSigner } from '../../src/web/cookies.js';

describe('the cookie signer that remembers valid signatures (the CSRF cookie at every view)', () => {
  it('signs as @fastify/cookie does, and answers every value as its signer does, remembered or not', () => {
    const plain = new Signer('secret-of-this-test');
    const signer = rememberingSigner('secret-of-this-test');
    const signed = signer.sign('csrf-secret-value');
    expect(signed).toBe(plain.sign('csrf-secret-value'));
    // The first answer is the HMAC's, the second the remembered one: the same.
    expect(signer.unsign(signed)).toEqual({ valid: true, renew: false, value: 'csrf-secret-value' });
    expect(signer.unsign(signed)).toEqual({ valid: true, renew: false, value: 'csrf-secret-value' });
    // A changed value or signature is refused, before and after the valid one was remembered.
    const forged = `other${signed.slice(signed.indexOf('.'))}`;
    for (let i = 0; i < 2; i++) {
      expect(signer.unsign(forged)).toEqual({ valid: false, renew: false, value: null });
      expect(signer.unsign(`${signed}x`)).toEqual({ valid: false, renew: false, value: null });
      expect(signer.unsign('no-signature')).toEqual({ valid: false, renew: false, value: null });
    }
    // Signed with another secret: refused.
    expect(signer.unsign(new Signer('another-secret').sign('csrf-secret-value')).valid).toBe(false);
  });
});
