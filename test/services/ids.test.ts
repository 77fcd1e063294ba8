import { describe, expect, it } from 'vitest';
import { randomIds, uuidV7 } from '../../src/services/ids.js';

describe('row ids: UUID version 7', () => {
  it('puts the milliseconds first, then the version 7 and the RFC 9562 variant around 74 random bits', () => {
    expect(uuidV7(0x0123456789ab, Buffer.alloc(10, 0xff))).toBe('01234567-89ab-7fff-bfff-ffffffffffff');
    expect(uuidV7(0x0123456789ab, Buffer.alloc(10, 0))).toBe('01234567-89ab-7000-8000-000000000000');
  });

  it('grows with time, so that new rows go to the end of a primary-key index', () => {
    const earlier = uuidV7(Date.UTC(2026, 11, 6, 12, 0, 0, 0));
    const later = uuidV7(Date.UTC(2026, 11, 6, 12, 0, 0, 1));
    expect(earlier < later).toBe(true);
    expect(randomIds.id()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(randomIds.id()).not.toBe(randomIds.id());
  });
});
