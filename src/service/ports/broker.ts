/**
 * The access broker, as the use cases see it (docs/contracts/broker-api.md). Implemented over
 * jose-signed HTTP by src/broker/client.ts; the reference broker is src/broker/server/.
 */
export type GrantKind = 'standard' | 'breakglass' | 'vendor';

export interface GrantSubject {
  readonly type: 'user' | 'vendor';
  /** Slack user ID of the person (type user). */
  readonly id?: string;
  readonly email?: string;
  readonly name?: string;
  /** Slack user ID of the internal sponsor (type vendor). */
  readonly sponsor?: string;
  /** OpenSSH public key line, e.g. `ssh-ed25519 AAAA… comment`. */
  readonly sshPublicKey: string;
}

export interface GrantTarget {
  readonly name: string;
  readonly hosts: readonly string[];
  readonly principals: readonly string[];
  /** CIDRs; when set the certificate carries `source-address`. */
  readonly sourceAddress?: readonly string[];
}

export interface GrantRequest {
  /** The grant id; the same id again returns the same grant (idempotent). */
  readonly id: string;
  readonly requestId: string;
  readonly kind: GrantKind;
  readonly subject: GrantSubject;
  readonly target: GrantTarget;
  /** End of the grant window, ISO 8601 UTC. The certificate expires exactly then. */
  readonly notAfter: string;
  readonly reason: string;
  /** Vendor sessions get no PTY unless this is true (never port/agent/X11 forwarding). */
  readonly options?: { readonly allowPty?: boolean };
}

export interface SshCertificateCredential {
  readonly type: 'ssh-certificate';
  /** The OpenSSH certificate line (`ssh-ed25519-cert-v01@openssh.com AAAA…`). */
  readonly certificate: string;
  /** Certificate serial, decimal. */
  readonly serial: string;
  readonly principals: readonly string[];
}

export interface IssuedGrant {
  readonly id: string;
  readonly status: 'active' | 'revoked' | 'expired';
  readonly notBefore?: string;
  readonly notAfter: string;
  readonly credential: SshCertificateCredential;
}

export interface RevokedGrant {
  readonly id: string;
  readonly status: 'revoked';
  readonly revokedAt: string;
}

export interface ActiveGrantSummary {
  readonly id: string;
  readonly requestId: string;
  readonly notAfter: string;
  readonly serial: string;
}

export interface Broker {
  /**
   * Issues (or returns the already issued) grant. Throws JumpgateError `broker_rejected` on a
   * 4xx (with the broker's code and message in details), `broker_unavailable` after retries.
   */
  grant(request: GrantRequest): Promise<IssuedGrant>;
  /** Revokes a grant; revoking twice returns the same answer. `not_found` when unknown. */
  revoke(grantId: string): Promise<RevokedGrant>;
  /** Grants the broker holds as active, for reconciliation. */
  listActive(): Promise<readonly ActiveGrantSummary[]>;
}
