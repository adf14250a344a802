import { createPrivateKey } from 'node:crypto';
import { z } from 'zod';
import { readNamedFile } from '../../util/read-file.js';

/** What the app takes from a service account's JSON key file (nothing else of it is kept). */
export interface ServiceAccountKey {
  /** The service account's email: the assertion's `iss`. */
  clientEmail: string;
  /** The PKCS#8 PEM private key: a secret, never logged, redacted everywhere. */
  privateKey: string;
  /** The key's id, sent as the JWT header's `kid` when present. */
  privateKeyId?: string | undefined;
  /** The token endpoint the key file names, when it names one. */
  tokenUri?: string | undefined;
}

const keyFile = z.object({
  type: z.literal('service_account'),
  client_email: z.string().min(3).includes('@'),
  private_key: z.string().includes('-----BEGIN PRIVATE KEY-----'),
  private_key_id: z.string().optional(),
  token_uri: z.url({ protocol: /^https?$/ }).optional(),
});

const VAR = 'GOOGLE_SERVICE_ACCOUNT_KEY_FILE';

/**
 * Reads and checks the key file. Every problem is a sentence naming the variable; none quotes the
 * file's content (it holds the private key), so JSON parse errors are not passed on either.
 */
export function readServiceAccountKey(
  path: string,
  read?: (path: string) => string,
): { key: ServiceAccountKey } | { problem: string } {
  const file = readNamedFile(path, VAR, "the path of the service account's JSON key file", read);
  if ('problem' in file) return file;
  const { text } = file;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return {
      problem: `${VAR} is not valid JSON: it must be the JSON key file downloaded for the service account (Google Cloud console → IAM → Service accounts → Keys)`,
    };
  }
  const parsed = keyFile.safeParse(json);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => String(i.path[0] ?? 'the file')))];
    return {
      problem: `${VAR} is not a service account key file (missing or invalid: ${fields.join(', ')}): it must be the JSON key of a service account, with type "service_account", client_email and private_key`,
    };
  }
  try {
    createPrivateKey({ key: parsed.data.private_key, format: 'pem' });
  } catch {
    return { problem: `${VAR}: its private_key is not a readable PEM private key` };
  }
  return {
    key: {
      clientEmail: parsed.data.client_email,
      privateKey: parsed.data.private_key,
      privateKeyId: parsed.data.private_key_id,
      tokenUri: parsed.data.token_uri,
    },
  };
}
