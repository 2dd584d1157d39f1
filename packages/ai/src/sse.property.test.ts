import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type RestoreCounts, restorePlaceholders } from './placeholders'
import { SseRestorer } from './sse'

const values = new Map([
  ['EMAIL_1', 'ann@example.com'],
  ['PHONE_1', '+44 20 7946 0958'],
  ['DATA_1', 'Ann "A" Lee'],
])
const piece = fc.constantFrom(
  '<EMAIL_1>',
  '<phone_1>',
  '< DATA_1 >',
  'EMAIL_1',
  '<EMAIL__1>',
  '<IP_9>',
  'Hi ',
  'x',
  '<',
  '_',
  '1',
  ' ',
  'é',
  '\n',
)
const text = fc.array(piece, { maxLength: 25 }).map((p) => p.join(''))

/** A chat-completions stream of `t` in deltas cut at `cuts`, then the whole stream cut into network chunks at `net`. */
function stream(t: string, cuts: number[], eol: string): string {
  const points = [...new Set([0, ...cuts.map((c) => c % (t.length + 1)), t.length])].sort((a, b) => a - b)
  let out = ''
  for (let i = 1; i < points.length; i++) {
    const delta = t.slice(points[i - 1], points[i])
    out += `data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: delta }, finish_reason: null }] })}${eol}${eol}`
  }
  out += `data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}${eol}${eol}data: [DONE]${eol}${eol}`
  return out
}

function contentOf(sse: string): string {
  let out = ''
  for (const block of sse.split('\n\n')) {
    const line = block.split('\n').find((l) => l.startsWith('data: {'))
    if (line === undefined) continue
    out += JSON.parse(line.slice(6)).choices[0]?.delta?.content ?? ''
  }
  return out
}

describe('streamed answers restored event by event', () => {
  it('gives the whole-text restore for any deltas, any network chunking, LF or CRLF', () => {
    fc.assert(
      fc.property(
        text,
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.boolean(),
        (t, cuts, net, crlf) => {
          const raw = stream(t, cuts, crlf ? '\r\n' : '\n')
          const counts: RestoreCounts = { restored: 0, unrestored: 0 }
          const restorer = new SseRestorer(values, counts)
          const points = [...new Set([0, ...net.map((n) => n % (raw.length + 1)), raw.length])].sort((a, b) => a - b)
          let out = ''
          for (let i = 1; i < points.length; i++) out += restorer.push(raw.slice(points[i - 1], points[i]))
          out += restorer.end()
          const whole: RestoreCounts = { restored: 0, unrestored: 0 }
          expect(contentOf(out)).toBe(restorePlaceholders(t, values, 'text', whole))
          expect(counts).toEqual(whole)
          expect(out.endsWith('data: [DONE]\n\n')).toBe(true)
        },
      ),
      { numRuns: 1000 },
    )
  })
})
