import { z } from 'zod';

/** RFC 9457 problem details, the one error shape of every route. */
export const ProblemSchema = z
  .object({
    type: z.string().describe('URN naming the problem type, derived from `code`.'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().describe('Stable snake_case error code for programs.'),
    requestId: z.string(),
    instance: z.string().optional(),
    errors: z.array(z.object({ path: z.string().optional(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });

export type Problem = z.infer<typeof ProblemSchema>;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
