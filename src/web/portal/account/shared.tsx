import { Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ComponentChildren } from 'preact';
import { Layout } from '../../components/Layout.js';
import { sendNotLoggedIn } from '../../components/NotLoggedIn.js';
import type { PageContext } from '../../page-context.js';
import { mayUseAccountPages } from '../../../domain/accounts.js';
import type { Services } from '../../../services/index.js';

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

/** Where the account's pages send a 利用者ID that must set 二要素認証 first (decision 0013). */
export const TWO_FACTOR_SETUP_PATH = '/account/totp';

/**
 * The operator's two-factor rule at the door of the account's pages (申請一覧, CSV, 納付を行う,
 * 申請の追加, APIトークン, and an application opened from the list): while the domain says two-factor is
 * missing, every request is sent (303) to the setup page, which says why. Without an account session
 * it lets the request through to the login guard.
 */
export function twoFactorGate(services: Pick<Services, 'accounts'>) {
  return async function twoFactorGateHook(req: FastifyRequest, reply: FastifyReply) {
    const accountId = req.accountSession?.accountId;
    if (!accountId) return;
    const standing = await services.accounts.twoFactorStanding(accountId);
    if (standing && !mayUseAccountPages(standing).ok) return reply.redirect(TWO_FACTOR_SETUP_PATH, 303);
  };
}

/** The account of a request the guard let through. */
export function accountIdOf(req: FastifyRequest): string {
  const id = req.accountSession?.accountId;
  if (!id) throw new Error('account route without the requireAccount guard');
  return id;
}
