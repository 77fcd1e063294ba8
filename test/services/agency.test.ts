import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/actors.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { filing, office } from './support.js';

const tokyo = office('tokyo') as Extract<Actor, { kind: 'inspectionOffice' }>;
const nerima = office('nerima') as Extract<Actor, { kind: 'inspectionOffice' }>;
const tokyoTax: Actor = { kind: 'taxOffice', taxOfficeCode: 'tokyoTax', id: 'test-tokyo-tax', label: '東京都 税' };

/** The agency's use cases called directly: each one service call, the office scope checked in one place. */
describe('services.agency: read, post, register by number', () => {
  let t: TestApp;
  let number = '';
  beforeAll(async () => {
    t = await createTestApp();
    const registered = await t.services.agency.register(tokyo, filing(), 'demo1234pass');
    if (!registered.ok) throw new Error(registered.refusal.message);
    number = registered.value.application.arrivalNumber;
    expect(registered.value.history.map((h) => h.event)).toEqual(['arrive']);
  }, 60_000);
  afterAll(async () => {
    await t.close();
  });

  it('register: only an office, only for itself; bad input is refused field by field and nothing is filed', async () => {
    const byTax = await t.services.agency.register(tokyoTax, filing(), 'demo1234pass');
    expect(byTax).toEqual({ ok: false, refusal: { code: 'actorNotAllowed', message: '都道府県税事務所のトークンでは申請を登録できません。申請の登録は軽自動車検査協会事務所等のトークンで行ってください。' } });
    const elsewhere = await t.services.agency.register(nerima, filing(), 'demo1234pass');
    expect(elsewhere).toEqual({ ok: false, refusal: { code: 'otherOffice', message: '他の事務所等を申請先とする申請は登録できません。' } });
    const bad = await t.services.agency.register(tokyo, filing({ userName: '' }), 'short');
    expect(bad.ok).toBe(false);
    if (bad.ok || !('fields' in bad)) throw new Error('expected field errors');
    expect(bad.refusal.code).toBe('invalidInput');
    expect(Object.keys(bad.fields).sort()).toEqual(['password', 'userName']);
  });

  it('read: the office sees its own application with its history; another office and an unknown number do not', async () => {
    const own = await t.services.agency.read(tokyo, number);
    expect(own.ok && own.value.application.status).toBe('awaitingAcceptance');
    expect(own.ok && own.value.history.length).toBe(1);
    expect(await t.services.agency.read(nerima, number)).toEqual({ ok: false, refusal: { code: 'otherOffice', message: '他の事務所等の申請は参照・操作できません。' } });
    expect((await t.services.agency.read(tokyoTax, number)).ok).toBe(false);
    expect(await t.services.agency.read(tokyo, '12345678901234567')).toEqual({ ok: false, refusal: { code: 'notFound', message: '指定された受付番号（到達番号）の申請は見つかりません。' } });
    expect((await t.services.agency.read(tokyo, 'abc')).ok).toBe(false);
  });

  it('post: another office is refused before its input is looked at; a stale version and bad input change nothing; the event and its history in one call', async () => {
    const other = await t.services.agency.post(nerima, number, { type: 'accept' });
    expect(other).toEqual({ ok: false, refusal: { code: 'otherOffice', message: '他の事務所等の申請は参照・操作できません。' } });
    const badInput = await t.services.agency.post(tokyo, number, { type: 'requestCorrection', reasonTitle: '', deadline: 'someday' });
    expect(badInput.ok).toBe(false);
    expect(!badInput.ok && 'fields' in badInput ? Object.keys(badInput.fields).sort() : []).toEqual(['deadline', 'reasonTitle']);
    const stale = await t.services.agency.post(tokyo, number, { type: 'accept' }, 7);
    expect(!stale.ok && stale.refusal.code).toBe('versionConflict');
    const accepted = await t.services.agency.post(tokyo, number, { type: 'accept' }, 1);
    expect(accepted.ok && accepted.value.application.status).toBe('acceptedAwaitingAttachments');
    const after = await t.services.agency.read(tokyo, number);
    expect(after.ok && after.value.history.map((h) => h.event)).toEqual(['arrive', 'accept']);
  });
});
