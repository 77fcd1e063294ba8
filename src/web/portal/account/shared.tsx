import { Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ComponentChildren } from 'preact';
import { Layout } from '../../components/Layout.js';
import { sendNotLoggedIn } from '../../components/NotLoggedIn.js';
import type { PageContext } from '../../page-context.js';

export const CSRF_ONLY = Type.Object({ _csrf: Type.Optional(Type.String({ maxLength: 200 })) });

type AccountPage = 'list' | 'add' | 'payments' | 'account';

/** The account's menu: 申請一覧, 申請の追加, 納付を行う, 利用者情報, 終了 (a form: ending a session is a POST). */
export function AccountNav({ ctx, current }: { ctx: PageContext; current: AccountPage }) {
  const items = [
    { key: 'list', href: '/account/applications', label: '申請一覧' },
    { key: 'add', href: '/account/applications/add', label: '申請の追加' },
    { key: 'payments', href: '/account/payments', label: '納付を行う' },
    { key: 'account', href: '/account', label: '利用者情報' },
  ] as const;
  return (
    <nav class="account-nav" aria-label="利用者IDのメニュー">
      <ul class="account-nav__list">
        {items.map((i) => (
          <li>
            <a href={i.href} aria-current={i.key === current ? 'page' : undefined}>
              {i.label}
            </a>
          </li>
        ))}
      </ul>
      <form method="post" action="/account/logout" class="account-nav__logout">
        <input type="hidden" name="_csrf" value={ctx.csrfToken} />
        <button type="submit" class="button button--secondary">
          終了
        </button>
      </form>
    </nav>
  );
}

/** A page of a logged-in 利用者ID. */
export function AccountLayout({ ctx, title, current, hasErrors, children }: { ctx: PageContext; title: string; current: AccountPage; hasErrors?: boolean; children: ComponentChildren }) {
  return (
    <Layout ctx={ctx} title={title} hasErrors={hasErrors} mainClass="main--wide">
      <AccountNav ctx={ctx} current={current} />
      {children}
    </Layout>
  );
}

/** The one guard of the account's pages: without a live account session, the not-logged-in page (401). */
export async function requireAccount(req: FastifyRequest, reply: FastifyReply) {
  if (!req.accountSession?.accountId) return sendNotLoggedIn(req, reply, 'account');
}

/** The account of a request the guard let through. */
export function accountIdOf(req: FastifyRequest): string {
  const id = req.accountSession?.accountId;
  if (!id) throw new Error('account route without the requireAccount guard');
  return id;
}
