// Run: OPENAI_API_KEY=… pnpm start
import { createAssistant } from './assistant'

const { client, close } = createAssistant({
  apiKey: process.env.OPENAI_API_KEY ?? '',
  baseURL: process.env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1',
  perSecond: 2,
})
const models = await client.models.list()
process.stdout.write(`${models.data.length} models\n`)
await close()
