import { summariseHr } from './summarise-hr'

// MODEL_BASE_URL=https://eu.models.client.example/v1 MODEL_HOST_REGION=eu MODEL_API_KEY=… pnpm start
const baseURL = process.env.MODEL_BASE_URL ?? 'https://eu.models.client.example/v1'
const { summary, audit } = await summariseHr(
  [
    {
      name: 'Ann Lee',
      email: 'ann.lee@client.example',
      phone: '+44 20 7946 0958',
      note: 'returns from leave on 3 March',
    },
    { name: 'Piotr Nowak', email: 'p.nowak@client.example', phone: '+48 22 123 45 67', note: 'asked for a laptop' },
  ],
  {
    baseURL,
    apiKey: process.env.MODEL_API_KEY ?? '',
    model: process.env.MODEL ?? 'gpt-4o-mini',
    hosts: { [new URL(baseURL).hostname]: process.env.MODEL_HOST_REGION ?? 'eu' },
    conversation: `hr-summary-${new Date().toISOString().slice(0, 10)}`,
  },
)
console.log(summary)
for (const record of audit) console.error(JSON.stringify(record))
