import { basic, digest, ntlm, wsSecurityUsernameToken } from '@fieldkit/auth'
import type { AuthStrategy } from '@fieldkit/core'
import type { SecurityHeaderProvider } from '@fieldkit/soap'
import { CliError } from '../errors'
import type { Output } from '../output'

/** The schemes `soap call --auth` knows: HTTP-level ones and the WS-Security UsernameToken in the envelope. */
export const SOAP_AUTH_SCHEMES = ['ntlm', 'basic', 'digest', 'wsse', 'wsse-text'] as const
export type SoapAuthScheme = (typeof SOAP_AUTH_SCHEMES)[number]

/** What the soap client is given: an HTTP auth strategy, or a WS-Security header provider. */
export interface SoapCredentials {
  auth?: AuthStrategy
  security?: SecurityHeaderProvider
}

/**
 * The credentials of `soap call --auth <scheme>`: the user from `--user` or `FIELDKIT_USER`, the password from
 * `FIELDKIT_PASSWORD` or, on a terminal, a prompt that does not echo — never from a flag (a flag lands in shell
 * history and in `ps`). No password and no terminal is `FK_CLI_NO_CREDENTIALS` (exit 2).
 */
export async function soapCredentials(
  scheme: string | undefined,
  user: string | undefined,
  out: Output,
): Promise<SoapCredentials> {
  if (scheme === undefined) return {}
  if (!(SOAP_AUTH_SCHEMES as readonly string[]).includes(scheme))
    throw new CliError({
      code: 'FK_CLI_USAGE',
      message: `[fieldkit/cli] Expected \`--auth\` to be one of ${SOAP_AUTH_SCHEMES.join(', ')}, got ${JSON.stringify(scheme)}`,
      hint: 'Pass --auth ntlm, basic or digest for HTTP authentication, or --auth wsse (PasswordDigest) or wsse-text (PasswordText) for a WS-Security UsernameToken',
    })
  const username = user ?? out.env.FIELDKIT_USER
  if (!username)
    throw new CliError({
      code: 'FK_CLI_NO_CREDENTIALS',
      message: `[fieldkit/cli] --auth ${scheme} needs a user name`,
      hint: 'Pass --user (for NTLM as DOMAIN\\user or user@domain) or set FIELDKIT_USER; the password comes from FIELDKIT_PASSWORD or a prompt',
    })
  const password = out.env.FIELDKIT_PASSWORD || (await promptPassword(out, `password for ${username}: `))
  switch (scheme as SoapAuthScheme) {
    case 'ntlm':
      return { auth: ntlm({ username, password }) }
    case 'basic':
      return { auth: basic({ username, password }) }
    case 'digest':
      return { auth: digest({ username, password }) }
    case 'wsse':
      return { security: wsSecurityUsernameToken({ username, password, digest: true }) }
    default:
      return { security: wsSecurityUsernameToken({ username, password, digest: false }) }
  }
}

/** Reads a password from the terminal without echoing it; refuses when stdin is not a terminal. */
async function promptPassword(out: Output, question: string): Promise<string> {
  const stdin = out.stdin as NodeJS.ReadStream
  if (!stdin.isTTY || typeof stdin.setRawMode !== 'function')
    throw new CliError({
      code: 'FK_CLI_NO_CREDENTIALS',
      message: '[fieldkit/cli] No password: FIELDKIT_PASSWORD is not set and stdin is not a terminal to ask on',
      hint: 'Set FIELDKIT_PASSWORD in the environment (from your secret store, not typed into the command line), or run on a terminal to be asked',
    })
  // Echo off before the question shows, so nothing typed after it reaches the screen.
  stdin.setRawMode(true)
  out.raw(question)
  stdin.resume()
  try {
    return await new Promise<string>((resolve, reject) => {
      let typed = ''
      const onData = (chunk: Buffer) => {
        for (const char of chunk.toString('utf8')) {
          if (char === '\r' || char === '\n' || char === '\u0004') {
            stdin.off('data', onData)
            resolve(typed)
            return
          }
          if (char === '\u0003') {
            stdin.off('data', onData)
            reject(
              new CliError({
                code: 'FK_CLI_NO_CREDENTIALS',
                message: '[fieldkit/cli] The password prompt was interrupted (Ctrl-C)',
                hint: 'Run the command again and type the password, or set FIELDKIT_PASSWORD in the environment',
              }),
            )
            return
          }
          typed = char === '\u007f' || char === '\b' ? typed.slice(0, -1) : typed + char
        }
      }
      stdin.on('data', onData)
    })
  } finally {
    stdin.setRawMode(false)
    stdin.pause()
    out.raw('\n')
  }
}
