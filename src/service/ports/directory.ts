/** Who people are (Slack users and user groups in production). */
export interface DirectoryUser {
  readonly id: string;
  /** Display name for messages. */
  readonly name: string;
  readonly email?: string;
  readonly deleted: boolean;
  readonly isBot: boolean;
}

export interface Directory {
  /** Members of a Slack user group (cached briefly by the implementation). */
  membersOf(groupId: string): Promise<readonly string[]>;
  /** A Slack user, or undefined when there is no such user. */
  user(userId: string): Promise<DirectoryUser | undefined>;
}
