import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createModelGuard } from '@fieldkit/ai'
import { createRedactor } from '@fieldkit/redact'
import { compare } from './harness'

const CALLS = 400
const ROUNDS = 7
const TTFT_MS = 200
const EVENT_MS = 4
const CHUNK = 8

/** A 4 KB prompt with 16 personal values among HR-like text, and a 2 KB answer with 16 placeholders. */
function inputs(): { prompt: string; answer: string } {
  const filler = 'The quarterly review covers attendance, training hours and open items for the regional team. '
  let prompt = ''
  let answer = ''
  for (let i = 0; prompt.length < 4096; i++) {
    prompt += `${filler}Contact employee${i}@example.com or +44 20 7946 ${String(1000 + i).slice(-4)}. `
  }
  for (let i = 1; answer.length < 2048; i++) {
    answer += `Summary item ${i}: follow up with <EMAIL_${(i % 16) + 1}> about training; call <PHONE_${(i % 16) + 1}> if needed. `
  }
  return { prompt: prompt.slice(0, 4096), answer: answer.slice(0, 2048) }
}

/** Median and 99th percentile of a list. */
function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((s.length - 1) * p))] ?? 0
}

/** A chat-completions server streaming `text` with a fixed time to first token; each event carries its send time. */
async function streamServer(text: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', async () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.flushHeaders()
      await new Promise((r) => setTimeout(r, TTFT_MS))
      for (let i = 0; i < text.length; i += CHUNK) {
        if (i > 0) await new Promise((r) => setTimeout(r, EVENT_MS))
        const chunk = {
          object: 'chat.completion.chunk',
          t: performance.timeOrigin + performance.now(),
          choices: [{ index: 0, delta: { content: text.slice(i, i + CHUNK) }, finish_reason: null }],
        }
        res.write(`data: ${JSON.stringify(chunk)}\n\n`)
      }
      res.end('data: [DONE]\n\n')
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`, server }
}

/** One streamed call: time to first event, and each event's delay from its send time to its arrival. */
async function streamOnce(f: typeof fetch, url: string, body: string): Promise<{ ttft: number; delays: number[] }> {
  const start = performance.now()
  const res = await f(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  const reader = (res.body as ReadableStream<Uint8Array>).getReader()
  const decoder = new TextDecoder()
  let ttft = -1
  let buffer = ''
  const delays: number[] = []
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    const now = performance.timeOrigin + performance.now()
    if (ttft < 0) ttft = performance.now() - start
    buffer += decoder.decode(value, { stream: true })
    let at = buffer.indexOf('\n\n')
    while (at >= 0) {
      const line = buffer.slice(0, at)
      buffer = buffer.slice(at + 2)
      at = buffer.indexOf('\n\n')
      if (!line.startsWith('data: {')) continue
      delays.push(now - (JSON.parse(line.slice(6)) as { t: number }).t)
    }
  }
  return { ttft, delays }
}

/**
 * ai: the CPU pseudonymise + restore adds over the redactor alone (target ≤ 0.3 ms per call for a 4 KB prompt and a
 * 2 KB answer), and, in the same run, a guarded stream's time to first token (within 5% of unguarded) and the delay
 * restore adds per event (≤ 1 ms at p99).
 */
export default async function main(): Promise<void> {
  const { prompt, answer } = inputs()
  const redactor = createRedactor()
  const guard = createModelGuard({ redactor })
  await guard.pseudonymise(prompt) // the conversation's 32 placeholders exist, as after the request
  const rows = await compare(
    [
      {
        name: 'redactor.redactString(prompt) alone',
        base: true,
        run: () => {
          for (let i = 0; i < CALLS; i++) redactor.redactString(prompt)
          return CALLS
        },
      },
      {
        name: 'guard.pseudonymise(prompt) + guard.restore(answer)',
        run: async () => {
          for (let i = 0; i < CALLS; i++) {
            await guard.pseudonymise(prompt)
            await guard.restore(answer)
          }
          return CALLS
        },
      },
    ],
    { title: 'ai: pseudonymise + restore, 4 KB prompt and 2 KB answer', unit: 'call', rounds: ROUNDS },
  )
  const added = ((rows[1]?.cpuPerUnitUs ?? 0) - (rows[0]?.cpuPerUnitUs ?? 0)) / 1000
  console.log(`CPU added per call over the redactor alone: **${added.toFixed(3)} ms** (target ≤ 0.3 ms).\n`)

  const { url, server } = await streamServer(answer)
  const body = JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: prompt }] })
  const plain: { ttft: number[]; delays: number[] } = { ttft: [], delays: [] }
  const guarded: { ttft: number[]; delays: number[] } = { ttft: [], delays: [] }
  const streamGuard = createModelGuard({ redactor })
  await streamOnce(fetch, url, body)
  await streamOnce(streamGuard.fetch, url, body)
  for (let round = 0; round < ROUNDS; round++) {
    for (const [f, into] of round % 2 === 0
      ? ([
          [fetch, plain],
          [streamGuard.fetch, guarded],
        ] as const)
      : ([
          [streamGuard.fetch, guarded],
          [fetch, plain],
        ] as const)) {
      const r = await streamOnce(f, url, body)
      into.ttft.push(r.ttft)
      into.delays.push(...r.delays)
    }
  }
  server.close()
  const ttftPlain = pct(plain.ttft, 0.5)
  const ttftGuarded = pct(guarded.ttft, 0.5)
  const lines = [
    `### ai: streamed answer, ${TTFT_MS} ms time to first token, ${Math.ceil(answer.length / CHUNK)} events of ${CHUNK} characters, ${ROUNDS} paired rounds`,
    '',
    '| contender | TTFT median (ms) | event delay p50 (ms) | event delay p99 (ms) |',
    '| --- | ---: | ---: | ---: |',
    `| fetch (base) | ${ttftPlain.toFixed(1)} | ${pct(plain.delays, 0.5).toFixed(3)} | ${pct(plain.delays, 0.99).toFixed(3)} |`,
    `| guard.fetch | ${ttftGuarded.toFixed(1)} | ${pct(guarded.delays, 0.5).toFixed(3)} | ${pct(guarded.delays, 0.99).toFixed(3)} |`,
    '',
    `TTFT guarded / unguarded: **${((ttftGuarded / ttftPlain - 1) * 100).toFixed(1)}%** (target within 5%); restore adds **${(pct(guarded.delays, 0.99) - pct(plain.delays, 0.99)).toFixed(3)} ms** per event at p99 (target ≤ 1 ms).`,
    '',
    '_The guarded TTFT includes pseudonymising the 4 KB prompt before sending. The machine is shared with other work: compare rows of one run only._',
    '',
  ]
  console.log(lines.join('\n'))
}
