import type { QrApproveFailure, QrCompleteFailure } from '../store/qr-login-store.js';
import type { AdminErrorCode } from './admin/admin-json.js';

export interface QrFailureDescription {
  /** For the pages. */
  status: number;
  /** For the admin JSON. */
  code: AdminErrorCode;
  message: string;
}

/** One wording per reason a QR token cannot be used, shared by the pages and the admin endpoint. */
export function describeQrFailure(reason: QrApproveFailure | QrCompleteFailure): QrFailureDescription {
  switch (reason) {
    case 'unknown':
      return { status: 404, code: 'NOT_FOUND', message: 'This sign-in code does not exist.' };
    case 'expired':
      return { status: 410, code: 'QR_EXPIRED', message: 'This sign-in code has expired. Start again to get a new one.' };
    case 'consumed':
      return { status: 410, code: 'QR_CONSUMED', message: 'This sign-in code was already used.' };
    case 'approved-by-other':
      return { status: 409, code: 'CONFLICT', message: 'This sign-in code was already approved by another account.' };
    case 'pending':
      return { status: 409, code: 'CONFLICT', message: 'This sign-in code has not been approved yet.' };
  }
}
