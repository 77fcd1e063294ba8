import type { Application } from '../domain/application.js';

/**
 * What a list of applications shows of each (申請一覧 of a 利用者ID, the staff 作業一覧): the
 * application's numbers, status and dates as the domain names them, the 使用者 and the vehicle, and
 * the running deadline. Each list adds its own columns.
 */
export type ApplicationListRow = Pick<Application, 'id' | 'procedure' | 'arrivalNumber' | 'receiptNumber' | 'status' | 'statusChangedAt' | 'filedAt'> & {
  readonly userName: string;
  readonly vehicleNumber: string | null;
  readonly chassisNumber: string;
  /** The instant the running deadline passes (the day after 期限日 in Japan), or null. */
  readonly deadlineAt: Date | null;
};
