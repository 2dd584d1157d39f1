import { describe, expect, it } from 'vitest'
import { runMain } from '../run-main.test-helper'
import { spawnCli } from '../spawn-cli.test-helper'
import { isLoopback } from './mock'

describe('fieldkit mock serve', () => {
  it('lists the scenarios as JSON for scripts', async () => {
    const { code, stdout } = await runMain(['--json', 'mock', 'serve', '--list'])
    expect(code).toBe(0)
    const scenarios = JSON.parse(stdout) as { name: string }[]
    expect(scenarios.map((s) => s.name)).toContain('flaky')
  })

  it('refuses an unknown scenario with exit code 2 and the known names', async () => {
    const { code, stderr } = await runMain(['mock', 'serve', 'nope'])
    expect(code).toBe(2)
    expect(stderr).toMatch(/unknown scenario nope; known: .*flaky/)
  })

  it('serves the chosen scenarios until SIGTERM', async () => {
    const child = spawnCli(['--json', 'mock', 'serve', 'slow'])
    let stdout = ''
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout?.on('data', (chunk) => {
        stdout += chunk
        try {
          resolve((JSON.parse(stdout) as { url: string }).url)
        } catch {}
      })
      child.on('exit', () => reject(new Error(`exited early: ${stdout}`)))
    })
    const res = await fetch(`${url}/slow`)
    expect(res.status).toBe(200)
    expect((await res.text()).length).toBe(1024)
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve))
    child.kill('SIGTERM')
    expect(await closed).toBe(0)
  })

  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.0.2.1', false],
    ['128.0.0.1', false],
  ])('isLoopback(%s) is %s', (host, expected) => {
    expect(isLoopback(host)).toBe(expected)
  })

  it('warns that the auth servers take demo credentials when --host is not loopback', async () => {
    // 192.0.2.1 (TEST-NET-1) is on no interface here: the warning comes first, then the bind fails — nothing is exposed.
    const { code, stderr } = await runMain(['mock', 'serve', 'slow', '--host', '192.0.2.1', '--port', '0'])
    expect(stderr).toMatch(/^warning: serving on 192\.0\.2\.1, not loopback: .*accept the published demo credentials/)
    expect(code).toBe(1)
    expect(stderr).not.toMatch(/^\s+at /m)
  })

  it('exits 2 with a JSON error for a bad --port under --json', async () => {
    const { code, stdout } = await runMain(['--json', 'mock', 'serve', '--port', '70000'])
    expect(code).toBe(2)
    expect(JSON.parse(stdout).error).toMatchObject({ code: 'FK_CLI_USAGE', exitCode: 2 })
    expect(JSON.parse(stdout).error.message).toContain(
      'Expected `--port` to be an integer from 0 to 65535, got "70000"',
    )
  })

  it('prints help with examples', async () => {
    const { code, stdout } = await runMain(['mock', 'serve', '--help'])
    expect(code).toBe(0)
    expect(stdout).toContain('Examples:')
  })

  it('exits 2 on an unknown command', async () => {
    const { code, stderr } = await runMain(['frobnicate'])
    expect(code).toBe(2)
    expect(stderr).toContain("unknown command 'frobnicate'")
  })

  it('exits 2 on an unknown command with a JSON error under --json', async () => {
    const { code, stdout } = await runMain(['--json', 'frobnicate'])
    expect(code).toBe(2)
    expect(JSON.parse(stdout).error).toMatchObject({ code: 'FK_CLI_USAGE', exitCode: 2 })
  })
})
