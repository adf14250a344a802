import { readFileSync } from 'node:fs';
import { FakeSlack as ShippedFakeSlack } from '../../src/fakes/slack.js';
import { capture } from '../helpers/capture.js';

export * from '../../src/fakes/slack.js';

interface ContractArg {
  required?: boolean | string;
  type?: string;
}
const supplement = JSON.parse(
  readFileSync(new URL('../contracts/slack/slack_contract_supplement.json', import.meta.url), 'utf8'),
) as { methods: Record<string, { args?: Record<string, ContractArg> }> };

/** Checks a call's arguments against the documented contract: required args present, types plausible. */
export function checkContract(method: string, args: Record<string, unknown>): string[] {
  const spec = supplement.methods[method];
  if (!spec?.args) return [];
  const problems: string[] = [];
  for (const [name, arg] of Object.entries(spec.args)) {
    if (name.includes('|')) continue;
    const value = args[name];
    // Slack's newer docs make invalidate's team_id optional; the contract says send it, so it is checked as required.
    const required =
      arg.required === true || (method === 'admin.users.session.invalidate' && name === 'team_id');
    if (required && (value === undefined || value === '')) problems.push(`${method}: ${name} is required`);
    if (value === undefined) continue;
    const type = arg.type ?? '';
    if (type.startsWith('integer') && !/^\d+$/.test(String(value)))
      problems.push(`${method}: ${name} must be an integer`);
    if (type.startsWith('boolean') && !['true', 'false', true, false].includes(value as never))
      problems.push(`${method}: ${name} must be a boolean`);
    if (type.startsWith('array')) {
      if (!Array.isArray(value)) problems.push(`${method}: ${name} must be an array`);
      else if (method === 'admin.users.session.resetBulk' && (value.length < 1 || value.length > 1000))
        problems.push(`${method}: ${name} takes 1 to 1,000 IDs`);
    }
  }
  // The supplement lists every argument of the admin methods (for the others it lists only the main ones).
  for (const name of method.startsWith('admin.') ? Object.keys(args) : []) {
    if (!(name in spec.args) && !Object.keys(spec.args).some((k) => k.split('|').includes(name)))
      problems.push(`${method}: unknown argument ${name}`);
  }
  return problems;
}

/**
 * The fake Slack Web API, every call checked against the documented contract in
 * test/contracts/slack/slack_contract_supplement.json (`violations`) and captured for the secrets scan.
 */
export class FakeSlack extends ShippedFakeSlack {
  override contract = checkContract;
  override onCall = (method: string, args: Record<string, unknown>) => capture('slack', { method, args });
}
