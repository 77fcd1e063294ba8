import type { ProcedureCode } from './procedures.js';

/** 手続進捗状況 marks: 済 (done), ! (needs the applicant), 未 (not yet reached). */
export type StepMark = 'done' | 'action' | 'pending';
export const stepMarkLabels: Record<StepMark, string> = { done: '済', action: '!', pending: '未' };
export const stepMarkSpoken: Record<StepMark, string> = { done: '完了', action: 'お客様の操作が必要', pending: '未完了' };

/** What the applicant may do in a status; conditions beyond the status live in rules.ts. */
export type ApplicantAction =
  | 'pay' // 納付
  | 'chooseBulkPayment' // まとめ納付を選ぶ
  | 'takeBulkPaymentNumber' // 納付対象を選択し納付番号を取得する
  | 'withdraw' // 申請を取り下げる
  | 'correct' // 申請を補正する
  | 'issueCollectionCode' // 受取者認証兼受取車両個別申告用二次元コードの発行
  | 'applyAgain'; // 再度申請を行う

/** The payment stages, in the order they fall due: 検査手数料等, 自動車重量税, 軽自動車税. */
export const paymentStages = ['inspectionFees', 'weightTax', 'vehicleTax'] as const;
/** Which payment stage a payment status is about. */
export type PaymentStage = (typeof paymentStages)[number];

/** The three reference manuals section 6 points to, and the first-application manual. */
export const guides = {
  payment: '【画面申請】税・手数料納付の操作手順',
  collectionCode: '【画面申請】二次元コード発行の操作手順',
  correctionOrWithdrawal: '【申請共通】補正申請の操作手順 もしくは、【申請共通】申請取り下げの操作手順',
  correction: '【申請共通】補正申請の操作手順',
  withdrawal: '【申請共通】申請取り下げの操作手順',
  firstApplication: '【画面申請】初回申請の操作手順',
} as const;

export interface StatusDefinition {
  readonly label: string;
  readonly procedures: readonly ProcedureCode[];
  /** 説明: the manual's words for its 14 statuses, ours for the states between them. */
  readonly description: string;
  /** 参照先の手順書 */
  readonly guide: string | null;
  /** 項番 in the manual's section 6, or null for a state the manual does not list. */
  readonly manualItem: number | null;
  readonly applicantMay: readonly ApplicantAction[];
  /** Marks of the progress steps, by procedure; `stopped` statuses keep what was done when they stopped. */
  readonly steps: 'stopped' | Partial<Record<ProcedureCode, readonly StepMark[]>>;
  /** No event moves the application any more. */
  readonly terminal: boolean;
  readonly paymentStage: PaymentStage | null;
  readonly bulkPayment: boolean;
  readonly deadline: 'correction' | 'payment' | null;
}

const BOTH = ['continuousInspection', 'newVehicle'] as const;
const CI = ['continuousInspection'] as const;
const NV = ['newVehicle'] as const;

const P = 'pending', A = 'action', D = 'done';

const feesText = '検査手数料・技術情報管理手数料の納付が可能な状態です。検査手数料・技術情報管理手数料の納付を行ってください。';
const weightTaxText = '自動車重量税の納付が可能な状態です。自動車重量税の納付を行ってください。';
const vehicleTaxText = '軽自動車税環境性能割の納付が可能な状態です。軽自動車税環境性能割の納付を行ってください。';
const readyText =
  '自動車検査証の交付（返付）が可能な状態です。\n軽自動車検査協会事務所等の窓口で、自動車検査証等の交付物を受け取る際は、「受取者認証兼受取車両個別申告用二次元コード」を印刷し、交付物の受け取り時に、申請先の軽自動車検査協会の事務所等に提出してください。';
const officeHours = '審査は開庁日（平日。祝日と12月29日〜1月3日を除く）の窓口受付時間内に行われます。時間外に届いたものは翌開庁日以降に審査されます。';

const base = { terminal: false, paymentStage: null, bulkPayment: false, deadline: null } as const;

/**
 * The status catalogue: the manual's section 6 (項番 1–14) and the states a working system needs
 * between them (manualItem null). The tests walk this table.
 */
export const statuses = {
  awaitingAcceptance: {
    ...base,
    label: '受付審査中',
    procedures: BOTH,
    description: `申請が到達し、軽自動車検査協会で受付チェックを行っている状態です。受付されると受付番号が払い出されます。${officeHours}`,
    guide: null,
    manualItem: null,
    applicantMay: [],
    steps: { continuousInspection: [P, P, P], newVehicle: [P, P, P, P] },
  },
  notAccepted: {
    ...base,
    terminal: true,
    label: '未受付',
    procedures: BOTH,
    description: '申請データや署名用電子証明書等に不備があり、申請が受け付けられていない状態です。\n表示内容をご確認のうえ、再度申請を行ってください。',
    guide: guides.firstApplication,
    manualItem: 14,
    applicantMay: ['applyAgain'],
    steps: 'stopped',
  },
  acceptedAwaitingAttachments: {
    ...base,
    label: '申請受付済（添付書類取得待ち）',
    procedures: BOTH,
    description: `申請が受け付けられ、軽自動車検査協会で税・手数料の納付情報を準備している状態です。添付書類は外部システムから順次取得されます。${officeHours}`,
    guide: null,
    manualItem: null,
    applicantMay: [],
    steps: { continuousInspection: [P, P, P], newVehicle: [P, P, P, P] },
  },
  inspectionFeesDue: {
    ...base,
    label: '検査手数料等納付待ち',
    procedures: BOTH,
    description: feesText,
    guide: guides.payment,
    manualItem: 1,
    applicantMay: ['pay', 'chooseBulkPayment'],
    steps: { continuousInspection: [A, P, P], newVehicle: [A, P, P, P] },
    paymentStage: 'inspectionFees',
    deadline: 'payment',
  },
  inspectionFeesBulkPayment: {
    ...base,
    label: '検査手数料等まとめ払い中',
    procedures: BOTH,
    description: feesText,
    guide: guides.payment,
    manualItem: 2,
    applicantMay: ['pay', 'takeBulkPaymentNumber', 'withdraw'],
    steps: { continuousInspection: [A, P, P], newVehicle: [A, P, P, P] },
    paymentStage: 'inspectionFees',
    bulkPayment: true,
    deadline: 'payment',
  },
  weightTaxDue: {
    ...base,
    label: '自動車重量税納付待ち',
    procedures: BOTH,
    description: weightTaxText,
    guide: guides.payment,
    manualItem: 3,
    applicantMay: ['pay', 'chooseBulkPayment'],
    steps: { continuousInspection: [A, P, P], newVehicle: [A, P, P, P] },
    paymentStage: 'weightTax',
    deadline: 'payment',
  },
  weightTaxBulkPayment: {
    ...base,
    label: '自動車重量税まとめ払い中',
    procedures: BOTH,
    description: weightTaxText,
    guide: guides.payment,
    manualItem: 4,
    applicantMay: ['pay', 'takeBulkPaymentNumber'],
    steps: { continuousInspection: [A, P, P], newVehicle: [A, P, P, P] },
    paymentStage: 'weightTax',
    bulkPayment: true,
    deadline: 'payment',
  },
  inspectionUnderExamination: {
    ...base,
    label: '検査申請審査中',
    procedures: BOTH,
    description: `軽自動車検査協会の事務所等で検査申請の内容を審査している状態です。${officeHours}`,
    guide: null,
    manualItem: null,
    applicantMay: [],
    steps: { continuousInspection: [D, P, P], newVehicle: [D, P, P, P] },
  },
  inspectionCorrectionRequested: {
    ...base,
    label: '検査申請補正待ち',
    procedures: BOTH,
    description:
      '検査申請の申請内容や添付書類に軽微な誤り、不足等があり、軽自動車検査協会の審査により補正が通知された状態です。\n通知等情報の指示に従い、申請内容の補正を行ってください。\n補正を行わず、申請を取り下げること可能です。',
    guide: guides.correctionOrWithdrawal,
    manualItem: 9,
    applicantMay: ['correct', 'withdraw'],
    steps: { continuousInspection: [D, A, P], newVehicle: [D, A, P, P] },
    deadline: 'correction',
  },
  taxDeclarationUnderExamination: {
    ...base,
    label: '軽自動車税申告審査中',
    procedures: NV,
    description: `都道府県税事務所で軽自動車税申告の内容を審査している状態です。${officeHours}`,
    guide: null,
    manualItem: null,
    applicantMay: [],
    steps: { newVehicle: [D, D, P, P] },
  },
  taxDeclarationCorrectionRequested: {
    ...base,
    label: '軽自動車税申告補正待ち',
    procedures: NV,
    description:
      '軽自動車税申告の申請内容や添付書類に軽微な誤り、不足等があり、都道府県税の審査により補正が通知された状態です。\n通知等情報の指示に従い、申請内容の補正を行ってください。',
    guide: guides.correction,
    manualItem: 10,
    applicantMay: ['correct'],
    steps: { newVehicle: [D, D, A, P] },
    deadline: 'correction',
  },
  vehicleTaxDue: {
    ...base,
    label: '軽自動車税納付待ち',
    procedures: NV,
    description: vehicleTaxText,
    guide: guides.payment,
    manualItem: 5,
    applicantMay: ['pay', 'chooseBulkPayment'],
    steps: { newVehicle: [D, D, A, P] },
    paymentStage: 'vehicleTax',
    deadline: 'payment',
  },
  vehicleTaxBulkPayment: {
    ...base,
    label: '軽自動車税まとめ払い中',
    procedures: NV,
    description: vehicleTaxText,
    guide: guides.payment,
    manualItem: 6,
    applicantMay: ['pay', 'takeBulkPaymentNumber'],
    steps: { newVehicle: [D, D, A, P] },
    paymentStage: 'vehicleTax',
    bulkPayment: true,
    deadline: 'payment',
  },
  preparingReturn: {
    ...base,
    label: '返付準備中',
    procedures: CI,
    description: `審査が完了し、検査記録がなされました。軽自動車検査協会の事務所等で自動車検査証等の返付の準備をしている状態です。準備が整うと「返付準備完了」になります。`,
    guide: null,
    manualItem: null,
    applicantMay: [],
    steps: { continuousInspection: [D, D, P] },
  },
  preparingDelivery: {
    ...base,
    label: '交付準備中',
    procedures: NV,
    description: `審査と軽自動車税の手続が完了し、軽自動車検査協会の事務所等で自動車検査証等の交付の準備をしている状態です。準備が整うと「交付準備完了」になります。`,
    guide: null,
    manualItem: null,
    applicantMay: [],
    steps: { newVehicle: [D, D, D, P] },
  },
  readyForDelivery: {
    ...base,
    label: '交付準備完了',
    procedures: NV,
    description: readyText,
    guide: guides.collectionCode,
    manualItem: 7,
    applicantMay: ['issueCollectionCode'],
    steps: { newVehicle: [D, D, D, A] },
  },
  readyForReturn: {
    ...base,
    label: '返付準備完了',
    procedures: CI,
    description: readyText,
    guide: guides.collectionCode,
    manualItem: 8,
    applicantMay: ['issueCollectionCode'],
    steps: { continuousInspection: [D, D, A] },
  },
  returned: {
    ...base,
    terminal: true,
    label: '返付済',
    procedures: CI,
    description: '軽自動車検査協会の事務所等の窓口で自動車検査証等が返付され、手続が完了した状態です。',
    guide: null,
    manualItem: null,
    applicantMay: [],
    steps: { continuousInspection: [D, D, D] },
  },
  delivered: {
    ...base,
    terminal: true,
    label: '交付済',
    procedures: NV,
    description: '軽自動車検査協会の事務所等の窓口で自動車検査証等が交付され、手続が完了した状態です。',
    guide: null,
    manualItem: null,
    applicantMay: [],
    steps: { newVehicle: [D, D, D, D] },
  },
  withdrawn: {
    ...base,
    terminal: true,
    label: '検査申請取り下げ',
    procedures: BOTH,
    description: '申請者自身により、申請の取り下げが完了した状態です。\n必要に応じ、再度申請を行ってください。',
    guide: guides.firstApplication,
    manualItem: 11,
    applicantMay: ['applyAgain'],
    steps: 'stopped',
  },
  invalidated: {
    ...base,
    terminal: true,
    label: '検査申請無効',
    procedures: BOTH,
    description:
      '納付期限日以内に手数料が納付されなかった状態、または、軽自動車検査協会での受付チェックにより無効が通知された状態です。\n通知等情報の内容をご確認のうえ、再度申請を行ってください。',
    guide: guides.firstApplication,
    manualItem: 12,
    applicantMay: ['applyAgain'],
    steps: 'stopped',
  },
  rejected: {
    ...base,
    terminal: true,
    label: '検査申請却下',
    procedures: BOTH,
    description: '軽自動車検査協会の審査により却下が通知された状態です。\n通知等情報の内容をご確認のうえ、再度申請を行ってください。',
    guide: guides.firstApplication,
    manualItem: 13,
    applicantMay: ['applyAgain'],
    steps: 'stopped',
  },
} as const satisfies Record<string, StatusDefinition>;

export type StatusCode = keyof typeof statuses;
export const statusCodes = Object.keys(statuses) as StatusCode[];

export function statusDefinition(code: StatusCode): StatusDefinition {
  return statuses[code];
}

export function isStatusCode(value: string): value is StatusCode {
  return Object.hasOwn(statuses, value);
}

export function statusesOf(procedure: ProcedureCode): StatusCode[] {
  return statusCodes.filter((code) => (statuses[code].procedures as readonly ProcedureCode[]).includes(procedure));
}

/** The manual's section 6 table, in its order (項番 1–14). */
export function manualStatusTable(): { item: number; code: StatusCode; definition: StatusDefinition }[] {
  return statusCodes
    .map((code) => ({ code, definition: statuses[code] as StatusDefinition }))
    .filter((e): e is { code: StatusCode; definition: StatusDefinition & { manualItem: number } } => e.definition.manualItem !== null)
    .map((e) => ({ item: e.definition.manualItem as number, code: e.code, definition: e.definition }))
    .sort((a, b) => a.item - b.item);
}

/** 返付準備完了 / 交付準備完了 and 返付済 / 交付済: where each procedure's documents are ready, and where it ends. */
export const completionStatuses: Record<ProcedureCode, { readonly ready: StatusCode; readonly done: StatusCode }> = {
  continuousInspection: { ready: 'readyForReturn', done: 'returned' },
  newVehicle: { ready: 'readyForDelivery', done: 'delivered' },
};
