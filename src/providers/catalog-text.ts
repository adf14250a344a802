import { SYSTEMS } from './registry.js';

/** A list in prose: `A`, `A and B`, `A, B and C`. */
export function inProse(items: readonly string[]): string {
  return items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items.at(-1)}` : (items[0] ?? '');
}

/** Every system by its label, in the registry's order: "Okta, …, Mattermost and Huawei Cloud". */
export function systemLabelsInProse(): string {
  return inProse(SYSTEMS.map((s) => s.label));
}

/** Every system by its product's name: "…, Slack (Enterprise Grid), … and Huawei Cloud IAM Identity Center". */
export function systemProductsInProse(): string {
  return inProse(SYSTEMS.map((s) => ('product' in s && s.product ? s.product : s.label)));
}
