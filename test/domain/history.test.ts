import { describe, expect, it } from 'vitest';
import { correctionChangesOf, lastCollectionCodeIssuedAt, type HistoryEntry } from '../../src/domain/history.js';
import { collectionCodeImageRefusal } from '../../src/domain/status-view.js';
import { completionStatuses, statuses } from '../../src/domain/statuses.js';
import { applicant, reach } from './support.js';

const entry = (event: string, occurredAt: string, details: Record<string, unknown> = {}): HistoryEntry => ({
  seq: 1,
  event,
  fromStatus: 'inspectionCorrectionRequested',
  toStatus: 'inspectionUnderExamination',
  actorKind: 'applicant',
  actorId: null,
  actorLabel: '申請者',
  reason: null,
  details,
  occurredAt: new Date(occurredAt),
});

describe('what the history says, decided once in the domain', () => {
  it('lists the corrected fields of a 補正申請 only, and only fields that may be corrected', () => {
    const changes = [
      { field: 'userAddress', before: '東京都港区', after: '東京都品川区' },
      { field: 'notAField', before: 'a', after: 'b' },
    ];
    expect(correctionChangesOf(entry('submitCorrection', '2026-06-02T01:00:00Z', { changes }))).toEqual([{ field: 'userAddress', before: '東京都港区', after: '東京都品川区' }]);
    // The same details on another event are not a correction.
    expect(correctionChangesOf(entry('requestCorrection', '2026-06-02T01:00:00Z', { changes }))).toEqual([]);
    expect(correctionChangesOf(entry('submitCorrection', '2026-06-02T01:00:00Z', { changes: 'x' }))).toEqual([]);
  });

  it('gives the time of the last 2D-code issue, or null before the first', () => {
    const history = [entry('markReady', '2026-06-02T01:00:00Z'), entry('issueCollectionCode', '2026-06-03T01:00:00Z'), entry('issueCollectionCode', '2026-06-04T05:00:00Z')];
    expect(lastCollectionCodeIssuedAt(history)).toEqual(new Date('2026-06-04T05:00:00Z'));
    expect(lastCollectionCodeIssuedAt(history.slice(0, 1))).toBeNull();
  });

  it('refuses the 2D-code image before a code is issued, and outside 返付準備完了/交付準備完了', () => {
    const ready = reach('continuousInspection', 'readyForReturn');
    expect(collectionCodeImageRefusal(ready.app, ready.now)).toEqual({
      code: 'notFound',
      message: '二次元コードはまだ発行されていません。「二次元コードを発行する」ボタンを押して発行してください。',
    });
    ready.do({ type: 'issueCollectionCode' }, applicant);
    expect(collectionCodeImageRefusal(ready.app, ready.now)).toBeNull();
    const examining = reach('continuousInspection', 'inspectionUnderExamination');
    expect(collectionCodeImageRefusal(examining.app, examining.now)?.code).toBe('statusDoesNotAllow');
  });

  it('names where each procedure is ready and where it ends', () => {
    expect(statuses[completionStatuses.continuousInspection.ready].label).toBe('返付準備完了');
    expect(statuses[completionStatuses.continuousInspection.done].label).toBe('返付済');
    expect(statuses[completionStatuses.newVehicle.ready].label).toBe('交付準備完了');
    expect(statuses[completionStatuses.newVehicle.done].label).toBe('交付済');
  });
});
