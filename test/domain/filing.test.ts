import { describe, expect, it } from 'vitest';
import { displayNumber, noticeKindLabels } from '../../src/domain/application.js';
import { checkApplicationPassword, fileApplication, validateFiling, weightTaxBands, type FilingInput } from '../../src/domain/filing.js';
import { ARRIVAL, applicant, ciInput, counterIds, inputFor, nvInput, RECEIPT, T0 } from './support.js';

function valid(input: FilingInput) {
  const r = validateFiling(input);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}
function errors(input: FilingInput) {
  const r = validateFiling(input);
  if (r.ok) throw new Error('accepted');
  return r.errors;
}

describe('初回申請: validateFiling', () => {
  it('a 継続検査 filing becomes parties, vehicle and 記録等事務代行者', () => {
    expect(valid(ciInput)).toEqual({
      procedure: 'continuousInspection',
      officeCode: 'tokyo',
      applicant: { name: '軽自行政書士事務所', nameHigh: null, address: '東京都品川区東大井1-1-1' },
      user: { name: '軽自 太郎', nameHigh: null, address: '東京都品川区東大井2-2-2' },
      owner: null,
      vehicle: { vehicleNumber: '品川 580 さ 1234', chassisNumber: 'AX01-0000001', model: 'ABA-HA36S', weightTaxBand: 'standard', acquisitionPrice: null, environmentalTaxRate: null },
      recordingAgent: { commissionNumber: 'KIROKU0001', name: '指定整備事業者 品川A', usable: false },
      preferredNumber: false,
    });
  });

  it('a 新車 filing: no plate yet, 取得価額 and rate, 所有者 同上 (null)', () => {
    expect(valid(nvInput)).toEqual({
      procedure: 'newVehicle',
      officeCode: 'tokyo',
      applicant: { name: '六本木商事', nameHigh: null, address: '東京都港区六本木1-1-1' },
      user: { name: '六本木商事', nameHigh: null, address: '東京都港区六本木1-1-1' },
      owner: null,
      vehicle: { vehicleNumber: null, chassisNumber: '1234567890', model: '5BA-MK53S', weightTaxBand: 'eco', acquisitionPrice: 1_650_000, environmentalTaxRate: 1 },
      recordingAgent: null,
      preferredNumber: false,
    });
  });

  describe('NFKC normalisation of text fields', () => {
    it('full-width letters and digits become half-width, half-width kana full-width, spaces collapse', () => {
      const v = valid(inputFor('continuousInspection', {
        applicantName: 'ＡＢＣ　　行政書士事務所',
        userName: 'ｹｲｼﾞ ﾀﾛｳ',
        userAddress: '  東京都品川区東大井１－２－３  ',
        vehicleModel: 'ＡＢＡ－ＨＡ３６Ｓ',
        chassisNumber: 'ａｘ０１－０００００１',
        vehicleNumber: '品川－５８０－さ－１２３４',
      }));
      expect(v.applicant.name).toBe('ABC 行政書士事務所');
      expect(v.user.name).toBe('ケイジ タロウ');
      expect(v.user.address).toBe('東京都品川区東大井1-2-3');
      expect(v.vehicle.model).toBe('ABA-HA36S');
      expect(v.vehicle.chassisNumber).toBe('AX01-000001');
      expect(v.vehicle.vehicleNumber).toBe('品川 580 さ 1234');
    });
    it('the 記録等事務代行者委託番号 is normalised to upper-case half-width', () => {
      expect(valid(inputFor('continuousInspection', { agentCommissionNumber: ' ｋｉｒｏｋｕ０００１ ' })).recordingAgent?.commissionNumber).toBe('KIROKU0001');
    });
  });

  describe('field-level Japanese errors', () => {
    it('every required field empty: one message per field', () => {
      expect(
        errors(
          inputFor('continuousInspection', {
            applicantName: '',
            applicantAddress: ' ',
            userName: '　',
            userAddress: '',
            vehicleNumber: '',
            chassisNumber: '',
            vehicleModel: '',
          }),
        ),
      ).toEqual({
        applicantName: '申請者名を入力してください。',
        applicantAddress: '申請者住所を入力してください。',
        userName: '使用者名を入力してください。',
        userAddress: '使用者住所を入力してください。',
        vehicleNumber: '車両番号を入力してください。',
        chassisNumber: '車台番号を入力してください。',
        vehicleModel: '型式を入力してください。',
      });
    });
    it('an unknown procedure, office and band', () => {
      expect(errors({ ...ciInput, procedure: 'x' as never, officeCode: 'atlantis', weightTaxBand: 'heavy' as never })).toEqual({
        procedure: '手続を選択してください。',
        officeCode: '申請先軽自動車検査協会事務所等を選択してください。',
        weightTaxBand: '自動車重量税の区分を選択してください。',
      });
    });
    it('an office code from the prototype is not an office', () => {
      expect(errors({ ...ciInput, officeCode: 'toString' }).officeCode).toBe('申請先軽自動車検査協会事務所等を選択してください。');
    });
    it('length limits: names 60, addresses 120, 型式 30 characters (code points)', () => {
      expect(valid(inputFor('continuousInspection', { applicantName: 'あ'.repeat(60), userAddress: 'い'.repeat(120), vehicleModel: 'A'.repeat(30) })).applicant.name).toHaveLength(60);
      expect(valid(inputFor('continuousInspection', { userName: '𠮷'.repeat(60) })).user.name).toBe('𠮷'.repeat(60));
      expect(errors(inputFor('continuousInspection', { applicantName: 'あ'.repeat(61), userAddress: 'い'.repeat(121), vehicleModel: 'A'.repeat(31), userName: '𠮷'.repeat(61) }))).toEqual({
        applicantName: '申請者名は60文字以内で入力してください。',
        userName: '使用者名は60文字以内で入力してください。',
        userAddress: '使用者住所は120文字以内で入力してください。',
        vehicleModel: '型式は30文字以内で入力してください。',
      });
    });
    it.each(['\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\u009f'])('control character U+%s is refused', (c) => {
      expect(errors(inputFor('continuousInspection', { userName: `軽自${c}太郎` }))).toEqual({ userName: '使用者名に使用できない文字が含まれています。' });
    });
    it('tabs and line breaks are white space: collapsed into one space, not refused', () => {
      expect(valid(inputFor('continuousInspection', { userName: '軽自\t太郎', userAddress: '東京都\r\n品川区' })).user).toEqual({ name: '軽自 太郎', nameHigh: null, address: '東京都 品川区' });
    });
    it('a bad plate and a bad 車台番号 carry the parsers\' messages', () => {
      expect(errors(inputFor('continuousInspection', { vehicleNumber: '品川 580 サ 1234', chassisNumber: 'AX01 0000001' }))).toEqual({
        vehicleNumber: '車両番号は「品川 580 さ 1234」のように、地名・分類番号・ひらがな・一連指定番号の順に入力してください（区切りの空白は省略できます）。',
        chassisNumber: '車台番号は半角英数字とハイフンで、30文字以内で入力してください（例：AX01-0000001）。',
      });
    });
    it.each([undefined, -1, 1.5, 100_000_001, Number.NaN])('新車: 取得価額 %s is refused', (price) => {
      expect(errors(inputFor('newVehicle', { acquisitionPrice: price }))).toEqual({ acquisitionPrice: '取得価額は0円以上1億円以下の整数（円）で入力してください。' });
    });
    it('新車: 取得価額 0 and 1億円 are accepted', () => {
      expect(valid(inputFor('newVehicle', { acquisitionPrice: 0 })).vehicle.acquisitionPrice).toBe(0);
      expect(valid(inputFor('newVehicle', { acquisitionPrice: 100_000_000 })).vehicle.acquisitionPrice).toBe(100_000_000);
    });
    it.each([undefined, 3, 1.5, -1])('新車: 税率 %s is refused', (rate) => {
      expect(errors(inputFor('newVehicle', { environmentalTaxRate: rate }))).toEqual({ environmentalTaxRate: '環境性能割の税率（0%・1%・2%）を選択してください。' });
    });
    it.each([0, 1, 2])('新車: 税率 %i%% is accepted', (rate) => {
      expect(valid(inputFor('newVehicle', { environmentalTaxRate: rate })).vehicle.environmentalTaxRate).toBe(rate);
    });
    it('記録等事務代行者: a 委託番号 of symbols or over 20 characters, and a missing name', () => {
      expect(errors(inputFor('continuousInspection', { agentCommissionNumber: 'KIROKU-0001', agentName: '' }))).toEqual({
        agentCommissionNumber: '記録等事務代行者委託番号は半角英数字20文字以内で入力してください。',
        agentName: '記録等事務代行者氏名又は名称を入力してください。',
      });
      expect(errors(inputFor('continuousInspection', { agentCommissionNumber: 'A'.repeat(21) })).agentCommissionNumber).toBe('記録等事務代行者委託番号は半角英数字20文字以内で入力してください。');
      expect(valid(inputFor('continuousInspection', { agentCommissionNumber: 'A'.repeat(20) })).recordingAgent?.commissionNumber).toBe('A'.repeat(20));
    });
    it('記録等事務代行者: none when the 委託番号 is blank; 利用可 only when said so', () => {
      expect(valid(inputFor('continuousInspection', { agentCommissionNumber: '  ', agentName: '' })).recordingAgent).toBeNull();
      expect(valid(inputFor('continuousInspection', { agentUsable: true })).recordingAgent?.usable).toBe(true);
      expect(valid(inputFor('continuousInspection', { agentUsable: undefined })).recordingAgent?.usable).toBe(false);
    });
  });

  describe('新車: 所有者 同上', () => {
    it('ownerSameAsUser true or absent: owner null (shown 同上), owner fields ignored', () => {
      expect(valid(inputFor('newVehicle', { ownerSameAsUser: true, ownerName: '別人' })).owner).toBeNull();
      expect(valid(inputFor('newVehicle', { ownerSameAsUser: undefined })).owner).toBeNull();
    });
    it('ownerSameAsUser false: the owner is required and kept', () => {
      expect(errors(inputFor('newVehicle', { ownerSameAsUser: false }))).toEqual({
        ownerName: '所有者名を入力してください。',
        ownerAddress: '所有者住所を入力してください。',
      });
      expect(valid(inputFor('newVehicle', { ownerSameAsUser: false, ownerName: '軽自リース株式会社', ownerNameHigh: '', ownerAddress: '東京都千代田区1-1' })).owner).toEqual({
        name: '軽自リース株式会社',
        nameHigh: null,
        address: '東京都千代田区1-1',
      });
    });
    it('高水準 names are kept for 新車 and ignored for 継続検査', () => {
      expect(valid(inputFor('newVehicle', { userNameHigh: '髙橋 太郎' })).user.nameHigh).toBe('髙橋 太郎');
      expect(valid(inputFor('continuousInspection', { userNameHigh: '髙橋 太郎' })).user.nameHigh).toBeNull();
      expect(errors(inputFor('newVehicle', { userNameHigh: '髙'.repeat(61) }))).toEqual({ userNameHigh: '使用者名（高水準）は60文字以内で入力してください。' });
    });
    it('継続検査 never has a separate owner, 新車 never a plate or agent', () => {
      expect(valid(inputFor('continuousInspection', { ownerSameAsUser: false, ownerName: '別人', ownerAddress: 'x' })).owner).toBeNull();
      const nv = valid(inputFor('newVehicle', { vehicleNumber: '品川 580 さ 1234', agentCommissionNumber: 'K1', agentName: 'x' }));
      expect(nv.vehicle.vehicleNumber).toBeNull();
      expect(nv.recordingAgent).toBeNull();
    });
    it('継続検査 ignores 取得価額 and 希望番号', () => {
      const v = valid(inputFor('continuousInspection', { acquisitionPrice: -5, environmentalTaxRate: 9, preferredNumber: true }));
      expect(v.vehicle.acquisitionPrice).toBeNull();
      expect(v.vehicle.environmentalTaxRate).toBeNull();
      expect(v.preferredNumber).toBe(false);
    });
  });

  it('weight tax bands have Japanese names', () => {
    expect(weightTaxBands).toEqual({
      exempt: '免税（エコカー減税対象車）',
      eco: 'エコカー（減税対象車）',
      standard: '標準（初度登録から13年未満）',
      over13: '初度登録から13年経過',
      over18: '初度登録から18年経過',
    });
  });
});

describe('到達: fileApplication', () => {
  it('a 継続検査 application awaits the acceptance check, version 1, with both attachments 未取得', () => {
    const { application, history } = fileApplication(valid(ciInput), ARRIVAL, applicant, { at: T0, ids: counterIds() });
    expect(application).toEqual({
      id: 'id-1',
      procedure: 'continuousInspection',
      arrivalNumber: ARRIVAL,
      receiptNumber: null,
      status: 'awaitingAcceptance',
      statusChangedAt: T0,
      filedAt: T0,
      officeCode: 'tokyo',
      applicant: { name: '軽自行政書士事務所', nameHigh: null, address: '東京都品川区東大井1-1-1' },
      user: { name: '軽自 太郎', nameHigh: null, address: '東京都品川区東大井2-2-2' },
      owner: null,
      vehicle: { vehicleNumber: '品川 580 さ 1234', chassisNumber: 'AX01-0000001', model: 'ABA-HA36S', weightTaxBand: 'standard', acquisitionPrice: null, environmentalTaxRate: null },
      recordingAgent: { commissionNumber: 'KIROKU0001', name: '指定整備事業者 品川A', usable: false },
      partialDocumentExamination: null,
      examinationCompletedOn: null,
      attachments: [
        { kind: 'insuranceCertificate', state: 'notAcquired' },
        { kind: 'safetyStandardCertificate', state: 'notAcquired' },
      ],
      paymentLines: [],
      notices: [],
      correctionDeadline: null,
      collectionCodeSerial: 0,
      version: 1,
    });
    expect(history).toEqual({ event: 'arrive', fromStatus: null, toStatus: 'awaitingAcceptance', actor: applicant, reason: null, details: { arrivalNumber: ARRIVAL }, occurredAt: T0 });
  });
  it('新車 without a 希望番号: 希望番号予約済証 不要; 一部書類審査 実施不要（ALL電子）', () => {
    const { application } = fileApplication(valid(nvInput), ARRIVAL, applicant, { at: T0, ids: counterIds() });
    expect(application.partialDocumentExamination).toBe('実施不要（ALL電子）');
    expect(application.attachments).toEqual([
      { kind: 'completionCertificate', state: 'notAcquired' },
      { kind: 'insuranceCertificate', state: 'notAcquired' },
      { kind: 'preferredNumberCertificate', state: 'notRequired' },
    ]);
  });
  it('新車 with a 希望番号: 希望番号予約済証 未取得', () => {
    const { application } = fileApplication(valid(inputFor('newVehicle', { preferredNumber: true })), ARRIVAL, applicant, { at: T0, ids: counterIds() });
    expect(application.attachments.find((a) => a.kind === 'preferredNumberCertificate')?.state).toBe('notAcquired');
  });
  it('the applicant knows it by the 到達番号 until a 受付番号 is issued', () => {
    expect(displayNumber({ arrivalNumber: ARRIVAL, receiptNumber: null })).toBe(ARRIVAL);
    expect(displayNumber({ arrivalNumber: ARRIVAL, receiptNumber: RECEIPT })).toBe(RECEIPT);
  });
  it('notice kinds read as 通知等情報 shows them', () => {
    expect(noticeKindLabels).toEqual({ correction: '補正', taxCorrection: '補正', rejection: '却下', invalidation: '無効', notAccepted: '未受付', withdrawal: '取り下げ' });
  });
});

describe('申請用パスワード: checkApplicationPassword', () => {
  it.each(['abcd1234', 'A1!"#$%&', 'x'.repeat(63) + '1', 'Passw0rd~'])('accepts %j', (p) => {
    expect(checkApplicationPassword(p)).toBeNull();
  });
  it.each(['', 'abc1234', 'a1'.repeat(32) + 'b'])('refuses %j by length', (p) => {
    expect(checkApplicationPassword(p)).toBe('申請用パスワードは8文字以上64文字以内で入力してください。');
  });
  it.each(['abcd 1234', 'ａｂｃｄ１２３４', 'abcd1234\n', 'パスワード1234'])('refuses %j: half-width only', (p) => {
    expect(checkApplicationPassword(p)).toBe('申請用パスワードは半角の英字・数字・記号で入力してください。');
  });
  it.each(['abcdefgh', '12345678', '!!!!!!!!'])('refuses %j: letters and digits both', (p) => {
    expect(checkApplicationPassword(p)).toBe('申請用パスワードには英字と数字をそれぞれ1文字以上含めてください。');
  });
});
