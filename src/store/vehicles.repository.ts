import type { ReceiptNumber } from '../domain/receipt-number.js';
import type { StatusCode } from '../domain/statuses.js';
import type { Executor } from './database.js';

/** An application found by its vehicle: who filed it and under which number, nothing more. */
export interface VehicleHolder {
  readonly id: string;
  readonly arrivalNumber: ReceiptNumber;
  readonly receiptNumber: ReceiptNumber | null;
  readonly status: StatusCode;
  readonly applicantName: string;
  readonly applicantAddress: string;
}

/** Look-ups by vehicle (applications_chassis_idx, applications_vehicle_number_idx). */
export function vehiclesRepository(db: Executor) {
  const columns = ['id', 'arrival_number', 'receipt_number', 'status', 'applicant_name', 'applicant_address'] as const;
  const toHolder = (r: { id: string; arrival_number: string; receipt_number: string | null; status: string; applicant_name: string; applicant_address: string }): VehicleHolder => ({
    id: r.id,
    arrivalNumber: r.arrival_number as ReceiptNumber,
    receiptNumber: r.receipt_number as ReceiptNumber | null,
    status: r.status as StatusCode,
    applicantName: r.applicant_name,
    applicantAddress: r.applicant_address,
  });
  return {
    /** Another application holding this 車両番号 (stored form `品川 580 な 1010`), if any. */
    async otherHolderOfVehicleNumber(vehicleNumber: string, exceptId: string): Promise<VehicleHolder | null> {
      const row = await db.selectFrom('applications').select(columns).where('vehicle_number', '=', vehicleNumber).where('id', '!=', exceptId).orderBy('filed_at').limit(1).executeTakeFirst();
      return row ? toHolder(row) : null;
    },

    /** Applications in one of `statuses` for this 車台番号, oldest first (a handful at most). */
    async byChassis(chassisNumber: string, statuses: readonly StatusCode[], limit = 20): Promise<VehicleHolder[]> {
      const rows = await db.selectFrom('applications').select(columns).where('chassis_number', '=', chassisNumber).where('status', 'in', [...statuses]).orderBy('filed_at').limit(limit).execute();
      return rows.map(toHolder);
    },
  };
}
