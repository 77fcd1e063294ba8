import { Type, type Static } from '@fastify/type-provider-typebox';
import { parse } from 'csv-parse/sync';
import { Compile } from 'typebox/compile';
import type { FilingInput } from '../../../domain/filing.js';
import type { FilingRow } from '../../../services/account-filing.js';
import { FilingBody } from '../schemas.js';
import { describeSchemaErrors } from '../validation.js';

/** One row of a bulk filing: the fields of 申請を行う, its 申請用パスワード and, optionally, its own key. */
export const FilingRowBody = Type.Object(
  {
    rowKey: Type.Optional(Type.String({ pattern: '^[\\x21-\\x7e]{1,100}$', description: 'この行の冪等キー（半角英数字・記号1〜100文字）。同じキーの行は、再送しても一度だけ申請される' })),
    ...FilingBody.properties,
  },
  { additionalProperties: false, description: '一括申請の1行（申請を行うと同じ項目と申請用パスワード）' },
);
const checkRow = Compile(FilingRowBody);

/**
 * The CSV's columns, in this order, with a header row of these names (the template). Booleans are
 * 1/0 (or true/false); empty cells are "not given". Documented in docs/api.md.
 */
export const CSV_COLUMNS = [
  'rowKey', 'password', 'procedure', 'officeCode', 'applicantName', 'applicantAddress', 'userName', 'userNameHigh', 'userAddress',
  'ownerSameAsUser', 'ownerName', 'ownerNameHigh', 'ownerAddress', 'vehicleNumber', 'chassisNumber', 'vehicleModel', 'weightTaxBand',
  'acquisitionPrice', 'environmentalTaxRate', 'preferredNumber', 'agentCommissionNumber', 'agentName', 'agentUsable',
] as const;
const booleanColumns = new Set(['ownerSameAsUser', 'preferredNumber', 'agentUsable']);
const integerColumns = new Set(['acquisitionPrice', 'environmentalTaxRate']);

/** The template to download: the header row only, UTF-8 with a BOM (Excel opens it as UTF-8), CRLF. */
export const CSV_TEMPLATE = `\uFEFF${CSV_COLUMNS.join(',')}\r\n`;

export type RowCheck = { readonly ok: true; readonly row: FilingRow } | { readonly ok: false; readonly fields: Record<string, string>; readonly rowKey: string | null };

/** One row's shape (types, lengths, known fields), before the rules of 申請を行う. */
export function checkRowShape(value: unknown): RowCheck {
  if (checkRow.Check(value)) {
    const { password, rowKey, ...input } = value as Static<typeof FilingRowBody>;
    return { ok: true, row: { input: input as FilingInput, password, rowKey } };
  }
  const rowKey = value && typeof value === 'object' && typeof (value as { rowKey?: unknown }).rowKey === 'string' ? ((value as { rowKey: string }).rowKey.slice(0, 100)) : null;
  return { ok: false, fields: describeSchemaErrors(checkRow.Errors(value) as never), rowKey };
}

export type DecodedCsv = { readonly ok: true; readonly encoding: 'utf-8' | 'shift_jis'; readonly records: Record<string, unknown>[] } | { readonly ok: false; readonly message: string };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const shiftJis = new TextDecoder('shift_jis', { fatal: true });

/**
 * A CSV upload: UTF-8 (with or without a BOM) or Shift_JIS (what Excel saves as 「CSV（コンマ区切り）」
 * in Japan), detected by decoding strictly; anything else is refused naming the encodings accepted.
 */
export function decodeCsv(body: Buffer): DecodedCsv {
  let text: string;
  let encoding: 'utf-8' | 'shift_jis' = 'utf-8';
  try {
    text = utf8.decode(body);
  } catch {
    try {
      text = shiftJis.decode(body);
      encoding = 'shift_jis';
    } catch {
      return { ok: false, message: 'CSV の文字コードを判別できません。UTF-8（BOM 付き・なし）または Shift_JIS で保存してください。' };
    }
  }
  let rows: string[][];
  try {
    rows = parse(text, { bom: true, relax_column_count: false, skip_empty_lines: true, max_record_size: 64 * 1024 }) as string[][];
  } catch (e) {
    const line = (e as { lines?: number }).lines;
    return { ok: false, message: `CSV の形式が正しくありません${line ? `（${line}行目付近）` : ''}。列の数、引用符（"）の対応を確認してください。` };
  }
  const [header, ...data] = rows;
  if (!header) return { ok: false, message: 'CSV が空です。1行目に見出し（テンプレートの列名）、2行目から申請を1行ずつ記入してください。' };
  const unknown = header.filter((h) => !(CSV_COLUMNS as readonly string[]).includes(h.trim()));
  if (unknown.length > 0 || !header.map((h) => h.trim()).includes('password')) {
    return { ok: false, message: `CSV の1行目（見出し）には、テンプレートの列名を指定してください${unknown.length > 0 ? `（不明な列: ${unknown.slice(0, 5).map((u) => u.slice(0, 30)).join(', ')}）` : ''}。` };
  }
  const records = data.map((cells) => {
    const record: Record<string, unknown> = {};
    header.forEach((name, i) => {
      const column = name.trim();
      const cell = (cells[i] ?? '').trim();
      if (cell === '') return;
      if (booleanColumns.has(column)) record[column] = /^(1|true)$/i.test(cell) ? true : /^(0|false)$/i.test(cell) ? false : cell;
      else if (integerColumns.has(column) && /^[0-9,]{1,15}$/.test(cell)) record[column] = Number(cell.replace(/,/g, ''));
      else record[column] = cell;
    });
    return record;
  });
  return { ok: true, encoding, records };
}
