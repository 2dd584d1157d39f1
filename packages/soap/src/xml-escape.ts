// Escaping for everything Fieldkit writes into XML. No value can close an element, an attribute, a CDATA section
// or a comment (the fast-xml-parser builder advisory CVE-2026-41650 is exactly that injection), and characters XML
// 1.0 forbids are dropped rather than written.

const FORBIDDEN =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/**
 * Escapes element text: `&`, `<`, `>` (so `]]>` can never appear), `\r` (which a parser would turn into `\n`),
 * and drops characters XML forbids.
 */
export function escapeText(value: string): string {
  return value
    .replace(FORBIDDEN, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;')
}

/** Escapes an attribute value for double quotes; also tabs and line breaks, which attribute normalisation would eat. */
export function escapeAttribute(value: string): string {
  return escapeText(value)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
}

/** A CDATA section holding `value` exactly: every `]]>` is split across two sections. */
export function cdata(value: string): string {
  return `<![CDATA[${value.replace(FORBIDDEN, '').replace(/]]>/g, ']]]]><![CDATA[>')}]]>`
}

/** A comment holding `value`: `--` cannot appear in a comment nor may it end with `-`, so those are spaced out. */
export function comment(value: string): string {
  let body = value.replace(FORBIDDEN, '').replace(/--/g, '- -').replace(/--/g, '- -')
  if (body.endsWith('-')) body += ' '
  return `<!--${body}-->`
}
