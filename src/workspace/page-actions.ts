import type { DemoDirectory } from './demo-directory.js';
import { LOCAL_APP_ID, LOCAL_TEAM, type SlackRequester } from './slack-requests.js';
import { dmOf, type WorkspaceState } from './workspace-state.js';

/** What a person does on the page, turned into what Slack would send the bot. */
export interface PageActions {
  command(user: string, channel: string, text: string): Promise<void>;
  click(input: ClickInput): Promise<void>;
  submit(user: string, viewId: string, values: readonly FieldValue[]): Promise<void>;
  close(user: string): void;
  openHome(user: string): Promise<void>;
}

export interface ClickInput {
  readonly user: string;
  readonly actionId: string;
  readonly blockId: string;
  readonly value: string;
  /** A button on a message… */
  readonly channel?: string;
  readonly ts?: string;
  /** …or in a modal or App Home. */
  readonly viewId?: string;
}

export interface FieldValue {
  readonly blockId: string;
  readonly actionId: string;
  readonly type: string;
  readonly value?: string;
  readonly values?: readonly string[];
}

export function createPageActions(deps: {
  state: WorkspaceState;
  directory: DemoDirectory;
  slack: SlackRequester;
  /** The response_url of an id, on the local Web API. */
  responseUrl: (id: string) => string;
}): PageActions {
  const { state, slack } = deps;
  const person = (id: string) => {
    const found = deps.directory.people.find((p) => p.id === id);
    if (!found) throw new Error(`no person ${id} in the demo directory`);
    return {
      id,
      username: found.email.split('@')[0] ?? id,
      name: found.email.split('@')[0] ?? id,
      team_id: LOCAL_TEAM.id,
    };
  };
  const common = () => ({ api_app_id: LOCAL_APP_ID, token: 'local', team: LOCAL_TEAM, is_enterprise_install: false });
  const expectOk = (what: string, status: number) => {
    if (status !== 200) throw new Error(`the bot answered ${status} to ${what}`);
  };

  return {
    async command(user, channel, text) {
      const who = person(user);
      // Slack sends what a person typed with `&`, `<` and `>` as entities; so does the page.
      const typed = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
      state.post({ channel, user, ephemeralFor: user, text: `/jump ${typed}`, blocks: [] });
      const answer = await slack.command({
        user,
        userName: who.username,
        channel,
        text: typed,
        responseUrl: deps.responseUrl(state.responseId({ user, channel })),
        triggerId: state.trigger(user),
      });
      expectOk('the slash command', answer.status);
    },

    async click(input) {
      const user = person(input.user);
      const action = {
        type: 'button',
        action_id: input.actionId,
        block_id: input.blockId,
        text: { type: 'plain_text', text: input.actionId, emoji: true },
        value: input.value,
        action_ts: `${Math.floor(Date.now() / 1000)}.000001`,
      };
      let where: Record<string, unknown>;
      if (input.viewId) {
        const found = state.viewById(input.viewId);
        if (!found) throw new Error('that view is closed');
        where = {
          container: { type: 'view', view_id: found.view.id },
          view: { ...found.view.view, id: found.view.id, state: { values: {} } },
        };
      } else {
        const channel = input.channel ?? '';
        const message = state.find(channel, input.ts ?? '');
        if (!message) throw new Error('that message is gone');
        where = {
          container: {
            type: 'message',
            message_ts: message.ts,
            channel_id: channel,
            is_ephemeral: message.ephemeralFor !== undefined,
          },
          channel: { id: channel, name: channel },
          message: { type: 'message', user: message.user, ts: message.ts, text: message.text, blocks: message.blocks },
          response_url: deps.responseUrl(state.responseId({ user: input.user, channel, originalTs: message.ts })),
        };
      }
      const answer = await slack.interaction({
        type: 'block_actions',
        user,
        ...common(),
        trigger_id: state.trigger(input.user),
        state: { values: {} },
        actions: [action],
        ...where,
      });
      expectOk('the click', answer.status);
    },

    async submit(user, viewId, values) {
      const modal = state.modal(user);
      if (!modal || modal.id !== viewId) throw new Error('that modal is closed');
      const answer = await slack.interaction({
        type: 'view_submission',
        user: person(user),
        ...common(),
        trigger_id: state.trigger(user),
        response_urls: [],
        view: {
          ...modal.view,
          id: modal.id,
          team_id: LOCAL_TEAM.id,
          private_metadata: modal.view.private_metadata ?? '',
          callback_id: modal.view.callback_id ?? '',
          state: { values: stateValues(modal.view, values) },
          hash: state.nextTs(),
          root_view_id: modal.id,
          app_id: LOCAL_APP_ID,
          bot_id: 'B0JUMPGATE',
        },
      });
      expectOk('the form', answer.status);
      const ack = parseAck(answer.body);
      if (ack.response_action === 'errors' && typeof ack.errors === 'object' && ack.errors !== null) {
        state.setModalErrors(user, ack.errors as Record<string, string>);
      } else if (ack.response_action === 'update' && typeof ack.view === 'object' && ack.view !== null) {
        state.replaceView(modal.id, ack.view as Record<string, unknown>);
      } else if (ack.response_action === 'push' && typeof ack.view === 'object' && ack.view !== null) {
        state.openModal(user, ack.view as Record<string, unknown>);
      } else {
        state.closeModal(user);
      }
    },

    close(user) {
      state.closeModal(user);
    },

    async openHome(user) {
      const answer = await slack.event({
        type: 'app_home_opened',
        user,
        channel: dmOf(user),
        tab: 'home',
        event_ts: `${Math.floor(Date.now() / 1000)}.000100`,
        ...(state.home(user) ? { view: { id: state.home(user)?.id } } : {}),
      });
      expectOk('app_home_opened', answer.status);
    },
  };
}

/** `view.state.values` as Slack builds it, from what the page's fields hold. */
function stateValues(
  view: Record<string, unknown>,
  fields: readonly FieldValue[],
): Record<string, Record<string, unknown>> {
  const blocks = Array.isArray(view.blocks) ? (view.blocks as Record<string, unknown>[]) : [];
  const options = (blockId: string): { value?: unknown }[] => {
    const block = blocks.find((b) => b.block_id === blockId);
    const element = (block?.element ?? {}) as { options?: { value?: unknown }[] };
    return element.options ?? [];
  };
  const values: Record<string, Record<string, unknown>> = {};
  for (const field of fields) {
    const of = options(field.blockId);
    let value: Record<string, unknown>;
    if (field.type === 'static_select') {
      value = { type: field.type, selected_option: of.find((o) => field.value && o.value === field.value) ?? null };
    } else if (field.type === 'checkboxes') {
      value = { type: field.type, selected_options: of.filter((o) => field.values?.includes(String(o.value))) };
    } else {
      value = { type: field.type, value: field.value === '' || field.value === undefined ? null : field.value };
    }
    values[field.blockId] = { ...values[field.blockId], [field.actionId]: value };
  }
  return values;
}

function parseAck(body: string): Record<string, unknown> {
  if (body.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
