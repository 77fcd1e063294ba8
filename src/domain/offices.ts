/**
 * 軽自動車検査協会の事務所等 (inspection offices) and the prefectural tax offices that examine
 * the 軽自動車税申告 of new cars registered there. A subset of the real network, enough to run the
 * service for the Kanto, Kansai, Chubu and Kyushu regions; the table is data, extend it as offices join.
 */
export interface InspectionOffice {
  readonly code: string;
  readonly name: string;
  /** 地名 on the number plates this office issues. */
  readonly plateRegions: readonly string[];
  readonly taxOfficeCode: string;
  readonly address: string;
  readonly phone: string;
}

export interface TaxOffice {
  readonly code: string;
  /** 収納機関名 for 軽自動車税環境性能割. */
  readonly name: string;
  readonly payeeKana: string;
  readonly collectorNumber: string;
}

export const taxOffices = {
  tokyoTax: { code: 'tokyoTax', name: '東京都', payeeKana: 'ﾄｳｷﾖｳﾄ', collectorNumber: '01300' },
  kanagawaTax: { code: 'kanagawaTax', name: '神奈川県', payeeKana: 'ｶﾅｶﾞﾜｹﾝ', collectorNumber: '01400' },
  saitamaTax: { code: 'saitamaTax', name: '埼玉県', payeeKana: 'ｻｲﾀﾏｹﾝ', collectorNumber: '01100' },
  chibaTax: { code: 'chibaTax', name: '千葉県', payeeKana: 'ﾁﾊﾞｹﾝ', collectorNumber: '01200' },
  aichiTax: { code: 'aichiTax', name: '愛知県', payeeKana: 'ｱｲﾁｹﾝ', collectorNumber: '02300' },
  osakaTax: { code: 'osakaTax', name: '大阪府', payeeKana: 'ｵｵｻｶﾌ', collectorNumber: '02700' },
  fukuokaTax: { code: 'fukuokaTax', name: '福岡県', payeeKana: 'ﾌｸｵｶｹﾝ', collectorNumber: '04000' },
} as const satisfies Record<string, TaxOffice>;

export type TaxOfficeCode = keyof typeof taxOffices;

export const inspectionOffices = {
  tokyo: { code: 'tokyo', name: '東京主管事務所', plateRegions: ['品川', '世田谷'], taxOfficeCode: 'tokyoTax', address: '東京都品川区東大井1-12-17', phone: '050-3816-3100' },
  nerima: { code: 'nerima', name: '練馬支所', plateRegions: ['練馬', '板橋', '杉並'], taxOfficeCode: 'tokyoTax', address: '東京都練馬区北町2-8-6', phone: '050-3816-3101' },
  adachi: { code: 'adachi', name: '足立支所', plateRegions: ['足立', '葛飾'], taxOfficeCode: 'tokyoTax', address: '東京都足立区南花畑5-12-1', phone: '050-3816-3102' },
  hachioji: { code: 'hachioji', name: '八王子支所', plateRegions: ['八王子', '多摩'], taxOfficeCode: 'tokyoTax', address: '東京都八王子市滝山町1-270-2', phone: '050-3816-3103' },
  kanagawa: { code: 'kanagawa', name: '神奈川事務所', plateRegions: ['横浜', '川崎'], taxOfficeCode: 'kanagawaTax', address: '神奈川県横浜市都筑区池辺町3573', phone: '050-3816-3104' },
  saitama: { code: 'saitama', name: '埼玉事務所', plateRegions: ['大宮', '川口'], taxOfficeCode: 'saitamaTax', address: '埼玉県さいたま市北区吉野町2-276-1', phone: '050-3816-3105' },
  chiba: { code: 'chiba', name: '千葉事務所', plateRegions: ['千葉', '習志野'], taxOfficeCode: 'chibaTax', address: '千葉県千葉市美浜区新港198', phone: '050-3816-3106' },
  aichi: { code: 'aichi', name: '愛知主管事務所', plateRegions: ['名古屋', '尾張小牧'], taxOfficeCode: 'aichiTax', address: '愛知県名古屋市港区港明1-8-3', phone: '050-3816-3107' },
  osaka: { code: 'osaka', name: '大阪主管事務所', plateRegions: ['なにわ', '大阪'], taxOfficeCode: 'osakaTax', address: '大阪府大阪市住之江区南港東3-1-14', phone: '050-3816-3108' },
  fukuoka: { code: 'fukuoka', name: '福岡主管事務所', plateRegions: ['福岡'], taxOfficeCode: 'fukuokaTax', address: '福岡県福岡市東区千早3-10-40', phone: '050-3816-3109' },
} as const satisfies Record<string, InspectionOffice>;

export type OfficeCode = keyof typeof inspectionOffices;

export function isOfficeCode(code: string): code is OfficeCode {
  return Object.hasOwn(inspectionOffices, code);
}

export function isTaxOfficeCode(code: string): code is TaxOfficeCode {
  return Object.hasOwn(taxOffices, code);
}

export function officeOf(code: OfficeCode): InspectionOffice {
  return inspectionOffices[code];
}

export function taxOfficeFor(code: OfficeCode): TaxOffice {
  return taxOffices[inspectionOffices[code].taxOfficeCode];
}

/** 営業時間 of every office's counter (窓口受付時間). */
export const COUNTER_HOURS = '開庁日（平日）8時45分〜12時00分、13時00分〜16時00分';
