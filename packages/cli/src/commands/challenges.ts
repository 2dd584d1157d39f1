/** One authentication challenge from a `WWW-Authenticate` header (RFC 9110 section 11.6.1). */
export interface Challenge {
  scheme: string
  /** Auth parameters, names lower-cased (`realm`, `algorithm`, `qop`, …). */
  params: Record<string, string>
  /** A token68 value (NTLM and Negotiate carry their messages this way). */
  token?: string
}

/**
 * Splits `WWW-Authenticate` values into challenges, tolerating what servers really send: several challenges in
 * one header, quoted strings with commas, token68 values. Anything it cannot read is skipped, never thrown.
 */
export function parseChallenges(values: string | string[] | undefined): Challenge[] {
  const list = values === undefined ? [] : Array.isArray(values) ? values : [values]
  const out: Challenge[] = []
  for (const value of list) {
    const text = value.slice(0, 16_384)
    let i = 0
    let current: Challenge | undefined
    while (i < text.length) {
      while (i < text.length && (text[i] === ' ' || text[i] === ',' || text[i] === '\t')) i++
      const tokenMatch = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/.exec(text.slice(i))
      if (!tokenMatch) {
        i++
        continue
      }
      const token = tokenMatch[0]
      let j = i + token.length
      while (text[j] === ' ' || text[j] === '\t') j++
      if (text[j] === '=' && current !== undefined && text[j + 1] !== '=' && !/^=+\s*(,|$)/.test(text.slice(j))) {
        j++
        while (text[j] === ' ' || text[j] === '\t') j++
        let paramValue = ''
        if (text[j] === '"') {
          j++
          while (j < text.length && text[j] !== '"') {
            if (text[j] === '\\') j++
            paramValue += text[j] ?? ''
            j++
          }
          j++
        } else {
          const bare = /^[^,\s]*/.exec(text.slice(j))?.[0] ?? ''
          paramValue = bare
          j += bare.length
        }
        current.params[token.toLowerCase()] = paramValue
        i = j
        continue
      }
      // A new challenge: scheme, then optionally a token68.
      current = { scheme: token, params: {} }
      out.push(current)
      i = i + token.length
      while (text[i] === ' ') i++
      const token68 = /^[A-Za-z0-9\-._~+/]+=*(?=\s*(,|$))/.exec(text.slice(i))
      if (token68 && !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+\s*=[^=]/.test(text.slice(i))) {
        current.token = token68[0]
        i += token68[0].length
      }
    }
  }
  return out
}

/** A one-line summary of a challenge for people: `Digest (realm "x", algorithms SHA-256, qop auth)`. */
export function describeChallenge(challenge: Challenge): string {
  const parts: string[] = []
  const { realm, algorithm, qop, error } = challenge.params
  if (realm !== undefined) parts.push(`realm "${realm}"`)
  if (challenge.scheme.toLowerCase() === 'digest') parts.push(`algorithm ${algorithm ?? 'MD5 (default)'}`)
  if (qop !== undefined) parts.push(`qop ${qop}`)
  if (error !== undefined) parts.push(`error ${error}`)
  if (challenge.token !== undefined) parts.push('with a token')
  return parts.length > 0 ? `${challenge.scheme} (${parts.join(', ')})` : challenge.scheme
}
