/**
 * What the REST API's routes work with, handed in by the composition root (src/app/).
 */
import type { CoursehubConfig } from '../../config/schema.js';
import type { ServerActivity } from '../servers/activity.js';
import type { TokenService } from '../tokens/index.js';
import type { HubUrls } from '../urls.js';
import type { UserRemoval } from '../users/user-removal.js';
import type { UserService } from '../users/user-service.js';
import type { CourseApiDeps } from './courses.js';
import type { ServiceApiDeps } from './services.js';
import type { ServerFieldsProvider } from './user-model.js';

export interface ApiDeps extends CourseApiDeps, ServiceApiDeps {
  /** For /hub/api/info (which authenticator and spawner run). */
  config: CoursehubConfig;
  users: UserService;
  tokens: TokenService;
  /** The one way to delete a user (server, tokens, sessions, proxy, row). */
  userRemoval: UserRemoval;
  serverFields: ServerFieldsProvider;
  /** Where POST /users/NAME/activity records what it is told. */
  activity: ServerActivity;
  /**
   * Tells the proxy to drop what it cached of a user's logins, so a revoked token stops opening
   * their server now rather than when the cache expires.
   */
  forgetCachedLogins: (userName: string) => Promise<unknown>;
  urls: HubUrls;
}
