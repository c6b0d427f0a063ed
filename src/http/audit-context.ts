import type { Request } from 'express';
import type { Queryable } from '../db/database.js';
import { auditRecordAccess, type AuditedHit } from '../security/audit.js';

/** Records which patient data a request read; throws (failing the request) when the write fails. */
export type RequestAudit = (req: Request, action: string, hits: readonly AuditedHit[]) => Promise<void>;

/** The audit writer for routes: who is asking comes from what the access guard verified. */
export function createRequestAudit(db: Queryable): RequestAudit {
  return (req, action, hits) => {
    if (!req.auth) throw new Error('audit needs an authenticated request: the route must not be public');
    return auditRecordAccess({ db }, { requestId: req.id, auth: req.auth, doctor: req.doctor ?? null, action, hits });
  };
}
