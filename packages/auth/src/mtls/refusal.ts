import type { Dispatcher } from 'undici'
import { CertificateError } from './certificate-error'

/** What the refusal hint says about the certificate that was offered. */
interface OfferedCertificate {
  subject?: string
  issuer?: string
}

/** How the refusal was recognised. */
type CertificateRefusalKind = 'tls-alert' | 'closed-after-handshake' | 'nginx-400'

/**
 * TLS alerts a server sends when it refuses the client certificate (RFC 8446 section 6.2), as Node's OpenSSL names
 * them in `err.code` (`ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED`, `ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE`,
 * `ERR_SSL_TLSV1_ALERT_UNKNOWN_CA`, …). `HANDSHAKE_FAILURE` is what TLS 1.2 servers send for a missing certificate.
 */
const CERTIFICATE_ALERT =
  /^ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_(?:BAD_CERTIFICATE|UNSUPPORTED_CERTIFICATE|CERTIFICATE_REVOKED|CERTIFICATE_EXPIRED|CERTIFICATE_UNKNOWN|UNKNOWN_CA|ACCESS_DENIED|CERTIFICATE_REQUIRED|DECRYPT_ERROR|HANDSHAKE_FAILURE)$/
const CERTIFICATE_ALERT_TEXT = /alert (?:bad certificate|unknown ca|certificate required|certificate unknown)/i
/** nginx's 400 pages for `ssl_verify_client on` (ngx_http_special_response.c). */
const NGINX_PAGES = ['No required SSL certificate was sent', 'The SSL certificate error']
/** A 400 page longer than this is not nginx's: passed through untouched. */
const MAX_PAGE = 8 * 1024

/** Which kind of refusal `error` is, or undefined: a certificate alert, or a fresh TLS connection closed unread. */
export function refusalKind(error: unknown): CertificateRefusalKind | undefined {
  const e = error as { code?: unknown; message?: unknown; socket?: { bytesRead?: unknown } } | null
  if (typeof e?.code === 'string' && CERTIFICATE_ALERT.test(e.code)) return 'tls-alert'
  if (typeof e?.message === 'string' && CERTIFICATE_ALERT_TEXT.test(e.message)) return 'tls-alert'
  // TLS 1.3 finishes the client's handshake before the server has checked the certificate: a refusing server's alert
  // then arrives as a close of a connection on which not one byte of an answer was read.
  if (e?.code === 'UND_ERR_SOCKET' && e.socket?.bytesRead === 0) return 'closed-after-handshake'
  return undefined
}

/** The typed refusal: the certificate's subject and issuer, and the command that shows which CAs the server accepts. */
function certificateRefused(
  kind: CertificateRefusalKind,
  origin: string,
  offered: OfferedCertificate | undefined,
  cause?: unknown,
): CertificateError {
  const url = new URL(origin)
  const port = url.port || (url.protocol === 'https:' ? '443' : '80')
  const host = url.hostname.replace(/^\[|\]$/g, '')
  const hostPort = `${host}:${port}`
  const sent =
    offered === undefined
      ? 'no client certificate was sent'
      : offered.subject === undefined
        ? 'a client certificate (from a PKCS#12 bundle whose subject could not be read) was sent'
        : `the client certificate sent has subject "${offered.subject}" and issuer "${offered.issuer ?? 'unknown'}"`
  const how =
    kind === 'nginx-400'
      ? 'answered 400 with its "client certificate" error page'
      : kind === 'tls-alert'
        ? `ended the TLS handshake with an alert (${String((cause as { code?: unknown })?.code ?? 'certificate alert')})`
        : 'closed the TLS connection right after the handshake, before answering'
  return new CertificateError({
    code: 'FK_AUTH_CERT_REFUSED',
    message: `[fieldkit/auth] mtls: ${hostPort} refused the client certificate: it ${how}; ${sent}`,
    hint: `The server does not accept this client certificate (not issued by a CA it trusts, the wrong certificate, or one it does not expect for this host). Run \`openssl s_client -connect ${hostPort} -servername ${host} </dev/null\` and read "Acceptable client certificate CA names" (Node does not show that list), then compare with the issuer above; not retried, as every retry would be refused the same way`,
    cause,
    details: {
      host: hostPort,
      kind,
      subject: offered?.subject ?? null,
      issuer: offered?.issuer ?? null,
      sent: offered !== undefined,
    },
  })
}

type Handler = Dispatcher.DispatchHandler
type Controller = Parameters<NonNullable<Handler['onResponseStart']>>[0]

interface Held {
  status: number
  headers: Parameters<NonNullable<Handler['onResponseStart']>>[2]
  message: string
  chunks: Buffer[]
  size: number
}

/**
 * An undici handler that turns a certificate refusal into `FK_AUTH_CERT_REFUSED`: a TLS alert or a fresh
 * connection closed unread (through `onResponseError`), or nginx's 400 page (held until its end, at most 8 KiB, and
 * passed on untouched when it is anything else).
 */
class RefusalHandler implements Handler {
  #held: Held | undefined
  constructor(
    private readonly inner: Handler,
    private readonly origin: string,
    private readonly offered: OfferedCertificate | undefined,
  ) {}

  onRequestStart(controller: Controller, context: unknown): void {
    this.inner.onRequestStart?.(controller, context)
  }

  onRequestUpgrade(...args: Parameters<NonNullable<Handler['onRequestUpgrade']>>): void {
    this.inner.onRequestUpgrade?.(...args)
  }

  onResponseStart(controller: Controller, status: number, headers: Held['headers'], message: string): void {
    const type = String(headers['content-type'] ?? '')
    const length = Number(headers['content-length'] ?? 0)
    if (status === 400 && type.startsWith('text/html') && length <= MAX_PAGE) {
      this.#held = { status, headers, message, chunks: [], size: 0 }
      return
    }
    this.inner.onResponseStart?.(controller, status, headers, message)
  }

  onResponseData(controller: Controller, chunk: Buffer): void {
    const held = this.#held
    if (held === undefined) {
      this.inner.onResponseData?.(controller, chunk)
      return
    }
    held.chunks.push(chunk)
    held.size += chunk.length
    if (held.size > MAX_PAGE) this.#release(controller)
  }

  onResponseEnd(controller: Controller, trailers: Parameters<NonNullable<Handler['onResponseEnd']>>[1]): void {
    const held = this.#held
    if (held !== undefined) {
      const page = Buffer.concat(held.chunks).toString('latin1')
      if (NGINX_PAGES.some((text) => page.includes(text))) {
        this.#held = undefined
        this.inner.onResponseError?.(controller, certificateRefused('nginx-400', this.origin, this.offered))
        return
      }
      this.#release(controller)
    }
    this.inner.onResponseEnd?.(controller, trailers)
  }

  onResponseError(controller: Controller, error: Error): void {
    const kind = this.#held === undefined ? refusalKind(error) : undefined
    this.inner.onResponseError?.(
      controller,
      kind === undefined ? error : certificateRefused(kind, this.origin, this.offered, error),
    )
  }

  #release(controller: Controller): void {
    const held = this.#held as Held
    this.#held = undefined
    this.inner.onResponseStart?.(controller, held.status, held.headers, held.message)
    for (const chunk of held.chunks) this.inner.onResponseData?.(controller, chunk)
  }
}

/**
 * The interceptor of the mTLS dispatcher: every request's certificate refusal comes out as `FK_AUTH_CERT_REFUSED`,
 * a `FieldkitError`, which `@fieldkit/http` does not retry.
 */
export function certificateRefusalInterceptor(
  offered: OfferedCertificate | undefined,
): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (options, handler) =>
    dispatch(options, new RefusalHandler(handler, String(options.origin ?? ''), offered))
}
