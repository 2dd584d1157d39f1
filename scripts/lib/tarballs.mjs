// The packed tarballs of the public packages, shared by check-publish (which packs them during `pnpm check`),
// `pnpm adoption` and `bench footprint`: packed once into node_modules/.cache/fieldkit-tarballs, reused while every
// tarball is newer than its package's dist/ and package.json.
import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

export const root = new URL('../..', import.meta.url).pathname
export const TARBALL_DIR = join(root, 'node_modules/.cache/fieldkit-tarballs')

/** Public packages: `{ name, dir, manifest }`. */
export function publicPackages() {
  return readdirSync(join(root, 'packages'))
    .map((d) => ({ dir: join(root, 'packages', d) }))
    .filter(({ dir }) => existsSync(join(dir, 'package.json')))
    .map(({ dir }) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
    .filter(({ manifest }) => !manifest.private)
    .map((p) => ({ ...p, name: p.manifest.name }))
}

/** The tarball file name pnpm/npm give a package: `fieldkit-http-0.1.0.tgz`. */
export function tarballName(manifest) {
  return `${manifest.name.replace('@', '').replace('/', '-')}-${manifest.version}.tgz`
}

function newest(dir) {
  let t = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    t = Math.max(t, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs)
  }
  return t
}

function built(pkg) {
  const out = [join(pkg.dir, 'dist/index.js'), join(pkg.dir, 'dist/index.cjs')]
  return out.every((f) => existsSync(f) && statSync(f).mtimeMs >= newest(join(pkg.dir, 'src')))
}

function fresh(pkg, tarball) {
  if (!existsSync(tarball)) return false
  const packed = statSync(tarball).mtimeMs
  const inputs = [join(pkg.dir, 'package.json'), join(pkg.dir, 'dist/index.js'), join(pkg.dir, 'dist/index.cjs')]
  return built(pkg) && inputs.every((f) => existsSync(f) && statSync(f).mtimeMs <= packed)
}

/** Copies tarballs packed elsewhere (check-publish's scratch folder) into the shared cache. */
export function keepTarballs(fromDir) {
  mkdirSync(TARBALL_DIR, { recursive: true })
  for (const pkg of publicPackages()) {
    const file = tarballName(pkg.manifest)
    if (existsSync(join(fromDir, file))) copyFileSync(join(fromDir, file), join(TARBALL_DIR, file))
  }
}

/**
 * `{ name → absolute tarball path }` for every public package: the cached tarball when it is fresh, else the
 * package is built (when its dist/ is missing or older than src/) and packed with pnpm (which rewrites
 * `workspace:` ranges). `log` gets one line per package packed.
 */
export function tarballs(log = () => {}) {
  mkdirSync(TARBALL_DIR, { recursive: true })
  const packages = publicPackages()
  const out = Object.fromEntries(packages.map((p) => [p.name, join(TARBALL_DIR, tarballName(p.manifest))]))
  const stale = packages.filter((p) => !fresh(p, out[p.name]))
  if (stale.length === 0) return out
  for (const pkg of stale.filter((p) => !built(p))) {
    log(`building ${pkg.name}`)
    execFileSync('npx', ['--yes', 'pnpm@10', 'run', 'build'], { cwd: pkg.dir, stdio: 'ignore' })
  }
  // One pnpm run packs them all (pnpm rewrites the `workspace:` ranges; npm pack would not).
  log(`packing ${stale.map((p) => p.name).join(', ')}`)
  const filters = stale.flatMap((p) => ['--filter', p.name])
  execFileSync('npx', ['--yes', 'pnpm@10', '-r', ...filters, 'pack', '--pack-destination', TARBALL_DIR], {
    cwd: root,
    stdio: 'ignore',
  })
  return out
}
