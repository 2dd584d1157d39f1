// Run: ORDERS_URL=https://erp.client.example pnpm start
import { createGuard, definePolicy } from '@fieldkit/residency'
import { setGlobalDispatcher } from 'undici'
import { resilientDispatcher } from './dispatcher'
import { listOrders } from './orders'

const guard = createGuard(
  definePolicy({ dataClasses: { pii: ['eu'] }, hosts: { 'erp.client.example': 'eu' }, allowSpecial: ['127.0.0.1'] }),
)
setGlobalDispatcher(resilientDispatcher(guard, 10)) // ← the one line added to the existing integration

const orders = await listOrders(process.env.ORDERS_URL ?? 'https://erp.client.example')
process.stdout.write(`${orders.length} orders\n`)
