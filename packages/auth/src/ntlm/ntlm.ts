import type { AuthChallengeResponse, AuthStrategy, Logger } from '@fieldkit/core'
import { expected, resolveLogger } from '@fieldkit/core'
import type { Client } from 'undici'
import { invalidOption, requireString } from '../errors'
import { NtlmDispatcher } from './dispatcher'
import { ntowfv2 } from './ntlmv2'

/** Options of {@link ntlm}. */
export interface NtlmOptions {
  /** `user`, `DOMAIN\user` or `user@domain`. */
  username: string
  password: string
  /** The NetBIOS or DNS domain, when `username` does not name it. */
  domain?: string
  /** The client's machine name sent in the AUTHENTICATE message (default empty). */
  workstation?: string
  /** Authenticated connections per origin (default 8). */
  connections?: number
  /** undici connect options (TLS `ca`, `servername`, …). */
  connect?: Client.Options['connect']
  logger?: Logger
}

/** A strategy whose requests must go through its `dispatcher` (an undici Dispatcher). */
export interface NtlmStrategy extends AuthStrategy {
  readonly dispatcher: NtlmDispatcher
  /** A dispatcher like `dispatcher` whose connections resolve their host through `lookup` (a residency guard's). */
  pinnedDispatcher(lookup: unknown): NtlmDispatcher
  close(): Promise<void>
}

function splitUser(username: string, domain: string | undefined): { user: string; domain: string } {
  let user = username
  let embedded: string | undefined
  const slash = username.indexOf('\\')
  if (slash !== -1) {
    embedded = username.slice(0, slash)
    user = username.slice(slash + 1)
  } else if (username.includes('@')) {
    const at = username.lastIndexOf('@')
    user = username.slice(0, at)
    embedded = username.slice(at + 1)
  }
  if (embedded !== undefined && domain !== undefined && domain.toLowerCase() !== embedded.toLowerCase()) {
    throw invalidOption(
      'ntlm',
      expected('domain', 'the domain named in `username`, or left out', domain),
      'Name the domain once: either username: "DOMAIN\\user" (or "user@domain") or username: "user" with domain: "DOMAIN"',
    )
  }
  if (user.length === 0) {
    throw invalidOption(
      'ntlm',
      'Expected `username` to name a user, got only a domain',
      'Give the account as DOMAIN\\user, user@domain or user (with the domain option)',
    )
  }
  return { user, domain: embedded ?? domain ?? '' }
}

/**
 * NTLMv2 over HTTP (MS-NLMP), also when the server offers only `Negotiate`: requests go through `dispatcher`, which
 * runs the handshake on a dedicated connection and reuses it once authenticated. A MIC is sent when the server's
 * target info asks for one; MD4 is computed in TypeScript (OpenSSL 3 has none). NTLMv1 is not implemented.
 *
 * @example
 * ```ts
 * const auth = ntlm({ username: 'CORP\\svc-erp', password: process.env.ERP_PASSWORD ?? '' })
 * const res = await request('https://erp.corp.example/api', { dispatcher: auth.dispatcher })
 * ```
 */
export function ntlm(options: NtlmOptions): NtlmStrategy {
  const username = requireString('ntlm', 'username', options?.username)
  const password = requireString('ntlm', 'password', options.password, true, true)
  if (options.domain !== undefined) requireString('ntlm', 'domain', options.domain, true)
  const connections = options.connections ?? 8
  if (!Number.isInteger(connections) || connections < 1) {
    throw invalidOption(
      'ntlm',
      expected('connections', 'a positive integer', connections),
      'Give how many authenticated connections to keep per origin (default 8); each costs one NTLM handshake',
    )
  }
  const { user, domain } = splitUser(username, options.domain)
  const form = username.includes('\\')
    ? 'DOMAIN\\user'
    : username.includes('@')
      ? 'user@domain'
      : domain === ''
        ? 'a user name without a domain'
        : 'a user name with the domain option'
  const identity = {
    user,
    domain,
    workstation: options.workstation ?? '',
    responseKey: ntowfv2(password, user, domain),
  }
  const log = resolveLogger(options.logger, 'auth')
  const dispatcher = new NtlmDispatcher(identity, { connections, connect: options.connect, log })
  /** The strategy's dispatcher and the pinned ones built from it: challenge() and close() serve them all. */
  const dispatchers: NtlmDispatcher[] = [dispatcher]
  let closing: Promise<void> | undefined
  return {
    scheme: 'NTLM',
    dispatcher,
    pinnedDispatcher(lookup: unknown): NtlmDispatcher {
      const pinned = new NtlmDispatcher(identity, { connections, connect: pinnedConnect(options.connect, lookup), log })
      dispatchers.push(pinned)
      return pinned
    },
    // The dispatcher authenticates the connection; nothing goes into the request itself.
    apply() {},
    challenge(response: AuthChallengeResponse): boolean {
      // True only when an authenticated connection lost its authentication (the server dropped it): the next
      // attempt runs a new handshake. A refused handshake is final.
      const reset = dispatchers.find((d) => d.resets > 0)
      if (response.status !== 401 || reset === undefined) return false
      reset.resets--
      return true
    },
    refusalHint(response: AuthChallengeResponse) {
      return `The server refused NTLM (${response.status}) for user "${user}" in domain "${domain || '(none)'}", sent as ${form}; the password is never shown. Check the account and the domain form (try ${form === 'user@domain' ? 'NETBIOS\\user' : 'user@dns.domain'}), that the server accepts NTLMv2 (a server set to NTLMv1 only, LmCompatibilityLevel below 3, refuses this client), and whether IIS requires Extended Protection (channel binding over HTTPS): set it to Accept or Off for this site. The runbook 401-from-ntlm lists each step`
    },
    close() {
      closing ??= Promise.all(dispatchers.map((d) => d.close())).then(() => undefined)
      return closing
    },
  }
}

/** The connect options of a pinned dispatcher: the caller's, with `lookup` resolving every connection's host. */
function pinnedConnect(connect: NtlmOptions['connect'], lookup: unknown): NtlmOptions['connect'] {
  if (typeof lookup !== 'function') {
    throw invalidOption('ntlm', expected('lookup', 'a dns.lookup-compatible function', lookup))
  }
  if (typeof connect === 'function') {
    throw invalidOption(
      'ntlm',
      'Expected `connect` to be connect options for a pinned dispatcher, got a connector function',
      'A residency guard pins NTLM connections through `connect.lookup`; pass TLS and socket options as an object, not your own connector',
    )
  }
  return { ...(connect ?? {}), lookup } as NtlmOptions['connect']
}
