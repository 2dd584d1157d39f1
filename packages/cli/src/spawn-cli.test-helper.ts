import { type ChildProcess, spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'

const bin = fileURLToPath(new URL('./bin.ts', import.meta.url))
// tsx as a file URL, so the CLI also starts with a cwd outside the repository (where `tsx` would not resolve).
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href

/** Starts `fieldkit` from source in a child process, as a user would run it (tests only). */
export function spawnCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string } = {},
): ChildProcess {
  const child = spawn(process.execPath, ['--conditions=@fieldkit/source', '--import', tsx, bin, ...args], {
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    cwd: options.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  if (options.input !== undefined) child.stdin?.end(options.input)
  else child.stdin?.end()
  return child
}

/** Runs `fieldkit` to completion and returns its exit code and output (tests only). */
export function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string; timeoutMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnCli(args, options)
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (chunk) => {
    stdout += chunk
  })
  child.stderr?.on('data', (chunk) => {
    stderr += chunk
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    }),
  )
}

const quote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`

/** The shell command line that starts `fieldkit` from source with `args`, each quoted (tests only). */
export function cliCommand(args: string[]): string {
  return [process.execPath, '--conditions=@fieldkit/source', '--import', tsx, bin, ...args].map(quote).join(' ')
}

/**
 * Runs `fieldkit` inside a pseudo-terminal made by script(1) (bsdutils), so stdout and stderr are a TTY, as in a
 * user's terminal; returns everything the terminal showed (tests only). `before` is shell text run first (`stty`).
 */
export function runCliInTerminal(
  args: string[],
  options: {
    env?: NodeJS.ProcessEnv
    before?: string
    timeoutMs?: number
    /** Keys typed into the terminal once `waitFor` has been shown. */
    type?: { waitFor: string; text: string }
  } = {},
): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, '--conditions=@fieldkit/source', '--import', tsx, bin, ...args]
    .map(quote)
    .join(' ')
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color', ...options.env }
  for (const name of ['NO_COLOR', 'FORCE_COLOR', 'CI']) if (!options.env || !(name in options.env)) delete env[name]
  const child = spawn('script', ['-qfec', `stty cols 120 rows 40; ${options.before ?? ''} ${command}`, '/dev/null'], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  if (!options.type) child.stdin.end()
  let output = ''
  let typed = false
  child.stdout.on('data', (chunk) => {
    output += chunk
    if (options.type && !typed && output.includes(options.type.waitFor)) {
      typed = true
      child.stdin.write(options.type.text)
    }
  })
  child.stderr.on('data', (chunk) => {
    output += chunk
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    }),
  )
}
