import { clientCredentials } from '@fieldkit/auth'
import { createHttpClient } from '@fieldkit/http'
import { z } from 'zod'

/** An account as the CRM sends it; anything else is an error, not a silent `undefined`. */
export const Account = z.object({ id: z.string(), name: z.string(), ownerEmail: z.string(), annualRevenue: z.number() })
export type Account = z.infer<typeof Account>

export interface CrmConnection {
  baseUrl: string
  tokenUrl: string
  clientId: string
  clientSecret: string
  /** The quota the CRM grants this integration, per second; stay under it instead of collecting 429s. */
  perSecond: number
}

/** Pages through every account: OAuth 2.0 client credentials, cursor pagination, the quota kept, 429s waited out. */
export async function syncAccounts(crm: CrmConnection): Promise<{ accounts: Account[]; retries: number }> {
  const http = createHttpClient({
    baseUrl: crm.baseUrl,
    auth: clientCredentials({ tokenUrl: crm.tokenUrl, clientId: crm.clientId, clientSecret: crm.clientSecret }),
    retry: { retries: 6, maxRetryAfterMs: 30_000 },
    rateLimit: { perSecond: crm.perSecond },
  })
  try {
    const accounts: Account[] = []
    for await (const account of http.paginate('/crm/accounts', {
      style: 'cursor',
      cursorPath: 'meta.next',
      itemsPath: 'data',
      item: Account,
    })) {
      accounts.push(account)
    }
    return { accounts, retries: http.stats().retries }
  } finally {
    await http.close()
  }
}
