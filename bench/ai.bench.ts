import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type ModelServer, startModelServer } from '@fieldkit/mocks'
import { importPublished } from './published'

type Published = typeof import('./ai-published')

const CALLS = 200
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

/** CPU µs per call of `run` (CALLS calls), after a collection and an untimed warm-up call batch. */
async function cpuPerCall(run: () => Promise<void> | void): Promise<number> {
  globalThis.gc?.()
  for (let i = 0; i < 20; i++) await run()
  const start = process.cpuUsage()
  for (let i = 0; i < CALLS; i++) await run()
  const used = process.cpuUsage(start)
  return (used.user + used.system) / CALLS
}

/**
 * The CPU pseudonymise + restore adds over the redactor alone, as the median of per-round paired differences
 * (redactor then guard, the order swapped each round), so a busy phase of a shared machine hits both sides alike.
 */
async function pairedCpu(
  { createModelGuard, createRedactor }: Published,
  prompt: string,
  answer: string,
): Promise<{ base: number; guarded: number; added: number }> {
  const redactor = createRedactor()
  const guard = createModelGuard({ redactor })
  await guard.pseudonymise(prompt) // the conversation's placeholders exist, as after the request
  const base = () => {
    redactor.redactString(prompt)
  }
  const guarded = async () => {
    await guard.pseudonymise(prompt)
    await guard.restore(answer)
  }
  const b: number[] = []
  const g: number[] = []
  const d: number[] = []
  for (let round = 0; round < ROUNDS * 2 - 1; round++) {
    const [x, y] =
      round % 2 === 0
        ? [await cpuPerCall(base), await cpuPerCall(guarded)]
        : swap(await cpuPerCall(guarded), await cpuPerCall(base))
    b.push(x)
    g.push(y)
    d.push(y - x)
  }
  return { base: pct(b, 0.5), guarded: pct(g, 0.5), added: pct(d, 0.5) }
}

const swap = (guarded: number, base: number): [number, number] => [base, guarded]

/** One streamed call: time to first content event, and each event's delay from the model server's send time. */
async function streamOnce(
  f: typeof fetch,
  model: ModelServer,
  body: string,
): Promise<{ ttft: number; delays: number[] }> {
  const url = `${model.origin}/v1/chat/completions`
  const start = performance.now()
  const res = await f(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  const reader = (res.body as ReadableStream<Uint8Array>).getReader()
  const decoder = new TextDecoder()
  let ttft = -1
  let buffer = ''
  const arrivals: number[] = []
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    const now = performance.timeOrigin + performance.now()
    if (ttft < 0) ttft = performance.now() - start
    buffer += decoder.decode(value, { stream: true })
    for (let at = buffer.indexOf('\n\n'); at >= 0; at = buffer.indexOf('\n\n')) {
      buffer = buffer.slice(at + 2)
      arrivals.push(now)
    }
  }
  // The restorer writes one event per event it reads (held text goes out in the next one), so the i-th event out
  // answers the i-th event in; the last three (finish, usage, [DONE]) are left out, as a held tail may add one.
  const sent = model.streams.at(-1)?.sentAt ?? []
  const n = Math.min(sent.length, arrivals.length) - 3
  const delays: number[] = []
  for (let i = 0; i < n; i++) delays.push((arrivals[i] as number) - (sent[i] as number))
  return { ttft, delays }
}

/**
 * ai: the CPU pseudonymise + restore adds over the redactor alone (target ≤ 0.3 ms per call for a 4 KB prompt and a
 * 2 KB answer), and, in the same run, a guarded stream's time to first token (within 5% of unguarded) and the delay
 * restore adds per event (≤ 1 ms at p99).
 */
export default async function main(): Promise<void> {
  const { prompt, answer } = inputs()
  const here = dirname(fileURLToPath(import.meta.url))
  const published = (await importPublished(join(here, 'ai-published.ts'), join(here, '.tmp', 'ai-bundle'), {
    external: ['undici', 'ioredis', 'pino', 'zod'],
    noExternal: ['@fieldkit/core', '@fieldkit/redact', '@fieldkit/residency'],
    conditions: ['@fieldkit/source'],
  })) as Published
  const { createModelGuard, createRedactor } = published
  const cpu = await pairedCpu(published, prompt, answer)
  console.log(
    [
      `### ai: pseudonymise + restore, 4 KB prompt and 2 KB answer, ${ROUNDS * 2 - 1} paired rounds of ${CALLS} calls, both bundled as published`,
      '',
      '| contender | CPU µs/call (median) |',
      '| --- | ---: |',
      `| redactor.redactString(prompt) alone (base) | ${cpu.base.toFixed(1)} |`,
      `| guard.pseudonymise(prompt) + guard.restore(answer) | ${cpu.guarded.toFixed(1)} |`,
      '',
      `CPU added per call over the redactor alone (median of paired rounds): **${(cpu.added / 1000).toFixed(3)} ms** (target ≤ 0.3 ms).`,
      '',
    ].join('\n'),
  )

  const model = await startModelServer({ answer, chunkSize: CHUNK, firstTokenMs: TTFT_MS, eventMs: EVENT_MS })
  const body = JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: prompt }] })
  const plain: { ttft: number[]; delays: number[] } = { ttft: [], delays: [] }
  const guarded: { ttft: number[]; delays: number[] } = { ttft: [], delays: [] }
  const streamGuard = createModelGuard({ redactor: createRedactor() })
  await streamOnce(fetch, model, body)
  await streamOnce(streamGuard.fetch, model, body)
  for (let round = 0; round < ROUNDS; round++) {
    const pair = [
      [fetch, plain],
      [streamGuard.fetch, guarded],
    ] as const
    for (const [f, into] of round % 2 === 0 ? pair : [pair[1], pair[0]]) {
      const r = await streamOnce(f, model, body)
      into.ttft.push(r.ttft)
      into.delays.push(...r.delays)
    }
  }
  await model.close()
  const ttftPlain = pct(plain.ttft, 0.5)
  const ttftGuarded = pct(guarded.ttft, 0.5)
  const lines = [
    `### ai: streamed answer from @fieldkit/mocks' model server, ${TTFT_MS} ms time to first token, ${Math.ceil(answer.length / CHUNK)} events of ${CHUNK} characters ${EVENT_MS} ms apart, ${ROUNDS} paired rounds`,
    '',
    '| contender | TTFT median (ms) | event delay p50 (ms) | event delay p99 (ms) |',
    '| --- | ---: | ---: | ---: |',
    `| fetch (base) | ${ttftPlain.toFixed(1)} | ${pct(plain.delays, 0.5).toFixed(3)} | ${pct(plain.delays, 0.99).toFixed(3)} |`,
    `| guard.fetch | ${ttftGuarded.toFixed(1)} | ${pct(guarded.delays, 0.5).toFixed(3)} | ${pct(guarded.delays, 0.99).toFixed(3)} |`,
    '',
    `TTFT guarded / unguarded: **${((ttftGuarded / ttftPlain - 1) * 100).toFixed(1)}%** (target within 5%); restore adds **${(pct(guarded.delays, 0.99) - pct(plain.delays, 0.99)).toFixed(3)} ms** per event at p99 (target ≤ 1 ms).`,
    '',
    '_The guarded TTFT includes pseudonymising the 4 KB prompt before sending. Event delay: from the model server handing an event to its socket to the reader receiving it. The machine is shared with other work: compare rows of one run only._',
    '',
  ]
  console.log(lines.join('\n'))
}
