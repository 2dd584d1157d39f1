import type { StandardSchemaV1 } from '@fieldkit/core'
import {
  describeValue,
  expected,
  isFieldkitError,
  type Logger,
  resolveLogger,
  type SecretScrubber,
} from '@fieldkit/core'
import type { HttpClient, HttpClientOptions } from '@fieldkit/http'
import { checkObject, checkSchema, checkStringMap, inputError } from './checks'
import { type AddressingOptions, buildEnvelope, type SoapHeaderBlock } from './envelope-build'
import { parseEnvelope } from './envelope-parse'
import { redactedExcerpt, SoapError, SoapFaultError, type SoapVersion, truncate } from './errors'
import { headerScrubber, scrubFault } from './header-secrets'
import { parseMultipartRelated } from './mtom'
import { keyMaker } from './namespaces'
import { schemaNamespaces } from './schema-keys'
import type { DecimalMode, Shape } from './shape'
import { streamRecords } from './stream-records'
import { httpTransport, type SoapTransport, type TransportResponse } from './transport'
import { validate } from './validate'
import { outputShape, type ReadWsdlOptions, readWsdl, type WsdlDescription, type WsdlOperation } from './wsdl'
import type { XmlLimits } from './xml-limits'

/**
 * Anything that yields a fresh `<wsse:Security>` header element per call: `@fieldkit/auth`'s
 * `wsSecurityUsernameToken(...)` fits, and so does your own object.
 */
export interface SecurityHeaderProvider {
  securityHeader(): string
}

/** Options of {@link createSoapClient}. */
export interface SoapClientOptions {
  /** Service URL the envelopes are POSTed to. Default: the WSDL port's address. */
  endpoint?: string
  /** The WSDL: a file path, a URL, WSDL text, or a description from {@link readWsdl}. Gives actions, types, arrays. */
  wsdl?: string | URL | WsdlDescription
  /** Options for reading the WSDL (allowHosts for remote imports, limits). */
  wsdlOptions?: ReadWsdlOptions
  /** SOAP version. Default: the WSDL binding's, else '1.1'. */
  version?: SoapVersion
  /** Namespace of the request element when there is no WSDL (required then). */
  namespace?: string
  /**
   * The `@fieldkit/http` client calls go through, or options for the one created here (auth, retry, breaker,
   * timeout, residency, logger…). Faults are never retried; transport errors follow its retry policy.
   */
  http?: HttpClient | HttpClientOptions
  /** Replaces the HTTP layer entirely (tests, a recorded-response replay, another HTTP stack). */
  transport?: SoapTransport
  /** WS-Security: an object whose `securityHeader()` returns the `<wsse:Security>` element, fresh each call. */
  security?: SecurityHeaderProvider
  /** WS-Addressing headers on every call (Action = the soapAction, To = the endpoint). */
  addressing?: boolean
  /** Paths (relative to the response element's parent, Body) that are always arrays, on top of the WSDL's. */
  arrays?: readonly string[]
  /** Namespace URI → prefix for response keys (see parseEnvelope). */
  namespaces?: Record<string, string>
  /** A Standard Schema (zod 3.24+/4, valibot, ArkType) for every call's result (per-call `schema` wins); a zod schema's arrays also fix one-vs-many. */
  schema?: StandardSchemaV1
  /** How xsd:decimal comes out (default 'string'). */
  decimal?: DecimalMode
  /** XML safety limits for responses. */
  limits?: XmlLimits
  /** Largest buffered response (default 64 MiB); use `stream()` beyond. */
  maxResponseBytes?: number
  /**
   * Silence allowed of the default transport, ms: until the response headers and between two body chunks, for
   * `call()` and `stream()` alike (default 60,000).
   */
  timeoutMs?: number
  /**
   * The whole call of the default transport, ms, the streamed body included (default: `http.timeout.total`, else
   * 120,000). Raise it for streams that legitimately take longer.
   */
  totalTimeoutMs?: number
  logger?: Logger
}

/** Per-call options. */
export interface CallOptions {
  /** Extra SOAP header blocks (data or XML strings). */
  soapHeaders?: readonly (SoapHeaderBlock | string)[]
  signal?: AbortSignal
  /** Validates (and types) this call's result. */
  schema?: StandardSchemaV1
  /** The operation is safe to repeat: the transport may retry it on transport errors. Faults are never retried. */
  idempotent?: boolean
  /** SOAPAction to send (default: the WSDL's, else `namespace/operation`). */
  soapAction?: string
}

/** Per-call options of {@link SoapClient.stream}. */
export interface StreamCallOptions extends CallOptions {
  /** The repeated element, relative to Body: `GetEmployeesResponse/Employee`. */
  record: string
}

/** What {@link createSoapClient} returns. */
export interface SoapClient {
  /** Calls an operation; resolves to the response element's content, normalised (and typed with a WSDL/schema). */
  call<T = Record<string, unknown>>(operation: string, input?: unknown, options?: CallOptions): Promise<T>
  /** Calls an operation and yields the records of a large response one at a time, in bounded memory. */
  stream<T = Record<string, unknown>>(
    operation: string,
    input: unknown,
    options: StreamCallOptions,
  ): AsyncGenerator<T, void, undefined>
  /** The WSDL description, once read (undefined without a WSDL). */
  describe(): Promise<WsdlDescription | undefined>
  /** Closes the transport's sockets. */
  close(): Promise<void>
}

function optionsError(message: string, hint: string): SoapError {
  return new SoapError({ code: 'FK_SOAP_OPTIONS', message: `[fieldkit/soap] ${message}`, hint })
}

/** `endpoint` must be an http(s) URL; the error never shows a password it may carry, nor keeps it in the cause. */
function checkEndpoint(endpoint: unknown): void {
  let cause: unknown
  let ok = typeof endpoint === 'string'
  if (ok) {
    try {
      ok = /^https?:$/.test(new URL(endpoint as string).protocol)
    } catch (error) {
      cause = error
      ok = false
    }
  }
  if (ok) return
  const secret = typeof endpoint === 'string' && endpoint.includes('@')
  throw new SoapError({
    code: 'FK_SOAP_OPTIONS',
    message: `[fieldkit/soap] ${expected('endpoint', 'an http(s) URL', endpoint, { secret })}`,
    hint: 'Use the service address, e.g. https://erp.example/services/Employees',
    cause,
  })
}

function validateOptions(o: SoapClientOptions): void {
  if (typeof o !== 'object' || o === null)
    throw optionsError(`Expected options to be an object, got ${describeValue(o)}`, 'Pass { endpoint, version, … }')
  if (o.endpoint !== undefined) checkEndpoint(o.endpoint)
  if (o.endpoint === undefined && o.wsdl === undefined)
    throw optionsError(
      'Expected `endpoint` or `wsdl`, got neither',
      'Give the service URL, or a WSDL whose port has an address',
    )
  if (o.version !== undefined && o.version !== '1.1' && o.version !== '1.2')
    throw optionsError(
      `Expected \`version\` to be '1.1' or '1.2', got ${describeValue(o.version)}`,
      'The WSDL binding (soap: or soap12:) says which',
    )
  if (o.wsdl === undefined && (typeof o.namespace !== 'string' || o.namespace === ''))
    throw optionsError(
      `Expected \`namespace\` to be a namespace URI when there is no WSDL, got ${describeValue(o.namespace)}`,
      'Give the target namespace of the request element, or a WSDL',
    )
  if (o.security !== undefined && typeof o.security?.securityHeader !== 'function')
    throw optionsError(
      'Expected `security` to have a securityHeader() method',
      "Pass @fieldkit/auth's wsSecurityUsernameToken(...) or an object with securityHeader(): string",
    )
  if (o.arrays !== undefined && (!Array.isArray(o.arrays) || o.arrays.some((a) => typeof a !== 'string')))
    throw optionsError(
      'Expected `arrays` to be an array of paths such as "GetEmployeesResponse/Employee"',
      'List the repeated elements, from Body down',
    )
  checkStringMap('namespaces', o.namespaces)
  checkSchema('schema', o.schema)
  checkObject('limits', o.limits)
  if (o.decimal !== undefined && o.decimal !== 'string' && o.decimal !== 'number')
    throw optionsError(
      `Expected \`decimal\` to be 'string' or 'number', got ${describeValue(o.decimal)}`,
      "'string' keeps every digit; 'number' is convenient but may round",
    )
  for (const key of ['maxResponseBytes', 'timeoutMs', 'totalTimeoutMs'] as const) {
    const v = o[key]
    if (v !== undefined && !(Number.isInteger(v) && v > 0))
      throw optionsError(
        `Expected \`${key}\` to be a positive integer, got ${describeValue(v)}`,
        'Use a whole number of bytes / milliseconds',
      )
  }
}

/**
 * A fault that may echo what the call sent (debug-mode services answer with the request) comes back without any
 * credential of the call's SOAP headers: a new SoapFaultError from the scrubbed fault, the original dropped.
 */
function withoutSecrets(error: unknown, scrubber: SecretScrubber, source: string): unknown {
  if (scrubber.size === 0 || !isFieldkitError(error) || error.code !== 'FK_SOAP_FAULT') return error
  return new SoapFaultError(scrubFault((error as SoapFaultError).fault, scrubber), source)
}

interface Resolved {
  url: string
  version: SoapVersion
  action: string
  body: { name: string; namespace: string }
  elementForm: 'qualified' | 'unqualified'
  shape: Shape | undefined
  responseKey: string | undefined
  /** Namespace URI → prefix for keys: the caller's, plus the schema's where it would put two under one key. */
  namespaces: Record<string, string> | undefined
}

/**
 * A SOAP 1.1/1.2 client: builds the envelope (with WS-Security and WS-Addressing headers when asked), POSTs it,
 * and returns the response as plain, normalised data; faults become {@link SoapFaultError} whatever the HTTP
 * status, and are never retried.
 *
 * @example
 * ```ts
 * const svc = createSoapClient({ endpoint: `${mock.url}/soap/employees`, wsdl: employeesWsdl })
 * const out = await svc.call('GetEmployees', { departmentId: '0042' })
 * out.Employee // always an array (maxOccurs="unbounded" in the WSDL)
 * ```
 */
export function createSoapClient(options: SoapClientOptions): SoapClient {
  validateOptions(options)
  const log = resolveLogger(options.logger, 'soap')
  const transport =
    options.transport ??
    httpTransport({
      http: options.http === undefined ? (options.logger ? { logger: options.logger } : undefined) : options.http,
      maxResponseBytes: options.maxResponseBytes ?? 64 * 1024 * 1024,
      timeoutMs: options.timeoutMs ?? 60_000,
      totalTimeoutMs: options.totalTimeoutMs,
    })
  // With a WSDL, keys are named from the schema's namespaces too (schemaNamespaces): one map for shape and parse.
  const namesFor = new WeakMap<WsdlDescription, Record<string, string>>()
  const namespacesOf = (desc: WsdlDescription | undefined): Record<string, string> | undefined => {
    if (desc === undefined) return options.namespaces
    let names = namesFor.get(desc)
    if (names === undefined) {
      names = schemaNamespaces(desc, options.namespaces)
      namesFor.set(desc, names)
    }
    return names
  }
  let wsdlPromise: Promise<WsdlDescription | undefined> | undefined
  const describe = () => {
    const wsdl = options.wsdl
    wsdlPromise ??=
      wsdl === undefined
        ? Promise.resolve(undefined)
        : typeof wsdl === 'object' && !(wsdl instanceof URL)
          ? Promise.resolve(wsdl)
          : readWsdl(wsdl, options.wsdlOptions)
    return wsdlPromise
  }
  const ctx: ClientContext = { options, transport, log, describe, namespacesOf }
  return {
    call: (operation, input, callOptions) => call(ctx, operation, input, callOptions),
    stream: (operation, input, callOptions) => stream(ctx, operation, input, callOptions),
    describe,
    close: () => transport.close(),
  }
}

/** What the client's calls share: its options, transport, logger, the WSDL once read and the key map. */
interface ClientContext {
  options: SoapClientOptions
  transport: SoapTransport
  log: ReturnType<typeof resolveLogger>
  describe(): Promise<WsdlDescription | undefined>
  namespacesOf(desc: WsdlDescription | undefined): Record<string, string> | undefined
}

async function resolve(ctx: ClientContext, operation: string, callOptions: CallOptions | undefined): Promise<Resolved> {
  if (typeof operation !== 'string' || operation === '') throw inputError('operation', 'an operation name', operation)
  if (callOptions !== undefined && (typeof callOptions !== 'object' || callOptions === null))
    throw inputError('options', 'an object', callOptions)
  checkSchema('options.schema', callOptions?.schema)
  const desc = await ctx.describe()
  if (desc === undefined) {
    const namespace = ctx.options.namespace as string
    return {
      url: ctx.options.endpoint as string,
      version: ctx.options.version ?? '1.1',
      action: callOptions?.soapAction ?? `${namespace.replace(/\/$/, '')}/${operation}`,
      body: { name: operation, namespace },
      elementForm: 'qualified',
      shape: undefined,
      responseKey: undefined,
      namespaces: ctx.options.namespaces,
    }
  }
  const candidates = desc.operations.filter((op) => op.name === operation)
  const op: WsdlOperation | undefined =
    candidates.find((o) => o.version === (ctx.options.version ?? o.version)) ?? candidates[0]
  if (op === undefined) {
    throw new SoapError({
      code: 'FK_SOAP_OPERATION',
      message: `[fieldkit/soap] the WSDL has no operation "${truncate(operation, 80)}" (it has ${truncate(
        desc.operations
          .map((o) => o.name)
          .filter((n, i, a) => a.indexOf(n) === i)
          .join(', '),
        200,
      )})`,
      hint: 'Check the operation name (case matters) against readWsdl(...).operations',
      details: { operation: truncate(operation, 80) },
    })
  }
  const port = desc.services.flatMap((s) => s.ports).find((p) => p.binding === op.binding)
  const url = ctx.options.endpoint ?? port?.address
  if (!url) throw optionsError('Expected `endpoint`: the WSDL port has no address', 'Pass endpoint explicitly')
  let body: { name: string; namespace: string }
  let elementForm: 'qualified' | 'unqualified' = 'qualified'
  if (op.style === 'rpc') {
    body = { name: op.name, namespace: op.namespace ?? desc.targetNamespace }
    elementForm = 'unqualified'
  } else {
    const element = op.input?.element
    const decl = element ? desc.elements.get(`{${element.namespace}}${element.name}`) : undefined
    body = element
      ? { name: element.name, namespace: element.namespace }
      : { name: op.name, namespace: desc.targetNamespace }
    const firstField =
      decl?.inline?.fields[0] ??
      (decl?.type ? desc.types.get(`{${decl.type.namespace}}${decl.type.name}`)?.fields[0] : undefined)
    if (firstField && firstField.namespace === '') elementForm = 'unqualified'
  }
  const namespaces = ctx.namespacesOf(desc)
  const shape = outputShape(desc, op, keyMaker(namespaces))
  const responseKey = shape?.children ? Object.keys(shape.children)[0] : undefined
  return {
    url,
    version: ctx.options.version ?? op.version,
    action: callOptions?.soapAction ?? op.soapAction,
    body,
    elementForm,
    shape,
    responseKey,
    namespaces,
  }
}

function envelope(ctx: ClientContext, r: Resolved, input: unknown, callOptions: CallOptions | undefined) {
  const headers: (SoapHeaderBlock | string)[] = []
  if (ctx.options.security) headers.push(ctx.options.security.securityHeader())
  headers.push(...(callOptions?.soapHeaders ?? []))
  const addressing: AddressingOptions | undefined = ctx.options.addressing ? { action: r.action, to: r.url } : undefined
  const xml = buildEnvelope({
    version: r.version,
    body: { ...r.body, value: input ?? {} },
    elementForm: r.elementForm,
    headers,
    ...(addressing ? { addressing } : {}),
  })
  const httpHeaders: Record<string, string> =
    r.version === '1.2'
      ? {
          'content-type': `application/soap+xml; charset=utf-8; action="${r.action.replace(/["\\]/g, '')}"`,
          accept: 'application/soap+xml, multipart/related',
        }
      : {
          'content-type': 'text/xml; charset=utf-8',
          soapaction: `"${r.action.replace(/["\\]/g, '')}"`,
          accept: 'text/xml, multipart/related',
        }
  return { xml, httpHeaders, scrubber: headerScrubber(headers) }
}

function contentType(res: { headers: TransportResponse['headers'] }): string {
  const v = res.headers['content-type']
  return (Array.isArray(v) ? v[0] : v) ?? ''
}

function notSoapStatus(r: Resolved, operation: string, status: number, text: string): SoapError {
  return new SoapError({
    code: 'FK_SOAP_HTTP_STATUS',
    message: `[fieldkit/soap] ${operation} at ${new URL(r.url).origin} answered HTTP ${status} without a SOAP envelope: ${redactedExcerpt(text, 0)}`,
    hint: 'The server (or a proxy in front of it) refused the call before SOAP: check the endpoint path, the SOAP version (content type) and authentication',
    details: { status, operation: truncate(operation, 80) },
  })
}

async function call<T>(ctx: ClientContext, operation: string, input?: unknown, callOptions?: CallOptions): Promise<T> {
  const r = await resolve(ctx, operation, callOptions)
  const { xml, httpHeaders, scrubber } = envelope(ctx, r, input, callOptions)
  const started = performance.now()
  const res = await ctx.transport.send({
    url: r.url,
    headers: httpHeaders,
    body: xml,
    idempotent: callOptions?.idempotent === true,
    ...(callOptions?.signal ? { signal: callOptions.signal } : {}),
  })
  ctx.log.debug(
    { operation, status: res.status, bytes: res.body.length, durationMs: Math.round(performance.now() - started) },
    'soap call',
  )
  const type = contentType(res)
  let text: string
  let attachments: Map<string, Buffer> | undefined
  if (/^multipart\/related/i.test(type)) {
    const parts = parseMultipartRelated(res.body, type)
    text = parts.root
    attachments = parts.attachments
  } else text = res.body.toString('utf8')
  if (!/^\s*</.test(text)) throw notSoapStatus(r, operation, res.status, text)
  const source = `${operation} at ${new URL(r.url).origin}`
  let parsed: { body: Record<string, unknown> }
  try {
    parsed = parseEnvelope(text, {
      ...(r.namespaces ? { namespaces: r.namespaces } : {}),
      ...(ctx.options.arrays ? { arrays: ctx.options.arrays } : {}),
      ...(ctx.options.limits ? { limits: ctx.options.limits } : {}),
      ...(attachments ? { attachments } : {}),
      ...(r.shape ? { shape: r.shape } : {}),
      ...((callOptions?.schema ?? ctx.options.schema)
        ? { schema: callOptions?.schema ?? ctx.options.schema, schemaAt: 'response' as const }
        : {}),
      decimal: ctx.options.decimal ?? 'string',
      status: res.status,
      source,
    })
  } catch (error) {
    if (res.status >= 300 && (error as SoapError).code !== 'FK_SOAP_FAULT')
      throw notSoapStatus(r, operation, res.status, text)
    throw withoutSecrets(error, scrubber, source)
  }
  if (res.status >= 300) throw notSoapStatus(r, operation, res.status, text)
  const responseKey = r.responseKey ?? Object.keys(parsed.body)[0]
  const content = responseKey === undefined ? {} : (parsed.body as Record<string, unknown>)[responseKey]
  const schema = callOptions?.schema ?? ctx.options.schema
  return (schema ? validate(schema, content ?? {}, source) : (content ?? {})) as T
}

async function* stream<T>(
  ctx: ClientContext,
  operation: string,
  input: unknown,
  callOptions: StreamCallOptions,
): AsyncGenerator<T, void, undefined> {
  if (typeof callOptions?.record !== 'string' || callOptions.record.trim() === '')
    throw inputError('options.record', 'a path such as "GetEmployeesResponse/Employee"', callOptions?.record)
  const r = await resolve(ctx, operation, callOptions)
  const { xml, httpHeaders, scrubber } = envelope(ctx, r, input, callOptions)
  const res = await ctx.transport.stream({
    url: r.url,
    headers: httpHeaders,
    body: xml,
    idempotent: callOptions.idempotent === true,
    ...(callOptions.signal ? { signal: callOptions.signal } : {}),
  })
  const source = `${operation} at ${new URL(r.url).origin}`
  if (res.status >= 300 && !/xml|multipart/i.test(contentType(res))) {
    let text = ''
    for await (const chunk of res.body) {
      text += Buffer.from(chunk).toString('utf8')
      if (text.length > 4096) break
    }
    throw notSoapStatus(r, operation, res.status, text)
  }
  const schema = callOptions.schema ?? ctx.options.schema
  const records = streamRecords<T>(res.body, {
    record: callOptions.record,
    ...(r.namespaces ? { namespaces: r.namespaces } : {}),
    ...(r.shape ? { shape: r.shape } : {}),
    ...(ctx.options.limits ? { limits: ctx.options.limits } : {}),
    ...(schema ? { schema } : {}),
    decimal: ctx.options.decimal ?? 'string',
    status: res.status,
    source,
  })
  try {
    yield* records
  } catch (error) {
    throw withoutSecrets(error, scrubber, source)
  } finally {
    await records.return(undefined)
    const body = res.body as { destroy?: () => void }
    body.destroy?.()
  }
}
