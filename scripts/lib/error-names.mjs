// Error classes must write their name out: `override name = 'HttpError'`. A consumer's minifier renames classes, so
// `this.constructor.name` (or no name at all, which inherits the parent's) turns into `e` or the wrong class.

const classDecl =
  /^(?:export\s+)?(?:abstract\s+)?class\s+([A-Za-z_$][\w$]*)(?:<[^{]*?>)?\s+extends\s+([A-Za-z_$][\w$.]*)/gm

/**
 * Problems with the error classes declared in `files` (`{ file, text }`): a class is an error class when it extends
 * `Error`, a class whose name ends in `Error`, or another error class of the same files. Each must assign its own
 * name as a string literal equal to the class name; nothing may read `constructor.name`.
 */
export function errorNameProblems(files) {
  const classes = []
  for (const { file, text } of files) {
    for (const match of text.matchAll(classDecl)) {
      classes.push({
        file,
        name: match[1],
        parent: match[2],
        body: classBody(text, match.index),
        line: lineOf(text, match.index),
      })
    }
  }
  const names = new Map(classes.map((c) => [c.name, c]))
  const isError = (name, seen = new Set()) => {
    if (/Error$/.test(name)) return true
    const c = names.get(name)
    if (c === undefined || seen.has(name)) return false
    seen.add(name)
    return isError(c.parent, seen)
  }
  const problems = []
  for (const c of classes) {
    if (!isError(c.name) && !isError(c.parent)) continue
    const literal = c.body.match(/^\s*(?:override\s+)?(?:readonly\s+)?name\s*(?::\s*[^=]+)?=\s*(['"])([^'"]*)\1/m)
    if (literal === null)
      problems.push(`${c.file}:${c.line} class ${c.name} has no literal \`override name = '${c.name}'\``)
    else if (literal[2] !== c.name) problems.push(`${c.file}:${c.line} class ${c.name} names itself '${literal[2]}'`)
  }
  for (const { file, text } of files) {
    for (const m of text.matchAll(/constructor\.name|get\s+name\s*\(/g)) {
      if (isComment(text, m.index)) continue
      problems.push(`${file}:${lineOf(text, m.index)} reads a class name at run time (${m[0]}); write the name out`)
    }
  }
  return problems
}

/** The text from a class declaration to the closing brace at its own indentation. */
function classBody(text, start) {
  const lineStart = text.lastIndexOf('\n', start) + 1
  const indent = text.slice(lineStart, start).match(/^\s*/)[0]
  const end = text.indexOf(`\n${indent}}`, start)
  return text.slice(start, end === -1 ? undefined : end)
}

function lineOf(text, index) {
  return text.slice(0, index).split('\n').length
}

function isComment(text, index) {
  const line = text.slice(text.lastIndexOf('\n', index) + 1, index)
  return /^\s*(\*|\/\/)/.test(line) || line.includes('//')
}
