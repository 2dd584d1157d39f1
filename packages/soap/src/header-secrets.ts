import { createSecretScrubber, type SecretScrubber } from '@fieldkit/core'
import type { SoapFault } from './errors'

// The credential elements of WS-Security headers: UsernameToken's Password (text or digest) and binary tokens
// (SAML, Kerberos). Any prefix; attributes allowed.
const CREDENTIAL = /<(?:[\w.-]+:)?(Password|BinarySecurityToken)\b[^>]*>([^<]*)<\/(?:[\w.-]+:)?\1\s*>/g

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9A-Fa-f]+|#\d+|amp|lt|gt|quot|apos);/g, (whole, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(Number.parseInt(name.slice(2), 16))
    if (name.startsWith('#')) return String.fromCodePoint(Number.parseInt(name.slice(1), 10))
    return ENTITIES[name] ?? whole
  })
}

/**
 * A scrubber that knows every credential a call's SOAP headers sent (the WS-Security header from `security`, and any
 * header block given as XML): the text of each `Password` and `BinarySecurityToken` element, as written and
 * unescaped, in every encoding `@fieldkit/core`'s scrubber derives.
 */
export function headerScrubber(headers: readonly unknown[]): SecretScrubber {
  const scrubber = createSecretScrubber()
  for (const header of headers) {
    if (typeof header !== 'string') continue
    for (const match of header.matchAll(CREDENTIAL)) {
      const raw = (match[2] ?? '').trim()
      scrubber.add(raw)
      scrubber.add(unescapeXml(raw))
    }
  }
  return scrubber
}

/** Every string inside `value` (a fault detail) scrubbed; keys kept. */
function scrubValue(value: unknown, scrubber: SecretScrubber): unknown {
  if (typeof value === 'string') return scrubber.scrub(value)
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, scrubber))
  if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value) && !(value instanceof Date)) {
    const out = Object.create(Object.getPrototypeOf(value)) as Record<string, unknown>
    for (const key of Object.keys(value)) {
      Object.defineProperty(out, key, {
        value: scrubValue((value as Record<string, unknown>)[key], scrubber),
        enumerable: true,
        writable: true,
        configurable: true,
      })
    }
    return out
  }
  return value
}

/** The fault with its reason, actor, node and detail scrubbed of every secret the call sent. */
export function scrubFault(fault: SoapFault, scrubber: SecretScrubber): SoapFault {
  if (scrubber.size === 0) return fault
  return {
    ...fault,
    code: { ...fault.code, local: scrubber.scrub(fault.code.local) },
    subcodes: fault.subcodes.map((s) => ({ ...s, local: scrubber.scrub(s.local) })),
    reason: scrubber.scrub(fault.reason),
    ...(fault.actor === undefined ? {} : { actor: scrubber.scrub(fault.actor) }),
    ...(fault.node === undefined ? {} : { node: scrubber.scrub(fault.node) }),
    ...(fault.detail === undefined ? {} : { detail: scrubValue(fault.detail, scrubber) }),
  }
}
