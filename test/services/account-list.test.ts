import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT } from '../../src/demo/account.js';
import { demoScenarios } from '../../src/demo/scenarios.js';
import { listGroupOf } from '../../src/domain/status-view.js';
import type { AccountListFilters } from '../../src/services/account-list.js';
import { createTestApp, type TestApp } from '../support/app.js';

const all: AccountListFilters = { status: 'all', procedure: null, officeCode: null, filedFrom: null, filedTo: null, search: null, page: 1 };

describe('申請一覧 of a 利用者ID (issue 16)', () => {
  let t: TestApp;
  let accountId: string;
  beforeAll(async () => {
    t = await createTestApp({ seed: true });
    accountId = (await t.db.handle.db.selectFrom('accounts').select('id').where('user_id', '=', DEMO_ACCOUNT.userId).executeTakeFirstOrThrow()).id;
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it('puts what needs the user first — 補正待ち and 納付待ち/まとめ払い中 by nearest deadline, then 返付・交付準備完了 — then in progress, then finished', async () => {
    const page = await t.services.accountList.page(accountId, all);
    expect(page.total).toBe(demoScenarios.length);
    const groups = page.items.map((i) => i.group);
    const rank = { needsUser: 0, inProgress: 1, finished: 2 } as const;
    expect(groups.map((g) => rank[g])).toEqual(groups.map((g) => rank[g]).sort((a, b) => a - b));
    const needs = page.items.filter((i) => i.group === 'needsUser');
    expect(needs.map((i) => i.group)).toEqual(needs.map((i) => listGroupOf(i.status)));
    const withDeadline = needs.filter((i) => i.deadline);
    expect(needs.slice(0, withDeadline.length)).toEqual(withDeadline);
    const dates = withDeadline.map((i) => i.deadline!.date);
    expect(dates).toEqual([...dates].sort());
    expect(needs.slice(withDeadline.length).every((i) => i.status === 'readyForReturn' || i.status === 'readyForDelivery')).toBe(true);
  });

  it('pages by 50 and finds by 車台番号 and by part of a 使用者名', async () => {
    const s = demoScenarios[3]!;
    const byChassis = await t.services.accountList.page(accountId, { ...all, search: { kind: 'chassisNumber', chassisNumber: s.filing.chassisNumber, typed: s.filing.chassisNumber } });
    expect(byChassis.items.map((i) => i.chassisNumber)).toEqual([s.filing.chassisNumber]);
    const part = s.filing.userName.slice(0, 2);
    const byName = await t.services.accountList.page(accountId, { ...all, search: { kind: 'userName', userName: part } });
    expect(byName.total).toBe(demoScenarios.filter((d) => d.filing.userName.includes(part)).length);
    expect(byName.pageSize).toBe(50);
    // Letters that are no 車台番号 of the list are looked for in the 使用者名.
    const letters = await t.services.accountList.page(accountId, { ...all, search: { kind: 'chassisNumber', chassisNumber: 'NOSUCH', typed: 'NoSuch' } });
    expect(letters.total).toBe(0);
  });

  it('shows nothing of an account that holds nothing', async () => {
    const r = await t.services.accounts.register({ kind: 'individual', name: '空の利用者', mailAddress: 'empty@example.jp', password: 'an empty kei account' }, { clientAddress: null });
    if (!r.ok) throw new Error(r.refusal.message);
    expect((await t.services.accountList.page(r.value.accountId, all)).total).toBe(0);
  });
});
