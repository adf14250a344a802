import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createRemoteJWKSet,
  decodeJwt,
  type JWTPayload,
  jwtVerify,
  type ProtectedHeaderParameters,
} from 'jose';

/** One push as the receiver got it. */
export interface Pushed {
  contentType: string | undefined;
  authorization: string | undefined;
  set: string;
  /** The `jti`, read before anything is verified (so a push that is killed still counts as attempted). */
  jti: string | undefined;
}

/** What the receiver answers a push: a status and a JSON body; `kill` drops it unanswered. */
export type PushAnswer = { status: number; body?: unknown } | 'hang';

/**
 * A fake SSF push receiver (RFC 8935): records every push, answers 202 unless told otherwise, and
 * verifies SETs with `jose` against the transmitter's published JWKS, as a real receiver would.
 */
export class FakeSsfReceiver {
  readonly pushes: Pushed[] = [];
  url = '';
  /** Decides the answer to each push (default 202). Called before the push is recorded as accepted. */
  answer: (p: Pushed, n: number) => Promise<PushAnswer> | PushAnswer = () => ({ status: 202 });
  /** The pushes answered 202, in order. */
  readonly accepted: Pushed[] = [];
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(async (pushed) => {
        const answer = await this.answer(pushed, this.pushes.length);
        if (answer === 'hang') return; // never answered: the sender times out (or is killed meanwhile)
        if (answer.status === 202) this.accepted.push(pushed);
        res.writeHead(answer.status, answer.body ? { 'content-type': 'application/json' } : {});
        res.end(answer.body ? JSON.stringify(answer.body) : undefined);
      });
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  private async handle(req: IncomingMessage): Promise<Pushed> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const set = Buffer.concat(chunks).toString('utf8');
    let jti: string | undefined;
    try {
      jti = decodeJwt(set).jti;
    } catch {
      jti = undefined;
    }
    const pushed = {
      contentType: req.headers['content-type'],
      authorization: req.headers.authorization,
      set,
      jti,
    };
    this.pushes.push(pushed);
    return pushed;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()));
  }
}

/** Verifies a SET as a receiver does: signature against the JWKS, `typ`, `iss`, `aud`. */
export async function verifySet(
  set: string,
  jwksUri: string,
  issuer: string,
  audience: string,
): Promise<{ payload: JWTPayload; protectedHeader: ProtectedHeaderParameters }> {
  return jwtVerify(set, createRemoteJWKSet(new URL(jwksUri)), { issuer, audience, typ: 'secevent+jwt' });
}
