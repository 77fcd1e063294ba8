import { createHmac, timingSafeEqual } from 'node:crypto';
import calculateLuhnModN from 'calculate-luhn-mod-n';
import { displayNumber, type Application } from '../domain/application.js';
import type { OfficeCode } from '../domain/offices.js';
import { formatReceiptNumber, parseReceiptNumber, type ReceiptNumber } from '../domain/receipt-number.js';
import type { Actor } from '../domain/actors.js';
import type { Transition } from '../domain/events.js';
import { ok, refuse, type Result } from '../domain/result.js';
import { applicationRepository } from '../store/applications.repository.js';
import type { ActOnApplication, ActOptions } from './application-events.js';
import type { ServiceDeps } from './context.js';
import { recordAudit, type AuditActor } from './audit.js';

/**
 * 受取者認証兼受取車両個別申告用二次元コード: what the QR code carries. The receipt number and the
 * serial of this issue, signed with the server's key (HMAC-SHA256, 128 bits kept), so that a forged
 * or altered code is refused and reissuing (serial + 1) makes every earlier code invalid.
 *
 *   KEIOSS1.<受付番号>.<serial>.<signature>
 */
export const COLLECTION_CODE_PREFIX = 'KEIOSS1';

function sign(key: string, receiptNumber: string, serial: number): string {
  return createHmac('sha256', key).update(`${COLLECTION_CODE_PREFIX}.${receiptNumber}.${serial}`).digest('base64url').slice(0, 22);
}

export function encodeCollectionCode(key: string, receiptNumber: string, serial: number): string {
  return `${COLLECTION_CODE_PREFIX}.${receiptNumber}.${serial}.${sign(key, receiptNumber, serial)}`;
}

/**
 * 手入力用の番号 (issue 14): what the code carries, in digits a clerk can type when the camera cannot
 * read the code, printed under it on the page, in print and in the PNG:
 *
 *   <受付番号 17> <serial> <signature 20> <check 1>     e.g. 1100 0000 0000 00013-1-3052 8841 9920 1177 4410-6
 *
 * The signature is the first 64 bits of the same HMAC as the code's (same key, same message), as a
 * 20-digit number; the last digit is a Luhn check digit over the rest, so a mistyped or swapped
 * digit is named as a typo before the signature is checked, and only a number whose check digit
 * is right but whose signature is wrong is refused as not genuine. Spaces and hyphens are ignored.
 */
const TYPED_SIGNATURE_DIGITS = 20;

function typedSignature(key: string, receiptNumber: string, serial: number): string {
  const mac = createHmac('sha256', key).update(`${COLLECTION_CODE_PREFIX}.${receiptNumber}.${serial}`).digest();
  return mac.readBigUInt64BE(0).toString().padStart(TYPED_SIGNATURE_DIGITS, '0');
}

const luhnDigit = (digits: string) => calculateLuhnModN((c) => Number(c), (n) => String(n), 10, digits);

/** The digits to type, without separators. */
export function typedCollectionCode(key: string, receiptNumber: string, serial: number): string {
  const body = `${receiptNumber}${serial}${typedSignature(key, receiptNumber, serial)}`;
  return body + luhnDigit(body);
}

/** As printed: the 受付番号 4-4-4-5, the serial, the signature in fours, the check digit. */
export function formatTypedCollectionCode(digits: string): string {
  const number = digits.slice(0, 17);
  const serial = digits.slice(17, -(TYPED_SIGNATURE_DIGITS + 1));
  const signature = digits.slice(-(TYPED_SIGNATURE_DIGITS + 1), -1);
  return `${formatReceiptNumber(number)}-${serial}-${signature.replace(/(.{4})(?=.)/g, '$1 ')}-${digits.slice(-1)}`;
}

export const TYPED_CODE_TYPO_MESSAGE =
  '手入力用の番号に打ち間違いがあります（最後の確認用の数字が合いません）。二次元コードの下に印字された番号を、もう一度確かめて入力してください。';
export const typedCodeLengthMessage = (count: number) =>
  `手入力用の番号の桁数が正しくありません（入力された数字は${count}桁です）。二次元コードの下に印字された番号を、すべて入力してください。`;

const TYPED_SEPARATORS = /[\s\-‐‑‒–—―−ー－]/gu;
const TYPED_MIN = 17 + 1 + TYPED_SIGNATURE_DIGITS + 1;
const TYPED_MAX = 17 + 9 + TYPED_SIGNATURE_DIGITS + 1;

function decodeTypedCollectionCode(key: string, text: string): Result<{ receiptNumber: string; serial: number }> {
  const digits = text.normalize('NFKC').replace(TYPED_SEPARATORS, '');
  if (!/^[0-9]+$/.test(digits)) return refuse('invalidInput', INVALID_CODE_MESSAGE);
  if (digits.length < TYPED_MIN || digits.length > TYPED_MAX) return refuse('invalidInput', typedCodeLengthMessage(digits.length));
  const body = digits.slice(0, -1);
  if (luhnDigit(body) !== digits.slice(-1)) return refuse('invalidInput', TYPED_CODE_TYPO_MESSAGE);
  const receiptNumber = body.slice(0, 17);
  const serialText = body.slice(17, -TYPED_SIGNATURE_DIGITS);
  if (!/^[1-9][0-9]{0,8}$/.test(serialText)) return refuse('invalidInput', INVALID_CODE_MESSAGE);
  const serial = Number(serialText);
  const expected = Buffer.from(typedSignature(key, receiptNumber, serial));
  const given = Buffer.from(body.slice(-TYPED_SIGNATURE_DIGITS));
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return refuse('invalidInput', INVALID_CODE_MESSAGE);
  return ok({ receiptNumber, serial });
}

export const INVALID_CODE_MESSAGE = '二次元コードを確認できません。正しい二次元コードか、最新の二次元コードかを確認してください。';
export const OTHER_OFFICE_CODE_MESSAGE = 'この二次元コードの申請は、申請先が他の事務所等です。申請先の事務所等の窓口で受け取るよう案内してください。';

/** Checks a code's form and signature only (no database): the scanned content, or the typed digits. */
export function decodeCollectionCode(key: string, content: string): Result<{ receiptNumber: string; serial: number }> {
  // Only digits and separators: the 手入力用の番号 (a scanned code always starts with its prefix).
  if (/^[\s0-9０-９\-‐‑‒–—―−ー－]+$/u.test(content.trim())) return decodeTypedCollectionCode(key, content);
  const parts = content.trim().split('.');
  if (parts.length !== 4 || parts[0] !== COLLECTION_CODE_PREFIX) return refuse('invalidInput', INVALID_CODE_MESSAGE);
  const [, number, serialText, signature] = parts as [string, string, string, string];
  const parsed = parseReceiptNumber(number);
  if (!parsed.ok || !/^[1-9][0-9]{0,8}$/.test(serialText)) return refuse('invalidInput', INVALID_CODE_MESSAGE);
  const serial = Number(serialText);
  const expected = Buffer.from(sign(key, parsed.value, serial));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return refuse('invalidInput', INVALID_CODE_MESSAGE);
  return ok({ receiptNumber: parsed.value, serial });
}

/** The longest code content the counter accepts (a real one is about 60 characters). */
export const COLLECTION_CODE_MAX = 200;

/**
 * Whether a decoded code is the current code of this application, ready to collect, at this office.
 * The office is checked before anything else is said about the application, so another office's
 * clerk learns nothing of it.
 */
function checkCode(app: Application | null, decoded: { receiptNumber: string; serial: number }, officeCode: OfficeCode | undefined): Result<Application> {
  if (!app) return refuse('invalidInput', INVALID_CODE_MESSAGE);
  if (officeCode !== undefined && app.officeCode !== officeCode) return refuse('otherOffice', OTHER_OFFICE_CODE_MESSAGE);
  if (app.receiptNumber !== decoded.receiptNumber) return refuse('invalidInput', INVALID_CODE_MESSAGE);
  if (app.collectionCodeSerial !== decoded.serial) {
    return refuse('invalidInput', 'この二次元コードは再発行により無効になっています。最新の二次元コードを提示してください。');
  }
  if (app.status !== 'readyForReturn' && app.status !== 'readyForDelivery') {
    return refuse('statusDoesNotAllow', '交付物の受け取りができる申請状況（返付準備完了・交付準備完了）ではありません。');
  }
  return ok(app);
}

/** The code as typed or scanned: NFKC, trimmed, bounded, signed by us. */
function readCode(key: string, content: string): Result<{ receiptNumber: string; serial: number }> {
  const text = content.normalize('NFKC').trim();
  if (text === '') return refuse('invalidInput', '二次元コードの内容を入力してください。');
  if (text.length > COLLECTION_CODE_MAX) return refuse('invalidInput', INVALID_CODE_MESSAGE);
  return decodeCollectionCode(key, text);
}

export function makeCollectionCodes(deps: ServiceDeps, key: string, act: ActOnApplication) {
  const repo = () => applicationRepository(deps.database.db, deps.database.dialect);
  async function find(receiptNumber: string): Promise<Application | null> {
    const id = await repo().findIdByNumber(receiptNumber as ReceiptNumber);
    return id ? repo().load(id) : null;
  }

  const codes = {
    /** The content of the current code of an application (after `issueCollectionCode` moved its serial). */
    contentFor(app: Pick<Application, 'receiptNumber' | 'collectionCodeSerial'>): string {
      if (!app.receiptNumber || app.collectionCodeSerial < 1) throw new Error('no collection code has been issued');
      return encodeCollectionCode(key, app.receiptNumber, app.collectionCodeSerial);
    },

    /** The 手入力用の番号 of the current code, as printed under it. */
    typedFor(app: Pick<Application, 'receiptNumber' | 'collectionCodeSerial'>): string {
      if (!app.receiptNumber || app.collectionCodeSerial < 1) throw new Error('no collection code has been issued');
      return formatTypedCollectionCode(typedCollectionCode(key, app.receiptNumber, app.collectionCodeSerial));
    },

    /** The counter check: a genuine, current code of an application (of the clerk's office, when given) whose documents are ready. */
    async verify(content: string, officeCode?: OfficeCode): Promise<Result<Application>> {
      const decoded = readCode(key, content);
      if (!decoded.ok) return decoded;
      return checkCode(await find(decoded.value.receiptNumber), decoded.value, officeCode);
    },

    /**
     * 受け取りの記録 at the counter: the code checked again on the locked application, the
     * version, the handOver event and its history, in one transaction.
     */
    async handOver(actor: Extract<Actor, { kind: 'inspectionOffice' }>, content: string, expectedVersion: number, audit?: ActOptions['audit']): Promise<Result<Transition>> {
      const decoded = readCode(key, content);
      if (!decoded.ok) return decoded;
      const id = await repo().findIdByNumber(decoded.value.receiptNumber as ReceiptNumber);
      if (!id) return refuse('invalidInput', INVALID_CODE_MESSAGE);
      return act(id, { type: 'handOver', verification: { method: 'collectionCode' } }, actor, {
        expectedVersion,
        audit,
        access: (app) => {
          const checked = checkCode(app, decoded.value, actor.officeCode);
          return checked.ok ? ok(true) : checked;
        },
      });
    },

    /** The counter check by a clerk, recorded in the audit trail with its outcome (issue 19). */
    async checkAtCounter(content: string, officeCode: OfficeCode, by: { actor: AuditActor; clientAddress: string | null }): Promise<Result<Application>> {
      const result = await codes.verify(content, officeCode);
      await recordAudit(deps, {
        action: 'counterCheck',
        actor: by.actor,
        clientAddress: by.clientAddress,
        applicationId: result.ok ? result.value.id : null,
        receiptNumber: result.ok ? displayNumber(result.value) : null,
        detail: result.ok ? '確認できました' : `確認できませんでした：${result.refusal.message}`,
      });
      return result;
    },
  };
  return codes;
}
