import { expected } from '@fieldkit/core'
import { HttpResponse, http, type RequestHandler } from 'msw'
import { MockError } from '../errors'

/** Where {@link echo} puts the request it received. */
export type EchoPlace = 'body' | 'json' | 'soap-fault' | 'token-error' | 'headers'

/** Options of {@link echo}. */
export interface EchoOptions {
  /** Path to answer on, any method (default `/echo`). */
  path?: string
  /**
   * Where the request is echoed (default `body`): a plain-text body, a JSON error body, a SOAP 1.1 fault's
   * `faultstring`, an OAuth 2.0 token error's `error_description`, or response headers (`www-authenticate` and one
   * `x-echo-<name>` per request header).
   */
  in?: EchoPlace
  /** Status of the answer (default 500; 400 for `token-error`, 401 for `headers`). */
  status?: number
}

const PLACES: readonly EchoPlace[] = ['body', 'json', 'soap-fault', 'token-error', 'headers']
const DEFAULT_STATUS: Record<EchoPlace, number> = {
  body: 500,
  json: 500,
  'soap-fault': 500,
  'token-error': 400,
  headers: 401,
}

/**
 * An endpoint that answers an error holding the request it received, headers and query included, as debug-mode
 * frameworks and proxies do: the hostile server of the leak tests, which must find none of the secrets a client
 * sent in any error message, detail or log line.
 *
 * @example
 * ```ts
 * const mock = await serve(echo({ in: 'token-error' }))
 * const res = await fetch(`${mock.url}/echo?api_key=k-123`, { headers: { authorization: 'Bearer t-456' } })
 * // 400 {"error":"invalid_request","error_description":"GET /echo?api_key=k-123\nauthorization: Bearer t-456\n…"}
 * ```
 */
export function echo(options: EchoOptions = {}): RequestHandler[] {
  const path = options.path ?? '/echo'
  const place = options.in ?? 'body'
  if (typeof path !== 'string' || !path.startsWith('/')) invalid('path', 'a path starting with "/"', path)
  if (!PLACES.includes(place)) invalid('in', `one of ${PLACES.join(', ')}`, place)
  const status = options.status ?? DEFAULT_STATUS[place]
  if (!Number.isInteger(status) || status < 200 || status > 599) invalid('status', 'an integer from 200 to 599', status)

  return [
    http.all(`*${path}`, async ({ request }) => {
      const url = new URL(request.url)
      const headers = [...request.headers].filter(([name]) => !name.startsWith('x-fieldkit-'))
      const dump = [
        `${request.method} ${url.pathname}${url.search}`,
        ...headers.map(([name, value]) => `${name}: ${value}`),
        '',
        await request.text(),
      ].join('\n')
      return answer(place, status, dump, headers)
    }),
  ]
}

function answer(place: EchoPlace, status: number, dump: string, headers: [string, string][]): Response {
  switch (place) {
    case 'body':
      return new HttpResponse(dump, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } })
    case 'json':
      return HttpResponse.json({ error: 'echo', request: dump }, { status })
    case 'token-error':
      return HttpResponse.json({ error: 'invalid_request', error_description: dump }, { status })
    case 'soap-fault':
      return new HttpResponse(
        `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault>` +
          `<faultcode>soap:Client</faultcode><faultstring>${escapeXml(dump)}</faultstring>` +
          `<detail><request>${escapeXml(dump)}</request></detail></soap:Fault></soap:Body></soap:Envelope>`,
        { status, headers: { 'content-type': 'text/xml; charset=utf-8' } },
      )
    case 'headers': {
      const echoed = new Headers({ 'content-type': 'text/plain; charset=utf-8' })
      const line = (value: string) => value.replace(/[\r\n]+/g, ' ')
      const sent = headers.find(([name]) => name === 'authorization')?.[1] ?? ''
      echoed.set('www-authenticate', `Basic realm="${line(sent).replace(/["\\]/g, '')}"`)
      for (const [name, value] of headers) echoed.set(`x-echo-${name}`, line(value))
      return new HttpResponse('', { status, headers: echoed })
    }
  }
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function invalid(name: string, what: string, got: unknown): never {
  throw new MockError({
    code: 'FK_MOCK_OPTIONS',
    message: `[fieldkit/mocks] ${expected(`echo ${name}`, what, got)}`,
    hint: 'Fix the options passed to echo(): a path starting with "/", an in from the list, a status from 200 to 599',
  })
}
