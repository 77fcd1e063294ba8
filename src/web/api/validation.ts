import type { FastifyRequest } from 'fastify';

/** A TypeBox (Ajv-style) validation error, as Fastify attaches it with attachValidation. */
interface SchemaError {
  readonly keyword: string;
  readonly instancePath: string;
  readonly params: Record<string, unknown>;
}

/** Japanese names of the JSON fields, for messages. */
export const fieldLabels: Record<string, string> = {
  type: 'イベントの種類（type）',
  expectedVersion: 'expectedVersion（版）',
  reasonTitle: '理由（reasonTitle）',
  reasonDetail: '理由の詳細（reasonDetail）',
  deadline: '補正期限（deadline）',
  dueOn: '納付期限（dueOn）',
  paidOn: '納付日（paidOn）',
  completedOn: '審査完了年月日（completedOn）',
  vehicleNumber: '車両番号（vehicleNumber）',
  kind: '添付書類（kind）',
  stage: '税・手数料の種別（stage）',
  amount: '税額（amount）',
  procedure: '手続（procedure）',
  officeCode: '申請先軽自動車検査協会事務所等（officeCode）',
  password: '申請用パスワード（password）',
  applicantName: '申請者名（applicantName）',
  applicantAddress: '申請者住所（applicantAddress）',
  userName: '使用者名（userName）',
  userNameHigh: '使用者名（高水準）（userNameHigh）',
  userAddress: '使用者住所（userAddress）',
  ownerSameAsUser: '所有者は使用者と同じ（ownerSameAsUser）',
  ownerName: '所有者名（ownerName）',
  ownerNameHigh: '所有者名（高水準）（ownerNameHigh）',
  ownerAddress: '所有者住所（ownerAddress）',
  chassisNumber: '車台番号（chassisNumber）',
  vehicleModel: '型式（vehicleModel）',
  weightTaxBand: '自動車重量税の区分（weightTaxBand）',
  acquisitionPrice: '取得価額（acquisitionPrice）',
  environmentalTaxRate: '環境性能割の税率（environmentalTaxRate）',
  preferredNumber: '希望番号（preferredNumber）',
  agentCommissionNumber: '記録等事務代行者委託番号（agentCommissionNumber）',
  agentName: '記録等事務代行者氏名又は名称（agentName）',
  agentUsable: '記録等事務代行利用可否（agentUsable）',
  number: '受付番号（到達番号）',
};

const label = (field: string) => fieldLabels[field] ?? field;

function messageFor(e: SchemaError, field: string): string {
  const p = e.params;
  switch (e.keyword) {
    case 'type':
      return `${label(field)}の型が正しくありません（${String(p.type)} で指定してください）。`;
    case 'maxLength':
      return `${label(field)}が長すぎます。`;
    case 'minLength':
      return `${label(field)}を入力してください。`;
    case 'pattern':
      return `${label(field)}の形式が正しくありません${/\[0-9\]\{4\}-/.test(String(p.pattern)) ? '（YYYY-MM-DD の形式で指定してください）' : ''}。`;
    case 'enum':
      return `${label(field)}に指定できない値です。`;
    case 'minimum':
    case 'maximum':
      return `${label(field)}が指定できる範囲を超えています。`;
    case 'const':
      return `${label(field)}に指定できない値です。`;
    default:
      return `${label(field)}の値が正しくありません。`;
  }
}

/** Field-by-field Japanese messages for a body that failed its schema. */
export function describeSchemaErrors(errors: Iterable<SchemaError>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of errors) {
    if (e.keyword === 'boolean' || e.keyword === 'anyOf') continue;
    if (e.keyword === 'required') {
      for (const f of (e.params.requiredProperties as string[] | undefined) ?? []) out[f] ??= `${label(f)}を指定してください。`;
      continue;
    }
    if (e.keyword === 'additionalProperties') {
      for (const f of (e.params.additionalProperties as string[] | undefined) ?? []) out[f] ??= `「${f}」は指定できない項目です。`;
      continue;
    }
    const field = e.instancePath.split('/').filter(Boolean)[0] ?? '(body)';
    out[field] ??= messageFor(e, field);
  }
  return out;
}

/** The errors Fastify attached to a request validated with attachValidation. */
export function attachedErrors(req: FastifyRequest): SchemaError[] {
  const v = req.validationError as (Error & { validation?: SchemaError[] }) | undefined;
  return v?.validation ?? [];
}
