import { describe } from 'vitest';
import { auditEveryStatus } from './support/every-status.js';
import { useE2e } from './support/fixture.js';

describe('accessibility of 申請状況確認, 継続検査, logged in with every demo application (axe: wcag2a, wcag2aa, wcag21a, wcag21aa, wcag22aa)', () => {
  auditEveryStatus(useE2e(import.meta.url), 'continuousInspection');
});
