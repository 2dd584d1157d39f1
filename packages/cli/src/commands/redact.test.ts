import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { runMain } from '../run-main.test-helper'
import { runCliInTerminal } from '../spawn-cli.test-helper'

const log = [
  '2026-11-23T10:00:00Z user anna.mueller@corp.example paid with 4111 1111 1111 1111',
  '2026-11-23T10:00:01Z GET /api?token=abcdef0123456789abcdef Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl',
  '2026-11-23T10:00:02Z refund to DE89370400440532013000',
].join('\n')
const dir = mkdtempSync(join(tmpdir(), 'fieldkit-cli-redact-'))

describe('fieldkit redact', () => {
  it('redacts stdin to stdout and reports counts per kind on stderr', async () => {
    const { code, stdout, stderr } = await runMain(['redact', '--report'], { input: log })
    expect(code).toBe(0)
    for (const secret of [
      'anna.mueller@corp.example',
      '4111 1111 1111 1111',
      'abcdef0123456789abcdef',
      'DE89370400440532013000',
      'c2lnbmF0dXJl',
    ]) {
      expect(stdout).not.toContain(secret)
    }
    expect(stdout.split('\n')).toHaveLength(3)
    expect(stderr).toMatch(/^redacted \d+ value\(s\): /)
    expect(stderr).toContain('email 1')
  })

  it('hashes emails with the secret from the environment: the same input gives the same output', async () => {
    const env = { FIELDKIT_REDACT_SECRET: 'a-long-random-secret-for-tests' }
    const first = await runMain(['redact'], { input: 'a@corp.example\n', env })
    const second = await runMain(['redact'], { input: 'a@corp.example\n', env })
    expect(first.stdout).toBe(second.stdout)
    expect(first.stdout).not.toContain('a@corp.example')
  })

  it('reports as JSON with --json', async () => {
    const { stderr } = await runMain(['--json', 'redact', '--report'], { input: 'call +44 20 7946 0958\n' })
    expect(JSON.parse(stderr)).toMatchObject({ total: 1, byKind: { phone: 1 } })
  })

  it('says it is reading stdin when stdin is a terminal, and not when it is a pipe', async () => {
    const tty = await runMain(['redact'], { input: 'hello\n', stdinTty: true })
    expect(tty.stderr).toContain('fieldkit redact: reading stdin (paste or type, end with Ctrl-D)')
    const piped = await runMain(['redact'], { input: 'hello\n' })
    expect(piped.stderr).toBe('')
  })

  it.each([
    ['a ZIP archive', Buffer.from('PK\u0003\u0004\u0014\u0000\u0006\u0000word/document.xml')],
    ['a gzip archive', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x61, 0x62])],
    ['UTF-16', Buffer.from('\ufeffanna@corp.example\n', 'utf16le')],
    ['NUL bytes', Buffer.from('name\u0000anna@corp.example\n')],
  ])('refuses %s with FK_CLI_BINARY_INPUT, exit code 7 and nothing on stdout', async (_what, input) => {
    const { code, stdout, stderr } = await runMain(['redact'], { input })
    expect(code).toBe(7)
    expect(stdout).toBe('')
    expect(stderr).toMatch(
      /^fieldkit: \[fieldkit\/cli\] stdin is .*, not text; nothing was written \[FK_CLI_BINARY_INPUT\]/,
    )
  })

  it('a missing file exits 4; with --json the error is JSON on stdout', async () => {
    const { code, stdout } = await runMain(['--json', 'redact', join(dir, 'nope.log')])
    expect(code).toBe(4)
    expect(JSON.parse(stdout).error).toMatchObject({ code: 'FK_CLI_FILE_NOT_FOUND', exitCode: 4 })
  })

  it('shows progress as plain lines when stderr is not a terminal, and nothing under --json', async () => {
    const plain = await runMain(['redact', '--progress'], { input: log })
    expect(plain.stderr).toMatch(/^redact {2}\d+ B {2}[\d.]+ (B|KiB|MiB)\/s {2}done in [\d.]+ s\n$/)
    const json = await runMain(['--json', 'redact', '--progress'], { input: log })
    expect(json.stderr).toBe('')
  })
})

describe('fieldkit redact as a process', () => {
  const big = join(dir, 'big.log')
  writeFileSync(big, `${log}\n`.repeat(20_000))
  const bin = fileURLToPath(new URL('../bin.ts', import.meta.url))
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href

  it('exits quietly when the reader closes the pipe (fieldkit redact big.log | head -1)', async () => {
    const node = `'${process.execPath}' --conditions=@fieldkit/source --import '${tsx}' '${bin}'`
    const child = spawn(
      'bash',
      ['-c', `set -o pipefail; ${node} redact '${big}' | head -1; echo "status \${PIPESTATUS[0]}" >&2`],
      {
        env: { ...process.env, NO_COLOR: '1' },
      },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c) => (stdout += c))
    child.stderr.on('data', (c) => (stderr += c))
    await new Promise((resolve) => child.on('close', resolve))
    expect(stdout.split('\n').filter(Boolean)).toHaveLength(1)
    expect(stdout).not.toContain('anna.mueller@corp.example')
    expect(stderr).not.toContain('EPIPE')
    expect(stderr).toBe('status 0\n')
  })

  it('redraws progress on a terminal (script(1) pseudo-terminal) for a file', async () => {
    const { code, output } = await runCliInTerminal(['redact', big, '--progress'], { before: 'exec >/dev/null;' })
    expect(code).toBe(0)
    expect(output).toContain('\r\u001b[2Kredact  ')
    expect(output).toMatch(/MiB of [\d.]+ MiB \(100%\) {2}[\d.]+ (KiB|MiB)\/s {2}done in/)
  })
})
