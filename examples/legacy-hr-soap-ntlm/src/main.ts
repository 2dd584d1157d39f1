// Run: HR_URL=… HR_WINDOWS_USER=… HR_WINDOWS_PASSWORD=… HR_WINDOWS_DOMAIN=… HR_SERVICE_USER=… HR_SERVICE_PASSWORD=… pnpm start 0042
// Secrets come from the environment, never from the command line.
import { syncEmployees } from './sync-employees'

const env = (name: string) => {
  const value = process.env[name]
  if (!value) throw new Error(`Set ${name} (see the README)`)
  return value
}

const employees = await syncEmployees(
  {
    endpoint: env('HR_URL'),
    windows: {
      username: env('HR_WINDOWS_USER'),
      password: env('HR_WINDOWS_PASSWORD'),
      domain: env('HR_WINDOWS_DOMAIN'),
    },
    service: { username: env('HR_SERVICE_USER'), password: env('HR_SERVICE_PASSWORD') },
  },
  process.argv[2] ?? '0042',
)
for (const employee of employees) process.stdout.write(`${JSON.stringify(employee)}\n`)
