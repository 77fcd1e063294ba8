import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

/** The visible text of an HTML page, tags removed and white space folded (for exact-text assertions). */
export function textOf(html: string): string {
  return html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

export function csrfTokenOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m?.[1]) throw new Error('no CSRF token on the page');
  return m[1];
}

/** The <title> of a page. */
export function titleOf(html: string): string {
  return /<title>([^<]*)<\/title>/.exec(html)?.[1] ?? '';
}

/**
 * A minimal browser over app.inject: keeps cookies, follows nothing by itself, reads CSRF tokens
 * from the last page. Enough to drive the portal exactly as a person's browser would post its forms.
 */
let browsers = 0;

/**
 * A fresh client address per browser, so that per-address login limits apply per simulated person.
 * From 100.64.0.0/10 (shared address space), which no test names: the security tests use TEST-NET
 * addresses (198.51.100.x, 192.0.2.x) of their own, some of them deliberately rate-limited.
 */
function nextAddress(): string {
  browsers += 1;
  return `100.${64 + ((browsers >> 16) & 63)}.${(browsers >> 8) & 255}.${browsers & 255}`;
}

export class TestBrowser {
  readonly cookies = new Map<string, string>();
  lastPage = '';
  /** The client address the app sees (each browser is its own person unless told otherwise). */
  readonly remoteAddress: string;

  constructor(
    private readonly app: FastifyInstance,
    options: { remoteAddress?: string } = {},
  ) {
    this.remoteAddress = options.remoteAddress ?? nextAddress();
  }

  cookieHeader(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private remember(res: LightMyRequestResponse): void {
    for (const c of res.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      const expired = c.value === '' || (c.maxAge !== undefined && c.maxAge <= 0) || (c.expires !== undefined && c.expires.getTime() < Date.now());
      if (expired) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    if (String(res.headers['content-type'] ?? '').startsWith('text/html')) this.lastPage = res.body;
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const cookie = this.cookieHeader();
    const res = await this.app.inject({ method: 'GET', url, remoteAddress: this.remoteAddress, headers: { ...(cookie ? { cookie } : {}), ...headers } });
    this.remember(res);
    return res;
  }

  /** Posts a form as application/x-www-form-urlencoded (a list: the field repeated, as checkboxes send it); `_csrf` is taken from the last page unless given. */
  async post(url: string, form: Record<string, string | readonly string[]>, options: { csrf?: string | null } = {}): Promise<LightMyRequestResponse> {
    const cookie = this.cookieHeader();
    const fields: [string, string][] = Object.entries(form).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v] as [string, string]] : v.map((x): [string, string] => [k, x])));
    if (options.csrf !== null && form._csrf === undefined) fields.push(['_csrf', options.csrf ?? csrfTokenOf(this.lastPage)]);
    const res = await this.app.inject({
      method: 'POST',
      url,
      remoteAddress: this.remoteAddress,
      payload: new URLSearchParams(fields).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
    });
    this.remember(res);
    return res;
  }

  /** GET, then follow one 303/302 redirect if there is one. */
  async follow(res: LightMyRequestResponse): Promise<LightMyRequestResponse> {
    if (res.statusCode >= 300 && res.statusCode < 400 && res.headers.location) return this.get(String(res.headers.location));
    return res;
  }

  /** 状況照会 ログイン in its two steps, ending on 申請状況確認. */
  async login(receiptNumber: string, password: string): Promise<LightMyRequestResponse> {
    await this.get('/inquiry/login');
    const step1 = await this.post('/inquiry/login', { receiptNumber });
    if (step1.statusCode !== 303) throw new Error(`login step 1 failed: ${step1.statusCode} ${textOf(step1.body).slice(0, 200)}`);
    await this.get('/inquiry/login/password');
    const step2 = await this.post('/inquiry/login/password', { receiptNumber, password });
    if (step2.statusCode !== 303) throw new Error(`login step 2 failed: ${step2.statusCode} ${textOf(step2.body).slice(0, 300)}`);
    return this.follow(step2);
  }
}
