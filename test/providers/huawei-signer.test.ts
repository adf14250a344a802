import { readFileSync } from 'node:fs';
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials.js';
import type { AxiosAdapter } from 'axios';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { VendorHttp } from '../../src/providers/http.js';
import { HUAWEI_QUIRKS } from '../../src/providers/huawei-cloud/quirks.js';
import {
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  signature,
  signRequest,
  stringToSign,
  verifySignature,
} from '../../src/providers/huawei-cloud/signer.js';

interface Vector {
  ak: string;
  sk: string;
  request?: string;
  canonical_request?: string;
  string_to_sign?: string;
  signature?: string;
  authorization: string;
}
const vectors = JSON.parse(
  readFileSync(new URL('../contracts/huawei/huawei_aksk_signing.json', import.meta.url), 'utf8'),
) as { test_vectors: Vector[] };
const vector = (i: number): Vector => {
  const v = vectors.test_vectors[i];
  if (!v) throw new Error(`vector ${i} missing`);
  return v;
};
const authHeader = (ak: string, signed: string[], sig: string) =>
  `SDK-HMAC-SHA256 Access=${ak}, SignedHeaders=${signed.join(';')}, Signature=${sig}`;

describe('Huawei AK/SK signer: the published vectors', () => {
  it('Go SDK test1 (GET, only x-sdk-date signed): canonical request, string to sign, Authorization', () => {
    const v = vector(0);
    const url = new URL('https://example.huaweicloud.com/path?limit=1');
    const canonical = canonicalRequest(
      { method: 'GET', url, body: '' },
      { 'x-sdk-date': '20060102T150405Z' },
      ['x-sdk-date'],
    );
    expect(canonical).toBe(v.canonical_request);
    const toSign = stringToSign('20060102T150405Z', canonical);
    expect(toSign).toBe(v.string_to_sign);
    expect(authHeader(v.ak, ['x-sdk-date'], signature(v.sk, toSign))).toBe(v.authorization);
    const headers = { authorization: v.authorization, 'x-sdk-date': '20060102T150405Z' };
    expect(verifySignature({ method: 'GET', url, headers, body: '' }, () => v.sk).ok).toBe(true);
  });

  it('Go SDK test2 (POST, JSON body with the encoder’s trailing newline)', () => {
    const v = vector(1);
    const req = {
      method: 'POST',
      url: new URL('https://example.huaweicloud.com/path?key=value'),
      body: '{"Name":"test","Id":1}\n',
    };
    const toSign = stringToSign(
      '20060102T150405Z',
      canonicalRequest(req, { 'x-sdk-date': '20060102T150405Z' }, ['x-sdk-date']),
    );
    expect(authHeader(v.ak, ['x-sdk-date'], signature(v.sk, toSign))).toBe(v.authorization);
  });

  it('the signing guide’s string-to-sign → signature step', () => {
    const v = vector(2);
    expect(signature(v.sk, v.string_to_sign ?? '')).toBe(v.signature);
    expect(v.authorization).toContain(`Signature=${v.signature}`);
  });

  it('canonical URI always ends in "/" and query keys are sorted and RFC 3986 encoded', () => {
    expect(canonicalUri('/v1/identity-stores/d-1/users')).toBe('/v1/identity-stores/d-1/users/');
    expect(canonicalUri('/v1/identity-stores/d-1/users/')).toBe('/v1/identity-stores/d-1/users/');
    // Decoded then encoded, as the Go and Python signers (and the gateway) do.
    expect(canonicalUri('/v1/a%20b/c~d')).toBe('/v1/a%20b/c~d/');
    const q = new URLSearchParams();
    for (const [k, v] of [
      ['marker', 'a b+c/~*'],
      ['limit', '100'],
      ['tag', 'b'],
      ['tag', 'a'],
    ])
      q.append(k ?? '', v ?? '');
    expect(canonicalQuery(q)).toBe('limit=100&marker=a%20b%2Bc%2F~%2A&tag=a&tag=b');
  });
});

describe('Huawei AK/SK signer: byte for byte against the official Node.js SDK', () => {
  const AK = 'HPUAXXXXXXXXXXXXXXXX';
  const SK = 'secret-key-0123456789';
  const NOW = Date.parse('2026-11-22T10:20:30.456Z');
  afterEach(() => {
    vi.useRealTimers();
  });

  type Case = {
    name: string;
    method: 'GET' | 'POST';
    origin: string;
    path: string;
    query?: Record<string, string | number | string[]>;
    json?: unknown;
  };
  const store = '/v1/identity-stores/d-0123456789';
  const cases: Case[] = [
    {
      name: 'GET users with limit and a marker full of specials',
      method: 'GET',
      origin: 'https://identitystore.ap-southeast-1.myhuaweicloud.com',
      path: `${store}/users`,
      query: { limit: 100, marker: 'ab+c/d~e f=&g*h(i)!ü', user_name: 'Jürgen Ö' },
    },
    {
      name: 'GET with a repeated query key',
      method: 'GET',
      origin: 'https://identitystore.cn-north-4.myhuaweicloud.com',
      path: `${store}/users`,
      query: { tag: ['z', 'a', 'M'], limit: 1 },
    },
    {
      name: 'GET sessions without a trailing slash',
      method: 'GET',
      origin: 'https://identitystore.ap-southeast-1.myhuaweicloud.com',
      path: `${store}/users/u-1/sessions`,
    },
    {
      name: 'GET sessions with a trailing slash',
      method: 'GET',
      origin: 'https://identitystore.ap-southeast-1.myhuaweicloud.com',
      path: `${store}/users/u-1/sessions/`,
    },
    {
      name: 'GET on a non-default port (a local fake)',
      method: 'GET',
      origin: 'http://127.0.0.1:8443',
      path: `${store}/users/u-1/sessions`,
    },
    {
      name: 'POST batch-delete with a JSON body',
      method: 'POST',
      origin: 'https://identitystore.ap-southeast-1.myhuaweicloud.com',
      path: `${store}/users/u-1/sessions/batch-delete`,
      json: { session_ids: ['ea70c04b-d510-41c7-b0d1-51d56d1ab7d9', 'b-2', 'Ünïcode ✓'] },
    },
  ];

  /** What the official SDK sends: BasicCredentials.processAuthRequest (adds X-Security-Token, then AKSKSigner.sign). */
  async function official(
    c: Case,
    headers: Record<string, string>,
    token?: string,
  ): Promise<Record<string, string>> {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
    const creds = new BasicCredentials().withAk(AK).withSk(SK);
    if (token) creds.withSecurityToken(token);
    const req = {
      endpoint: c.origin,
      url: c.path,
      method: c.method,
      headers: { ...headers },
      queryParams: c.query ?? {},
      data: c.json,
    };
    const out = (await creds.processAuthRequest(undefined as never, req as never)) as {
      headers: Record<string, string>;
    };
    vi.useRealTimers();
    return out.headers;
  }

  /** What we send: VendorHttp builds the wire request and calls our signer in `authorize`. */
  async function ours(
    c: Case,
    token?: string,
  ): Promise<{ sent: Record<string, string>; given: Record<string, string> }> {
    let sent: Record<string, string> = {};
    let given: Record<string, string> = {};
    const adapter: AxiosAdapter = async (config) => {
      sent = Object.fromEntries(Object.entries(config.headers.toJSON()).map(([k, v]) => [k, String(v)]));
      return { data: '{}', status: 200, statusText: 'OK', headers: {}, config };
    };
    const http = new VendorHttp({
      system: 'huawei',
      baseUrl: c.origin,
      logger: console,
      secrets: [SK],
      quirks: HUAWEI_QUIRKS,
      adapter,
      authorize: (request) => {
        given = { ...request.headers };
        return signRequest(request, { accessKey: AK, secretKey: SK, securityToken: token }, () => NOW);
      },
    });
    const query: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(c.query ?? {})) if (!Array.isArray(v)) query[k] = v;
    await http.request({
      operation: 't',
      method: c.method,
      path: c.path,
      query,
      json: c.json,
      idempotent: true,
      schema: z.unknown(),
    });
    return { sent, given };
  }

  for (const token of [undefined, 'temporary-security-token-value/with+specials==']) {
    for (const c of cases) {
      it(`${c.name}${token ? ', with a security token' : ''}`, async () => {
        const url = new URL(c.origin + c.path);
        for (const [k, v] of Object.entries(c.query ?? {}))
          for (const one of Array.isArray(v) ? v : [v]) url.searchParams.append(k, String(one));
        const headers: Record<string, string> = {
          accept: 'application/json',
          ...(c.json ? { 'content-type': 'application/json' } : {}),
        };
        const mine = signRequest(
          { method: c.method, url, headers, body: c.json ? JSON.stringify(c.json) : '' },
          { accessKey: AK, secretKey: SK, securityToken: token },
          () => NOW,
        );
        const theirs = await official(c, headers, token);
        expect(mine.Authorization).toBe(theirs.Authorization);
        expect(mine).toEqual({
          'X-Sdk-Date': theirs['X-Sdk-Date'],
          host: theirs.host,
          ...(token ? { 'X-Security-Token': theirs['X-Security-Token'] } : {}),
          Authorization: theirs.Authorization,
        });
        expect(mine['X-Sdk-Date']).toBe('20261122T102030Z');
        expect(theirs.Authorization).toContain(token ? 'x-sdk-date;x-security-token,' : 'x-sdk-date,');
        if (Object.values(c.query ?? {}).some(Array.isArray)) return;
        // And through the real HTTP layer: the headers it sends carry the SDK's Authorization.
        const wire = await ours(c, token);
        expect(wire.given).toEqual(headers);
        expect(wire.sent.Authorization).toBe(theirs.Authorization);
        expect(wire.sent.host).toBe(url.host);
      });
    }
  }

  it('the SDK’s low-level AKSKSigner.sign agrees with us too', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
    const theirs = AKSKSigner.sign(
      {
        endpoint: `https://h.example.com${store}/users`,
        method: 'GET',
        headers: {},
        queryParams: { limit: 5 },
      },
      { getAk: () => AK, getSk: () => SK } as never,
    ) as Record<string, string>;
    const mine = signRequest(
      { method: 'GET', url: new URL(`https://h.example.com${store}/users?limit=5`), headers: {}, body: '' },
      { accessKey: AK, secretKey: SK },
      () => NOW,
    );
    expect(mine.Authorization).toBe(theirs.Authorization);
  });

  it('the verifier accepts what we sign, and refuses a changed body, a stale date and an unsigned date', () => {
    const url = new URL(`http://127.0.0.1:1${store}/users/u-1/sessions/batch-delete`);
    const body = '{"session_ids":["a"]}';
    const h = signRequest(
      { method: 'POST', url, headers: { 'content-type': 'application/json' }, body },
      { accessKey: AK, secretKey: SK },
      () => NOW,
    );
    const headers = Object.fromEntries(
      Object.entries({ ...h, 'content-type': 'application/json' }).map(([k, v]) => [k.toLowerCase(), v]),
    );
    const keys = (ak: string) => (ak === AK ? SK : undefined);
    expect(verifySignature({ method: 'POST', url, headers, body }, keys, { now: NOW + 60_000 }).ok).toBe(
      true,
    );
    expect(verifySignature({ method: 'POST', url, headers, body: '{"session_ids":["b"]}' }, keys).ok).toBe(
      false,
    );
    expect(
      verifySignature({ method: 'POST', url, headers, body }, keys, { now: NOW + 16 * 60_000 }),
    ).toMatchObject({ ok: false, reason: expect.stringContaining('15 minutes') });
    expect(verifySignature({ method: 'POST', url, headers, body }, () => undefined)).toMatchObject({
      ok: false,
      reason: 'unknown access key',
    });
    const unsignedDate = {
      ...headers,
      authorization: (headers.authorization ?? '').replace('host;x-sdk-date', 'host'),
    };
    expect(verifySignature({ method: 'POST', url, headers: unsignedDate, body }, keys).ok).toBe(false);
  });

  it('X-Sdk-Date comes from the injected clock, in UTC', () => {
    const h = signRequest(
      { method: 'GET', url: new URL('https://x.example.com/a'), headers: {}, body: '' },
      { accessKey: AK, secretKey: SK },
      () => Date.parse('2030-01-02T03:04:05.999+08:00'),
    );
    expect(h['X-Sdk-Date']).toBe('20300101T190405Z');
    expect(JSON.stringify(h)).not.toContain(SK);
  });
});
