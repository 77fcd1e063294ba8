import type { FilingInput } from '../domain/filing.js';
import type { ApplicationEvent } from '../domain/events.js';
import type { StatusCode } from '../domain/statuses.js';
import type { ProcedureCode } from '../domain/procedures.js';
import type { OfficeCode } from '../domain/offices.js';
import { addDays, type JapanDate } from '../domain/time.js';
import { parseVehicleNumber } from '../domain/vehicle.js';

/**
 * The demo applications: for every status of both procedures at least one, each built by
 * replaying the events that lead there (never by writing a status). Dates are relative to the
 * day the demo is seeded; numbers and passwords are fixed, so the README's logins stay true.
 */

export type DemoActor = 'applicant' | 'office' | 'tax' | 'payment' | 'attachments' | 'clock';

/** An event at `day` days from the seed day (0 = today, -3 = three days ago), at a Japan time of day. */
export interface DemoStep {
  readonly day: number;
  readonly time: string;
  readonly actor: DemoActor;
  readonly event: (today: JapanDate) => ApplicationEvent;
}

export interface DemoScenario {
  readonly key: string;
  readonly procedure: ProcedureCode;
  readonly arrivalNumber: string;
  /** 受付番号 issued at acceptance (null: never accepted, log in with the 到達番号). */
  readonly receiptNumber: string | null;
  readonly password: string;
  readonly filing: FilingInput;
  readonly filedDay: number;
  readonly filedTime: string;
  readonly steps: readonly DemoStep[];
  readonly expectedStatus: StatusCode;
  /** What this login shows (README). */
  readonly note: string;
}

const rel = (today: JapanDate, days: number) => addDays(today, days);
const plate = (text: string) => {
  const r = parseVehicleNumber(text);
  if (!r.ok) throw new Error(r.refusal.message);
  return r.value;
};

// ---- step builders -------------------------------------------------------------------------

type Timeline = { day: number; time: string };
const at = (day: number, time = '10:00:00'): Timeline => ({ day, time });

const accept = (t: Timeline, receiptNumber: string): DemoStep => ({ ...t, actor: 'office', event: () => ({ type: 'accept', receiptNumber: receiptNumber as never }) });
const issueFees = (t: Timeline, dueInDaysFromToday: number): DemoStep => ({ ...t, actor: 'office', event: (today) => ({ type: 'issueFees', dueOn: rel(today, dueInDaysFromToday) }) });
const acquire = (t: Timeline, kind: 'completionCertificate' | 'insuranceCertificate' | 'safetyStandardCertificate' | 'preferredNumberCertificate'): DemoStep => ({
  ...t,
  actor: 'attachments',
  event: () => ({ type: 'acquireAttachment', kind }),
});
const pay = (t: Timeline, stage: 'inspectionFees' | 'weightTax' | 'vehicleTax'): DemoStep => ({
  ...t,
  actor: 'payment',
  event: (today) => ({ type: 'recordPayment', stage, paidOn: rel(today, t.day) }),
});
const applicant = (t: Timeline, type: 'chooseBulkPayment' | 'takeBulkPaymentNumber' | 'withdraw' | 'issueCollectionCode'): DemoStep => ({ ...t, actor: 'applicant', event: () => ({ type }) });
const requestCorrection = (t: Timeline, deadlineFromToday: number, reasonTitle = '申請書・添付書類の不備エラー', reasonDetail = '申請書、添付書類のいずれかまたは両方に不備があります。'): DemoStep => ({
  ...t,
  actor: 'office',
  event: (today) => ({ type: 'requestCorrection', reasonTitle, reasonDetail, deadline: rel(today, deadlineFromToday) }),
});
const requestTaxCorrection = (t: Timeline, deadlineFromToday: number): DemoStep => ({
  ...t,
  actor: 'tax',
  event: (today) => ({
    type: 'requestTaxCorrection',
    reasonTitle: '軽自動車税申告内容の不備',
    reasonDetail: '取得価額の記載に誤りがあります。売買契約書の金額を確認のうえ、申告内容を補正してください。',
    deadline: rel(today, deadlineFromToday),
  }),
});
const complete = (t: Timeline, vehicleNumber?: string): DemoStep => ({
  ...t,
  actor: 'office',
  event: (today) => ({ type: 'completeExamination', completedOn: rel(today, t.day), vehicleNumber: vehicleNumber ? plate(vehicleNumber) : undefined }),
});
const assess = (t: Timeline, dueInDaysFromToday: number): DemoStep => ({ ...t, actor: 'tax', event: (today) => ({ type: 'assessVehicleTax', dueOn: rel(today, dueInDaysFromToday) }) });
const office = (t: Timeline, type: 'markReady' | 'handOver'): DemoStep => ({ ...t, actor: 'office', event: () => ({ type }) });
const officeWithReason = (t: Timeline, type: 'reject' | 'invalidate' | 'refuseAcceptance', reasonTitle: string, reasonDetail: string): DemoStep => ({
  ...t,
  actor: 'office',
  event: () => ({ type, reasonTitle, reasonDetail }),
});
const clock = (t: Timeline, type: 'expireCorrection' | 'expirePayment'): DemoStep => ({ ...t, actor: 'clock', event: () => ({ type }) });

// ---- filings -------------------------------------------------------------------------------

function continuous(o: Partial<FilingInput> & { officeCode?: OfficeCode }): FilingInput {
  return {
    procedure: 'continuousInspection',
    officeCode: 'tokyo',
    applicantName: '軽自行政書士事務所',
    applicantAddress: '東京都品川区東大井1-1-1',
    userName: '軽自 太郎',
    userAddress: '東京都品川区南大井3-2-1',
    vehicleNumber: '品川 580 さ 1234',
    chassisNumber: 'AX01-0000001',
    vehicleModel: '5BA-JF3',
    weightTaxBand: 'standard',
    ...o,
  };
}

function newCar(o: Partial<FilingInput> & { officeCode?: OfficeCode }): FilingInput {
  return {
    procedure: 'newVehicle',
    officeCode: 'tokyo',
    applicantName: '六本木商事',
    applicantAddress: '東京都港区六本木6-1-1',
    userName: '六本木商事',
    userAddress: '東京都港区六本木6-1-1',
    ownerSameAsUser: true,
    chassisNumber: '1234567890',
    vehicleModel: '5BA-LA650S',
    weightTaxBand: 'standard',
    acquisitionPrice: 1_650_000,
    environmentalTaxRate: 1,
    preferredNumber: false,
    ...o,
  };
}

// Journeys shared by several scenarios, starting `d` days before today.
const ciUntilExamination = (d: number, receipt: string): DemoStep[] => [
  accept(at(d, '09:12:40'), receipt),
  issueFees(at(d, '09:13:05'), 14),
  pay(at(d + 1, '11:20:31'), 'inspectionFees'),
  pay(at(d + 1, '11:42:09'), 'weightTax'),
];
const ciAttachments = (d: number): DemoStep[] => [acquire(at(d, '13:01:10'), 'insuranceCertificate'), acquire(at(d, '13:01:12'), 'safetyStandardCertificate')];
const nvUntilExamination = (d: number, receipt: string, preferred = false): DemoStep[] => [
  accept(at(d, '09:30:11'), receipt),
  issueFees(at(d, '09:30:40'), 14),
  pay(at(d + 1, '10:05:55'), 'inspectionFees'),
  pay(at(d + 1, '10:16:02'), 'weightTax'),
  acquire(at(d + 1, '14:00:00'), 'completionCertificate'),
  acquire(at(d + 1, '14:00:02'), 'insuranceCertificate'),
  ...(preferred ? [acquire(at(d + 1, '14:00:04'), 'preferredNumberCertificate')] : []),
];

// ---- the scenarios -------------------------------------------------------------------------

const ciNumber = (n: number) => `11000000000${String(n).padStart(6, '0')}`.slice(-17);
const ciArrival = (n: number) => `11000000001${String(n).padStart(6, '0')}`.slice(-17);
const nvNumber = (n: number) => `22000000000${String(n).padStart(6, '0')}`.slice(-17);
const nvArrival = (n: number) => `22000000001${String(n).padStart(6, '0')}`.slice(-17);

export const demoScenarios: readonly DemoScenario[] = [
  // 継続検査 ------------------------------------------------------------------------------------
  {
    key: 'ci-manual-example',
    procedure: 'continuousInspection',
    arrivalNumber: ciArrival(1),
    receiptNumber: '99999999999999999',
    password: 'demo0101',
    filing: continuous({ agentCommissionNumber: 'KIROKU0001', agentName: '指定整備事業者 品川A', agentUsable: false }),
    filedDay: -6,
    filedTime: '16:48:02',
    steps: [...ciUntilExamination(-5, '99999999999999999'), requestCorrection(at(-1, '15:35:15'), 2)],
    expectedStatus: 'inspectionCorrectionRequested',
    note: 'マニュアル 3 の画面例（補正期限が間近）',
  },
  {
    key: 'ci-awaiting-acceptance',
    procedure: 'continuousInspection',
    arrivalNumber: ciArrival(2),
    receiptNumber: null,
    password: 'demo0102',
    filing: continuous({ applicantName: 'みなとモータース株式会社', userName: '港 花子', vehicleNumber: '品川 581 あ 2222', chassisNumber: 'JF3-1234567' }),
    filedDay: -1,
    filedTime: '18:22:47',
    steps: [],
    expectedStatus: 'awaitingAcceptance',
    note: '到達番号でログイン（受付審査中）',
  },
  {
    key: 'ci-not-accepted',
    procedure: 'continuousInspection',
    arrivalNumber: ciArrival(3),
    receiptNumber: null,
    password: 'demo0103',
    filing: continuous({ applicantName: '大森自動車整備株式会社', userName: '大森 一郎', vehicleNumber: '品川 580 い 3456', chassisNumber: 'MH55S-700001' }),
    filedDay: -3,
    filedTime: '11:03:29',
    steps: [officeWithReason(at(-2, '10:21:44'), 'refuseAcceptance', '署名用電子証明書の不備', '申請データに付された署名用電子証明書の有効期間が切れています。有効な電子証明書で署名し、再度申請を行ってください。')],
    expectedStatus: 'notAccepted',
    note: '未受付（到達番号でログイン）',
  },
  {
    key: 'ci-accepted',
    procedure: 'continuousInspection',
    arrivalNumber: ciArrival(4),
    receiptNumber: ciNumber(4),
    password: 'demo0104',
    filing: continuous({ applicantName: '蒲田オートサービス', userName: '蒲田 次郎', vehicleNumber: '品川 583 う 4567', chassisNumber: 'LA650S-0123456' }),
    filedDay: -2,
    filedTime: '09:41:00',
    steps: [accept(at(-1, '09:05:12'), ciNumber(4))],
    expectedStatus: 'acceptedAwaitingAttachments',
    note: '申請受付済（添付書類取得待ち）',
  },
  {
    key: 'ci-fees-due',
    procedure: 'continuousInspection',
    arrivalNumber: ciArrival(5),
    receiptNumber: ciNumber(5),
    password: 'demo0105',
    filing: continuous({ applicantName: '五反田モータース', userName: '五反田 三郎', vehicleNumber: '品川 580 え 5678', chassisNumber: 'MK53S-100234' }),
    filedDay: -3,
    filedTime: '13:10:10',
    steps: [accept(at(-2, '09:15:00'), ciNumber(5)), issueFees(at(-2, '09:15:30'), 10)],
    expectedStatus: 'inspectionFeesDue',
    note: '検査手数料等納付待ち（納付番号あり）',
  },
  {
    key: 'ci-bulk-before-number',
    procedure: 'continuousInspection',
    arrivalNumber: ciArrival(6),
    receiptNumber: ciNumber(6),
    password: 'demo0106',
    filing: continuous({ applicantName: '目黒カーセンター', userName: '目黒 四郎', vehicleNumber: '品川 580 お 6789', chassisNumber: 'HA36S-345678' }),
    filedDay: -4,
    filedTime: '10:00:00',
    steps: [accept(at(-3, '09:20:00'), ciNumber(6)), issueFees(at(-3, '09:20:30'), 2), applicant(at(-2, '19:45:10'), 'chooseBulkPayment')],
    expectedStatus: 'inspectionFeesBulkPayment',
    note: '検査手数料等まとめ払い中（納付番号取得前：取り下げ可能、納付期限が間近）',
  },
  {
    key: 'ci-bulk-number-taken',
    procedure: 'continuousInspection',
    arrivalNumber: ciArrival(7),
    receiptNumber: ciNumber(7),
    password: 'demo0107',
    filing: continuous({ applicantName: '大井町自動車販売', userName: '大井 五郎', vehicleNumber: '品川 580 か 7890', chassisNumber: 'DA17V-456789' }),
    filedDay: -4,
    filedTime: '10:30:00',
    steps: [
      accept(at(-3, '09:25:00'), ciNumber(7)),
      issueFees(at(-3, '09:25:30'), 10),
      applicant(at(-2, '20:01:00'), 'chooseBulkPayment'),
      applicant(at(-2, '20:03:12'), 'takeBulkPaymentNumber'),
    ],
    expectedStatus: 'inspectionFeesBulkPayment',
    note: '検査手数料等まとめ払い中（納付番号取得後：取り下げ不可）',
  },
  {
    key: 'ci-weight-tax-due',
    procedure: 'continuousInspection',
    arrivalNumber: ciArrival(8),
    receiptNumber: ciNumber(8),
    password: 'demo0108',
    filing: continuous({ applicantName: '武蔵小山オート', userName: '小山 六子', vehicleNumber: '品川 580 き 8901', chassisNumber: 'JH1-2345678', weightTaxBand: 'over13' }),
    filedDay: -5,
    filedTime: '14:14:14',
    steps: [accept(at(-4, '09:00:40'), ciNumber(8)), issueFees(at(-4, '09:01:00'), 9), pay(at(-2, '12:12:12'), 'inspectionFees')],
    expectedStatus: 'weightTaxDue',
    note: '自動車重量税納付待ち',
  },
  {
    key: 'ci-weight-tax-bulk',
    procedure: 'continuousInspection',
    arrivalNumber: ciArrival(9),
    receiptNumber: ciNumber(9),
    password: 'demo0109',
    filing: continuous({ applicantName: '戸越銀座モータース', userName: '戸越 七海', vehicleNumber: '品川 580 く 9012', chassisNumber: 'MA15S-567890' }),
    filedDay: -5,
    filedTime: '15:00:00',
    steps: [
      accept(at(-4, '09:02:00'), ciNumber(9)),
      issueFees(at(-4, '09:02:30'), 9),
      pay(at(-3, '10:10:10'), 'inspectionFees'),
      applicant(at(-2, '21:00:00'), 'chooseBulkPayment'),
    ],
    expectedStatus: 'weightTaxBulkPayment',
    note: '自動車重量税まとめ払い中',
  },
  {
    key: 'ci-under-examination',
    procedure: 'continuousInspection',
    arrivalNumber: ciArrival(10),
    receiptNumber: ciNumber(10),
    password: 'demo0110',
    filing: continuous({ applicantName: '品川ユーポス', userName: '北品川 八郎', vehicleNumber: '品川 580 け 1122', chassisNumber: 'JF1-3456789' }),
    filedDay: -4,
    filedTime: '09:09:09',
    steps: [...ciUntilExamination(-3, ciNumber(10)), ...ciAttachments(-2)],
    expectedStatus: 'inspectionUnderExamination',
    note: '検査申請審査中',
  },
  {
    key: 'ci-correction-far',
    procedure: 'continuousInspection',
    arrivalNumber: ciArrival(11),
    receiptNumber: ciNumber(11),
    password: 'demo0111',
    filing: continuous({ applicantName: '行政書士法人 大崎', userName: '大崎 九美', vehicleNumber: '品川 580 こ 3344', chassisNumber: 'B44A-0101010' }),
    filedDay: -5,
    filedTime: '10:40:00',
    steps: [...ciUntilExamination(-4, ciNumber(11)), requestCorrection(at(-1, '16:02:00'), 10, '使用者の住所の誤り', '使用者の住所が自動車検査証の記録と一致しません。正しい住所に補正してください。')],
    expectedStatus: 'inspectionCorrectionRequested',
    note: '検査申請補正待ち（補正期限まで余裕あり：期限等に関するお知らせなし）',
  },
  {
    key: 'ci-preparing-return',
    procedure: 'continuousInspection',
    arrivalNumber: ciArrival(12),
    receiptNumber: ciNumber(12),
    password: 'demo0112',
    filing: continuous({ applicantName: '旗の台自動車', userName: '旗野 十郎', vehicleNumber: '品川 580 さ 5566', chassisNumber: 'LA150S-1112223' }),
    filedDay: -6,
    filedTime: '10:00:00',
    steps: [...ciUntilExamination(-5, ciNumber(12)), ...ciAttachments(-4), complete(at(-1, '14:30:00'))],
    expectedStatus: 'preparingReturn',
    note: '返付準備中（審査完了）',
  },
  {
    key: 'ci-ready',
    procedure: 'continuousInspection',
    arrivalNumber: ciArrival(13),
    receiptNumber: ciNumber(13),
    password: 'demo0113',
    filing: continuous({ applicantName: '荏原町モータース', userName: '荏原 花子', vehicleNumber: '品川 580 し 7788', chassisNumber: 'JH3-2223334' }),
    filedDay: -7,
    filedTime: '11:11:11',
    steps: [...ciUntilExamination(-6, ciNumber(13)), ...ciAttachments(-5), complete(at(-3, '15:00:00')), office(at(-2, '10:45:00'), 'markReady')],
    expectedStatus: 'readyForReturn',
    note: '返付準備完了（二次元コードの発行が可能）',
  },
  {
    key: 'ci-ready-agent',
    procedure: 'continuousInspection',
    arrivalNumber: ciArrival(14),
    receiptNumber: ciNumber(14),
    password: 'demo0114',
    filing: continuous({
      applicantName: '指定整備事業者 品川A',
      userName: '中延 一子',
      vehicleNumber: '品川 580 す 9900',
      chassisNumber: 'MK42S-3334445',
      agentCommissionNumber: 'KIROKU0001',
      agentName: '指定整備事業者 品川A',
      agentUsable: true,
    }),
    filedDay: -7,
    filedTime: '12:00:00',
    steps: [...ciUntilExamination(-6, ciNumber(14)), ...ciAttachments(-5), complete(at(-3, '15:10:00')), office(at(-2, '10:50:00'), 'markReady')],
    expectedStatus: 'readyForReturn',
    note: '返付準備完了（記録等事務代行者が受け取るため二次元コード不要）',
  },
  {
    key: 'ci-returned',
    procedure: 'continuousInspection',
    arrivalNumber: ciArrival(15),
    receiptNumber: ciNumber(15),
    password: 'demo0115',
    filing: continuous({ applicantName: '西大井カーズ', userName: '西大井 二郎', vehicleNumber: '品川 580 せ 1357', chassisNumber: 'DA64V-4445556' }),
    filedDay: -10,
    filedTime: '10:00:00',
    steps: [
      ...ciUntilExamination(-9, ciNumber(15)),
      ...ciAttachments(-8),
      complete(at(-6, '15:20:00')),
      office(at(-5, '10:00:00'), 'markReady'),
      applicant(at(-5, '19:30:00'), 'issueCollectionCode'),
      office(at(-4, '09:50:00'), 'handOver'),
    ],
    expectedStatus: 'returned',
    note: '返付済（手続完了）',
  },
  {
    key: 'ci-withdrawn',
    procedure: 'continuousInspection',
    arrivalNumber: ciArrival(16),
    receiptNumber: ciNumber(16),
    password: 'demo0116',
    filing: continuous({ applicantName: '池上モータース', userName: '池上 三子', vehicleNumber: '品川 580 そ 2468', chassisNumber: 'HA97S-5556667' }),
    filedDay: -6,
    filedTime: '10:00:00',
    steps: [accept(at(-5, '09:30:00'), ciNumber(16)), issueFees(at(-5, '09:30:30'), 5), applicant(at(-4, '18:00:00'), 'chooseBulkPayment'), applicant(at(-3, '18:10:00'), 'withdraw')],
    expectedStatus: 'withdrawn',
    note: '検査申請取り下げ（まとめ払い中に取り下げ）',
  },
  {
    key: 'ci-invalidated-payment',
    procedure: 'continuousInspection',
    arrivalNumber: ciArrival(17),
    receiptNumber: ciNumber(17),
    password: 'demo0117',
    filing: continuous({ applicantName: '雪が谷オート', userName: '雪谷 四郎', vehicleNumber: '品川 580 た 1470', chassisNumber: 'JF5-6667778' }),
    filedDay: -20,
    filedTime: '10:00:00',
    steps: [accept(at(-19, '09:00:00'), ciNumber(17)), issueFees(at(-19, '09:00:30'), -6), clock(at(-5, '00:00:05'), 'expirePayment')],
    expectedStatus: 'invalidated',
    note: '検査申請無効（納付期限切れ）',
  },
  {
    key: 'ci-rejected-expired',
    procedure: 'continuousInspection',
    arrivalNumber: ciArrival(18),
    receiptNumber: ciNumber(18),
    password: 'demo0118',
    filing: continuous({ applicantName: '馬込自動車工業', userName: '馬込 五月', vehicleNumber: '品川 580 ち 2581', chassisNumber: 'MH95S-7778889' }),
    filedDay: -25,
    filedTime: '10:00:00',
    steps: [...ciUntilExamination(-24, ciNumber(18)), requestCorrection(at(-20, '11:00:00'), -10), clock(at(-9, '00:00:07'), 'expireCorrection')],
    expectedStatus: 'rejected',
    note: '検査申請却下（補正期限切れ：期限切れ却下）',
  },
  {
    key: 'ci-invalidated-office',
    procedure: 'continuousInspection',
    arrivalNumber: ciArrival(19),
    receiptNumber: ciNumber(19),
    password: 'demo0119',
    filing: continuous({ applicantName: '長原モータース', userName: '長原 六郎', vehicleNumber: '練馬 580 つ 3692', chassisNumber: 'LA700S-8889990', officeCode: 'nerima' }),
    filedDay: -4,
    filedTime: '10:00:00',
    steps: [accept(at(-3, '09:00:00'), ciNumber(19)), officeWithReason(at(-2, '10:00:00'), 'invalidate', '二重申請', '同一車両について既に別の申請が受け付けられているため、本申請は無効となりました。')],
    expectedStatus: 'invalidated',
    note: '検査申請無効（受付チェックによる無効・練馬支所）',
  },
  {
    key: 'ci-rejected-office',
    procedure: 'continuousInspection',
    arrivalNumber: ciArrival(20),
    receiptNumber: ciNumber(20),
    password: 'demo0120',
    filing: continuous({ applicantName: '洗足オートサービス', userName: '洗足 七郎', vehicleNumber: '品川 580 て 4703', chassisNumber: 'JB64W-9990001' }),
    filedDay: -8,
    filedTime: '10:00:00',
    steps: [...ciUntilExamination(-7, ciNumber(20)), ...ciAttachments(-6), officeWithReason(at(-3, '14:00:00'), 'reject', '保安基準不適合', '保安基準適合証の内容と申請内容が一致しないため、申請を却下しました。')],
    expectedStatus: 'rejected',
    note: '検査申請却下（審査による却下）',
  },

  // 新車〔新規検査・地方税申告〕 -------------------------------------------------------------
  {
    key: 'nv-manual-example',
    procedure: 'newVehicle',
    arrivalNumber: nvArrival(1),
    receiptNumber: '21122310500030459',
    password: 'demo0201',
    filing: newCar({}),
    filedDay: -6,
    filedTime: '15:20:41',
    steps: [
      accept(at(-5, '09:30:11'), '21122310500030459'),
      issueFees(at(-5, '09:30:40'), 14),
      pay(at(-4, '10:05:55'), 'inspectionFees'),
      pay(at(-4, '10:16:02'), 'weightTax'),
      requestCorrection(at(-1, '16:09:36'), 2),
    ],
    expectedStatus: 'inspectionCorrectionRequested',
    note: 'マニュアル 5 の画面例（補正期限が間近）',
  },
  {
    key: 'nv-awaiting-acceptance',
    procedure: 'newVehicle',
    arrivalNumber: nvArrival(2),
    receiptNumber: null,
    password: 'demo0202',
    filing: newCar({ applicantName: '株式会社 青山ホンダ販売', userName: '青山 桜子', userAddress: '東京都港区南青山2-2-2', chassisNumber: 'JF5-1000001', vehicleModel: '6BA-JF5' }),
    filedDay: -1,
    filedTime: '17:55:00',
    steps: [],
    expectedStatus: 'awaitingAcceptance',
    note: '到達番号でログイン（受付審査中）',
  },
  {
    key: 'nv-not-accepted',
    procedure: 'newVehicle',
    arrivalNumber: nvArrival(3),
    receiptNumber: null,
    password: 'demo0203',
    filing: newCar({ applicantName: '赤坂ダイハツ販売株式会社', userName: '赤坂 一郎', userAddress: '東京都港区赤坂3-3-3', chassisNumber: 'LA650S-2000002' }),
    filedDay: -3,
    filedTime: '11:00:00',
    steps: [officeWithReason(at(-2, '10:30:00'), 'refuseAcceptance', '申請データの不備', '完成検査終了証の番号が確認できません。申請データを確認し、再度申請を行ってください。')],
    expectedStatus: 'notAccepted',
    note: '未受付（到達番号でログイン）',
  },
  {
    key: 'nv-accepted',
    procedure: 'newVehicle',
    arrivalNumber: nvArrival(4),
    receiptNumber: nvNumber(4),
    password: 'demo0204',
    filing: newCar({ applicantName: '麻布スズキ販売', userName: '麻布 二美', userAddress: '東京都港区麻布十番4-4-4', chassisNumber: 'MK94S-3000003', vehicleModel: '5AA-MK94S', preferredNumber: true }),
    filedDay: -2,
    filedTime: '10:00:00',
    steps: [accept(at(-1, '09:40:00'), nvNumber(4))],
    expectedStatus: 'acceptedAwaitingAttachments',
    note: '申請受付済（添付書類取得待ち・希望番号あり）',
  },
  {
    key: 'nv-fees-due',
    procedure: 'newVehicle',
    arrivalNumber: nvArrival(5),
    receiptNumber: nvNumber(5),
    password: 'demo0205',
    filing: newCar({ applicantName: '白金モータース', userName: '白金 三郎', userAddress: '東京都港区白金5-5-5', chassisNumber: 'B45A-4000004', vehicleModel: '5AA-B45A' }),
    filedDay: -3,
    filedTime: '10:00:00',
    steps: [accept(at(-2, '09:10:00'), nvNumber(5)), issueFees(at(-2, '09:10:30'), 1)],
    expectedStatus: 'inspectionFeesDue',
    note: '検査手数料等納付待ち（納付期限が間近）',
  },
  {
    key: 'nv-bulk',
    procedure: 'newVehicle',
    arrivalNumber: nvArrival(6),
    receiptNumber: nvNumber(6),
    password: 'demo0206',
    filing: newCar({ applicantName: '高輪オート販売', userName: '高輪 四子', userAddress: '東京都港区高輪6-6-6', chassisNumber: 'LA850S-5000005' }),
    filedDay: -3,
    filedTime: '10:00:00',
    steps: [accept(at(-2, '09:11:00'), nvNumber(6)), issueFees(at(-2, '09:11:30'), 10), applicant(at(-1, '20:20:20'), 'chooseBulkPayment')],
    expectedStatus: 'inspectionFeesBulkPayment',
    note: '検査手数料等まとめ払い中（納付番号取得前：取り下げ可能）',
  },
  {
    key: 'nv-weight-tax-due',
    procedure: 'newVehicle',
    arrivalNumber: nvArrival(7),
    receiptNumber: nvNumber(7),
    password: 'demo0207',
    filing: newCar({ applicantName: '芝浦カーズ', userName: '芝浦 五郎', userAddress: '東京都港区芝浦1-7-7', chassisNumber: 'JH4-6000006', vehicleModel: '6BA-JH4' }),
    filedDay: -4,
    filedTime: '10:00:00',
    steps: [accept(at(-3, '09:12:00'), nvNumber(7)), issueFees(at(-3, '09:12:30'), 10), pay(at(-2, '10:00:00'), 'inspectionFees')],
    expectedStatus: 'weightTaxDue',
    note: '自動車重量税納付待ち',
  },
  {
    key: 'nv-weight-tax-bulk',
    procedure: 'newVehicle',
    arrivalNumber: nvArrival(8),
    receiptNumber: nvNumber(8),
    password: 'demo0208',
    filing: newCar({ applicantName: '三田モータース', userName: '三田 六郎', userAddress: '東京都港区三田2-8-8', chassisNumber: 'MR92S-7000007' }),
    filedDay: -4,
    filedTime: '10:00:00',
    steps: [
      accept(at(-3, '09:13:00'), nvNumber(8)),
      issueFees(at(-3, '09:13:30'), 10),
      pay(at(-2, '10:10:00'), 'inspectionFees'),
      applicant(at(-1, '21:10:00'), 'chooseBulkPayment'),
      applicant(at(-1, '21:12:00'), 'takeBulkPaymentNumber'),
    ],
    expectedStatus: 'weightTaxBulkPayment',
    note: '自動車重量税まとめ払い中（納付番号取得後）',
  },
  {
    key: 'nv-under-examination',
    procedure: 'newVehicle',
    arrivalNumber: nvArrival(9),
    receiptNumber: nvNumber(9),
    password: 'demo0209',
    filing: newCar({ applicantName: '田町自動車販売', userName: '田町 七郎', userAddress: '東京都港区芝5-9-9', chassisNumber: 'LA360S-8000008' }),
    filedDay: -4,
    filedTime: '10:00:00',
    steps: nvUntilExamination(-3, nvNumber(9)),
    expectedStatus: 'inspectionUnderExamination',
    note: '検査申請審査中',
  },
  {
    key: 'nv-tax-examination',
    procedure: 'newVehicle',
    arrivalNumber: nvArrival(10),
    receiptNumber: nvNumber(10),
    password: 'demo0210',
    filing: newCar({ applicantName: '浜松町オート', userName: '浜松 八子', userAddress: '東京都港区海岸1-10-10', chassisNumber: 'JF3-9000009', vehicleModel: '6BA-JF3' }),
    filedDay: -5,
    filedTime: '10:00:00',
    steps: [...nvUntilExamination(-4, nvNumber(10)), complete(at(-1, '13:30:00'), '品川 580 な 1010')],
    expectedStatus: 'taxDeclarationUnderExamination',
    note: '軽自動車税申告審査中（車両番号払出済）',
  },
  {
    key: 'nv-tax-correction',
    procedure: 'newVehicle',
    arrivalNumber: nvArrival(11),
    receiptNumber: nvNumber(11),
    password: 'demo0211',
    filing: newCar({ applicantName: '品川区民自動車', userName: '品川 九郎', userAddress: '東京都品川区広町2-11-11', chassisNumber: 'MK53S-1100011', vehicleModel: '5AA-MK53S' }),
    filedDay: -6,
    filedTime: '10:00:00',
    steps: [...nvUntilExamination(-5, nvNumber(11)), complete(at(-3, '13:30:00'), '品川 580 に 1111'), requestTaxCorrection(at(-1, '11:11:11'), 3)],
    expectedStatus: 'taxDeclarationCorrectionRequested',
    note: '軽自動車税申告補正待ち（補正期限が間近）',
  },
  {
    key: 'nv-vehicle-tax-due',
    procedure: 'newVehicle',
    arrivalNumber: nvArrival(12),
    receiptNumber: nvNumber(12),
    password: 'demo0212',
    filing: newCar({ applicantName: '恵比寿モータース', userName: '恵比寿 十子', userAddress: '東京都渋谷区恵比寿1-12-12', chassisNumber: 'LA650F-1200012', acquisitionPrice: 1_980_000, environmentalTaxRate: 2 }),
    filedDay: -6,
    filedTime: '10:00:00',
    steps: [...nvUntilExamination(-5, nvNumber(12)), complete(at(-3, '13:40:00'), '品川 580 ぬ 1212'), assess(at(-1, '10:20:00'), 10)],
    expectedStatus: 'vehicleTaxDue',
    note: '軽自動車税納付待ち（環境性能割 2%）',
  },
  {
    key: 'nv-vehicle-tax-bulk',
    procedure: 'newVehicle',
    arrivalNumber: nvArrival(13),
    receiptNumber: nvNumber(13),
    password: 'demo0213',
    filing: newCar({ applicantName: '広尾カーセンター', userName: '広尾 一美', userAddress: '東京都渋谷区広尾5-13-13', chassisNumber: 'B44W-1300013' }),
    filedDay: -6,
    filedTime: '10:00:00',
    steps: [...nvUntilExamination(-5, nvNumber(13)), complete(at(-3, '13:50:00'), '品川 580 ね 1313'), assess(at(-2, '10:30:00'), 9), applicant(at(-1, '22:00:00'), 'chooseBulkPayment')],
    expectedStatus: 'vehicleTaxBulkPayment',
    note: '軽自動車税まとめ払い中',
  },
  {
    key: 'nv-preparing',
    procedure: 'newVehicle',
    arrivalNumber: nvArrival(14),
    receiptNumber: nvNumber(14),
    password: 'demo0214',
    filing: newCar({ applicantName: '代官山モータース', userName: '代官山 二郎', userAddress: '東京都渋谷区代官山町14-14', chassisNumber: 'JH3-1400014', acquisitionPrice: 480_000 }),
    filedDay: -6,
    filedTime: '10:00:00',
    steps: [...nvUntilExamination(-5, nvNumber(14)), complete(at(-3, '14:00:00'), '品川 580 の 1414'), assess(at(-1, '10:40:00'), 9)],
    expectedStatus: 'preparingDelivery',
    note: '交付準備中（取得価額50万円以下で環境性能割なし）',
  },
  {
    key: 'nv-ready',
    procedure: 'newVehicle',
    arrivalNumber: nvArrival(15),
    receiptNumber: nvNumber(15),
    password: 'demo0215',
    filing: newCar({ applicantName: '中目黒自動車販売', userName: '中目黒 三子', userAddress: '東京都目黒区上目黒1-15-15', chassisNumber: 'MK33V-1500015', preferredNumber: true }),
    filedDay: -8,
    filedTime: '10:00:00',
    steps: [
      ...nvUntilExamination(-7, nvNumber(15), true),
      complete(at(-5, '14:10:00'), '品川 580 は 1515'),
      assess(at(-4, '10:50:00'), 6),
      pay(at(-3, '09:45:00'), 'vehicleTax'),
      office(at(-2, '11:00:00'), 'markReady'),
    ],
    expectedStatus: 'readyForDelivery',
    note: '交付準備完了（二次元コードの発行が可能）',
  },
  {
    key: 'nv-delivered',
    procedure: 'newVehicle',
    arrivalNumber: nvArrival(16),
    receiptNumber: nvNumber(16),
    password: 'demo0216',
    filing: newCar({ applicantName: '自由が丘モータース', userName: '自由が丘 四郎', userAddress: '東京都目黒区自由が丘1-16-16', chassisNumber: 'LA800S-1600016' }),
    filedDay: -12,
    filedTime: '10:00:00',
    steps: [
      ...nvUntilExamination(-11, nvNumber(16)),
      complete(at(-9, '14:20:00'), '品川 580 ひ 1616'),
      assess(at(-8, '11:00:00'), 2),
      pay(at(-7, '09:50:00'), 'vehicleTax'),
      office(at(-6, '11:10:00'), 'markReady'),
      applicant(at(-6, '19:00:00'), 'issueCollectionCode'),
      office(at(-5, '10:05:00'), 'handOver'),
    ],
    expectedStatus: 'delivered',
    note: '交付済（手続完了）',
  },
  {
    key: 'nv-withdrawn',
    procedure: 'newVehicle',
    arrivalNumber: nvArrival(17),
    receiptNumber: nvNumber(17),
    password: 'demo0217',
    filing: newCar({ applicantName: '学芸大学オート', userName: '学芸 五子', userAddress: '東京都目黒区鷹番3-17-17', chassisNumber: 'JF4-1700017' }),
    filedDay: -8,
    filedTime: '10:00:00',
    steps: [...nvUntilExamination(-7, nvNumber(17)), requestCorrection(at(-4, '15:00:00'), 6), applicant(at(-3, '20:00:00'), 'withdraw')],
    expectedStatus: 'withdrawn',
    note: '検査申請取り下げ（補正待ちから取り下げ）',
  },
  {
    key: 'nv-invalidated',
    procedure: 'newVehicle',
    arrivalNumber: nvArrival(18),
    receiptNumber: null,
    password: 'demo0218',
    filing: newCar({ applicantName: '都立大学モータース', userName: '八雲 六郎', userAddress: '東京都目黒区八雲1-18-18', chassisNumber: 'MK54S-1800018' }),
    filedDay: -4,
    filedTime: '10:00:00',
    steps: [officeWithReason(at(-3, '10:00:00'), 'invalidate', '受付チェックによる無効', '同一の車台番号で既に申請が受け付けられているため、本申請は無効となりました。')],
    expectedStatus: 'invalidated',
    note: '検査申請無効（受付チェックによる無効・到達番号でログイン）',
  },
  {
    key: 'nv-invalidated-payment',
    procedure: 'newVehicle',
    arrivalNumber: nvArrival(19),
    receiptNumber: nvNumber(19),
    password: 'demo0219',
    filing: newCar({ applicantName: '祐天寺自動車', userName: '祐天寺 七子', userAddress: '東京都目黒区祐天寺2-19-19', chassisNumber: 'LA660S-1900019' }),
    filedDay: -20,
    filedTime: '10:00:00',
    steps: [...nvUntilExamination(-19, nvNumber(19)), complete(at(-17, '14:00:00'), '品川 580 ふ 1919'), assess(at(-16, '10:00:00'), -8), clock(at(-7, '00:00:09'), 'expirePayment')],
    expectedStatus: 'invalidated',
    note: '検査申請無効（軽自動車税の納付期限切れ）',
  },
  {
    key: 'nv-rejected',
    procedure: 'newVehicle',
    arrivalNumber: nvArrival(20),
    receiptNumber: nvNumber(20),
    password: 'demo0220',
    filing: newCar({ applicantName: '碑文谷モータース', userName: '碑文谷 八郎', userAddress: '東京都目黒区碑文谷4-20-20', chassisNumber: 'JG1-2000020' }),
    filedDay: -25,
    filedTime: '10:00:00',
    steps: [...nvUntilExamination(-24, nvNumber(20)), requestCorrection(at(-20, '11:00:00'), -12), clock(at(-11, '00:00:11'), 'expireCorrection')],
    expectedStatus: 'rejected',
    note: '検査申請却下（補正期限切れ：期限切れ却下）',
  },
  {
    key: 'nv-rejected-office',
    procedure: 'newVehicle',
    arrivalNumber: nvArrival(21),
    receiptNumber: nvNumber(21),
    password: 'demo0221',
    filing: newCar({ applicantName: '洗足池モータース', userName: '洗足 九子', userAddress: '東京都大田区南千束2-21-21', chassisNumber: 'MH85S-2100021' }),
    filedDay: -9,
    filedTime: '10:00:00',
    steps: [...nvUntilExamination(-8, nvNumber(21)), officeWithReason(at(-4, '14:00:00'), 'reject', '完成検査終了証の不一致', '完成検査終了証の記載内容と申請内容が一致しないため、申請を却下しました。')],
    expectedStatus: 'rejected',
    note: '検査申請却下（審査による却下）',
  },
];

/** The number to log in with: 受付番号 when one was issued, else 到達番号. */
export function loginNumber(s: DemoScenario): string {
  return s.receiptNumber ?? s.arrivalNumber;
}
