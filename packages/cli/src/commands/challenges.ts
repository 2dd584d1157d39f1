import { type Challenge, parseChallenges } from '@fieldkit/auth'
import { isFieldkitError } from '@fieldkit/core'

export type { Challenge }

/**
 * The challenges of `WWW-Authenticate` values, read by `@fieldkit/auth`'s parser (the one the strategies use, so the
 * probe reports what a client would see). A header that parser refuses is not an error of the probe: it comes back
 * as `malformed`, the parser's reason, for the report to list as a finding.
 */
export function readChallenges(values: string | readonly string[] | undefined): {
  challenges: Challenge[]
  malformed?: string
} {
  try {
    return { challenges: parseChallenges(values) }
  } catch (error) {
    if (isFieldkitError(error) && error.code === 'FK_AUTH_CHALLENGE')
      return { challenges: [], malformed: String(error.details.reason ?? 'unreadable') }
    throw error
  }
}

/** A one-line summary of a challenge for people: `Digest (realm "x", algorithms SHA-256, qop auth)`. */
export function describeChallenge(challenge: Challenge): string {
  const parts: string[] = []
  const { realm, algorithm, qop, error } = challenge.params
  if (realm !== undefined) parts.push(`realm "${realm}"`)
  if (challenge.scheme.toLowerCase() === 'digest') parts.push(`algorithm ${algorithm ?? 'MD5 (default)'}`)
  if (qop !== undefined) parts.push(`qop ${qop}`)
  if (error !== undefined) parts.push(`error ${error}`)
  if (challenge.token68 !== undefined) parts.push('with a token')
  return parts.length > 0 ? `${challenge.scheme} (${parts.join(', ')})` : challenge.scheme
}
