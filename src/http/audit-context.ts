import type { Request } from 'express';
import type { RecordReader } from '../security/audit.js';

/** Who reads patient data in this request, as the access guard verified it: for the audit trail. */
export function readerOf(req: Request, action: string): RecordReader {
  if (!req.auth) throw new Error('reading patient data needs an authenticated request: the route must not be public');
  return { requestId: req.id, auth: req.auth, doctor: req.doctor ?? null, action };
}
