import type { AccessRequest, GrantRecord } from '../../domain/access-request.js';
import { grantSourceAddress } from '../../domain/vendor-session.js';
import type { Policy } from '../../domain/workflow.js';
import type { ServiceDeps } from '../deps.js';
import type { GrantRequest } from '../ports/broker.js';
import { viewOf } from './request-view.js';

/**
 * What the broker is asked for: `planned` (the grant fixed at approval, or an extension's new
 * window, each under its own derived id) for the requester's (or vendor's) key. The same
 * request and window always make the same body, so a retried call is the same call.
 */
export async function brokerGrantRequest(
  deps: Pick<ServiceDeps, 'directory'>,
  request: AccessRequest,
  planned: GrantRecord,
  policy: Policy,
): Promise<GrantRequest> {
  const { target, workflow } = viewOf(policy, request);
  const sourceAddress = grantSourceAddress(workflow, target, request.kind);
  const user = await deps.directory.user(request.requester).catch(() => undefined);
  return {
    id: planned.id,
    requestId: request.id,
    kind: request.kind,
    subject: request.vendor
      ? {
          type: 'vendor',
          email: request.vendor.email,
          name: request.vendor.name,
          sponsor: request.requester,
          sshPublicKey: request.sshPublicKey,
        }
      : {
          type: 'user',
          id: request.requester,
          email: user?.email,
          name: user?.name,
          sshPublicKey: request.sshPublicKey,
        },
    target: {
      name: target.name,
      hosts: planned.hosts,
      principals: planned.principals,
      ...(sourceAddress ? { sourceAddress } : {}),
    },
    notAfter: new Date(planned.notAfter).toISOString(),
    reason: request.reason,
    ...(request.kind === 'vendor' ? { options: { allowPty: workflow.vendor?.allowPty ?? false } } : {}),
  };
}
