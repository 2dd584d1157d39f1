import { SaxesParser, type SaxesTagPlain } from 'saxes'
import type { ZodType } from 'zod'
import { readFault, resolveQName, validate } from './envelope-parse'
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
import {
  childScope,
  keyMaker,
  ROOT_SCOPE,
  type Scope,
  SOAP11_NS,
  SOAP12_NS,
  splitQName,
  XOP_NS,
  XSI_NS,
} from './namespaces'
import {
  addChild,
  fillArrays,
  isNilValue,
  type NormaliseContext,
  resolveAttachment,
  setKey,
  unboundPrefix,
} from './normalise'
import { childShape, coerce, type DecimalMode, mergeShapes, type Shape, shapeFromArrays, shapeFromZod } from './shape'
import { type ResolvedLimits, resolveLimits, type XmlLimits } from './xml-limits'

/** Options of {@link streamRecords}. */
export interface StreamRecordsOptions {
  /**
   * The repeated record element, as normalised keys from Body or from the root:
   * `GetEmployeesResponse/Employee` or `/Envelope/Body/GetEmployeesResponse/Employee`.
   */
  record: string
  /** Namespace URI → prefix for keys, as in {@link parseEnvelope}. */
  namespaces?: Record<string, string>
  /** Paths inside a record (relative to the record element) that are always arrays. */
  arrays?: readonly string[]
  decimal?: DecimalMode
  /** A zod schema each record is validated against; its arrays also fix one-vs-many inside a record. */
  schema?: ZodType
  /** Depth and attribute limits; `maxBytes` is unlimited by default here (the point is large responses). */
  limits?: XmlLimits
  /** Shape from a WSDL, relative to Body (set by the client). */
  shape?: Shape
  attachments?: ReadonlyMap<string, Buffer>
  status?: number
  source?: string
}

interface Frame {
  scope: Scope
  /** Normalised key of the element (or a raw name outside records). */
  key: string
  /** How many leading record-path steps are matched up to and including this element. */
  matched: number
  /** Inside a record: the element being built. */
  build?: Build
  /** Whole mode: which envelope part this top-level build is. */
  part?: 'Header' | 'Body'
}

interface Build {
  obj: Record<string, unknown> | undefined
  text: string
  nil: boolean
  hasChildren: boolean
  shape: Shape | undefined
  path: string
  attachment?: Buffer
}

/** Fault subtree collected in fast-xml-parser's shape so that the same fault reader serves both paths. */
interface RawNode {
  node: Record<string, unknown>
  name: string
  text: string
}

/**
 * Reads a SOAP response as an async iterator of records (the repeated element at `record`), holding one record at
 * a time: memory stays bounded however large the response. Same rules as {@link parseEnvelope} (namespaces, nils,
 * arrays, types); a fault anywhere in the body throws {@link SoapFaultError}. Built on the saxes tokenizer.
 *
 * @example
 * ```ts
 * for await (const employee of streamRecords(response.body, { record: 'GetEmployeesResponse/Employee' })) {
 *   console.log(employee.EmployeeId)
 * }
 * ```
 */
export async function* streamRecords<T = Record<string, unknown>>(
  input: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  options: StreamRecordsOptions,
): AsyncGenerator<T, void, undefined> {
  const source = options.source ?? 'the XML stream'
  if (typeof options.record !== 'string' || options.record.trim() === '') {
    throw new SoapError({
      code: 'FK_SOAP_OPTIONS',
      message: `[fieldkit/soap] Expected \`record\` to be a path such as "GetEmployeesResponse/Employee", got ${String(options.record)}`,
      hint: 'Name the repeated element, from Body down, with the keys parseEnvelope would give',
    })
  }
  const limits = resolveLimits({ maxBytes: Number.POSITIVE_INFINITY, ...options.limits }, 'limits')
  const reader = createReader(options, limits, source, false)
  const { parser, ready } = reader
  const decoder = new TextDecoder('utf-8', { fatal: false })
  let bytes = 0
  const drain = function* (): Generator<T> {
    while (ready.length > 0) {
      const value = ready.shift()
      yield (options.schema ? validate(options.schema, value, `${source} record`) : value) as T
    }
  }
  for await (const chunk of input as AsyncIterable<Uint8Array | string>) {
    bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength
    if (bytes > limits.maxBytes)
      throw xmlLimitError(`larger than ${limits.maxBytes} bytes`, source, { maxBytes: limits.maxBytes })
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true })
    reader.setChunk(text)
    try {
      parser.write(text)
    } catch (error) {
      reader.fail(error)
    }
    if (reader.failure() !== undefined) throw reader.failure()
    yield* drain()
  }
  const rest = decoder.decode()
  try {
    if (rest) parser.write(rest)
    parser.close()
  } catch (error) {
    reader.fail(error)
  }
  if (reader.failure() !== undefined) throw reader.failure()
  yield* drain()
  if (reader.envNs() === '') {
    throw xmlParseErrorAt(parser.line, parser.column, '', 'no root element', source)
  }
}

/** Everything a reader needs besides the stream options. */
interface Reader {
  parser: SaxesParser
  /** Finished records (stream mode) or `{ part: 'Header' | 'Body', value }` (whole mode). */
  ready: unknown[]
  setChunk(text: string): void
  fail(error: unknown): void
  failure(): unknown
  envNs(): string
  version(): SoapVersion
  fault(): SoapFault | undefined
}

/**
 * The saxes-driven builder behind both {@link streamRecords} (records at a path) and parseEnvelope (`whole`: the
 * Header and Body elements, with `options.shape` applying to the Body).
 */
export function createReader(
  options: StreamRecordsOptions,
  limits: ResolvedLimits,
  source: string,
  whole: boolean,
): Reader {
  const steps = (whole ? '' : options.record)
    .replace(/^\/?(?:[^/]*:)?Envelope\/(?:[^/]*:)?Body\//, '')
    .split('/')
    .filter(Boolean)
  // Path steps: Envelope and Body matched by namespace, the rest by normalised key.
  const recordDepth = whole ? -1 : steps.length + 2
  const key = keyMaker(options.namespaces)
  const decimal = options.decimal ?? 'string'
  const ctx: NormaliseContext = {
    key,
    decimal,
    source,
    ...(options.attachments ? { attachments: options.attachments } : {}),
  }
  let recordShape: Shape | undefined = options.shape
  if (whole) recordShape = undefined
  for (const step of steps) recordShape = childShape(recordShape, step)
  if (options.arrays?.length) recordShape = mergeShapes(recordShape, shapeFromArrays(options.arrays))
  if (options.schema) recordShape = mergeShapes(recordShape, shapeFromZod(options.schema))
  const recordPath = steps.join('/')

  const parser = new SaxesParser({ xmlns: false, position: true })
  const stack: Frame[] = []
  const ready: unknown[] = []
  let envNs = ''
  let version: SoapVersion = '1.1'
  let fault: RawNode[] | undefined
  const codeScopes: Scope[] = []
  let failure: unknown
  let lastFault: SoapFault | undefined
  let chunkText = ''
  let chunkStart = 0

  const fail = (error: unknown) => {
    failure ??= error
  }

  parser.on('doctype', () => {
    fail(
      xmlLimitError(`a DOCTYPE declaration at line ${parser.line}, column ${parser.column} (never accepted)`, source, {
        line: parser.line,
        column: parser.column,
      }),
    )
  })
  parser.on('error', (error) => {
    const offset = Math.max(0, parser.position - chunkStart)
    fail(
      xmlParseErrorAt(
        parser.line,
        parser.column,
        redactedExcerpt(chunkText, Math.min(offset, chunkText.length)),
        truncate(error.message.replace(/^[^:]*:\d+:\d+: /, ''), 120),
        source,
        error,
      ),
    )
  })

  parser.on('opentag', (tag: SaxesTagPlain) => {
    if (failure !== undefined) return
    const parent = stack[stack.length - 1]
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
    if (count > limits.maxAttributes) {
      return fail(
        xmlLimitError(`more than ${limits.maxAttributes} attributes on <${tag.name}>`, source, {
          maxAttributes: limits.maxAttributes,
        }),
      )
    }
    if (stack.length + 1 > limits.maxDepth) {
      return fail(
        xmlLimitError(`elements nested deeper than ${limits.maxDepth}`, source, { maxDepth: limits.maxDepth }),
      )
    }
    const scope = childScope(parent?.scope ?? ROOT_SCOPE, decls)
    const [prefix, local] = splitQName(tag.name)
    const uri = scope[prefix]
    if (uri === undefined) return fail(unboundPrefix(prefix, tag.name, source))
    const depth = stack.length // 0 = Envelope

    // Fault subtree: collected with Clark names (as parseEnvelope sees it), read at its end.
    if (fault !== undefined) {
      const name = uri === '' ? local : `{${uri}}${local}`
      if (name === 'faultcode' || name === `{${SOAP12_NS}}Value`) codeScopes.push(scope)
      fault.push({ node: clarkAttributes(attributes, scope), name, text: '' })
      stack.push({ scope, key: tag.name, matched: -1 })
      return
    }

    if (whole && depth === 2 && parent?.part === 'Body' && uri === envNs && local === 'Fault') {
      fault = [{ node: clarkAttributes(attributes, scope), name: `{${uri}}${local}`, text: '' }]
      stack.push({ scope, key: tag.name, matched: -1 })
      return
    }
    const build = parent?.build
    if (build !== undefined) {
      // Inside a record.
      if (uri === XOP_NS && local === 'Include') {
        build.attachment = resolveAttachment(attributes.href ?? '', ctx, build.path)
        stack.push({ scope, key: tag.name, matched: -1 })
        return
      }
      stack.push({
        scope,
        key: key(uri, local),
        matched: -1,
        build: startBuild(attributes, scope, build, key(uri, local)),
      })
      return
    }

    let matched = -1
    if (depth === 0) {
      if (local !== 'Envelope' || (uri !== SOAP11_NS && uri !== SOAP12_NS)) {
        return fail(
          new SoapError({
            code: 'FK_SOAP_NOT_ENVELOPE',
            message: `[fieldkit/soap] ${source} is XML but not a SOAP envelope (root <${truncate(tag.name, 60)}>)`,
            hint: 'The endpoint answered something other than SOAP (a proxy or error page?); check the endpoint URL and the SOAP version',
          }),
        )
      }
      envNs = uri
      version = uri === SOAP11_NS ? '1.1' : '1.2'
      matched = 1
    } else if (parent !== undefined && parent.matched === depth) {
      if (depth === 1 && whole) {
        if (uri === envNs && (local === 'Body' || local === 'Header')) {
          const shape = local === 'Body' ? options.shape : undefined
          const root: Build = { obj: undefined, text: '', nil: false, hasChildren: false, shape, path: local }
          stack.push({
            scope,
            key: local,
            matched: -1,
            part: local,
            build: startBuild(attributes, scope, root, undefined),
          })
          return
        }
        matched = -1
      } else if (depth === 1) matched = uri === envNs && local === 'Body' ? 2 : -1
      else if (depth === 2 && uri === envNs && local === 'Fault') {
        fault = [{ node: clarkAttributes(attributes, scope), name: `{${uri}}${local}`, text: '' }]
        stack.push({ scope, key: tag.name, matched: -1 })
        return
      } else matched = key(uri, local) === steps[depth - 2] ? depth + 1 : -1
    }
    if (matched === recordDepth) {
      const root: Build = {
        obj: undefined,
        text: '',
        nil: false,
        hasChildren: false,
        shape: recordShape,
        path: recordPath,
      }
      stack.push({ scope, key: key(uri, local), matched, build: startBuild(attributes, scope, root, undefined) })
      return
    }
    stack.push({ scope, key: tag.name, matched })
  })

  function clarkAttributes(attributes: Record<string, string>, scope: Scope): Record<string, unknown> {
    const node: Record<string, unknown> = {}
    for (const name in attributes) {
      if (name === 'xmlns' || name.startsWith('xmlns:')) continue
      const [prefix, local] = splitQName(name)
      const uri = prefix === '' ? '' : scope[prefix]
      if (uri === undefined) throw unboundPrefix(prefix, name, source)
      node[`@_${uri === '' ? local : `{${uri}}${local}`}`] = attributes[name]
    }
    return node
  }

  function startBuild(
    attributes: Record<string, string>,
    scope: Scope,
    parent: Build,
    childKey: string | undefined,
  ): Build {
    const shape = childKey === undefined ? parent.shape : childShape(parent.shape, childKey)
    const path = childKey === undefined ? parent.path : `${parent.path}/${childKey}`
    const build: Build = { obj: undefined, text: '', nil: false, hasChildren: false, shape, path }
    for (const name in attributes) {
      if (name === 'xmlns' || name.startsWith('xmlns:')) continue
      const [prefix, local] = splitQName(name)
      let uri = ''
      if (prefix !== '') {
        const bound = scope[prefix]
        if (bound === undefined) throw unboundPrefix(prefix, name, source)
        uri = bound
      }
      if (uri === XSI_NS) {
        if (local === 'nil' && isNilValue(attributes[name])) build.nil = true
        continue
      }
      build.obj ??= {}
      const attrKey = `@${key(uri, local)}`
      setKey(
        build.obj,
        attrKey,
        coerce(attributes[name] as string, childShape(shape, attrKey)?.type, decimal, `${path}/${attrKey}`),
      )
    }
    if (childKey !== undefined) parent.hasChildren = true
    return build
  }

  const onText = (text: string) => {
    if (failure !== undefined) return
    const top = stack[stack.length - 1]
    if (top?.build !== undefined) top.build.text += text
    else if (fault !== undefined) {
      const raw = fault[fault.length - 1]
      if (raw !== undefined) raw.text += text
    }
  }
  parser.on('text', onText)
  parser.on('cdata', onText)

  parser.on('closetag', () => {
    if (failure !== undefined) return
    const frame = stack.pop()
    if (frame === undefined) return
    if (fault !== undefined) {
      const raw = fault.pop()
      if (raw === undefined) return
      const text = Object.keys(raw.node).some((k) => !k.startsWith('@_')) ? raw.text.trim() : raw.text
      const value: unknown =
        Object.keys(raw.node).length === 0 ? text : text !== '' ? Object.assign(raw.node, { '#text': text }) : raw.node
      const parentRaw = fault[fault.length - 1]
      if (parentRaw === undefined) {
        try {
          let next = 0
          const code = (text: string) => resolveQName(text, codeScopes[next++] ?? ROOT_SCOPE)
          lastFault = readFault(value, version, ctx, options.status, code)
          throw new SoapFaultError(lastFault, source)
        } catch (error) {
          fail(error)
        }
        return
      }
      // Own keys only: an element named __proto__ or toString is data, not the prototype or its member.
      const prev = Object.hasOwn(parentRaw.node, raw.name) ? parentRaw.node[raw.name] : undefined
      if (prev === undefined) setKey(parentRaw.node, raw.name, value)
      else if (Array.isArray(prev)) prev.push(value)
      else setKey(parentRaw.node, raw.name, [prev, value])
      return
    }
    const build = frame.build
    if (build === undefined) return
    let value: unknown
    try {
      value = finish(build)
    } catch (error) {
      return fail(error)
    }
    const parentBuild = stack[stack.length - 1]?.build
    if (parentBuild === undefined) ready.push(whole ? { part: frame.part, value } : value)
    else {
      parentBuild.obj ??= {}
      addChild(parentBuild.obj, frame.key, value, build.shape?.array === true)
    }
  })

  function finish(build: Build): unknown {
    if (build.nil) return null
    if (build.attachment !== undefined) return build.attachment
    // Leaf text is kept exactly; whitespace between child elements is dropped (as in parseEnvelope).
    const text = build.hasChildren ? build.text.trim() : build.text
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

  return {
    parser,
    ready,
    setChunk(text) {
      chunkStart = parser.position
      chunkText = text
    },
    fail,
    failure: () => failure,
    envNs: () => envNs,
    version: () => version,
    fault: () => lastFault,
  }
}
