import type { JWK } from 'jose';
import type { ConfigSummary, EvidenceExport, EvidenceExporter } from '../engine/evidence-port.js';
import type { Store } from '../engine/store-port/index.js';
import { FINAL_STATUSES } from '../engine/types.js';
import { jwksOf, type SigningKey } from '../signing/key.js';
import { buildEvidence } from './document.js';
import { signEvidence } from './sign.js';

export interface EvidenceServiceDeps {
  store: Pick<Store, 'getRequest' | 'listSteps' | 'listAudit' | 'auditHead'>;
  key: () => Promise<SigningKey>;
  configuration: { fingerprint: string; summary: ConfigSummary };
  version: string;
  now?: () => Date;
}

/** Builds and signs the evidence of a finished request from the store, as it stands at export. */
export class EvidenceService implements EvidenceExporter {
  constructor(private readonly deps: EvidenceServiceDeps) {}

  async export(requestId: string): Promise<EvidenceExport> {
    const { store } = this.deps;
    const request = await store.getRequest(requestId);
    if (!request) return { ok: false, code: 'not_found', message: `There is no request ${requestId}.` };
    if (!FINAL_STATUSES.includes(request.status))
      return {
        ok: false,
        code: 'not_finished',
        message: `Request ${requestId} is ${request.status.replace('_', ' ')}: evidence is exported once it is finished.`,
      };
    // The head first: every record of the request is at or before it.
    const chainHead = await store.auditHead();
    const [steps, records] = await Promise.all([store.listSteps(requestId), store.listAudit({ requestId })]);
    const document = buildEvidence({
      request,
      steps,
      records: records.filter((r) => chainHead === undefined || r.seq <= chainHead.seq),
      chainHead,
      exportedAt: (this.deps.now ?? (() => new Date()))().toISOString(),
      version: this.deps.version,
      configuration: this.deps.configuration,
    });
    return { ok: true, file: await signEvidence(document, await this.deps.key()) };
  }

  async keys(): Promise<{ keys: JWK[] }> {
    return jwksOf([await this.deps.key()]);
  }
}
