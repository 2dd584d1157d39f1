import { getResponse, http, type RequestHandler } from 'msw'

/**
 * Stacks mock endpoints like middleware on one path: each layer sees the request in turn; a layer that answers
 * with anything but a 2xx (an auth challenge, a 429, a 503, a reset connection) ends the chain with that answer,
 * a 2xx lets the request through to the next layer, and the last layer's answer is the response. So a SOAP
 * service sits behind NTLM, or a listing behind a bearer token, a quota and a flaky network, without either
 * knowing about the other.
 *
 * @example
 * ```ts
 * const hr = chain('/soap/secure/employees', ntlmAuth({ path: '/soap/secure/employees', users }), soapEmployees())
 * const mock = await serve(hr)
 * ```
 */
export function chain(path: string, ...layers: RequestHandler[][]): RequestHandler[] {
  return [
    http.all(`*${path}`, async ({ request }) => {
      let answer: Response | undefined
      for (const [index, layer] of layers.entries()) {
        answer = await getResponse(layer, request.clone())
        if (answer === undefined) {
          return Response.json(
            {
              error: 'no mock handler in chain layer',
              layer: index,
              method: request.method,
              path: new URL(request.url).pathname,
            },
            { status: 404 },
          )
        }
        const last = index === layers.length - 1
        if (last || answer.type === 'error' || answer.status < 200 || answer.status > 299) return answer
      }
      return answer
    }),
  ]
}
