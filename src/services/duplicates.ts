import type { ReceiptNumber } from '../domain/receipt-number.js';
import { vehiclesRepository } from '../store/vehicles.repository.js';
import type { ServiceDeps } from './context.js';
import { openStatuses } from './work-list.js';

/**
 * What 申請を行う may say about other open applications for the same 車台番号 (a double
 * submission): how many there are, and the 受付番号（到達番号） only of the one the person asking
 * has proved to hold (logged in to 状況の照会 with its password in this browser). Anyone can type a
 * 車台番号, so another applicant's number is never shown (docs/decisions/0004).
 */
export interface OpenApplicationsForVehicle {
  readonly count: number;
  /** The number of the viewer's own open application for this vehicle, or null. */
  readonly ownNumber: ReceiptNumber | null;
}

export function makeOpenApplicationsForVehicle(deps: ServiceDeps) {
  return async function openApplicationsForVehicle(chassisNumber: string, viewerApplicationId: string | null): Promise<OpenApplicationsForVehicle | null> {
    const holders = await vehiclesRepository(deps.database.db).byChassis(chassisNumber, openStatuses);
    if (holders.length === 0) return null;
    const own = viewerApplicationId ? holders.find((h) => h.id === viewerApplicationId) : undefined;
    return { count: holders.length, ownNumber: own ? (own.receiptNumber ?? own.arrivalNumber) : null };
  };
}
