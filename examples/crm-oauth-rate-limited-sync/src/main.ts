// Run: CRM_URL=… CRM_TOKEN_URL=… CRM_CLIENT_ID=… CRM_CLIENT_SECRET=… pnpm start
import { syncAccounts } from './sync-accounts'

const env = (name: string) => {
  const value = process.env[name]
  if (!value) throw new Error(`Set ${name} (see the README)`)
  return value
}

const { accounts, retries } = await syncAccounts({
  baseUrl: env('CRM_URL'),
  tokenUrl: env('CRM_TOKEN_URL'),
  clientId: env('CRM_CLIENT_ID'),
  clientSecret: env('CRM_CLIENT_SECRET'),
  perSecond: Number(process.env.CRM_PER_SECOND ?? 10),
})
for (const account of accounts) process.stdout.write(`${JSON.stringify(account)}\n`)
process.stderr.write(`${accounts.length} accounts, ${retries} retries\n`)
