/** A Slack principal in an allow-list: a user (`U…`/`W…`) or a user group (`S…`). */
export interface PrincipalList {
  users: ReadonlySet<string>;
  groups: ReadonlySet<string>;
}
