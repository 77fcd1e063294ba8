import { request } from 'node:http';
import { csrfTokenOf } from '../../support/browser.js';

export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One HTTP request on a new connection (no keep-alive: with several workers, each may land elsewhere). */
export function httpRequest(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: { connection: 'close', ...options.headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/**
 * A browser over real HTTP: keeps its cookies and reads CSRF tokens from the last page, like
 * test/support/browser.ts does over app.inject. Each request names the server it goes to, so one
 * session can move between server processes as a load balancer would move it.
 */
export class HttpBrowser {
  readonly cookies = new Map<string, string>();
  lastPage = '';

  private remember(res: HttpResponse): void {
    const setCookie = res.headers['set-cookie'];
    for (const header of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
      const [pair = '', ...attributes] = header.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const maxAge = attributes.map((a) => /^\s*max-age=(-?\d+)/i.exec(a)?.[1]).find((v) => v !== undefined);
      const expires = attributes.map((a) => /^\s*expires=(.*)$/i.exec(a)?.[1]).find((v) => v !== undefined);
      const gone = value === '' || (maxAge !== undefined && Number(maxAge) <= 0) || (expires !== undefined && new Date(expires).getTime() < Date.now());
      if (gone) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    if (String(res.headers['content-type'] ?? '').startsWith('text/html')) this.lastPage = res.body;
  }

  private cookieHeader(): Record<string, string> {
    return this.cookies.size ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {};
  }

  async get(server: string, path: string): Promise<HttpResponse> {
    const res = await httpRequest(server + path, { headers: this.cookieHeader() });
    this.remember(res);
    return res;
  }

  async post(server: string, path: string, form: Record<string, string>): Promise<HttpResponse> {
    const fields = { _csrf: csrfTokenOf(this.lastPage), ...form };
    const res = await httpRequest(server + path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...this.cookieHeader() },
      body: new URLSearchParams(fields).toString(),
    });
    this.remember(res);
    return res;
  }

  /** 状況照会 ログイン: step 1 on `first`, step 2 on `second`, as two servers behind one address would serve it. */
  async login(first: string, second: string, receiptNumber: string, password: string): Promise<HttpResponse> {
    await this.get(first, '/inquiry/login');
    const step1 = await this.post(first, '/inquiry/login', { receiptNumber });
    if (step1.statusCode !== 303) throw new Error(`login step 1: ${step1.statusCode}`);
    await this.get(second, '/inquiry/login/password');
    return this.post(second, '/inquiry/login/password', { receiptNumber, password });
  }
}
