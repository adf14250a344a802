/**
 * Reads Block Kit as the app sent it (a message's `blocks`, a view), so tests assert on the block or
 * field that must hold a value rather than searching the serialised payload.
 */

/** A text object (`plain_text` or `mrkdwn`). */
export interface TextObject {
  type?: string;
  text?: string;
}

/** An interactive element or a context element, loosely typed: tests read what was sent. */
export interface BlockElement {
  type?: string;
  action_id?: string;
  text?: string | TextObject;
  value?: string;
  style?: string;
  initial_user?: string;
  initial_users?: string[];
  options?: { text?: TextObject; value?: string }[];
  initial_options?: { text?: TextObject; value?: string }[];
  initial_option?: { text?: TextObject; value?: string };
  [key: string]: unknown;
}

/** One block as received. */
export interface Block {
  type?: string;
  block_id?: string;
  text?: TextObject;
  fields?: TextObject[];
  label?: TextObject;
  elements?: BlockElement[];
  element?: BlockElement;
  [key: string]: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The blocks of a block list, a message (`{ blocks }`) or a view (`{ blocks }`); [] when there are none. */
export function blocksOf(value: unknown): Block[] {
  const list = Array.isArray(value) ? value : isRecord(value) ? value.blocks : undefined;
  return Array.isArray(list) ? list.filter(isRecord).map((b) => b as Block) : [];
}

/** The block with this `block_id`, or undefined. */
export function findBlock(value: unknown, blockId: string): Block | undefined {
  return blocksOf(value).find((b) => b.block_id === blockId);
}

/** The block with this `block_id`; throws (failing the test) when there is none. */
export function blockById(value: unknown, blockId: string): Block {
  const block = blocksOf(value).find((b) => b.block_id === blockId);
  if (!block) {
    const ids = blocksOf(value).map((b) => b.block_id ?? `(${b.type})`);
    throw new Error(`no block "${blockId}" among: ${ids.join(', ')}`);
  }
  return block;
}

function elementText(e: BlockElement): string | undefined {
  return typeof e.text === 'string' ? e.text : e.text?.text;
}

/** The visible text of one block: a section's text and fields, a header's or context's text, an input's label. */
export function textOfBlock(block: Block): string {
  switch (block.type) {
    case 'section':
      return [block.text?.text, ...(block.fields ?? []).map((f) => f.text)]
        .filter((t): t is string => t !== undefined)
        .join('\n');
    case 'header':
      return block.text?.text ?? '';
    case 'context':
      return (block.elements ?? [])
        .map(elementText)
        .filter((t): t is string => t !== undefined)
        .join(' ');
    case 'input':
      return block.label?.text ?? '';
    default:
      return '';
  }
}

/** The visible text of the block with this `block_id` (throws when there is none). */
export function blockText(value: unknown, blockId: string): string {
  return textOfBlock(blockById(value, blockId));
}

/** The text of every section, in order. */
export function sectionTexts(value: unknown): string[] {
  return blocksOf(value)
    .filter((b) => b.type === 'section')
    .map(textOfBlock);
}

/** The text of every context block, in order. */
export function contextTexts(value: unknown): string[] {
  return blocksOf(value)
    .filter((b) => b.type === 'context')
    .map(textOfBlock);
}

/** The section whose text starts with `prefix` (e.g. `*Status:*`); throws when there is none. */
export function sectionStartingWith(value: unknown, prefix: string): string {
  const text = sectionTexts(value).find((t) => t.startsWith(prefix));
  if (text === undefined) throw new Error(`no section starts with "${prefix}"`);
  return text;
}

/** The parent card's status line (the section starting `*Status:*`); throws when there is none. */
export function statusLine(value: unknown): string {
  return sectionStartingWith(value, '*Status:*');
}

/** The parent card's status line, or undefined for a message that is not a parent card (to pick messages). */
export function cardStatus(value: unknown): string | undefined {
  return sectionTexts(value).find((t) => t.startsWith('*Status:*'));
}

/** The text of a threaded reply: its first section ('' when it has none, so a `toContain` fails). */
export function replyText(message: unknown): string {
  return sectionTexts(message)[0] ?? '';
}

/**
 * Every string anywhere in the blocks (texts, labels, options, values): for asserting that something
 * shows nowhere at all, which no single field can prove.
 */
export function allStrings(value: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) for (const x of v) walk(x);
    else if (isRecord(v)) for (const x of Object.values(v)) walk(x);
  };
  walk(blocksOf(value));
  return out;
}

/** Whether any string anywhere in the blocks contains `needle` (see {@link allStrings}). */
export function showsAnywhere(value: unknown, needle: string): boolean {
  return allStrings(value).some((s) => s.includes(needle));
}

/** Every interactive element of the actions blocks. */
export function actionElements(value: unknown): BlockElement[] {
  return blocksOf(value)
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements ?? []);
}

/** The button with this `action_id` in an actions block, or undefined. */
export function findButton(value: unknown, actionId: string): BlockElement | undefined {
  return actionElements(value).find((e) => e.type === 'button' && e.action_id === actionId);
}

/** Whether the blocks carry the Approve button of a pending approval card. */
export function isApprovalCard(value: unknown): boolean {
  return findButton(value, 'approve_request') !== undefined;
}

/** The input element of the input block whose `block_id` is (or, with a suffix, starts with) `blockId`. */
export function inputElement(value: unknown, blockId: string): BlockElement {
  const block = blocksOf(value).find(
    (b) => b.type === 'input' && (b.block_id === blockId || b.block_id?.startsWith(`${blockId}:`)),
  );
  if (!block?.element) throw new Error(`no input block "${blockId}"`);
  return block.element;
}
