#!/usr/bin/env node
// `pnpm demo` until the `fieldkit` CLI lands: serves the simulator's catalog on loopback from the built
// @fieldkit/mocks and exercises each endpoint once, saying what it sends and what came back.
import { catalog, serve } from '@fieldkit/mocks'

const mock = await serve(catalog.flatMap((scenario) => scenario.handlers()))
console.log(`simulator listening on ${mock.url} with ${catalog.length} scenarios`)
for (const scenario of catalog) {
  console.log(`\n${scenario.name}: ${scenario.description}`)
  for (const example of scenario.examples) {
    const started = performance.now()
    let outcome
    try {
      const res = await fetch(`${mock.url}${example.path}`, { method: example.method })
      const body = await res.text()
      outcome = `${res.status} ${res.statusText}, ${Buffer.byteLength(body)} bytes`
    } catch (error) {
      outcome = `network error (${error.cause?.code ?? error.message})`
    }
    const ms = (performance.now() - started).toFixed(0)
    console.log(`  ${example.method} ${example.path} → ${outcome} in ${ms} ms  (expected: ${example.note})`)
  }
}
await mock.close()
console.log(`\nthe mock saw ${mock.requests.length} requests on ${mock.connections()} connections; closed.`)
