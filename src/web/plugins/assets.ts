import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import { Negotiator } from '@fastify/accept-negotiator';
import type { FastifyInstance } from 'fastify';

/**
 * The stylesheets, the script and the favicon, served under content-hashed names
 * (`/assets/site.3f2a9c81d0.css`) with `Cache-Control: public, max-age=31536000, immutable`: a
 * browser fetches each once a year at most, and a changed file has a new name, so it is never
 * stale. The files are read, hashed and compressed (brotli at its best quality, gzip) once, when
 * this module loads: a request for an asset costs no compression. The plain names
 * (`/assets/site.css`, `/assets/favicon.svg`) still answer, cached for an hour, for anything that
 * links them by name.
 */

export type AssetName = 'favicon.svg' | 'design-tokens.css' | 'site.css' | 'print.css' | 'site.js';

interface Asset {
  /** The hashed URL, e.g. /assets/site.3f2a9c81d0.css. */
  readonly url: string;
  readonly type: string;
  readonly body: Buffer;
  readonly br: Buffer;
  readonly gzip: Buffer;
}

/** A year: the longest max-age HTTP caches honour (RFC 9111 suggests no more). */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';
/** Unhashed names may change under the same URL: an hour. */
export const PLAIN_CACHE_CONTROL = 'public, max-age=3600';

const here = dirname(fileURLToPath(import.meta.url));
/** public/ sits at the package root, whether this file runs from src/ (tests) or dist/src/ (built). */
function findPublicDir(): string {
  for (const candidate of [join(here, '../../../public'), join(here, '../../../../public')]) {
    try {
      readFileSync(join(candidate, 'site.css'));
      return candidate;
    } catch {
      /* try the next */
    }
  }
  throw new Error('public/ folder not found');
}

export const PUBLIC_DIR = findPublicDir();
const require = createRequire(import.meta.url);

const TYPES: Record<string, string> = {
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  svg: 'image/svg+xml',
};

function load(name: AssetName): Asset {
  const file = name === 'design-tokens.css' ? require.resolve('@digital-go-jp/design-tokens/dist/tokens.css') : join(PUBLIC_DIR, name);
  const body = readFileSync(file);
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 10);
  const dot = name.lastIndexOf('.');
  const ext = name.slice(dot + 1);
  return {
    url: `/assets/${name.slice(0, dot)}.${hash}.${ext}`,
    type: TYPES[ext] ?? 'application/octet-stream',
    body,
    br: brotliCompressSync(body, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: zlibConstants.BROTLI_MAX_QUALITY } }),
    gzip: gzipSync(body, { level: 9 }),
  };
}

const assets = new Map<AssetName, Asset>((['favicon.svg', 'design-tokens.css', 'site.css', 'print.css', 'site.js'] as const).map((n) => [n, load(n)]));

/** The URL a page links an asset by (it changes when the file does). */
export function assetUrl(name: AssetName): string {
  return assets.get(name)!.url;
}

const negotiator = new Negotiator<'br' | 'gzip' | 'identity'>({ supportedValues: ['br', 'gzip', 'identity'] });

/** GET of every hashed asset (precompressed) and of the design tokens by their plain name. */
export function registerAssets(app: FastifyInstance): void {
  for (const asset of assets.values()) {
    app.get(asset.url, { compress: false }, async (req, reply) => {
      const accept = req.headers['accept-encoding'];
      const encoding = typeof accept === 'string' ? negotiator.negotiate(accept) : null;
      reply.type(asset.type).header('cache-control', IMMUTABLE_CACHE_CONTROL).header('vary', 'accept-encoding');
      if (encoding === 'br' || encoding === 'gzip') return reply.header('content-encoding', encoding).send(asset[encoding]);
      return reply.send(asset.body);
    });
  }
  const tokens = assets.get('design-tokens.css')!;
  app.get('/assets/design-tokens.css', async (_req, reply) => reply.type(tokens.type).header('cache-control', PLAIN_CACHE_CONTROL).send(tokens.body));
}
