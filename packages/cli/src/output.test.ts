import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { colorAllowed, createOutput } from './output'
import { describe as progressLine, startProgress } from './progress'
import { cliCommand, runCliInTerminal } from './spawn-cli.test-helper'

const terminal = () => Object.assign(new PassThrough(), { isTTY: true })

describe('colour', () => {
  it.each([
    [{}, true],
    [{ NO_COLOR: '' }, true], // no-color.org: set and not empty
    [{ NO_COLOR: '1' }, false],
    [{ NO_COLOR: '0' }, false],
    [{ TERM: 'dumb' }, false],
  ])('colorAllowed(%j) is %s', (env, allowed) => {
    expect(colorAllowed(env)).toBe(allowed)
  })

  it('paints on a terminal, and not with --no-color, NO_COLOR or --json', () => {
    const paints = (options: { json?: boolean; color?: boolean; env?: NodeJS.ProcessEnv }) =>
      createOutput({
        json: options.json ?? false,
        ...(options.color === undefined ? {} : { color: options.color }),
        io: { stdout: terminal(), stderr: terminal(), env: options.env ?? {} },
      }).red('x') !== 'x'
    expect(paints({})).toBe(true)
    expect(paints({ color: false })).toBe(false)
    expect(paints({ env: { NO_COLOR: 'yes' } })).toBe(false)
    expect(paints({ json: true })).toBe(false)
  })

  it('--no-color and NO_COLOR keep a real terminal free of colour codes (script(1) pseudo-terminal)', async () => {
    // One terminal session, three runs: coloured by default, then --no-color, then NO_COLOR=1.
    const explain = ['explain', 'FK_CSV_EMPTY']
    const { output } = await runCliInTerminal(explain, {
      before: `${cliCommand(explain)}; echo =no-color=; ${cliCommand(['--no-color', ...explain])}; echo =NO_COLOR=; NO_COLOR=1`,
    })
    const [plain = '', flag = '', env = ''] = output.split(/=no-color=|=NO_COLOR=/)
    expect(plain).toContain('\u001b[1mFK_CSV_EMPTY')
    for (const text of [flag, env]) {
      expect(text).toContain('FK_CSV_EMPTY')
      expect(text).not.toContain('\u001b[')
    }
  }, 90_000)
})

describe('progress lines', () => {
  it('says bytes of the total, rows, rate and the time left', () => {
    expect(
      progressLine({
        label: 'csv normalize',
        totalBytes: 8 * 1024 * 1024,
        countRows: true,
        bytes: 2 * 1024 * 1024,
        rows: 12_345,
        ms: 1000,
        final: false,
      }),
    ).toBe('csv normalize  2.0 MiB of 8.0 MiB (25%)  12,345 rows  2.0 MiB/s  ETA 3 s')
  })

  it('is shown from 4 MiB without --progress, never under --json or with --no-progress', () => {
    const stderr = new PassThrough()
    const chunks: string[] = []
    stderr.on('data', (c) => chunks.push(String(c)))
    const out = (json: boolean) => createOutput({ json, io: { stdout: new PassThrough(), stderr, env: {} } })
    let now = 0
    const clock = () => now
    for (const [json, totalBytes, flag] of [
      [false, 1024, undefined],
      [true, 8 << 20, true],
      [false, 8 << 20, false],
    ] as const) {
      const p = startProgress(out(json), { label: 'x', totalBytes, flag, now: clock })
      p.advance(totalBytes)
      p.done()
    }
    expect(chunks).toEqual([])
    const p = startProgress(out(false), { label: 'redact', totalBytes: 10 << 20, now: clock })
    for (let i = 0; i < 10; i++) {
      now += 100
      p.advance(1 << 20)
    }
    p.done()
    // A plain line at each further tenth (the last tenth is the closing line), then the totals.
    expect(chunks).toHaveLength(10)
    expect(chunks.at(-1)).toBe('redact  10.0 MiB of 10.0 MiB (100%)  10.0 MiB/s  done in 1.0 s\n')
  })
})
