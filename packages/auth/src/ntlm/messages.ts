import { AuthError } from '../errors'

/** NEGOTIATE flags of MS-NLMP section 2.2.2.5 used here. */
export const Flags = {
  UNICODE: 0x00000001,
  OEM: 0x00000002,
  REQUEST_TARGET: 0x00000004,
  SIGN: 0x00000010,
  NTLM: 0x00000200,
  ALWAYS_SIGN: 0x00008000,
  EXTENDED_SESSIONSECURITY: 0x00080000,
  TARGET_INFO: 0x00800000,
  VERSION: 0x02000000,
  N128: 0x20000000,
  KEY_EXCH: 0x40000000,
  N56: 0x80000000,
} as const

/** AV pair ids of MS-NLMP section 2.2.2.1. */
export const AvId = { EOL: 0, NbComputerName: 1, NbDomainName: 2, Timestamp: 7, Flags: 6 } as const

const SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1')
/** Windows 10 / NTLM revision 15, as clients commonly send. */
export const DEFAULT_VERSION = Buffer.from('0a00614a0000000f', 'hex')

/** What the client offers in the NEGOTIATE message (and accepts back). */
export const CLIENT_FLAGS =
  Flags.UNICODE |
  Flags.OEM |
  Flags.REQUEST_TARGET |
  Flags.NTLM |
  Flags.ALWAYS_SIGN |
  Flags.EXTENDED_SESSIONSECURITY |
  Flags.TARGET_INFO |
  Flags.VERSION |
  Flags.N128 |
  Flags.N56

function malformed(reason: string): AuthError {
  return new AuthError({
    code: 'FK_AUTH_CHALLENGE',
    message: `[fieldkit/auth] The NTLM CHALLENGE message is malformed: ${reason} (token redacted)`,
    hint: 'The server or a proxy in front of it sent a broken NTLM token; check that no proxy rewrites WWW-Authenticate',
    details: { scheme: 'NTLM', reason },
  })
}

/** NEGOTIATE_MESSAGE (MS-NLMP section 2.2.1.1), without domain or workstation (they are sent in AUTHENTICATE). */
export function encodeNegotiate(flags: number = CLIENT_FLAGS, version: Uint8Array = DEFAULT_VERSION): Buffer {
  const out = Buffer.alloc(40)
  SIGNATURE.copy(out, 0)
  out.writeUInt32LE(1, 8)
  out.writeUInt32LE(flags >>> 0, 12)
  // DomainNameFields and WorkstationFields: empty, offset at the end of the header.
  out.writeUInt16LE(0, 16)
  out.writeUInt16LE(0, 18)
  out.writeUInt32LE(40, 20)
  out.writeUInt16LE(0, 24)
  out.writeUInt16LE(0, 26)
  out.writeUInt32LE(40, 28)
  Buffer.from(version).copy(out, 32)
  return out
}

/** CHALLENGE_MESSAGE fields (MS-NLMP section 2.2.1.2). */
export interface ChallengeMessage {
  flags: number
  serverChallenge: Buffer
  targetName: string
  targetInfo: Buffer
  version?: Buffer
  /** The exact bytes of the message (for the MIC), trailing bytes after the payload removed. */
  raw: Buffer
}

/** AV pairs as [id, value] in order, EOL excluded. */
export function parseAvPairs(info: Buffer): Array<[number, Buffer]> {
  const pairs: Array<[number, Buffer]> = []
  let o = 0
  while (o + 4 <= info.length) {
    const id = info.readUInt16LE(o)
    const len = info.readUInt16LE(o + 2)
    if (id === AvId.EOL) return pairs
    if (o + 4 + len > info.length) throw malformed('an AV pair runs past the target info')
    pairs.push([id, info.subarray(o + 4, o + 4 + len)])
    o += 4 + len
  }
  if (info.length === 0) return pairs
  throw malformed('the target info has no MsvAvEOL')
}

/** AV pairs back to bytes, with the terminating MsvAvEOL. */
export function encodeAvPairs(pairs: Array<[number, Uint8Array]>): Buffer {
  const parts: Buffer[] = []
  for (const [id, value] of pairs) {
    const head = Buffer.alloc(4)
    head.writeUInt16LE(id, 0)
    head.writeUInt16LE(value.length, 2)
    parts.push(head, Buffer.from(value))
  }
  parts.push(Buffer.alloc(4))
  return Buffer.concat(parts)
}

/**
 * Decodes a CHALLENGE_MESSAGE, also from inside a SPNEGO token (a `Negotiate` answer): everything before the
 * `NTLMSSP\0` signature is skipped. Malformed input throws `FK_AUTH_CHALLENGE`.
 */
export function decodeChallenge(token: Uint8Array): ChallengeMessage {
  const all = Buffer.from(token)
  const start = all.indexOf(SIGNATURE)
  if (start === -1) throw malformed('no NTLMSSP signature')
  const b = all.subarray(start)
  if (b.length < 32) throw malformed('shorter than its header')
  if (b.readUInt32LE(8) !== 2) throw malformed(`message type ${b.readUInt32LE(8)}, expected 2`)
  const field = (at: number, name: string): Buffer => {
    const len = b.readUInt16LE(at)
    const offset = b.readUInt32LE(at + 4)
    if (len === 0) return Buffer.alloc(0)
    if (offset + len > b.length) throw malformed(`${name} runs past the message`)
    return b.subarray(offset, offset + len)
  }
  const flags = b.readUInt32LE(20)
  const targetNameBytes = field(12, 'TargetName')
  let end = Math.max(48, b.readUInt32LE(16) + b.readUInt16LE(12))
  let targetInfo: Buffer = Buffer.alloc(0)
  let version: Buffer | undefined
  if (b.length >= 48) {
    targetInfo = field(40, 'TargetInfo')
    if (targetInfo.length > 0) end = Math.max(end, b.readUInt32LE(44) + targetInfo.length)
  }
  if ((flags & Flags.VERSION) !== 0 && b.length >= 56) {
    version = b.subarray(48, 56)
    end = Math.max(end, 56)
  }
  parseAvPairs(targetInfo)
  return {
    flags,
    serverChallenge: b.subarray(24, 32),
    targetName:
      (flags & Flags.UNICODE) !== 0 ? targetNameBytes.toString('utf16le') : targetNameBytes.toString('latin1'),
    targetInfo,
    version,
    raw: b.subarray(0, Math.min(end, b.length)),
  }
}

/** Fields of an AUTHENTICATE_MESSAGE (MS-NLMP section 2.2.1.3). */
export interface AuthenticateFields {
  flags: number
  lmResponse: Uint8Array
  ntResponse: Uint8Array
  domain: string
  user: string
  workstation: string
  /** Only with NEGOTIATE_KEY_EXCH, which HTTP authentication does not need; empty by default. */
  encryptedRandomSessionKey?: Uint8Array
  version?: Uint8Array
  /** Reserve the 16-byte MIC field (filled later with {@link setMic}). */
  withMic?: boolean
}

/** Offset of the MIC inside an AUTHENTICATE_MESSAGE that carries a version. */
export const MIC_OFFSET = 72

/** Encodes an AUTHENTICATE_MESSAGE; payload order: domain, user, workstation, LM, NT, session key. */
export function encodeAuthenticate(f: AuthenticateFields): Buffer {
  const unicode = (f.flags & Flags.UNICODE) !== 0
  const str = (s: string) => Buffer.from(s, unicode ? 'utf16le' : 'latin1')
  const domain = str(f.domain)
  const user = str(f.user)
  const workstation = str(f.workstation)
  const lm = Buffer.from(f.lmResponse)
  const nt = Buffer.from(f.ntResponse)
  const key = Buffer.from(f.encryptedRandomSessionKey ?? new Uint8Array(0))
  const headerLength = 64 + 8 + (f.withMic ? 16 : 0)
  const header = Buffer.alloc(headerLength)
  SIGNATURE.copy(header, 0)
  header.writeUInt32LE(3, 8)
  let offset = headerLength
  const put = (at: number, value: Buffer) => {
    header.writeUInt16LE(value.length, at)
    header.writeUInt16LE(value.length, at + 2)
    header.writeUInt32LE(offset, at + 4)
    offset += value.length
  }
  // Payload order (as Windows writes it): domain, user, workstation, LM, NT, key; header order differs.
  const order: Array<[number, Buffer]> = [
    [28, domain],
    [36, user],
    [44, workstation],
    [12, lm],
    [20, nt],
    [52, key],
  ]
  for (const [at, value] of order) put(at, value)
  header.writeUInt32LE(f.flags >>> 0, 60)
  Buffer.from(f.version ?? DEFAULT_VERSION).copy(header, 64)
  return Buffer.concat([header, domain, user, workstation, lm, nt, key])
}

/** Writes the MIC into an AUTHENTICATE_MESSAGE encoded `withMic`. */
export function setMic(message: Buffer, mic: Uint8Array): void {
  Buffer.from(mic).copy(message, MIC_OFFSET)
}
