/**
 * CSV as RFC 4180 writes it (CRLF line ends; a field holding a comma, a double quote, CR or LF is
 * quoted, its quotes doubled), made safe to open in a spreadsheet: a field that begins with
 * `=`, `+`, `-`, `@`, a tab or a carriage return would be read as a formula (CSV injection), so it
 * gets a leading apostrophe, which spreadsheets show as text.
 */

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One field: neutralised, then quoted when RFC 4180 needs it. */
export function csvField(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record's fields, joined (the caller ends the line with CRLF). */
export function csvLine(fields: readonly (string | number | null | undefined)[]): string {
  return fields.map(csvField).join(',');
}
