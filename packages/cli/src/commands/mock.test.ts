import { describe, expect, it } from 'vitest'
import { runCli, spawnCli } from '../spawn-cli.test-helper'

describe('fieldkit mock serve', () => {
  it('lists the scenarios as JSON for scripts', async () => {
    const { code, stdout } = await runCli(['--json', 'mock', 'serve', '--list'])
    expect(code).toBe(0)
    const scenarios = JSON.parse(stdout) as { name: string }[]
    expect(scenarios.map((s) => s.name)).toContain('flaky')
  })

  it('refuses an unknown scenario with exit code 2 and the known names', async () => {
    const { code, stderr } = await runCli(['mock', 'serve', 'nope'])
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

  it('prints help with examples', async () => {
    const { code, stdout } = await runCli(['mock', 'serve', '--help'])
    expect(code).toBe(0)
    expect(stdout).toContain('Examples:')
  })

  it('exits 2 on an unknown command', async () => {
    const { code, stderr } = await runCli(['frobnicate'])
    expect(code).toBe(2)
    expect(stderr).toContain("unknown command 'frobnicate'")
  })
})
