import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { JumpgateError } from '../../domain/errors.js';

/*
 * What buttons hand back in `value`. Jumpgate wrote them, but a click may come from a message
 * posted by an older version, so every value is checked at the edge like any other input.
 */

/** A request id, as the Approve, Deny and review buttons carry it. */
export const requestIdSchema = z.string().regex(/^req_[a-z0-9]{4,40}$/);

/** Reads a Retry button's value (the request id); throws `bad_command` when it is not one this version wrote. */
export function parseRetryValue(value: string | undefined): string {
  const parsed = requestIdSchema.safeParse(value);
  if (!parsed.success) {
    throw new JumpgateError('bad_command', 'this Retry button cannot be read any more: request access again', {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/** Slack refuses a button whose value is longer than this. */
export const MAX_BUTTON_VALUE = 2_000;

const breakglassValueSchema = z
  .object({
    target: z.string().min(1).max(200),
    duration: z.string().min(1).max(40).optional(),
    reason: z.string().max(MAX_BUTTON_VALUE),
    confirmation: z.string().regex(/^[a-f0-9]{16,64}$/),
  })
  .strict();

/** The input of `/jump breakglass`, carried by its Confirm button until the click. */
export type BreakglassValue = z.infer<typeof breakglassValueSchema>;

/**
 * The Confirm button's value: the command's input as JSON, with a fresh confirmation key so a
 * second click on the same button takes no second breakglass.
 */
export function breakglassValue(
  input: Omit<BreakglassValue, 'confirmation'>,
  confirmation = randomBytes(12).toString('hex'),
): string {
  return JSON.stringify({
    target: input.target,
    ...(input.duration === undefined ? {} : { duration: input.duration }),
    reason: input.reason,
    confirmation,
  });
}

/** Reads a Confirm button's value; throws `bad_command` when it is not one this version wrote. */
export function parseBreakglassValue(value: string | undefined): BreakglassValue {
  let json: unknown;
  try {
    json = JSON.parse(value ?? '');
  } catch {
    json = undefined;
  }
  const parsed = breakglassValueSchema.safeParse(json);
  if (!parsed.success) {
    throw new JumpgateError(
      'bad_command',
      'this breakglass button cannot be read any more: run /jump breakglass again',
      { cause: parsed.error },
    );
  }
  return parsed.data;
}

/** A grant id as the I'm done button carries it: `grant_x`, or an extended window's `grant_x_2`. */
export const grantIdSchema = z.string().regex(/^grant_[a-z0-9]{4,40}(_[0-9]{1,4})?$/);

/** What an Extend button carries: the grant id it extends and the milliseconds it adds. */
export function extendValue(grantId: string, addedMs: number): string {
  return `${grantId} ${addedMs}`;
}

/** Reads an Extend button's value; throws `bad_command` when it is not one this version wrote. */
export function parseExtendValue(value: string | undefined): { grantId: string; addedMs: number } {
  const [grantId, added, ...rest] = (value ?? '').split(' ');
  const addedMs = Number(added);
  if (!grantIdSchema.safeParse(grantId).success || !Number.isSafeInteger(addedMs) || addedMs <= 0 || rest.length > 0) {
    throw new JumpgateError(
      'bad_command',
      'this Extend button cannot be read any more: use /jump extend <grant-id> <duration>',
    );
  }
  return { grantId: grantId as string, addedMs };
}

/** What an extension's Approve and Deny buttons carry: the request and the window the ask would make. */
export function extensionValue(requestId: string, window: number): string {
  return `${requestId} ${window}`;
}

/** Reads an extension button's value; throws `bad_command` when it is not one this version wrote. */
export function parseExtensionValue(value: string | undefined): { requestId: string; window: number } {
  const [requestId, window, ...rest] = (value ?? '').split(' ');
  const n = Number(window);
  if (!requestIdSchema.safeParse(requestId).success || !Number.isSafeInteger(n) || n < 2 || rest.length > 0) {
    throw new JumpgateError('bad_command', 'this extension button cannot be read any more');
  }
  return { requestId: requestId as string, window: n };
}

/** Slack refuses a view whose private_metadata is longer than this. */
export const MAX_PRIVATE_METADATA = 3_000;

const vendorMetadataSchema = z
  .object({
    vendorEmail: z.string().min(1).max(300),
    target: z.string().min(1).max(200),
    duration: z.string().min(1).max(40),
    reason: z.string().max(MAX_PRIVATE_METADATA),
  })
  .strict();

/** The input of `/jump vendor`, carried by the vendor modal's private_metadata until it is submitted. */
export type VendorMetadata = z.infer<typeof vendorMetadataSchema>;

export function vendorMetadata(input: VendorMetadata): string {
  return JSON.stringify({
    vendorEmail: input.vendorEmail,
    target: input.target,
    duration: input.duration,
    reason: input.reason,
  });
}

/** Reads the vendor modal's private_metadata; throws `bad_command` when it is not one this version wrote. */
export function parseVendorMetadata(value: string | undefined): VendorMetadata {
  let json: unknown;
  try {
    json = JSON.parse(value ?? '');
  } catch {
    json = undefined;
  }
  const parsed = vendorMetadataSchema.safeParse(json);
  if (!parsed.success) {
    throw new JumpgateError('bad_command', 'this vendor form cannot be read any more: run /jump vendor again', {
      cause: parsed.error,
    });
  }
  return parsed.data;
}
