import type { StandardSchemaV1 } from '@fieldkit/core'
import { SaxesParser, type SaxesTagPlain } from 'saxes'
import {
  redactedExcerpt,
  SoapError,
  type SoapFault,
  SoapFaultError,
  type SoapVersion,
  truncate,
  xmlLimitError,
  xmlParseErrorAt,
} from './errors'
import { readFault } from './fault'
import {
  childScope,
  keyMaker,
  ROOT_SCOPE,
  resolveQName,
  type Scope,
  SOAP11_NS,
  SOAP12_NS,
  splitQName,
  XOP_NS,
  XSI_NS,
} from './namespaces'
import {
  addChild,
  type ChildNamespaces,
  checkChildNamespace,
  fillArrays,
  isNilValue,
  type NormaliseContext,
  namespaceClash,
  resolveAttachment,
  setKey,
  unboundPrefix,
} from './normalise'
import { childShape, coerce, type DecimalMode, mergeShapes, type Shape, shapeFromArrays, shapeFromZod } from './shape'
import type { ResolvedLimits } from './xml-limits'

/** What the reader needs to know; both front-ends (parseEnvelope and streamRecords) fill it in from their options. */
export interface ReaderOptions {
  /** The record path (stream mode); ignored in whole mode. */
  record: string
  namespaces?: Readonly<Record<string, string>>
  /** Paths inside a record that are always arrays (stream mode; parseEnvelope merges its own into `shape`). */
  arrays?: readonly string[]
  decimal?: DecimalMode
  /** Stream mode: its arrays fix one-vs-many inside a record. */
  schema?: StandardSchemaV1
  /** Shape relative to Body. */
  shape?: Shape
  attachments?: ReadonlyMap<string, Buffer>
  status?: number
}

interface Frame {
  scope: Scope
  /** The element's namespace URI. */
  uri: string
  /** Normalised key of the element (or a raw name outside records). */
  key: string
  /** How many leading record-path steps are matched up to and including this element. */
  matched: number
  /** Inside a record: the element being built. */
  build?: Build
  /** Whole mode: which envelope part this top-level build is. */
  part?: 'Header' | 'Body'
  /** On the record path: the namespace of the child that matched the next step (two would be one record key). */
  stepUri?: string
}

interface Build {
  obj: Record<string, unknown> | undefined
  text: string
  nil: boolean
  hasChildren: boolean
  shape: Shape | undefined
  path: string
  attachment?: Buffer
  /** Namespaces of the children, so that two namespaces never merge under one key. */
  children: ChildNamespaces
}

/** Fault subtree collected in Clark names (`{uri}local`), so one fault reader serves every front-end. */
interface RawNode {
  node: Record<string, unknown>
  name: string
  text: string
}

const newBuild = (shape: Shape | undefined, path: string): Build => ({
  obj: undefined,
  text: '',
  nil: false,
  hasChildren: false,
  shape,
  path,
  children: { first: undefined, others: undefined },
})

/**
 * The one saxes-driven core behind both front-ends: {@link streamRecords} (records at a path, one at a time) and
 * parseEnvelope (`whole`: the Header and Body elements, with `options.shape` applying to the Body). It resolves
 * namespaces, builds normalised values, collects a fault and reads it; it never imports either front-end.
 */
export class EnvelopeReader {
  readonly parser = new SaxesParser({ xmlns: false, position: true })
  /** Finished records (stream mode) or `{ part: 'Header' | 'Body', value }` (whole mode). */
  readonly ready: unknown[] = []
  /** The first error met; everything after it is ignored. */
  failure: unknown
  /** The envelope's namespace URI, '' until the root element was read. */
  envNs = ''
  version: SoapVersion = '1.1'
  /** The fault read from the body, if any (its SoapFaultError is the failure). */
  fault: SoapFault | undefined
  private readonly options: ReaderOptions
  private readonly limits: ResolvedLimits
  private readonly source: string
  private readonly whole: boolean
  private readonly key: (uri: string, local: string) => string
  private readonly decimal: DecimalMode
  private readonly ctx: NormaliseContext
  private readonly steps: string[]
  private readonly recordDepth: number
  private readonly recordShape: Shape | undefined
  private readonly recordPath: string
  private readonly stack: Frame[] = []
  private faultNodes: RawNode[] | undefined
  private readonly codeScopes: Scope[] = []
  private chunkText = ''
  private chunkStart = 0
  /** Stream mode: inside a record, and the position where the current record (or run of text outside one) began. */
  private inRecord = false
  private mark = 0

  constructor(options: ReaderOptions, limits: ResolvedLimits, source: string, whole: boolean) {
    this.options = options
    this.limits = limits
    this.source = source
    this.whole = whole
    this.steps = (whole ? '' : options.record)
      .replace(/^\/?(?:[^/]*:)?Envelope\/(?:[^/]*:)?Body\//, '')
      .split('/')
      .filter(Boolean)
    // Path steps: Envelope and Body matched by namespace, the rest by normalised key.
    this.recordDepth = whole ? -1 : this.steps.length + 2
    this.key = keyMaker(options.namespaces)
    this.decimal = options.decimal ?? 'string'
    this.ctx = {
      key: this.key,
      decimal: this.decimal,
      source,
      ...(options.attachments ? { attachments: options.attachments } : {}),
    }
    let recordShape: Shape | undefined = whole ? undefined : options.shape
    for (const step of this.steps) recordShape = childShape(recordShape, step)
    if (options.arrays?.length) recordShape = mergeShapes(recordShape, shapeFromArrays(options.arrays))
    if (options.schema) recordShape = mergeShapes(recordShape, shapeFromZod(options.schema))
    this.recordShape = recordShape
    this.recordPath = this.steps.join('/')
    this.listen()
  }

  /** Remembers the text about to be written, for the excerpt of a parse error. */
  setChunk(text: string): void {
    this.chunkStart = this.parser.position
    this.chunkText = text
  }

  /** Records the first failure. */
  fail(error: unknown): undefined {
    this.failure ??= error
  }

  /**
   * Stream mode: fails with FK_XML_LIMIT once the record being read (or the text since the last tag outside a
   * record, which the tokenizer also holds) is longer than `maxRecordBytes`.
   */
  checkRecordSize(): void {
    const max = this.limits.maxRecordBytes
    if (this.parser.position - this.mark <= max) return
    this.fail(
      xmlLimitError(
        `${this.inRecord ? 'a record' : 'text between records'} longer than ${max} characters, at line ${this.parser.line}`,
        this.source,
        { maxRecordBytes: max, line: this.parser.line },
      ),
    )
  }

  private listen(): void {
    const parser = this.parser
    parser.on('doctype', () => {
      this.fail(
        xmlLimitError(
          `a DOCTYPE declaration at line ${parser.line}, column ${parser.column} (never accepted)`,
          this.source,
          { line: parser.line, column: parser.column },
        ),
      )
    })
    parser.on('error', (error) => {
      const offset = Math.max(0, parser.position - this.chunkStart)
      this.fail(
        xmlParseErrorAt(
          parser.line,
          parser.column,
          redactedExcerpt(this.chunkText, Math.min(offset, this.chunkText.length)),
          truncate(error.message.replace(/^[^:]*:\d+:\d+: /, ''), 120),
          this.source,
          error,
        ),
      )
    })
    parser.on('opentag', (tag: SaxesTagPlain) => {
      if (this.failure === undefined) this.open(tag)
      if (!this.inRecord) this.mark = parser.position
    })
    const onText = (text: string) => {
      if (this.failure === undefined) this.text(text)
    }
    parser.on('text', onText)
    parser.on('cdata', onText)
    parser.on('closetag', () => {
      if (this.failure === undefined) this.close()
      if (!this.inRecord) this.mark = parser.position
    })
  }

  /** Declarations and limits of one start tag: its scope, or undefined after recording a failure. */
  private scopeOf(tag: SaxesTagPlain, parent: Frame | undefined): Scope | undefined {
    const attributes = tag.attributes as Record<string, string>
    let decls: [string, string][] | undefined
    let count = 0
    for (const name in attributes) {
      count++
      if (name === 'xmlns' || name.startsWith('xmlns:')) {
        decls ??= []
        decls.push([name.length === 5 ? '' : name.slice(6), attributes[name] as string])
      }
    }
    const limits = this.limits
    if (count > limits.maxAttributes) {
      this.fail(
        xmlLimitError(`more than ${limits.maxAttributes} attributes on <${tag.name}>`, this.source, {
          maxAttributes: limits.maxAttributes,
        }),
      )
      return undefined
    }
    if (this.stack.length + 1 > limits.maxDepth) {
      this.fail(
        xmlLimitError(`elements nested deeper than ${limits.maxDepth}`, this.source, { maxDepth: limits.maxDepth }),
      )
      return undefined
    }
    return childScope(parent?.scope ?? ROOT_SCOPE, decls)
  }

  private open(tag: SaxesTagPlain): undefined {
    const parent = this.stack[this.stack.length - 1]
    const scope = this.scopeOf(tag, parent)
    if (scope === undefined) return
    const attributes = tag.attributes as Record<string, string>
    const [prefix, local] = splitQName(tag.name)
    const uri = scope[prefix]
    if (uri === undefined) return this.fail(unboundPrefix(prefix, tag.name, this.source))
    if (this.faultNodes !== undefined) return this.openFaultChild(tag.name, attributes, scope, uri, local)
    if (this.whole && this.stack.length === 2 && parent?.part === 'Body' && uri === this.envNs && local === 'Fault')
      return this.startFault(tag.name, attributes, scope, uri, local)
    const build = parent?.build
    if (build !== undefined) {
      // Inside a record (or, whole, inside Header or Body).
      if (uri === XOP_NS && local === 'Include') {
        build.attachment = resolveAttachment(attributes.href ?? '', this.ctx, build.path)
        this.stack.push({ scope, uri, key: tag.name, matched: -1 })
        return
      }
      const key = this.key(uri, local)
      this.stack.push({ scope, uri, key, matched: -1, build: this.startBuild(attributes, scope, build, key) })
      return
    }
    this.openOutside(tag, parent, scope, uri, local)
  }

  /** An element outside any record: the Envelope, Header/Body, the steps of the record path, or a Fault. */
  private openOutside(
    tag: SaxesTagPlain,
    parent: Frame | undefined,
    scope: Scope,
    uri: string,
    local: string,
  ): undefined {
    const attributes = tag.attributes as Record<string, string>
    const depth = this.stack.length // 0 = Envelope
    let matched = -1
    if (depth === 0) {
      if (local !== 'Envelope' || (uri !== SOAP11_NS && uri !== SOAP12_NS))
        return this.fail(notEnvelope(this.source, tag.name))
      this.envNs = uri
      this.version = uri === SOAP11_NS ? '1.1' : '1.2'
      matched = 1
    } else if (parent !== undefined && parent.matched === depth) {
      if (depth === 1 && this.whole) {
        if (uri === this.envNs && (local === 'Body' || local === 'Header')) {
          const root = newBuild(local === 'Body' ? this.options.shape : undefined, local)
          const build = this.startBuild(attributes, scope, root, undefined)
          this.stack.push({ scope, uri, key: local, matched: -1, part: local, build })
          return
        }
      } else if (depth === 1) matched = uri === this.envNs && local === 'Body' ? 2 : -1
      else if (depth === 2 && uri === this.envNs && local === 'Fault')
        return this.startFault(tag.name, attributes, scope, uri, local)
      else matched = this.matchStep(parent, uri, local, depth)
    }
    if (matched === this.recordDepth) {
      this.inRecord = true
      const build = this.startBuild(attributes, scope, newBuild(this.recordShape, this.recordPath), undefined)
      this.stack.push({ scope, uri, key: this.key(uri, local), matched, build })
      return
    }
    this.stack.push({ scope, uri, key: tag.name, matched })
  }

  /** Whether the element matches the next record-path step; a second namespace for one step is a clash. */
  private matchStep(parent: Frame, uri: string, local: string, depth: number): number {
    const key = this.key(uri, local)
    if (key !== this.steps[depth - 2]) return -1
    if (parent.stepUri === undefined) parent.stepUri = uri
    else if (parent.stepUri !== uri) {
      const path = this.steps.slice(0, depth - 2).join('/')
      throw namespaceClash(this.source, path, key, parent.stepUri, uri)
    }
    return depth + 1
  }

  /** The Body's Fault element: from here the subtree is collected with Clark names and read at its end. */
  private startFault(
    name: string,
    attributes: Record<string, string>,
    scope: Scope,
    uri: string,
    local: string,
  ): undefined {
    this.faultNodes = [{ node: this.clarkAttributes(attributes, scope), name: `{${uri}}${local}`, text: '' }]
    this.stack.push({ scope, uri, key: name, matched: -1 })
  }

  /** Fault subtree: collected with Clark names, read at its end. */
  private openFaultChild(
    name: string,
    attributes: Record<string, string>,
    scope: Scope,
    uri: string,
    local: string,
  ): undefined {
    const clark = uri === '' ? local : `{${uri}}${local}`
    if (clark === 'faultcode' || clark === `{${SOAP12_NS}}Value`) this.codeScopes.push(scope)
    this.faultNodes?.push({ node: this.clarkAttributes(attributes, scope), name: clark, text: '' })
    this.stack.push({ scope, uri, key: name, matched: -1 })
  }

  private clarkAttributes(attributes: Record<string, string>, scope: Scope): Record<string, unknown> {
    const node: Record<string, unknown> = {}
    for (const name in attributes) {
      if (name === 'xmlns' || name.startsWith('xmlns:')) continue
      const [prefix, local] = splitQName(name)
      const uri = prefix === '' ? '' : scope[prefix]
      if (uri === undefined) throw unboundPrefix(prefix, name, this.source)
      setKey(node, `@_${uri === '' ? local : `{${uri}}${local}`}`, attributes[name])
    }
    return node
  }

  private startBuild(
    attributes: Record<string, string>,
    scope: Scope,
    parent: Build,
    childKey: string | undefined,
  ): Build {
    const shape = childKey === undefined ? parent.shape : childShape(parent.shape, childKey)
    const path = childKey === undefined ? parent.path : `${parent.path}/${childKey}`
    const build = newBuild(shape, path)
    for (const name in attributes) {
      if (name === 'xmlns' || name.startsWith('xmlns:')) continue
      const [prefix, local] = splitQName(name)
      let uri = ''
      if (prefix !== '') {
        const bound = scope[prefix]
        if (bound === undefined) throw unboundPrefix(prefix, name, this.source)
        uri = bound
      }
      if (uri === XSI_NS) {
        if (local === 'nil' && isNilValue(attributes[name])) build.nil = true
        continue
      }
      build.obj ??= {}
      const attrKey = `@${this.key(uri, local)}`
      if (Object.hasOwn(build.obj, attrKey))
        throw namespaceClash(this.source, path, attrKey, '(another namespace)', uri)
      const type = childShape(shape, attrKey)?.type
      setKey(build.obj, attrKey, coerce(attributes[name] as string, type, this.decimal, `${path}/${attrKey}`))
    }
    if (childKey !== undefined) parent.hasChildren = true
    return build
  }

  private text(text: string): void {
    const top = this.stack[this.stack.length - 1]
    if (top?.build !== undefined) top.build.text += text
    else if (this.faultNodes !== undefined) {
      const raw = this.faultNodes[this.faultNodes.length - 1]
      if (raw !== undefined) raw.text += text
    }
  }

  private close(): undefined {
    const frame = this.stack.pop()
    if (frame === undefined) return
    if (this.faultNodes !== undefined) return this.closeFaultChild(this.faultNodes)
    const build = frame.build
    if (build === undefined) return
    let value: unknown
    try {
      value = this.finish(build)
    } catch (error) {
      return this.fail(error)
    }
    const parentBuild = this.stack[this.stack.length - 1]?.build
    if (parentBuild === undefined) {
      this.inRecord = false
      this.ready.push(this.whole ? { part: frame.part, value } : value)
    } else {
      parentBuild.obj ??= {}
      try {
        checkChildNamespace(parentBuild.children, parentBuild.obj, frame.key, frame.uri, {
          source: this.source,
          path: parentBuild.path,
        })
      } catch (error) {
        return this.fail(error)
      }
      addChild(parentBuild.obj, frame.key, value, build.shape?.array === true)
    }
  }

  private closeFaultChild(nodes: RawNode[]): undefined {
    const raw = nodes.pop()
    if (raw === undefined) return
    const text = Object.keys(raw.node).some((k) => !k.startsWith('@_')) ? raw.text.trim() : raw.text
    const value: unknown =
      Object.keys(raw.node).length === 0 ? text : text !== '' ? Object.assign(raw.node, { '#text': text }) : raw.node
    const parentRaw = nodes[nodes.length - 1]
    if (parentRaw === undefined) {
      try {
        let next = 0
        const code = (text: string) => resolveQName(text, this.codeScopes[next++] ?? ROOT_SCOPE)
        this.fault = readFault(value, this.version, this.ctx, this.options.status, code)
        throw new SoapFaultError(this.fault, this.source)
      } catch (error) {
        this.fail(error)
      }
      return
    }
    // Own keys only: an element named __proto__ or toString is data, not the prototype or its member.
    const prev = Object.hasOwn(parentRaw.node, raw.name) ? parentRaw.node[raw.name] : undefined
    if (prev === undefined) setKey(parentRaw.node, raw.name, value)
    else if (Array.isArray(prev)) prev.push(value)
    else setKey(parentRaw.node, raw.name, [prev, value])
  }

  private finish(build: Build): unknown {
    if (build.nil) return null
    if (build.attachment !== undefined) return build.attachment
    // Leaf text is kept exactly; whitespace between child elements is dropped (as in parseEnvelope).
    const text = build.hasChildren ? build.text.trim() : build.text
    const decimal = this.decimal
    if (build.obj === undefined) {
      if (!build.hasChildren && (!build.shape?.complex || text !== ''))
        return coerce(text, build.shape?.type, decimal, build.path)
      build.obj = {}
    }
    if (build.shape?.complex) fillArrays(build.obj, build.shape)
    if (text !== '')
      setKey(build.obj, '#text', build.hasChildren ? text : coerce(text, build.shape?.type, decimal, build.path))
    return build.obj
  }
}

/** `FK_SOAP_NOT_ENVELOPE`: the XML's root is not a SOAP 1.1 or 1.2 Envelope. */
export function notEnvelope(source: string, root: string): SoapError {
  return new SoapError({
    code: 'FK_SOAP_NOT_ENVELOPE',
    message: `[fieldkit/soap] ${source} is XML but not a SOAP envelope (root <${truncate(root, 60)}>)`,
    hint: 'The endpoint answered something other than SOAP (a proxy or error page?); check the endpoint URL and the SOAP version',
    details: { root: truncate(root, 60) },
  })
}
