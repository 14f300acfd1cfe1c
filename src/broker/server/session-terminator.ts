/**
 * Ends the SSH sessions a revoked certificate already opened. A KRL only stops NEW logins: sshd
 * checks it at authentication, so a session that started before the revocation would otherwise
 * live on. The reference broker calls this after the KRL naming the grant's serial is written;
 * a failure is logged and never undoes the revocation (the certificate is already refused).
 */
export interface SessionTerminator {
  /**
   * Terminates every live session authenticated with the grant's certificate (key id = grant id,
   * serial = the certificate serial, decimal). Resolves to how many sessions were ended (0 when
   * none were open); rejects only when it could not look or could not end them.
   */
  terminate(grant: { id: string; serial: string }): Promise<number>;
}
