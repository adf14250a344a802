import type { CustomRoute } from '@slack/bolt';
import { REQUESTS_PATH } from './alert-endpoint.js';

/** The alert API as routes on the app's HTTP port (HTTP mode, and Socket Mode's HTTP server). */
export function alertRoutes(handlers: {
  create: CustomRoute['handler'];
  status: CustomRoute['handler'];
}): CustomRoute[] {
  return [
    { path: REQUESTS_PATH, method: ['POST'], handler: handlers.create },
    { path: `${REQUESTS_PATH}/:id`, method: ['GET'], handler: handlers.status },
  ];
}
