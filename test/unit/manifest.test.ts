import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';

// The parts of Slack's manifest schema Jumpgate depends on; a typo here breaks installation.
const manifestSchema = z.object({
  display_information: z.object({ name: z.string().min(1).max(35), description: z.string().max(140) }),
  features: z.object({
    app_home: z.object({ home_tab_enabled: z.boolean(), messages_tab_enabled: z.boolean() }),
    bot_user: z.object({ display_name: z.string().min(1) }),
    slash_commands: z.array(
      z.object({
        command: z.string(),
        description: z.string(),
        usage_hint: z.string().max(1000),
        should_escape: z.boolean(),
      }),
    ),
  }),
  oauth_config: z.object({ scopes: z.object({ bot: z.array(z.string()) }) }),
  settings: z.object({
    event_subscriptions: z.object({ bot_events: z.array(z.string()) }),
    interactivity: z.object({ is_enabled: z.boolean() }),
    socket_mode_enabled: z.boolean(),
  }),
});

describe('manifest.yml', () => {
  it('declares the bot, /jump, interactivity, App Home, Socket Mode and exactly the minimum scopes', async () => {
    const manifest = manifestSchema.parse(parse(await readFile('manifest.yml', 'utf8')));
    expect(manifest.features.slash_commands.map((command) => command.command)).toEqual(['/jump']);
    expect(manifest.features.slash_commands[0]?.usage_hint).toContain('request <target>');
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(['app_home_opened', 'user_change']);
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([
      'chat:write',
      'commands',
      'im:write',
      'usergroups:read',
      'users:read',
      'users:read.email',
    ]);
  });
});
