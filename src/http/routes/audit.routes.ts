import { z } from 'zod';
import type { Queryable } from '../../db/database.js';
import { listAccess } from '../../security/audit.repository.js';
import type { ApiRouter } from '../route.js';

const Timestamp = z.iso.datetime({ offset: true }).transform((value) => new Date(value));

const AuditQuerySchema = z
  .strictObject({
    patientId: z.uuid().toLowerCase().optional().describe('Only entries that include this patient.'),
    doctorId: z.uuid().toLowerCase().optional().describe('Only entries made for this doctor.'),
    app: z.string().min(1).max(64).optional().describe('Only entries of this calling app (API client name).'),
    from: Timestamp.optional().describe('Entries at or after this instant (ISO 8601 with offset).'),
    to: Timestamp.optional().describe('Entries before this instant; after `from` when both are given.'),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    cursor: z
      .string()
      .regex(/^\d{1,20}\.\d{1,20}$/, 'a nextCursor of a previous page')
      .transform((value) => {
        const [atMicros = '', id = ''] = value.split('.');
        return { atMicros, id };
      })
      .optional()
      .describe('The next page: `nextCursor` of the previous one.'),
  })
  .refine((query) => !query.from || !query.to || query.from < query.to, { message: '`from` must be before `to`', path: ['from'] });

const AuditEntrySchema = z.object({
  id: z.string().describe('Sequence number (int8 as a string).'),
  at: z.string().describe('When the data was retrieved (ISO 8601).'),
  requestId: z.string(),
  clientId: z.uuid(),
  clientName: z.string().describe('The calling app (API client).'),
  doctorId: z.uuid().nullable(),
  purpose: z.string().nullable(),
  action: z.string().describe('search, chat, records.read...'),
  patientIds: z.array(z.uuid()),
  chunkIds: z.array(z.string()),
});

const AuditListSchema = z
  .object({
    entries: z.array(AuditEntrySchema),
    nextCursor: z.string().nullable().describe('Pass as `cursor` for the next (older) page; null on the last page.'),
  })
  .meta({ id: 'AuditList' });

/** GET /v1/admin/audit: who (app, doctor) retrieved which patient's chunks, newest first. */
export function registerAuditRoutes(api: ApiRouter, db: Queryable): void {
  api.add(
    {
      method: 'get',
      path: '/v1/admin/audit',
      operationId: 'listAuditEntries',
      summary: 'Audit trail of access to patient data, newest first, a page at a time.',
      description: '`from` must be before `to` when both are given (400 otherwise). A `cursor` continues the query it came from: send the same filters with it.',
      tags: ['admin'],
      access: 'admin',
      query: AuditQuerySchema,
      responses: { 200: { description: 'Matching entries.', schema: AuditListSchema } },
    },
    async ({ query: { app, cursor, ...filter } }) => {
      const { entries, next } = await listAccess(db, { ...filter, ...(app ? { clientName: app } : {}), ...(cursor ? { after: cursor } : {}) });
      return { body: { entries, nextCursor: next ? `${next.atMicros}.${next.id}` : null } };
    },
  );
}
