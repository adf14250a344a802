import type { ClientDeps } from '../http.js';
import { OAuthClient } from '../oauth-client.js';
import { BOX_QUIRKS } from './quirks.js';
import type { BoxConfig } from './settings.js';

export type BoxDeps = ClientDeps;

/**
 * Box API access with a Client Credentials Grant token for the enterprise service account
 * (https://developer.box.com/guides/authentication/client-credentials/ — POST /oauth2/token).
 */
export class BoxClient extends OAuthClient {
  constructor(config: BoxConfig, deps: BoxDeps) {
    super(
      {
        system: 'box',
        quirks: BOX_QUIRKS,
        secrets: [config.clientSecret],
        tokenUrl: config.tokenUrl,
        apiUrl: config.apiUrl,
        form: () => ({
          grant_type: 'client_credentials',
          client_id: config.clientId,
          client_secret: config.clientSecret,
          box_subject_type: 'enterprise',
          box_subject_id: config.enterpriseId,
        }),
      },
      deps,
    );
  }
}
