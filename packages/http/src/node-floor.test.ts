import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { checkNodeVersion, NODE_FLOOR } from './node-floor'

describe('Node floor', () => {
  it.each(['18.20.4', '20.18.1', 'v16.0.0', '20.9.0'])('refuses Node %s with FK_HTTP_NODE_UNSUPPORTED', (version) => {
    let caught: unknown
    try {
      checkNodeVersion(version)
    } catch (error) {
      caught = error
    }
    expect(caught).toMatchObject({ code: 'FK_HTTP_NODE_UNSUPPORTED', name: 'HttpError' })
    expect((caught as Error).message).toContain(`needs Node ${NODE_FLOOR} or later`)
  })

  it.each(['20.19.0', '20.20.2', '22.11.0', '24.0.0', '100.0.0'])('accepts Node %s', (version) => {
    expect(() => checkNodeVersion(version)).not.toThrow()
  })

  it('runs when the package is loaded: a faked old Node gets the message, not an error from inside undici', () => {
    const entry = fileURLToPath(new URL('./index.ts', import.meta.url))
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
    const script = `Object.defineProperty(process.versions, 'node', { value: '18.20.4' })
      try { await import(${JSON.stringify(entry)}); console.log('loaded') } catch (e) { console.log(e.code, e.message) }`
    const result = spawnSync(
      process.execPath,
      ['--conditions=@fieldkit/source', '--import', tsx, '--input-type=module', '-e', script],
      {
        encoding: 'utf8',
      },
    )
    expect(result.stdout).toContain('FK_HTTP_NODE_UNSUPPORTED [fieldkit/http] Node 18.20.4 is not supported')
  })
})
