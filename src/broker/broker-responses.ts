import { z } from 'zod';

/**
 * What the client accepts from a broker. Anything else is treated as a broker failure, never
 * trusted: the use cases rely on these shapes (a certificate, a decimal serial, an end time).
 */

/** Brokers may send the serial as a JSON number or a string; the port always carries decimal text. */
const serial = z
  .union([z.string().regex(/^\d+$/, 'expected a decimal serial'), z.number().int().nonnegative()])
  .transform((value) => BigInt(value).toString());

const isoTime = z.iso.datetime({ offset: true });

export const issuedGrantResponse = z.object({
  id: z.string().min(1),
  status: z.enum(['active', 'revoked', 'expired']),
  notBefore: isoTime.optional(),
  notAfter: isoTime,
  credential: z.object({
    type: z.literal('ssh-certificate'),
    certificate: z.string().min(1),
    serial,
    principals: z.array(z.string()),
  }),
});

export const revokedGrantResponse = z.object({
  id: z.string().min(1),
  status: z.literal('revoked'),
  revokedAt: isoTime,
});

export const activeGrantsResponse = z.object({
  grants: z.array(
    z.object({
      id: z.string().min(1),
      requestId: z.string(),
      notAfter: isoTime,
      serial,
    }),
  ),
});

/** `{error:{code,message}}`; loose, since it only feeds a message. */
export const brokerErrorResponse = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});

/** `path: problem` of the first issue, for messages. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  return issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
}
