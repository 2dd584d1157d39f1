// Tiny verifying servers for this package's own tests, used until (and beside) the @fieldkit/mocks auth servers.
// Test-only; not exported from the package.
import { timingSafeEqual } from 'node:crypto'
import { HttpResponse, http } from 'msw'

export function equalSecret(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** A handler that accepts only the given header value (Basic, Bearer, API key header). */
export function requireHeader(path: string, header: string, expected: string, challenge = 'Basic realm="test"') {
  return http.all(`*${path}`, ({ request }) => {
    const got = request.headers.get(header) ?? ''
    if (equalSecret(got, expected)) return HttpResponse.json({ ok: true })
    return new HttpResponse(null, { status: 401, headers: { 'www-authenticate': challenge } })
  })
}

/** A handler that accepts only the given query parameter value. */
export function requireQuery(path: string, name: string, expected: string) {
  return http.all(`*${path}`, ({ request }) => {
    const got = new URL(request.url).searchParams.get(name) ?? ''
    if (equalSecret(got, expected)) return HttpResponse.json({ ok: true })
    return new HttpResponse(null, { status: 401, headers: { 'www-authenticate': 'ApiKey' } })
  })
}
