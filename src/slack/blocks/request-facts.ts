import type { AccessRequest } from '../../domain/access-request.js';
import type { RequestKind } from '../../domain/request-kind.js';
import { grantPrincipals } from '../../domain/vendor-session.js';
import type { RequestView } from '../../service/support/request-view.js';
import { escapeMrkdwn } from '../mrkdwn.js';

/*
 * Facts about a request that several messages show the same way. Every string returned here
 * is mrkdwn, escaped where it carries configured or typed text.
 */

const KIND_TITLE: Readonly<Record<RequestKind, string>> = {
  standard: 'Access request',
  breakglass: 'Breakglass access',
  vendor: 'Vendor session request',
};

/** The header of a request's messages: what kind of access is asked for. */
export function kindTitle(kind: RequestKind): string {
  return KIND_TITLE[kind];
}

/**
 * The hosts the grant covers: those fixed at approval once there is a grant, the target's
 * until then (the workflow may change in between; the grant is what counts).
 */
export function hostsOf(view: RequestView): readonly string[] {
  return view.request.grant?.hosts ?? view.target.hosts;
}

/** The certificate principals: the issued (or planned) ones, else what policy will give. */
export function principalsOf(view: RequestView): readonly string[] {
  const { request, workflow, target } = view;
  if (request.grant) return request.grant.principals;
  return grantPrincipals(workflow, target, request.kind);
}

/** `a, b, c` with each entry escaped; `—` for none. */
export function escapedList(items: readonly string[]): string {
  return items.length === 0 ? '—' : items.map(escapeMrkdwn).join(', ');
}

/** `name <email>` of a vendor session's vendor, escaped. */
export function vendorLabel(vendor: NonNullable<AccessRequest['vendor']>): string {
  return escapeMrkdwn(vendor.name ? `${vendor.name} <${vendor.email}>` : vendor.email);
}
