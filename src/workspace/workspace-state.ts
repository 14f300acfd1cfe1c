/**
 * What the local workspace shows: the messages of each conversation, the ephemeral messages of
 * each person, the modals they have open and their App Home. The local Web API writes it; the
 * page reads it. Every change is announced to `onChange` (the page's event stream).
 */

/** The bot's own user id in the local workspace. */
export const BOT_USER_ID = 'U0JUMPGATE';

export interface LocalMessage {
  readonly ts: string;
  /** C… for a channel, D… for a person's DM with the bot. */
  readonly channel: string;
  /** Who posted it: the bot, or a person (the echo of what they typed). */
  readonly user: string;
  text: string;
  blocks: readonly unknown[];
  /** A reply in the thread of this message. */
  readonly threadTs?: string;
  /** Seen only by this person, as Slack's ephemeral messages. */
  readonly ephemeralFor?: string;
  edited: boolean;
}

export interface LocalView {
  readonly id: string;
  view: Record<string, unknown>;
  /** block_id → the message Bolt's `response_action: errors` gave for it. */
  errors: Record<string, string>;
}

export type Change =
  | { readonly kind: 'message'; readonly channel: string }
  | { readonly kind: 'modal' | 'home'; readonly user: string }
  | { readonly kind: 'incidents' };

/** Who a response_url answers and where (the command's channel; the message a button was on). */
export interface ResponseTarget {
  readonly user: string;
  readonly channel: string;
  readonly originalTs?: string;
}

/** The conversation of a person's DM with the bot. */
export function dmOf(userId: string): string {
  return `D${userId.slice(1)}`;
}

export class WorkspaceState {
  private readonly messages: LocalMessage[] = [];
  private readonly modals = new Map<string, LocalView[]>();
  private readonly homes = new Map<string, LocalView>();
  private readonly triggers = new Map<string, string>();
  private readonly responses = new Map<string, ResponseTarget>();
  private readonly listeners = new Set<(change: Change) => void>();
  private counter = 0;
  // Slack's ts: seconds and microseconds, unique and increasing.
  private lastMicros = 0;

  constructor(private readonly now: () => number = Date.now) {}

  onChange(listener: (change: Change) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(change: Change): void {
    for (const listener of this.listeners) listener(change);
  }

  nextTs(): string {
    this.lastMicros = Math.max(this.lastMicros + 1, this.now() * 1000);
    return `${Math.floor(this.lastMicros / 1e6)}.${String(this.lastMicros % 1e6).padStart(6, '0')}`;
  }

  nextId(prefix: string): string {
    this.counter += 1;
    return `${prefix}${this.counter.toString(36).toUpperCase().padStart(6, '0')}`;
  }

  post(message: Omit<LocalMessage, 'ts' | 'edited'>): LocalMessage {
    const posted: LocalMessage = { ...message, ts: this.nextTs(), edited: false };
    this.messages.push(posted);
    this.emit({ kind: 'message', channel: posted.channel });
    return posted;
  }

  find(channel: string, ts: string): LocalMessage | undefined {
    return this.messages.find((m) => m.channel === channel && m.ts === ts);
  }

  update(message: LocalMessage, content: { text: string; blocks: readonly unknown[] }): void {
    message.text = content.text;
    message.blocks = content.blocks;
    message.edited = true;
    this.emit({ kind: 'message', channel: message.channel });
  }

  remove(message: LocalMessage): void {
    const index = this.messages.indexOf(message);
    if (index >= 0) this.messages.splice(index, 1);
    this.emit({ kind: 'message', channel: message.channel });
  }

  /** The messages of a conversation that `viewer` sees, oldest first. */
  conversation(channel: string, viewer: string): readonly LocalMessage[] {
    return this.messages.filter(
      (m) => m.channel === channel && (m.ephemeralFor === undefined || m.ephemeralFor === viewer),
    );
  }

  /** How many messages of each conversation `viewer` sees (the page marks what is new). */
  counts(viewer: string): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const m of this.messages)
      if (m.ephemeralFor === undefined || m.ephemeralFor === viewer) counts[m.channel] = (counts[m.channel] ?? 0) + 1;
    return counts;
  }

  trigger(userId: string): string {
    const id = `${Math.floor(this.now() / 1000)}.${this.nextId('')}.local`;
    this.triggers.set(id, userId);
    return id;
  }

  /** The person a trigger_id was made for; a trigger is used once, as Slack's are. */
  takeTrigger(triggerId: string): string | undefined {
    const user = this.triggers.get(triggerId);
    this.triggers.delete(triggerId);
    return user;
  }

  responseId(target: ResponseTarget): string {
    const id = this.nextId('r');
    this.responses.set(id, target);
    return id;
  }

  responseTarget(id: string): ResponseTarget | undefined {
    return this.responses.get(id);
  }

  openModal(userId: string, view: Record<string, unknown>): LocalView {
    const opened: LocalView = { id: this.nextId('V'), view, errors: {} };
    this.modals.set(userId, [...(this.modals.get(userId) ?? []), opened]);
    this.emit({ kind: 'modal', user: userId });
    return opened;
  }

  /** The modal on top for `userId`, if one is open. */
  modal(userId: string): LocalView | undefined {
    return this.modals.get(userId)?.at(-1);
  }

  /** A modal or Home view by its id, with its owner. */
  viewById(viewId: string): { user: string; view: LocalView } | undefined {
    for (const [user, stack] of this.modals) {
      const view = stack.find((v) => v.id === viewId);
      if (view) return { user, view };
    }
    for (const [user, view] of this.homes) if (view.id === viewId) return { user, view };
    return undefined;
  }

  replaceView(viewId: string, view: Record<string, unknown>): LocalView | undefined {
    const found = this.viewById(viewId);
    if (!found) return undefined;
    found.view.view = view;
    found.view.errors = {};
    this.emit({ kind: this.homes.get(found.user) === found.view ? 'home' : 'modal', user: found.user });
    return found.view;
  }

  setModalErrors(userId: string, errors: Record<string, string>): void {
    const top = this.modal(userId);
    if (!top) return;
    top.errors = errors;
    this.emit({ kind: 'modal', user: userId });
  }

  closeModal(userId: string): void {
    const stack = this.modals.get(userId) ?? [];
    stack.pop();
    this.emit({ kind: 'modal', user: userId });
  }

  publishHome(userId: string, view: Record<string, unknown>): LocalView {
    const existing = this.homes.get(userId);
    const home: LocalView = { id: existing?.id ?? this.nextId('V'), view, errors: {} };
    this.homes.set(userId, home);
    this.emit({ kind: 'home', user: userId });
    return home;
  }

  home(userId: string): LocalView | undefined {
    return this.homes.get(userId);
  }
}
