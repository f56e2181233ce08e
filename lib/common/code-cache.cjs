// Loads a CommonJS file with V8's code cache, kept next to it (`<file>.v8cache`): the synth and validate bundles
// (scripts/build.cjs) and the pack of compiled validators (lib/validate/schema.ts). Node 20 has no
// module.enableCompileCache / NODE_COMPILE_CACHE; v8-compile-cache keeps its cache in the system temp folder and
// asks V8 for cache data at compile time, when the lazily compiled function bodies (nearly all of an esbuild
// bundle) are not compiled yet. Here the cache data is taken at exit, after the run compiled what it used.
//
// V8 checks cache data only against its own version, flags and the source's length, not the source's content, so the
// cache file also records the bundle's size, mtime and inode: a rebuilt bundle never runs with the old code's cache.
'use strict';
const { isAscii } = require('node:buffer');
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

const MAGIC = 'catalog-v8cache-1';
/** How `Module.wrap` begins a module's code: `(function (exports, require, module, __filename, __dirname) { `. */
const WRAPPER_HEAD = Module.wrap('\0').split('\0')[0];

/** Cache files to write at exit (one exit listener for them all), by file: the last load of a file wins. */
const pending = new Map();

/** The key a cache file must carry to be used for `file`: the bundle's identity and the running V8. */
function cacheKey(file) {
  const st = fs.statSync(file);
  return [MAGIC, process.version, process.arch, st.size, st.mtimeMs, st.ino].join('|');
}

/**
 * The whole of `file`, read into `into` when it is large enough, else into a new buffer. Every fresh page a process
 * touches is a page fault, which on a shared virtual machine costs more than copying the page: the code cache is read
 * into the buffer the bundle's text was read into and has been copied out of.
 */
function readWhole(file, into) {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const buf = into !== undefined && into.length >= size ? into : Buffer.allocUnsafeSlow(size);
    let read = 0;
    while (read < size) {
      const n = fs.readSync(fd, buf, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    return buf.subarray(0, read);
  } finally {
    fs.closeSync(fd);
  }
}

/** The cache data in `cacheFile` when it carries `key`, read into `into` when it fits (see readWhole). */
function readCache(cacheFile, key, into) {
  try {
    const buf = readWhole(cacheFile, into);
    const end = buf.indexOf(0x0a);
    return end > 0 && buf.toString('utf8', 0, end) === key ? buf.subarray(end + 1) : undefined;
  } catch {
    return undefined;
  }
}

function writeCache(cacheFile, key, data) {
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, Buffer.concat([Buffer.from(`${key}\n`), data]));
    fs.renameSync(tmp, cacheFile);
  } catch {
    // a read-only checkout runs without the cache
    fs.rmSync(tmp, { force: true });
  }
}

/**
 * The text of `file` and the buffer it was read into. The text is a one-byte string when the file is ASCII: V8 then
 * keeps half the bytes and makes no two-byte copy.
 */
function readSource(file) {
  const bytes = readWhole(file);
  return { text: isAscii(bytes) ? bytes.latin1Slice(0, bytes.length) : bytes.toString('utf8'), bytes };
}

/**
 * Loads and runs `file` as a module and returns its exports; the cache is refreshed at exit when it was missing or
 * stale. Throws what loading the file throws. With `main`, the file sees itself as the main module
 * (`require.main === module`), as it would when started with `node <file>`. With `wrapped`, the file is already one
 * function expression of Node's module parameters (`Module.wrap` of the module's code, as scripts/build.cjs writes the
 * bundles), so V8 compiles the file's text as it is instead of a second, concatenated copy of it.
 */
function runCached(file, { main = false, wrapped = false } = {}) {
  const cacheFile = `${file}.v8cache`;
  const key = cacheKey(file);
  const { text: source, bytes } = readSource(file);
  // the text is a copy of its own, so the buffer it came from can take the cache data
  const cachedData = readCache(cacheFile, key, bytes);
  if (wrapped && !source.startsWith(WRAPPER_HEAD)) {
    // anything else would run at the top level of the process instead of as a module
    throw new Error(`${file} is not a wrapped module`);
  }
  const script = new vm.Script(wrapped ? source : Module.wrap(source), { filename: file, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    if (pending.size === 0) {
      process.once('exit', () => pending.forEach((write) => write()));
    }
    pending.set(cacheFile, () => writeCache(cacheFile, key, script.createCachedData()));
  }
  const mod = new Module(file, null);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(file));
  const req = Module.createRequire(file);
  if (main) {
    mod.id = '.';
    req.main = mod;
  }
  const fn = script.runInThisContext({ displayErrors: true });
  fn.call(mod.exports, mod.exports, req, mod, file, path.dirname(file));
  mod.loaded = true;
  return mod.exports;
}

module.exports = { runCached };
