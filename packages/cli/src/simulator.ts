import { CliError } from './errors'

/**
 * Loads what `fieldkit demo` and `fieldkit mock serve` need from `@fieldkit/mocks` — an optional peer of the CLI, so
 * that the diagnostic commands (probe, csv, soap, redact, explain, ai) install without the simulator and its 19 MB
 * of msw. A missing simulator is a {@link CliError} that gives the command to run instead; any other failure is
 * rethrown as it is.
 *
 * @example
 * ```ts
 * const { catalog, serve } = await loadSimulator(() => import('@fieldkit/mocks'), 'mock serve')
 * ```
 */
export async function loadSimulator<T>(load: () => Promise<T>, command: string): Promise<T> {
  try {
    return await load()
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code
    const text = error instanceof Error ? error.message : ''
    if ((code !== 'MODULE_NOT_FOUND' && code !== 'ERR_MODULE_NOT_FOUND') || !text.includes("'@fieldkit/mocks'"))
      throw error
    throw new CliError({
      code: 'FK_CLI_SIMULATOR_MISSING',
      message: `[fieldkit/cli] fieldkit ${command} needs the simulator, @fieldkit/mocks, which is not installed next to @fieldkit/cli`,
      hint: `Run it with the simulator: npx -p @fieldkit/cli -p @fieldkit/mocks fieldkit ${command}, or npm install @fieldkit/mocks next to @fieldkit/cli`,
      cause: error,
    })
  }
}
