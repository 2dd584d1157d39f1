// The client's existing integration, as it was before Fieldkit: plain global fetch, no retries, no quota.
// Nothing in this file changes; resilience arrives through the global dispatcher (see dispatcher.ts).

export interface Order {
  id: string
  total: number
}

/** Lists every order, page by page, as the client's code always did. */
export async function listOrders(baseUrl: string): Promise<Order[]> {
  const orders: Order[] = []
  for (let page = 1; ; page++) {
    const res = await fetch(`${baseUrl}/orders?page=${page}`)
    if (!res.ok) throw new Error(`orders page ${page}: HTTP ${res.status}`)
    const body = (await res.json()) as { data: Order[]; next: boolean }
    orders.push(...body.data)
    if (!body.next) return orders
  }
}
