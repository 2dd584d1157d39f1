import type { SoapFault, SoapVersion } from './errors'
import { XML_NS } from './namespaces'
import { type NormaliseContext, normaliseNode } from './normalise'

type Node = Record<string, unknown>

/** `{uri}local` → [uri, local]; a name without braces has no namespace. */
function splitClark(name: string): [uri: string, local: string] {
  if (name.charCodeAt(0) !== 123 /* { */) return ['', name]
  const close = name.indexOf('}')
  return [name.slice(1, close), name.slice(close + 1)]
}

/** Children of `node` (Clark-named) whose local name is `local`, in order. */
function childrenNamed(node: unknown, local: string): unknown[] {
  if (typeof node !== 'object' || node === null) return []
  const out: unknown[] = []
  for (const key in node as Node) {
    if (key.startsWith('@_') || key === '#text') continue
    if (splitClark(key)[1] !== local) continue
    const value = (node as Node)[key]
    if (Array.isArray(value)) out.push(...value)
    else out.push(value)
  }
  return out
}

function textOf(node: unknown): string {
  if (node === undefined || node === null) return ''
  if (typeof node !== 'object') return String(node)
  const text = (node as Node)['#text']
  return text === undefined ? '' : String(text)
}

const langOf = (node: unknown): string =>
  typeof node === 'object' && node !== null
    ? String((node as Node)[`@_{${XML_NS}}lang`] ?? (node as Node)['@_xml:lang'] ?? '')
    : ''

type QNameValue = { namespace: string; local: string }

/**
 * Reads a SOAP 1.1 or 1.2 Fault element (Clark-named children, as the reader collects them). `code` resolves the
 * fault code QNames in document order (the code, then each subcode).
 */
export function readFault(
  node: unknown,
  version: SoapVersion,
  ctx: NormaliseContext,
  status: number | undefined,
  code: (text: string) => QNameValue,
): SoapFault {
  const detailOf = (d: unknown): unknown => {
    if (d === undefined) return undefined
    const value = normaliseNode(d as Node, undefined, 'Fault/detail', ctx)
    return value === '' ? undefined : value
  }
  const base = status === undefined ? {} : { status }
  if (version === '1.1') {
    const codeNode = childrenNamed(node, 'faultcode')[0]
    const actor = childrenNamed(node, 'faultactor')[0]
    const detail = detailOf(childrenNamed(node, 'detail')[0])
    return {
      version,
      code: code(textOf(codeNode)),
      subcodes: [],
      reason: textOf(childrenNamed(node, 'faultstring')[0]),
      ...(actor === undefined ? {} : { actor: textOf(actor) }),
      ...(detail === undefined ? {} : { detail }),
      ...base,
    }
  }
  const codeNode = childrenNamed(node, 'Code')[0]
  const value = code(textOf(childrenNamed(codeNode, 'Value')[0]))
  const subcodes: QNameValue[] = []
  let sub = childrenNamed(codeNode, 'Subcode')[0]
  for (let depth = 0; sub !== undefined && depth < 16; depth++) {
    subcodes.push(code(textOf(childrenNamed(sub, 'Value')[0])))
    sub = childrenNamed(sub, 'Subcode')[0]
  }
  const texts = childrenNamed(childrenNamed(node, 'Reason')[0], 'Text')
  const english = texts.find((t) => langOf(t).startsWith('en'))
  const role = childrenNamed(node, 'Role')[0]
  const faultNode = childrenNamed(node, 'Node')[0]
  const detail = detailOf(childrenNamed(node, 'Detail')[0])
  return {
    version,
    code: value,
    subcodes,
    reason: textOf(english ?? texts[0]),
    ...(role === undefined ? {} : { actor: textOf(role) }),
    ...(faultNode === undefined ? {} : { node: textOf(faultNode) }),
    ...(detail === undefined ? {} : { detail }),
    ...base,
  }
}
