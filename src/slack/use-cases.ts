import type { AccessService } from '../service/access-service.js';

/** What the Slack layer calls: the use cases, nothing else of the service. */
export type SlackUseCases = Pick<
  AccessService,
  | 'registerKey'
  | 'requestAccess'
  | 'approveRequest'
  | 'denyRequest'
  | 'cancelRequest'
  | 'revokeGrant'
  | 'extendGrant'
  | 'approveExtension'
  | 'denyExtension'
  | 'listMine'
  | 'listTargets'
  | 'checkBreakglass'
  | 'breakglass'
  | 'reviewBreakglass'
  | 'checkVendorSession'
  | 'checkVendorDetails'
  | 'requestVendorSession'
>;
