import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';

/** The demo directory file: the local workspace's stand-in for Slack's users, groups and channel names. */
export const DEMO_DIRECTORY_FILE = new URL('../../demo/directory.yml', import.meta.url);

const personSchema = z.object({
  id: z.string().regex(/^[UW][A-Z0-9]+$/, 'is not a Slack user ID (U…)'),
  name: z.string().min(1),
  email: z.email(),
  tz: z.string().refine(isTimeZone, 'is not an IANA time zone (like Europe/Paris)'),
  role: z.string().default(''),
});

const directorySchema = z.object({
  people: z.array(personSchema).min(1),
  groups: z.record(
    z.string().regex(/^S[A-Z0-9]+$/, 'is not a Slack user group ID (S…)'),
    z.object({ name: z.string().min(1), members: z.array(z.string()) }),
  ),
  channels: z.record(z.string().regex(/^[CG][A-Z0-9]+$/), z.string().min(1)).default({}),
});

export type DemoPerson = z.infer<typeof personSchema>;
export type DemoDirectory = z.infer<typeof directorySchema>;

/** Reads and checks the file; a bad file stops start-up with the path inside it and what is wrong. */
export async function loadDemoDirectory(file: URL | string = DEMO_DIRECTORY_FILE): Promise<DemoDirectory> {
  const parsed = directorySchema.safeParse(parse(await readFile(file, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`demo directory ${String(file)}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'is invalid'}`);
  }
  return parsed.data;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
