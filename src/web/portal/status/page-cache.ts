import { createHash, randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { promptZlib } from '../../plugins/compression.js';
import { deflatePart, gzipOf, storedText, type GzipPart, type StoredText } from '../../spliced-gzip.js';

/**
 * The status page, rendered once per state of an application and kept, per process (issue 18).
 *
 * Everything the page shows comes from the application at one version (its history is appended
 * with that version), the お知らせ addressed to it, the Japan date (deadlines and reminders count
 * whole days) and the 文字サイズ: that is the key. The key is built from what the request itself
 * read from the database (`statusInquiry.stamp`, one indexed read), so a page of an older version is
 * never sent, whichever process made the change.
 *
 * The pieces that differ from one request to the next are never kept: the page is rendered with a
 * mark where each goes, and the marks are filled at send time — the CSRF token, the once-only
 * banner (flash), `extra` (any per-request section a route adds after the manual's parts) and
 * `address`, a value inside `extra` that differs from one application to the next (the 連絡先
 * メールアドレス): `extra` is kept per state, not per address (issue 18, round six). A new
 * per-request piece is a new slot here, never a value baked into the kept page.
 *
 * Kept pages are kept compressed, as the raw deflate parts between the slots, each compressed once
 * (spliced-gzip.ts): a view to a client that accepts gzip (every browser) is those parts with the
 * slots' values put between them, and no compression at all per request; others get the page
 * inflated. A part that is the same on many pages (the frame before the first slot, the end after
 * the last) is kept once. The cache is bounded by the bytes (STATUS_PAGE_CACHE_MB): the least
 * recently viewed go first.
 */

export type SlotName = 'csrf' | 'flash' | 'extra' | 'address';
/** HTML for each slot (already escaped: rendered by preact, or a token of URL-safe characters escaped here). */
export type SlotValues = Readonly<Record<SlotName, string>>;

const SLOT_CODES: Record<SlotName, string> = { csrf: 'c', flash: 'f', extra: 'x', address: 'a' };
const SLOT_BY_CODE = new Map<number, SlotName>(Object.entries(SLOT_CODES).map(([name, code]) => [code.charCodeAt(0), name as SlotName]));

export interface StatusPageCache {
  /** The text to render in place of each slot (letters and digits only: preact leaves it as it is). */
  readonly marks: Readonly<Record<SlotName, string>>;
  /**
   * The page kept under this key, with the slots filled; null if none is kept. `gzip`: as a gzip
   * body spliced from parts compressed when the page was kept (spliced-gzip.ts), else uncompressed.
   */
  get(key: string, values: SlotValues, gzip: boolean): Buffer | null;
  /** Keeps a page rendered with the marks (under `key`; null: not kept), and returns it with the slots filled (uncompressed). */
  put(key: string | null, rendered: string, values: SlotValues): Buffer;
  /** Pages kept now. */
  readonly size: number;
}

/** An attribute-safe token: CSRF tokens are URL-safe characters, escaped all the same. */
export function escapeAttribute(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A kept page: its parts compressed once, and the slots between them. */
type Item = GzipPart | SlotName;
interface KeptPage {
  readonly items: readonly Item[];
  /** The ids of its shared parts. */
  readonly shared: readonly string[];
  readonly bytes: number;
}
interface Shared {
  readonly part: GzipPart;
  refs: number;
}

/** Per-request values of `extra` seen lately (the mail section has a few states), kept as parts. */
const FRAGMENTS_KEPT = 2000;

export function createStatusPageCache(maxBytes: number): StatusPageCache {
  // A random prefix per process: no application's data can contain it (it is never shown or stored).
  const prefix = Buffer.from(`kei${randomBytes(12).toString('hex')}`, 'latin1');
  const marks = Object.fromEntries(Object.entries(SLOT_CODES).map(([name, code]) => [name, `${prefix.toString('latin1')}${code}`])) as Record<SlotName, string>;
  // The parts that are the same on many pages (the frame before the first slot, the end after the
  // last) are kept once, counted by the page that first had them, and dropped with the last page.
  // The parts between slots (the application's own) are kept by their page alone.
  const shared = new Map<string, Shared>();
  const release = (page: KeptPage) => {
    for (const id of page.shared) {
      const entry = shared.get(id);
      if (entry && --entry.refs === 0) shared.delete(id);
    }
  };
  const cache = maxBytes > 0 ? new LRUCache<string, KeptPage>({ maxSize: maxBytes, sizeCalculation: (page, key) => page.bytes + key.length + 64, dispose: release }) : null;
  const fragments = new LRUCache<string, Item[]>({ max: FRAGMENTS_KEPT });

  /** The template's text between the marks, and the slot of each mark, in order. */
  function split(template: Buffer): (Buffer | SlotName)[] {
    const out: (Buffer | SlotName)[] = [];
    let from = 0;
    for (let at = template.indexOf(prefix, 0); at !== -1; at = template.indexOf(prefix, from)) {
      const slot = SLOT_BY_CODE.get(template[at + prefix.length]!);
      if (!slot) throw new Error('status page cache: unknown slot');
      if (at > from) out.push(template.subarray(from, at));
      out.push(slot);
      from = at + prefix.length + 1;
    }
    if (from < template.length) out.push(template.subarray(from));
    return out;
  }

  function fill(template: Buffer, values: SlotValues): Buffer {
    const filled = new Map<SlotName, Buffer>();
    const parts = split(template).map((piece) => {
      if (typeof piece !== 'string') return piece;
      let value = filled.get(piece);
      if (!value) {
        // `extra` may hold the CSRF mark itself (a form in the section).
        value = piece === 'extra' ? fill(Buffer.from(values.extra, 'utf8'), { ...values, extra: '' }) : Buffer.from(values[piece], 'utf8');
        filled.set(piece, value);
      }
      return value;
    });
    return Buffer.concat(parts);
  }

  /** The page's parts compressed once; its first and last part, when another page has them, shared. */
  function compress(template: Buffer): KeptPage {
    let bytes = 0;
    const ids: string[] = [];
    const pieces = split(template);
    const items = pieces.map((piece, i): Item => {
      if (typeof piece === 'string') return piece;
      if (i !== 0 && i !== pieces.length - 1) {
        const part = deflatePart(piece);
        bytes += part.deflated.length + 64;
        return part;
      }
      const id = createHash('sha256').update(piece).digest('base64');
      ids.push(id);
      const known = shared.get(id);
      if (known) {
        known.refs++;
        return known.part;
      }
      const part = deflatePart(piece);
      shared.set(id, { part, refs: 1 });
      bytes += part.deflated.length + 164;
      return part;
    });
    return { items, shared: ids, bytes: bytes + items.length * 8 };
  }

  /** The slots' values as parts: a few bytes stored as they are (written into the body by gzipOf); `extra`, compressed once per distinct value. */
  function gzipBody(items: readonly Item[], values: SlotValues): Buffer {
    const parts: (GzipPart | StoredText)[] = [];
    let csrf: StoredText | null = null;
    const put = (list: readonly Item[], inFragment: boolean) => {
      for (const item of list) {
        if (typeof item !== 'string') parts.push(item);
        else if (item === 'csrf') parts.push((csrf ??= storedText(values.csrf)));
        else if (item === 'flash' || item === 'address') {
          if (values[item]) parts.push(storedText(values[item]));
        } else if (!inFragment && values.extra) {
          let fragment = fragments.get(values.extra);
          if (!fragment) {
            fragment = split(Buffer.from(values.extra, 'utf8')).map((piece) => (typeof piece === 'string' ? piece : deflatePart(piece)));
            fragments.set(values.extra, fragment);
          }
          put(fragment, true);
        }
      }
    };
    put(items, false);
    return gzipOf(parts);
  }

  return {
    marks,
    get(key, values, gzip) {
      const kept = cache?.get(key);
      if (!kept) return null;
      const body = gzipBody(kept.items, values);
      return gzip ? body : promptZlib.gunzipSync(body);
    },
    put(key, rendered, values) {
      const template = Buffer.from(rendered, 'utf8');
      if (key !== null && cache) cache.set(key, compress(template));
      return fill(template, values);
    },
    get size() {
      return cache?.size ?? 0;
    },
  };
}
