import { PassThrough, Readable } from 'node:stream'
import { main } from './main'

/**
 * Runs `main()` in this process with its own streams: stdin from `input`, stdout and stderr collected (tests only).
 * Much cheaper than a child process; use {@link runCli} where the real process matters (exit, EPIPE, a terminal).
 */
export async function runMain(
  args: string[],
  options: { input?: string | Buffer; env?: NodeJS.ProcessEnv; stdinTty?: boolean; stderrTty?: boolean } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdin = Object.assign(Readable.from(options.input === undefined ? [] : [options.input]), {
    isTTY: options.stdinTty === true,
  })
  const stdout = new PassThrough()
  const stderr = Object.assign(new PassThrough(), { isTTY: options.stderrTty === true })
  const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] }
  stdout.on('data', (c: Buffer) => chunks.stdout.push(c))
  stderr.on('data', (c: Buffer) => chunks.stderr.push(c))
  const code = await main(['node', 'fieldkit', ...args], {
    stdin,
    stdout,
    stderr,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
  })
  return { code, stdout: Buffer.concat(chunks.stdout).toString(), stderr: Buffer.concat(chunks.stderr).toString() }
}
