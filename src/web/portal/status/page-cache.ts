import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { promptZlib } from '../../plugins/compression.js';

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
 * banner (flash) and `extra` (any per-request section a route adds after the manual's parts). A
 * new per-request piece is a new slot here, never a value baked into the kept page.
 *
 * Kept pages are deflated against the first one kept (about 1–2 KB for an 18 KB page) and the
 * cache is bounded by their bytes (STATUS_PAGE_CACHE_MB): the least recently viewed go first.
 */

export type SlotName = 'csrf' | 'flash' | 'extra';
/** HTML for each slot (already escaped: rendered by preact, or a token of URL-safe characters escaped here). */
export type SlotValues = Readonly<Record<SlotName, string>>;

const SLOT_CODES: Record<SlotName, string> = { csrf: 'c', flash: 'f', extra: 'x' };
const SLOT_BY_CODE = new Map<number, SlotName>(Object.entries(SLOT_CODES).map(([name, code]) => [code.charCodeAt(0), name as SlotName]));

export interface StatusPageCache {
  /** The text to render in place of each slot (letters and digits only: preact leaves it as it is). */
  readonly marks: Readonly<Record<SlotName, string>>;
  /** The page kept under this key, with the slots filled; null if none is kept. */
  get(key: string, values: SlotValues): Buffer | null;
  /** Keeps a page rendered with the marks (under `key`; null: not kept), and returns it with the slots filled. */
  put(key: string | null, rendered: string, values: SlotValues): Buffer;
  /** Pages kept now. */
  readonly size: number;
}

/** An attribute-safe token: CSRF tokens are URL-safe characters, escaped all the same. */
export function escapeAttribute(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function createStatusPageCache(maxBytes: number): StatusPageCache {
  // A random prefix per process: no application's data can contain it (it is never shown or stored).
  const prefix = Buffer.from(`kei${randomBytes(12).toString('hex')}`, 'latin1');
  const marks = Object.fromEntries(Object.entries(SLOT_CODES).map(([name, code]) => [name, `${prefix.toString('latin1')}${code}`])) as Record<SlotName, string>;
  const cache = maxBytes > 0 ? new LRUCache<string, Buffer>({ maxSize: maxBytes, sizeCalculation: (page, key) => page.length + key.length + 64 }) : null;

  let dictionary: Buffer | null = null;

  function fill(template: Buffer, values: SlotValues): Buffer {
    const parts: Buffer[] = [];
    const filled = new Map<SlotName, Buffer>();
    let from = 0;
    for (let at = template.indexOf(prefix, 0); at !== -1; at = template.indexOf(prefix, from)) {
      const slot = SLOT_BY_CODE.get(template[at + prefix.length]!);
      if (!slot) throw new Error('status page cache: unknown slot');
      parts.push(template.subarray(from, at));
      let value = filled.get(slot);
      if (!value) {
        value = Buffer.from(values[slot], 'utf8');
        filled.set(slot, value);
      }
      parts.push(value);
      from = at + prefix.length + 1;
    }
    parts.push(template.subarray(from));
    return Buffer.concat(parts);
  }

  return {
    marks,
    get(key, values) {
      const kept = cache?.get(key);
      return kept && dictionary ? fill(promptZlib.inflateRawSync(kept, { dictionary }), values) : null;
    },
    put(key, rendered, values) {
      const template = Buffer.from(rendered, 'utf8');
      if (key !== null && cache) {
        // Every status page shares its frame (header, menus, headings, footer) with every other: the
        // first page kept is the dictionary of all the others, which then keep only what differs
        // (about 1–2 KB a page instead of 5 KB). Copied out: zlib's result is a view of its 16 KB
        // output chunk, which would be kept whole.
        dictionary ??= Buffer.from(template);
        cache.set(key, Buffer.from(promptZlib.deflateRawSync(template, { dictionary })));
      }
      return fill(template, values);
    },
    get size() {
      return cache?.size ?? 0;
    },
  };
}
