import { inspectionOffices, type OfficeCode } from '../../src/domain/offices.js';

/**
 * Illustrative names, places and plates for generated applications: common Japanese family and
 * given names, dealer-like company names, addresses in each office's area. Invented combinations;
 * any likeness to a real person or company is chance.
 */

const FAMILY = '佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上 木村 林 斎藤 清水 山崎 森 池田 橋本 阿部 石川 山下 中島 石井 小川 前田 岡田 長谷川 藤田 後藤 近藤 村上 遠藤 青木 坂本 福田 太田 西村 藤井 金子 岡本 藤原 中野 三浦 原田'.split(' ');
const GIVEN = '太郎 花子 一郎 次郎 三郎 美咲 陽子 健一 直樹 由美 翔太 さくら 大輔 恵 拓也 愛 誠 真由美 浩 裕子 和也 明美 剛 智子 悠斗 結衣 亮 舞 修 香織'.split(' ');
const COMPANY_HEAD = '青葉 旭 朝日 東 いろは 大和 光 昭和 新生 中央 日の出 富士 双葉 丸一 みどり 宮本 山手 若葉 港 さくら'.split(' ');
const COMPANY_TAIL = ['モータース', '自動車販売', 'オートサービス', 'カーセンター', '自動車整備工場', '自動車', 'オート'];
const SCRIVENER_TAIL = '行政書士事務所';

/** Municipalities in each office's area (the address's first part). */
const AREAS: Record<OfficeCode, readonly string[]> = {
  tokyo: ['東京都品川区東大井', '東京都大田区南六郷', '東京都目黒区下目黒', '東京都世田谷区松原'],
  nerima: ['東京都練馬区北町', '東京都板橋区成増', '東京都杉並区高円寺南'],
  adachi: ['東京都足立区千住', '東京都葛飾区金町', '東京都足立区西新井'],
  hachioji: ['東京都八王子市元本郷町', '東京都多摩市関戸', '東京都日野市多摩平'],
  kanagawa: ['神奈川県横浜市都筑区池辺町', '神奈川県川崎市中原区小杉町', '神奈川県横浜市港北区新横浜'],
  saitama: ['埼玉県さいたま市北区吉野町', '埼玉県川口市本町', '埼玉県上尾市緑丘'],
  chiba: ['千葉県千葉市美浜区新港', '千葉県習志野市津田沼', '千葉県船橋市本町'],
  aichi: ['愛知県名古屋市港区港明', '愛知県小牧市小牧', '愛知県春日井市鳥居松町'],
  osaka: ['大阪府大阪市住之江区南港東', '大阪府堺市堺区南花田口町', '大阪府東大阪市荒本'],
  fukuoka: ['福岡県福岡市東区千早', '福岡県福岡市博多区博多駅前', '福岡県春日市春日原'],
};

/** ひらがな used on private kei-car plates. */
const PLATE_KANA = 'あいうえかきくけこさすせそたちつてとなにぬねのはひふほまみむめもやゆよらるろ'.split('');

export type Random = () => number;

const pick = <T>(rnd: Random, list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;

export function personName(rnd: Random): string {
  return `${pick(rnd, FAMILY)} ${pick(rnd, GIVEN)}`;
}

/** An applicant: mostly dealers and garages, some 行政書士 offices and some owners. */
export function applicantName(rnd: Random): string {
  const r = rnd();
  if (r < 0.65) return `${r < 0.25 ? '株式会社 ' : ''}${pick(rnd, COMPANY_HEAD)}${pick(rnd, COMPANY_TAIL)}`;
  if (r < 0.85) return `${pick(rnd, FAMILY)}${SCRIVENER_TAIL}`;
  return personName(rnd);
}

export function address(rnd: Random, office: OfficeCode): string {
  return `${pick(rnd, AREAS[office])}${1 + Math.floor(rnd() * 9)}-${1 + Math.floor(rnd() * 30)}-${1 + Math.floor(rnd() * 20)}`;
}

/** 車両番号 as stored: `品川 580 さ 1234`, with a region of the office's plates. */
export function plate(rnd: Random, office: OfficeCode): string {
  const region = pick(rnd, inspectionOffices[office].plateRegions);
  return `${region} ${580 + Math.floor(rnd() * 10)} ${pick(rnd, PLATE_KANA)} ${1 + Math.floor(rnd() * 9999)}`;
}
