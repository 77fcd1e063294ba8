/**
 * Every page of the portal and the staff UI, and the e2e test file that opens it in Chromium
 * (and audits it with axe). `route-coverage.test.ts` fails when the app has a GET route that is
 * neither here nor in NOT_PAGES, so a page added later cannot go untested; and each file listed
 * here checks, after its tests, that its server really answered every route it claims.
 */
export const PAGES: Readonly<Record<string, string>> = {
  // The portal, as a visitor finds it (crawled from the top page).
  'GET /': 'accessibility-portal',
  'GET /online': 'accessibility-portal',
  'GET /notices': 'accessibility-portal',
  'GET /contact': 'accessibility-portal',
  'GET /faq': 'accessibility-portal',
  'GET /glossary': 'accessibility-portal',
  'GET /sitemap': 'accessibility-portal',
  'GET /first-time': 'accessibility-portal',
  'GET /bulk': 'accessibility-portal',
  'GET /terms': 'accessibility-portal',
  'GET /inquiry/status-guide': 'accessibility-portal',
  'GET /search': 'accessibility-portal',
  'GET /weight-tax-inquiry': 'accessibility-portal',
  // 状況照会 (manual 1–5), in every state.
  'GET /inquiry/login': 'accessibility-portal',
  'GET /inquiry/login/password': 'accessibility-portal',
  'POST /inquiry/login': 'accessibility-portal',
  'POST /inquiry/login/password': 'accessibility-portal',
  'GET /inquiry/status': 'accessibility-continuous-inspection',
  'POST /inquiry/logout': 'status-inquiry',
  // The applicant's actions (issue 4). Every GET page the status page opens is also audited for
  // every demo application by accessibility-continuous-inspection / accessibility-new-vehicle.
  'GET /inquiry/withdraw': 'keyboard',
  'POST /inquiry/withdraw': 'keyboard',
  'GET /inquiry/correction': 'applicant-actions',
  'POST /inquiry/correction': 'applicant-actions',
  'GET /payment': 'applicant-actions',
  'GET /inquiry/payments': 'applicant-actions',
  'GET /inquiry/payments/:stage': 'applicant-actions',
  'POST /inquiry/payments/:stage/bulk': 'applicant-actions',
  'POST /inquiry/payments/:stage/bulk-number': 'applicant-actions',
  'GET /inquiry/collection-code': 'applicant-actions',
  'POST /inquiry/collection-code': 'applicant-actions',
  'GET /apply': 'apply',
  'POST /apply': 'apply',
  'POST /apply/submit': 'apply',
  'GET /apply/complete': 'apply',
  // 連絡先メールアドレス and the pages a mail's links open (issue 15).
  'POST /inquiry/status/mail': 'mail',
  'GET /mail/confirm/:token': 'mail',
  'POST /mail/confirm/:token': 'mail',
  'GET /mail/unsubscribe/:token': 'mail',
  'POST /mail/unsubscribe/:token': 'mail',
  // まとめ納付 with a 利用者ID (issue 16).
  // APIトークン and Webhook of a 利用者ID (issue 17).
  'GET /account/api': 'account-api',
  'POST /account/api/tokens': 'account-api',
  'POST /account/api/tokens/:id/revoke': 'account-api',
  'POST /account/api/webhooks': 'account-api',
  'POST /account/api/webhooks/:id/rotate': 'account-api',
  'POST /account/api/webhooks/:id/enable': 'account-api',
  'POST /account/api/webhooks/:id/delete': 'account-api',
  'GET /account/payments': 'account-payments',
  'POST /account/payments': 'account-payments',
  'GET /account/payments/:id': 'account-payments',
  'POST /account/payments/:id/cancel': 'account-payments',
  // The staff UI (issue 3).
  'GET /staff': 'staff',
  'GET /staff/login': 'staff',
  'POST /staff/login': 'staff',
  'POST /staff/logout': 'staff',
  'GET /staff/applications': 'accessibility-staff',
  'GET /staff/applications/:number': 'accessibility-staff',
  'POST /staff/applications/:number/:decision': 'staff',
  'GET /staff/counter': 'staff',
  'POST /staff/counter': 'staff',
  'POST /staff/counter/hand-over': 'staff',
  // 監督者 and 閲覧のみ (issue 19).
  'GET /staff/audit': 'staff-roles',
  'GET /staff/audit.csv': 'staff-roles',
  'GET /staff/users/new': 'staff-roles',
  'POST /staff/users/new': 'staff-roles',
  // 利用者ID and its 申請一覧 (issue 16).
  'GET /account/register': 'account',
  'POST /account/register': 'account',
  'GET /account/registered': 'account',
  'GET /account/confirm/:token': 'account',
  'POST /account/confirm/:token': 'account',
  'GET /account/login': 'account',
  'POST /account/login': 'account',
  'POST /account/logout': 'account',
  'GET /account/password-reset': 'account',
  'POST /account/password-reset': 'account',
  'GET /account/reset/:token': 'account',
  'POST /account/reset/:token': 'account',
  'GET /account/applications': 'account',
  'GET /account/applications.csv': 'account',
  'GET /account/open/:id': 'account',
  'GET /account/applications/add': 'account',
  'POST /account/applications/add': 'account',
  'GET /account/applications/:id/remove': 'account',
  'POST /account/applications/:id/remove': 'account',
  'GET /account': 'account',
  'GET /account/totp': 'account',
  'POST /account/totp': 'account',
  'POST /account/totp/off': 'account',
  'POST /account/recovery-codes': 'account-two-factor',
};

/** Routes that are not pages a person reads: files, redirects, machine interfaces. */
export const NOT_PAGES: readonly RegExp[] = [
  /^GET \/assets\//, // stylesheets, script, design tokens
  /^GET \/font-size$/, // 文字サイズ: sets a cookie and redirects back (layout.test.ts follows it)
  /^GET \/(healthz|readyz)$/, // load balancers
  /^[A-Z]+ \/api\//, // the agencies' JSON API and its OpenAPI document
  /^GET \/__bench\//,
  /\.(ics|png|ico)$/, // downloads, images inside pages, and /favicon.ico (a redirect to the icon file)
];

/** The routes a test file claims to cover (by its name without .test.ts). */
export function claimedBy(file: string): string[] {
  return Object.entries(PAGES)
    .filter(([, f]) => f === file)
    .map(([route]) => route);
}
