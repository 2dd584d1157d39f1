import { interceptors } from '@fieldkit/http'
import OpenAI from 'openai'
import { Agent, type Dispatcher } from 'undici'

/**
 * The official OpenAI SDK with its `fetch` going through Fieldkit's interceptors: a quota shared by every call, a
 * breaker, and retries with Retry-After (the SDK's own retries are turned off so that one policy decides). GETs and
 * keyed requests are retried; a POST whose body fetch turned into a stream is sent once, as fetch bodies cannot be
 * replayed below fetch.
 */
export function createAssistant(options: { apiKey: string; baseURL: string; perSecond: number }) {
  const quota = interceptors.rateLimit({ perSecond: options.perSecond })
  const dispatcher: Dispatcher = new Agent().compose(
    quota,
    interceptors.breaker(),
    interceptors.retry({ retries: 3, minDelayMs: 50 }),
  )
  const client = new OpenAI({
    apiKey: options.apiKey,
    baseURL: options.baseURL,
    maxRetries: 0,
    // Node 20's fetch types name undici 6's Dispatcher; an undici 7 Agent works with it at run time.
    fetch: (url, init) => fetch(url, { ...init, dispatcher } as unknown as RequestInit),
  })
  return {
    client,
    async close() {
      await quota.limiter.close()
      await dispatcher.close()
    },
  }
}
