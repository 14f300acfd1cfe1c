import type { AccessService } from '../service/access-service.js';
import type { LifecycleService } from '../service/lifecycle-service.js';

/** What the Slack layer calls: the use cases, nothing else of the service. */
export type SlackUseCases = Pick<
  AccessService,
  | 'registerKey'
  | 'requestAccess'
  | 'approveRequest'
  | 'denyRequest'
  | 'cancelRequest'
  | 'retryGrant'
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
> &
  Pick<LifecycleService, 'offboardPerson'>;
