import { rejection } from '@fieldkit/testing'
import { describe, expect, it } from 'vitest'
import { exitCodeOf } from './errors'
import { loadSimulator } from './simulator'

function notFound(message: string, code: string): Error {
  return Object.assign(new Error(message), { code })
}

describe('the simulator, an optional peer of the CLI', () => {
  it.each([
    [
      'ESM',
      "Cannot find package '@fieldkit/mocks' imported from /app/node_modules/@fieldkit/cli/dist/bin.js",
      'ERR_MODULE_NOT_FOUND',
    ],
    [
      'CommonJS',
      "Cannot find module '@fieldkit/mocks'\nRequire stack:\n- /app/node_modules/@fieldkit/cli/dist/bin.cjs",
      'MODULE_NOT_FOUND',
    ],
  ])('missing (%s): FK_CLI_SIMULATOR_MISSING with the npx line that brings it, exit 1', async (_, message, code) => {
    const error = await rejection(loadSimulator(() => Promise.reject(notFound(message, code)), 'demo'))
    expect(error).toMatchObject({ name: 'CliError', code: 'FK_CLI_SIMULATOR_MISSING' })
    expect(error.hint).toContain('npx -p @fieldkit/cli -p @fieldkit/mocks fieldkit demo')
    expect(exitCodeOf(error)).toBe(1)
  })

  it('another missing module, or any other failure, is not dressed up as a missing simulator', async () => {
    const msw = notFound(
      "Cannot find package 'msw' imported from /app/node_modules/@fieldkit/mocks/dist/index.js",
      'ERR_MODULE_NOT_FOUND',
    )
    expect(await rejection(loadSimulator(() => Promise.reject(msw), 'demo'))).toBe(msw)
    const boom = new TypeError('boom')
    expect(await rejection(loadSimulator(() => Promise.reject(boom), 'mock serve'))).toBe(boom)
  })

  it('installed: the module itself', async () => {
    const mocks = await loadSimulator(() => import('@fieldkit/mocks'), 'mock serve')
    expect(mocks.catalog.length).toBeGreaterThan(5)
  })
})
