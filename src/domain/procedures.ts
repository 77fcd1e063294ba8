/** The two procedures the status inquiry serves (手続). */
export const procedureCodes = ['continuousInspection', 'newVehicle'] as const;
export type ProcedureCode = (typeof procedureCodes)[number];

/** 添付書類: delivered by outside systems, or marked 不要. */
export const attachmentKinds = {
  completionCertificate: '完成検査終了証兼譲渡証明書',
  insuranceCertificate: '自動車損害賠償責任保険（共済）証明書',
  safetyStandardCertificate: '保安基準適合証',
  preferredNumberCertificate: '希望番号予約済証',
} as const;
export type AttachmentKind = keyof typeof attachmentKinds;

export const attachmentStates = { notAcquired: '未取得', acquired: '取得済', notRequired: '不要' } as const;
export type AttachmentState = keyof typeof attachmentStates;

/** Rows of 現在の申請状況's summary table, in the manual's order. */
export type SummaryField =
  | 'filedOn'
  | 'receiptNumber'
  | 'vehicleNumber'
  | 'chassisNumber'
  | 'applicantName'
  | 'userName'
  | 'userNameHigh'
  | 'ownerName'
  | 'ownerNameHigh'
  | 'office'
  | 'agentCommissionNumber'
  | 'agentName'
  | 'agentUsable';

export const summaryFieldLabels: Record<SummaryField, string> = {
  filedOn: '申請年月日',
  receiptNumber: '受付番号',
  vehicleNumber: '車両番号',
  chassisNumber: '車台番号',
  applicantName: '申請者名',
  userName: '使用者名',
  userNameHigh: '使用者名（高水準）',
  ownerName: '所有者名',
  ownerNameHigh: '所有者名（高水準）',
  office: '申請先軽自動車検査協会事務所等',
  agentCommissionNumber: '記録等事務代行者委託番号',
  agentName: '記録等事務代行者氏名又は名称',
  agentUsable: '記録等事務代行利用可否',
};

export interface ProcedureDefinition {
  /** As the login and status pages title it (状況照会 ログイン 継続検査). */
  readonly label: string;
  /** As section headings of the manual name it. */
  readonly fullLabel: string;
  readonly steps: readonly string[];
  readonly summaryFields: readonly SummaryField[];
  readonly attachments: readonly AttachmentKind[];
  /** 返付 / 交付: the word for handing the documents back. */
  readonly deliveryWord: '返付' | '交付';
  /** 新車: the office issues the 車両番号 when the examination completes (審査完了 needs it). */
  readonly issuesVehicleNumber: boolean;
}

export const procedures = {
  continuousInspection: {
    label: '継続検査',
    fullLabel: '継続検査',
    steps: ['手続準備', '軽自動車検査協会事務所等への手続', '返付'],
    summaryFields: ['filedOn', 'receiptNumber', 'vehicleNumber', 'chassisNumber', 'applicantName', 'userName', 'office', 'agentCommissionNumber', 'agentName', 'agentUsable'],
    attachments: ['insuranceCertificate', 'safetyStandardCertificate'],
    deliveryWord: '返付',
    issuesVehicleNumber: false,
  },
  newVehicle: {
    label: '新車',
    fullLabel: '新車〔新規検査・地方税申告〕',
    steps: ['手続準備', '軽自動車検査協会事務所等への手続', '軽自動車税申告窓口への手続', '交付'],
    summaryFields: ['filedOn', 'receiptNumber', 'chassisNumber', 'applicantName', 'userName', 'userNameHigh', 'ownerName', 'ownerNameHigh', 'office'],
    attachments: ['completionCertificate', 'insuranceCertificate', 'preferredNumberCertificate'],
    deliveryWord: '交付',
    issuesVehicleNumber: true,
  },
} as const satisfies Record<ProcedureCode, ProcedureDefinition>;

export function isProcedureCode(value: string): value is ProcedureCode {
  return (procedureCodes as readonly string[]).includes(value);
}
