import { createHmac } from 'node:crypto'
import { md4 } from './md4'
import { AvId, encodeAvPairs, parseAvPairs } from './messages'

const hmacMd5 = (key: Uint8Array, ...data: Uint8Array[]): Buffer => {
  const h = createHmac('md5', key)
  for (const d of data) h.update(d)
  return h.digest()
}

/** NTOWFv2 (MS-NLMP section 3.3.2): HMAC_MD5(MD4(UTF-16LE(password)), UTF-16LE(UPPER(user) + domain)). */
export function ntowfv2(password: string, user: string, domain: string): Buffer {
  const ntHash = md4(Buffer.from(password, 'utf16le'))
  return hmacMd5(ntHash, Buffer.from(user.toUpperCase() + domain, 'utf16le'))
}

/** The result of the NTLMv2 computation (MS-NLMP section 3.3.2). */
export interface Ntlmv2Responses {
  ntChallengeResponse: Buffer
  lmChallengeResponse: Buffer
  ntProofStr: Buffer
  sessionBaseKey: Buffer
  /** The target info sent inside the response (with MsvAvFlags added when a MIC is due). */
  targetInfo: Buffer
  /** True when the server's target info has a timestamp: the AUTHENTICATE message must then carry a MIC. */
  micRequired: boolean
}

/** Inputs of {@link ntlmv2Responses}. */
export interface Ntlmv2Inputs {
  responseKey: Buffer
  serverChallenge: Uint8Array
  clientChallenge: Uint8Array
  /** FILETIME (8 bytes LE); replaced by the server's MsvAvTimestamp when the target info has one. */
  time: Uint8Array
  targetInfo: Buffer
}

/** NTLMv2 responses (MS-NLMP section 3.3.2); a MIC is flagged when the server's target info has MsvAvTimestamp. */
export function ntlmv2Responses(i: Ntlmv2Inputs): Ntlmv2Responses {
  const pairs = parseAvPairs(i.targetInfo)
  const timestamp = pairs.find(([id]) => id === AvId.Timestamp)?.[1]
  let targetInfo = i.targetInfo
  let time = Buffer.from(i.time)
  const micRequired = timestamp !== undefined
  if (micRequired) {
    time = Buffer.from(timestamp)
    const flags = Buffer.alloc(4)
    const existing = pairs.find(([id]) => id === AvId.Flags)?.[1]
    flags.writeUInt32LE(((existing?.readUInt32LE(0) ?? 0) | 0x2) >>> 0, 0)
    targetInfo = encodeAvPairs([...pairs.filter(([id]) => id !== AvId.Flags), [AvId.Flags, flags]])
  }
  const temp = Buffer.concat([
    Buffer.from([1, 1, 0, 0, 0, 0, 0, 0]),
    time,
    Buffer.from(i.clientChallenge),
    Buffer.alloc(4),
    targetInfo,
    Buffer.alloc(4),
  ])
  const ntProofStr = hmacMd5(i.responseKey, i.serverChallenge, temp)
  const lm = micRequired
    ? Buffer.alloc(24)
    : Buffer.concat([hmacMd5(i.responseKey, i.serverChallenge, i.clientChallenge), Buffer.from(i.clientChallenge)])
  return {
    ntChallengeResponse: Buffer.concat([ntProofStr, temp]),
    lmChallengeResponse: lm,
    ntProofStr,
    sessionBaseKey: hmacMd5(i.responseKey, ntProofStr),
    targetInfo,
    micRequired,
  }
}

/** MIC = HMAC_MD5(ExportedSessionKey, NEGOTIATE + CHALLENGE + AUTHENTICATE with a zero MIC). */
export function computeMic(
  exportedSessionKey: Uint8Array,
  negotiate: Uint8Array,
  challenge: Uint8Array,
  authenticate: Uint8Array,
): Buffer {
  return hmacMd5(exportedSessionKey, negotiate, challenge, authenticate)
}

/** The current time as a Windows FILETIME (100 ns since 1601), 8 bytes little-endian. */
export function fileTimeNow(): Buffer {
  const out = Buffer.alloc(8)
  out.writeBigUInt64LE((BigInt(Date.now()) + 11644473600000n) * 10000n)
  return out
}
