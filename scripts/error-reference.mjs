#!/usr/bin/env node
// Collects every FK_ code thrown in packages/*/src, the error class that throws it and its hints, into
// docs/errors.md and into the data `fieldkit explain` ships (packages/cli/src/explain/codes.generated.ts), with the
// runbook that names the code. `--check` fails when either file is out of date or a code has no literal hint.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const target = join(root, 'docs/errors.md')

function* sourceFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) yield* sourceFiles(path)
    else if (/\.ts$/.test(entry.name) && !/\.(test|verify|bench|test-helper)\.ts$/.test(entry.name)) yield path
  }
}

const codes = new Map() // code -> { pkg, hints: Set, files: Set, classes: Set }
const packagesDir = join(root, 'packages')
for (const pkg of readdirSync(packagesDir).sort()) {
  const src = join(packagesDir, pkg, 'src')
  if (!existsSync(src)) continue
  for (const file of sourceFiles(src)) {
    const text = readFileSync(file, 'utf8')
    // A code counts where it is given to an error: `code: 'FK_…'` outside a comment.
    for (const match of text.matchAll(/^(?![ \t]*(?:\*|\/\/)).*?\bcode:\s*['"`](FK_[A-Z0-9_]+)['"`]/gm)) {
      const code = match[1]
      const entry = codes.get(code) ?? { pkg, hints: new Set(), files: new Set(), classes: new Set() }
      entry.files.add(relative(root, file))
      // The class: the nearest `new XError({` before the code (a helper such as fail() is followed to its class).
      const before = text.slice(Math.max(0, match.index - 400), match.index)
      const made = [...before.matchAll(/new\s+([A-Z][\w$]*)\s*\(\s*\{/g)].at(-1)
      if (made) entry.classes.add(made[1])
      // A hint written as a literal within the next few lines of the code belongs to it.
      const after = text.slice(match.index + match[0].length, match.index + match[0].length + 900)
      const hint = after.match(/\bhint:\s*(['"`])((?:\\.|(?!\1)[^\\])*)\1/)
      const nextCode = after.search(/\bcode:\s*['"`]FK_/)
      if (hint && (nextCode === -1 || hint.index < nextCode)) entry.hints.add(readable(hint[2].replace(/\\(.)/g, '$1')))
      codes.set(code, entry)
    }
  }
}

// A code whose throw site is not next to its `new XError({` (the code and hint come from a helper, as the http retry's
// wording does) takes its class from the code union that lists it: `class X extends FieldkitError<XCode>` and
// `export type XCode = | 'FK_…' …`.
const classOfUnion = new Map() // union type name -> class name
const unionOfCode = new Map() // code -> union type name
const classOfCode = new Map() // code -> the class made for that one code
for (const pkg of readdirSync(packagesDir)) {
  const src = join(packagesDir, pkg, 'src')
  if (!existsSync(src)) continue
  for (const file of sourceFiles(src)) {
    const text = readFileSync(file, 'utf8')
    for (const m of text.matchAll(/class\s+(\w+)(?:<[^>]*>)?\s+extends\s+FieldkitError<(\w+)>/g))
      classOfUnion.set(m[2], m[1])
    // A subclass that narrows its parent's codes: `class X extends HttpError { declare readonly code: XCode`.
    for (const m of text.matchAll(/class\s+(\w+)\s+extends\s+\w+\s*\{[^}]*?declare\s+readonly\s+code:\s*(\w+)/g))
      classOfUnion.set(m[2], m[1])
    // A class for one code: `class X extends SoapError<'FK_SOAP_FAULT'>`.
    for (const m of text.matchAll(/class\s+(\w+)\s+extends\s+\w+<'(FK_[A-Z0-9_]+)'>/g)) classOfCode.set(m[2], m[1])
    for (const m of text.matchAll(/export\s+type\s+(\w+)\s*=\s*((?:\s*\|?\s*(?:'FK_[A-Z0-9_]+'|[A-Z]\w*Code\b))+)/g)) {
      for (const c of m[2].matchAll(/'(FK_[A-Z0-9_]+)'/g)) unionOfCode.set(c[1], m[1])
    }
  }
}
for (const [code, entry] of codes) {
  if (entry.classes.size > 0) continue
  const cls = classOfCode.get(code) ?? classOfUnion.get(unionOfCode.get(code))
  if (cls !== undefined) entry.classes.add(cls)
}

/**
 * A template hint as a reader sees it: each `${expression}` becomes `<name>`, the name being the expression's last
 * property or the function it calls (`${peer.pkg}` → `<pkg>`, `${hostPort(url)}` → `<hostPort>`).
 */
function readable(hint) {
  return hint.replace(/\$\{([^}]*)\}/g, (whole, expr) => {
    const name = expr.trim().match(/([A-Za-z_$][\w$]*)\s*(?:\([^)]*\))?$/)
    return name ? `<${name[1]}>` : whole
  })
}

const missing = [...codes].filter(([, e]) => e.hints.size === 0).map(([c]) => c)
// Every FK_ literal in the sources must be a documented code: one named only through a variable or a table would
// otherwise be thrown without ever reaching the reference.
const unlisted = new Set()
for (const pkg of readdirSync(packagesDir)) {
  const src = join(packagesDir, pkg, 'src')
  if (!existsSync(src)) continue
  for (const file of sourceFiles(src)) {
    for (const m of readFileSync(file, 'utf8').matchAll(/['"`](FK_[A-Z0-9_]+)['"`]/g)) {
      if (!codes.has(m[1])) unlisted.add(`${m[1]} (${relative(root, file)})`)
    }
  }
}
const lines = [
  '# Error codes',
  '',
  '<!-- Generated by `pnpm errors` (scripts/error-reference.mjs) from the sources; do not edit by hand. -->',
  '',
  'Every error Fieldkit throws is a `FieldkitError` with one of these stable codes. Match on `code`, never on the',
  'message. The hint is what the error itself tells whoever maintains the integration; a name in angle brackets',
  '(`<host>`) marks a value filled in at run time.',
  '',
]
let current = ''
for (const [code, entry] of [...codes].sort((a, b) => a[1].pkg.localeCompare(b[1].pkg) || a[0].localeCompare(b[0]))) {
  if (entry.pkg !== current) {
    current = entry.pkg
    lines.push(
      `## @fieldkit/${current}`,
      '',
      '| code | class | hint, one per situation | thrown in |',
      '| --- | --- | --- | --- |',
    )
  }
  const hints = [...entry.hints].map((h) => `• ${h.replaceAll('|', '\\|')}`).join('<br>') || '(no literal hint)'
  const files = [...entry.files].map((f) => `\`${f}\``).join(', ')
  const classes = [...entry.classes].map((c) => `\`${c}\``).join(', ') || '—'
  lines.push(`| \`${code}\` | ${classes} | ${hints} | ${files} |`)
}
const fixed = `${lines.join('\n')}\n`.replace(/(\| `FK_[^\n]+\n)(## )/g, '$1\n$2')

const explainTarget = join(root, 'packages/cli/src/explain/codes.generated.ts')
const explainData = explainModule()

if (process.argv.includes('--check')) {
  const problems = []
  if (missing.length) problems.push(`codes without a literal hint next to them: ${missing.join(', ')}`)
  if (unlisted.size) problems.push(`codes never given as \`code: 'FK_…'\` with a hint: ${[...unlisted].join(', ')}`)
  const existing = existsSync(target) ? readFileSync(target, 'utf8') : ''
  if (existing !== fixed) problems.push('docs/errors.md is out of date: run `pnpm errors` and commit it')
  const shipped = existsSync(explainTarget) ? readFileSync(explainTarget, 'utf8') : ''
  if (shipped !== explainData) problems.push(`${relative(root, explainTarget)} is out of date: run \`pnpm errors\``)
  if (problems.length) {
    console.error(`error reference: ${problems.join('; ')}`)
    process.exit(1)
  }
  console.log(`error reference: ${codes.size} codes, all with hints, docs/errors.md up to date`)
} else {
  writeFileSync(target, fixed)
  writeFileSync(explainTarget, explainData)
  console.log(
    `wrote docs/errors.md: ${codes.size} codes${missing.length ? `; without hint: ${missing.join(', ')}` : ''}`,
  )
}

/** The codes as a TypeScript module the CLI bundles: `fieldkit explain` works offline, outside the repository. */
function explainModule() {
  const runbooks = runbookIndex()
  const entries = [...codes]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([code, entry]) => ({
      code,
      package: `@fieldkit/${entry.pkg}`,
      classes: [...entry.classes],
      hints: [...entry.hints],
      ...(runbooks.has(code) ? { runbook: runbooks.get(code) } : {}),
    }))
  return [
    '// Generated by `pnpm errors` (scripts/error-reference.mjs) from the sources; do not edit by hand.',
    "import type { ExplainedCode } from './types'",
    '',
    '/** Every Fieldkit error code: the package and class that throw it, a hint per situation, the runbook. */',
    `export const CODES: readonly ExplainedCode[] = ${JSON.stringify(entries, null, 2)}`,
    '',
  ].join('\n')
}

/** code -> { file, title } of the runbook whose text names the code (the first, in file order). */
function runbookIndex() {
  const dir = join(root, 'docs/runbooks')
  const index = new Map()
  if (!existsSync(dir)) return index
  for (const name of readdirSync(dir).sort()) {
    const text = readFileSync(join(dir, name), 'utf8')
    const title = (text.match(/^#\s+(.*)$/m)?.[1] ?? name).replace(/^Runbook:\s*/, '')
    for (const m of text.matchAll(/FK_[A-Z0-9_]*[A-Z0-9]/g)) {
      if (codes.has(m[0]) && !index.has(m[0])) index.set(m[0], { file: `docs/runbooks/${name}`, title })
    }
  }
  return index
}
