/**
 * What the login area's routes work with, handed in by the composition root (src/app/).
 */
import type { AuthServices } from '../../hub/auth/auth-services.js';
import type { HubUrls } from '../../hub/urls.js';
import type { UserService } from '../../hub/users/user-service.js';

export interface LoginDeps {
  auth: AuthServices;
  /** Who is allowed in, and recording a login as activity. */
  users: UserService;
  urls: HubUrls;
}
