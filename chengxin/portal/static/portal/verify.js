// Chengxin: check, in the shopper's browser, that a scale's records are in the public log.
//
// What it trusts: only the log's verifier key embedded in the page (people can compare its key
// id with the one published in the README). Everything else the server sends is checked:
//   1. /log/checkpoint must carry a valid Ed25519 signature by that key (C2SP signed-note), for
//      the expected origin (C2SP tlog-checkpoint);
//   2. every hash tile used is authenticated against the signed root, as Go's
//      golang.org/x/mod/sumdb/tlog TileHashReader does (tree-hash tiles first, then each tile
//      against its parent);
//   3. each record's inclusion proof is built from those tiles (tlog ProveRecord) and its root
//      recomputed from the leaf's own bytes in the entry bundle (tlog CheckRecord) — it must equal
//      the signed root.
// A tampered checkpoint, tile or entry therefore makes the check fail, with the reason shown.
//
// The Merkle arithmetic mirrors chengxin/ledger/merkle.py (stored hash indexes, tile
// coordinates, subtree hashes). Indexes are BigInt: JavaScript's bit operators are 32-bit.
// No dependencies; WebCrypto does SHA-256 and Ed25519.

const HASH_SIZE = 32;
const TILE_HEIGHT = 8n;
const TILE_WIDTH = 256n;
const SIGNATURE_TYPE_ED25519 = 0x01;
const SIGNATURE_TYPE_COSIGNATURE_V1 = 0x04;

/** A check that did not hold; `key` names the message shown, `params` fill it. */
export class CheckError extends Error {
  constructor(key, params = {}) {
    super(key);
    this.key = key;
    this.params = params;
  }
}

// --- bytes ---------------------------------------------------------------------------------------

const utf8 = new TextEncoder();

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Strict standard base64 (padding required), or null. */
export function base64Decode(text) {
  if (typeof text !== "string" || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
    return null;
  }
  let binary;
  try {
    binary = atob(text);
  } catch {
    return null;
  }
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}

async function sha256(data) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", data));
}

/** RFC 9162 leaf hash: SHA-256(0x00 || data). */
export function leafHash(data) {
  return sha256(concat(Uint8Array.of(0), data));
}

/** RFC 9162 node hash: SHA-256(0x01 || left || right). */
export function nodeHash(left, right) {
  return sha256(concat(Uint8Array.of(1), left, right));
}

// --- tree arithmetic (merkle.py: stored hashes) ---------------------------------------------------

function popCount(n) {
  let count = 0n;
  for (; n > 0n; n >>= 1n) count += n & 1n;
  return count;
}

function bitLength(n) {
  return n === 0n ? 0n : BigInt(n.toString(2).length);
}

function trailingZeros(n) {
  let count = 0n;
  for (; n > 0n && (n & 1n) === 0n; n >>= 1n) count++;
  return count;
}

/** Largest power of two strictly below n (n ≥ 2); 1 for n = 1 (RFC 9162's split, Go's maxpow2). */
function splitPoint(n) {
  const length = bitLength(n - 1n);
  return 1n << (length > 0n ? length - 1n : 0n);
}

/** Storage index of the hash at `level`, `n`-th from the left (Go's StoredHashIndex). */
export function storedHashIndex(level, n) {
  const leaf = ((n + 1n) << level) - 1n;
  return 2n * leaf - popCount(leaf) + level;
}

/** Inverse of storedHashIndex: [level, n]. */
export function splitStoredHashIndex(index) {
  let n = index / 2n;
  let indexN = storedHashIndex(0n, n);
  for (;;) {
    const following = indexN + 1n + trailingZeros(n + 1n);
    if (following > index) break;
    n += 1n;
    indexN = following;
  }
  const level = index - indexN;
  return [level, n >> level];
}

/** Stored indexes of the perfect subtrees that make up leaves [lo, hi), left to right. */
function subtreeIndexes(lo, hi) {
  const indexes = [];
  while (lo < hi) {
    const k = splitPoint(hi - lo + 1n);
    const level = bitLength(k) - 1n;
    indexes.push(storedHashIndex(level, lo >> level));
    lo += k;
  }
  return indexes;
}

async function subtreeHashFrom(lo, hi, hashes) {
  const count = subtreeIndexes(lo, hi).length;
  let h = hashes[count - 1];
  for (let i = count - 2; i >= 0; i--) h = await nodeHash(hashes[i], h);
  return [h, hashes.slice(count)];
}

/** Stored indexes an inclusion proof of leaf n in leaves [lo, hi) is built from (leafProofIndex). */
export function leafProofIndexes(lo, hi, n) {
  if (hi - lo === 1n) return [];
  const k = splitPoint(hi - lo);
  if (n < lo + k) return [...leafProofIndexes(lo, lo + k, n), ...subtreeIndexes(lo + k, hi)];
  return [...subtreeIndexes(lo, lo + k), ...leafProofIndexes(lo + k, hi, n)];
}

async function leafProof(lo, hi, n, hashes) {
  if (hi - lo === 1n) return [[], hashes];
  const k = splitPoint(hi - lo);
  let proof;
  let sibling;
  if (n < lo + k) {
    [proof, hashes] = await leafProof(lo, lo + k, n, hashes);
    [sibling, hashes] = await subtreeHashFrom(lo + k, hi, hashes);
  } else {
    [sibling, hashes] = await subtreeHashFrom(lo, lo + k, hashes);
    [proof, hashes] = await leafProof(lo + k, hi, n, hashes);
  }
  return [[...proof, sibling], hashes];
}

/** Inclusion proof of leaf `index` in the tree of `size` leaves, read through `reader` (ProveRecord). */
export async function proveRecord(size, index, reader) {
  const indexes = leafProofIndexes(0n, size, index);
  if (indexes.length === 0) return [];
  const [proof, rest] = await leafProof(0n, size, index, await reader.readHashes(indexes));
  if (rest.length !== 0) throw new CheckError("unexpected", { detail: "proof arithmetic" });
  return proof;
}

/** The root an inclusion proof implies for `hash` at leaf n of leaves [lo, hi) (runRecordProof). */
export async function rootFromRecordProof(proof, lo, hi, n, hash) {
  if (n < lo || n >= hi) throw new CheckError("rootMismatch");
  if (lo + 1n === hi) {
    if (proof.length !== 0) throw new CheckError("rootMismatch");
    return hash;
  }
  if (proof.length === 0) throw new CheckError("rootMismatch");
  const k = splitPoint(hi - lo);
  const last = proof[proof.length - 1];
  const rest = proof.slice(0, -1);
  if (n < lo + k) return nodeHash(await rootFromRecordProof(rest, lo, lo + k, n, hash), last);
  return nodeHash(last, await rootFromRecordProof(rest, lo + k, hi, n, hash));
}

// --- tiles (C2SP tlog-tiles; Go's tlog tile.go) ---------------------------------------------------

function tileKey(tile) {
  return `${tile.level}/${tile.n}/${tile.width}`;
}

/** "x001/x234/067" for 1234067. */
export function encodeTileIndex(n) {
  const parts = [(n % 1000n).toString().padStart(3, "0")];
  while (n >= 1000n) {
    n /= 1000n;
    parts.push("x" + (n % 1000n).toString().padStart(3, "0"));
  }
  return parts.reverse().join("/");
}

function partialSuffix(width) {
  return width === TILE_WIDTH ? "" : `.p/${width}`;
}

export function tilePath(tile) {
  return `tile/${tile.level}/${encodeTileIndex(tile.n)}${partialSuffix(tile.width)}`;
}

export function entriesPath(n, width) {
  return `tile/entries/${encodeTileIndex(n)}${partialSuffix(width)}`;
}

/** The smallest tile holding stored hash `index`, and the byte range that hashes to it. */
export function tileForIndex(index) {
  let [level, n] = splitStoredHashIndex(index);
  const tileLevel = level / TILE_HEIGHT;
  level -= tileLevel * TILE_HEIGHT;
  const tileN = (n << level) >> TILE_HEIGHT;
  n -= (tileN << TILE_HEIGHT) >> level;
  return {
    tile: { level: tileLevel, n: tileN, width: (n + 1n) << level },
    start: Number(n << level) * HASH_SIZE,
    end: Number((n + 1n) << level) * HASH_SIZE,
  };
}

/** The tile `k` levels above `tile`, as wide as the tree of `size` leaves allows, or null. */
function tileParent(tile, k, size) {
  const level = tile.level + k;
  const n = tile.n >> (k * TILE_HEIGHT);
  let width = TILE_WIDTH;
  const max = size >> (level * TILE_HEIGHT);
  if ((n << TILE_HEIGHT) + width >= max) {
    if (n << TILE_HEIGHT >= max) return null;
    width = max - (n << TILE_HEIGHT);
  }
  return { level, n, width };
}

async function tileHash(data) {
  if (data.length === HASH_SIZE) return data;
  const half = data.length / 2;
  return nodeHash(await tileHash(data.subarray(0, half)), await tileHash(data.subarray(half)));
}

/** Stored hash `index` computed from the bytes of `tile`, which must contain it (HashFromTile). */
export async function hashFromTile(tile, data, index) {
  if (data.length !== Number(tile.width) * HASH_SIZE) throw new CheckError("tileMalformed");
  const home = tileForIndex(index);
  if (home.tile.level !== tile.level || home.tile.n !== tile.n || tile.width < home.tile.width) {
    throw new CheckError("unexpected", { detail: `hash ${index} is not in ${tilePath(tile)}` });
  }
  return tileHash(data.subarray(home.start, home.end));
}

/** Stored hashes read from tiles fetched from the log, each authenticated against the signed
 *  root before it is used (Go's tileHashReader). */
export class TileHashReader {
  constructor(size, root, fetchBytes) {
    this.size = size;
    this.root = root;
    this.fetchBytes = fetchBytes;
  }

  async readHashes(indexes) {
    const size = this.size;
    const order = new Map();
    const tiles = [];
    const add = (tile) => {
      order.set(tileKey(tile), tiles.length);
      tiles.push(tile);
      return tiles.length - 1;
    };

    // Tiles needed to recompute the tree hash: if it matches, they are authentic.
    const stx = subtreeIndexes(0n, size);
    const stxOrder = stx.map((x) => {
      const tile = tileParent(tileForIndex(x).tile, 0n, size);
      const known = order.get(tileKey(tile));
      return known ?? add(tile);
    });
    const authenticatedByRoot = tiles.length;

    // Tiles holding the wanted hashes, with every parent needed to authenticate them.
    const limit = storedHashIndex(0n, size);
    const indexOrder = indexes.map((x) => {
      if (x >= limit) throw new CheckError("unexpected", { detail: "hash not in tree" });
      const tile = tileForIndex(x).tile;
      let k = 0n;
      for (; ; k++) {
        const parent = tileParent(tile, k, size);
        if (parent !== null && order.has(tileKey(parent))) break;
        if (k > 8n) throw new CheckError("unexpected", { detail: "tile arithmetic" });
      }
      let position = order.get(tileKey(tileParent(tile, k, size)));
      for (k--; k >= 0n; k--) {
        const child = tileParent(tile, k, size);
        if (child.width !== TILE_WIDTH) {
          throw new CheckError("unexpected", { detail: "only full tiles have parents" });
        }
        position = add(child);
      }
      return position;
    });

    const data = await Promise.all(tiles.map((tile) => this.fetchBytes(tilePath(tile))));
    data.forEach((bytes, i) => {
      if (bytes.length !== Number(tiles[i].width) * HASH_SIZE) throw new CheckError("tileMalformed");
    });

    // Authenticate the tree-hash tiles against the signed root…
    const last = stx.length - 1;
    let th = await hashFromTile(tiles[stxOrder[last]], data[stxOrder[last]], stx[last]);
    for (let i = last - 1; i >= 0; i--) {
      th = await nodeHash(await hashFromTile(tiles[stxOrder[i]], data[stxOrder[i]], stx[i]), th);
    }
    if (!equalBytes(th, this.root)) throw new CheckError("tileInconsistent");
    // …then every other tile against its (already authenticated) parent, parents first.
    for (let i = authenticatedByRoot; i < tiles.length; i++) {
      const parent = tileParent(tiles[i], 1n, size);
      const j = parent === null ? undefined : order.get(tileKey(parent));
      if (j === undefined || j >= i) {
        throw new CheckError("unexpected", { detail: "lost parent tile" });
      }
      const expected = await hashFromTile(
        parent,
        data[j],
        storedHashIndex(parent.level * TILE_HEIGHT, tiles[i].n),
      );
      if (!equalBytes(expected, await tileHash(data[i]))) throw new CheckError("tileInconsistent");
    }

    const hashes = [];
    for (let i = 0; i < indexes.length; i++) {
      hashes.push(await hashFromTile(tiles[indexOrder[i]], data[indexOrder[i]], indexes[i]));
    }
    return hashes;
  }
}

/** Entries of an entry bundle: each a big-endian uint16 length and the bytes. */
export function decodeEntryBundle(data) {
  const entries = [];
  let offset = 0;
  while (offset < data.length) {
    if (offset + 2 > data.length) throw new CheckError("entryMalformed");
    const length = (data[offset] << 8) | data[offset + 1];
    offset += 2;
    if (offset + length > data.length) throw new CheckError("entryMalformed");
    entries.push(data.subarray(offset, offset + length));
    offset += length;
  }
  return entries;
}

// --- signed notes and checkpoints (C2SP signed-note, tlog-checkpoint, tlog-cosignature) ----------

async function keyId(name, type, publicKey) {
  const digest = await sha256(concat(utf8.encode(name), Uint8Array.of(0x0a, type), publicKey));
  return hex(digest.subarray(0, 4));
}

/** A verifier key `<name>+<hex key id>+<base64(type || public key)>`, checked for consistency. */
export async function parseVerifierKey(vkey) {
  // <name>+<hex key id>+<base64 key>: the base64 part may itself contain "+".
  const text = typeof vkey === "string" ? vkey.trim() : "";
  const first = text.indexOf("+");
  const second = first < 0 ? -1 : text.indexOf("+", first + 1);
  const parts =
    second < 0 ? [] : [text.slice(0, first), text.slice(first + 1, second), text.slice(second + 1)];
  if (parts.length !== 3 || !parts[0] || !/^[0-9a-fA-F]{8}$/.test(parts[1])) {
    throw new CheckError("badKey");
  }
  const [name, id, encoded] = parts;
  const key = base64Decode(encoded);
  if (key === null || key.length !== 33) throw new CheckError("badKey");
  const type = key[0];
  const publicKey = key.subarray(1);
  if (type !== SIGNATURE_TYPE_ED25519 && type !== SIGNATURE_TYPE_COSIGNATURE_V1) {
    throw new CheckError("badKey");
  }
  if ((await keyId(name, type, publicKey)) !== id.toLowerCase()) throw new CheckError("badKey");
  return { name, keyId: id.toLowerCase(), type, publicKey };
}

async function ed25519Verify(publicKey, signature, message) {
  let key;
  try {
    key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
  } catch {
    throw new CheckError("noEd25519");
  }
  return crypto.subtle.verify({ name: "Ed25519" }, key, signature, message);
}

/** Split a signed note into its text and signature lines (C2SP signed-note). */
export function parseNote(text) {
  if (!text.endsWith("\n")) throw new CheckError("checkpointMalformed");
  const split = text.lastIndexOf("\n\n");
  if (split < 0) throw new CheckError("checkpointMalformed");
  const body = text.slice(0, split + 1);
  const lines = text.slice(split + 2, -1).split("\n");
  if (/[\x00-\x09\x0b-\x1f]/.test(body)) throw new CheckError("checkpointMalformed");
  const signatures = lines.map((line) => {
    const match = /^\u2014 (\S+) (\S+)$/.exec(line);
    const bytes = match && base64Decode(match[2]);
    if (!bytes || bytes.length < 5) throw new CheckError("checkpointMalformed");
    return { name: match[1], keyId: hex(bytes.subarray(0, 4)), signature: bytes.subarray(4) };
  });
  return { body, signatures };
}

/** Origin, size and root of a checkpoint body (C2SP tlog-checkpoint). */
export function parseCheckpoint(body) {
  const lines = body.slice(0, -1).split("\n");
  if (lines.length < 3 || !lines[0] || !/^(0|[1-9][0-9]*)$/.test(lines[1])) {
    throw new CheckError("checkpointMalformed");
  }
  const root = base64Decode(lines[2]);
  if (root === null || root.length !== HASH_SIZE) throw new CheckError("checkpointMalformed");
  return { origin: lines[0], size: BigInt(lines[1]), root };
}

function cosignatureMessage(body, signature) {
  const view = new DataView(signature.buffer, signature.byteOffset, 8);
  const timestamp = view.getBigUint64(0);
  return utf8.encode(`cosignature/v1\ntime ${timestamp}\n${body}`);
}

/** Open a signed checkpoint: the log's signature must verify; other signatures are reported. */
export async function openCheckpoint(text, { origin, logKey, witnessKeys = [] }) {
  const { body, signatures } = parseNote(text);
  const checkpoint = parseCheckpoint(body);
  if (checkpoint.origin !== origin) {
    throw new CheckError("checkpointOrigin", { origin: checkpoint.origin });
  }
  const message = utf8.encode(body);
  let signed = false;
  const cosigners = [];
  for (const sig of signatures) {
    if (sig.name === logKey.name && sig.keyId === logKey.keyId) {
      const ok =
        sig.signature.length === 64 &&
        (await ed25519Verify(logKey.publicKey, sig.signature, message));
      if (!ok) throw new CheckError("checkpointBadSignature");
      signed = true;
      continue;
    }
    const witness = witnessKeys.find((w) => w.name === sig.name && w.keyId === sig.keyId);
    let status = "unknown";
    if (witness) {
      let ok = false;
      if (witness.type === SIGNATURE_TYPE_COSIGNATURE_V1 && sig.signature.length === 72) {
        ok = await ed25519Verify(
          witness.publicKey,
          sig.signature.subarray(8),
          cosignatureMessage(body, sig.signature),
        );
      } else if (witness.type === SIGNATURE_TYPE_ED25519 && sig.signature.length === 64) {
        ok = await ed25519Verify(witness.publicKey, sig.signature, message);
      }
      status = ok ? "ok" : "bad";
    }
    cosigners.push({ name: sig.name, keyId: sig.keyId, status });
  }
  if (!signed) throw new CheckError("checkpointUnsigned");
  return { ...checkpoint, signer: { name: logKey.name, keyId: logKey.keyId }, cosigners };
}

// --- leaves ---------------------------------------------------------------------------------------

function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function nonEmpty(value) {
  return isObject(value) && Object.keys(value).length > 0 ? value : null;
}

/** Content-index keys of a v1 leaf (chengxin/ledger/leaves.py `subjects`). */
export function leafSubjects(leaf) {
  const keys = [`object:${leaf.model}:${leaf.object}`];
  const body = nonEmpty(leaf.after) || nonEmpty(leaf.before) || {};
  if (leaf.model === "instruments.scale" && typeof body.code === "string") {
    keys.push(`scale:${body.code}`);
  }
  if (Number.isInteger(body.scale_id)) keys.push(`object:instruments.scale:${body.scale_id}`);
  return keys;
}

function parseLeaf(bytes) {
  try {
    const leaf = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    return isObject(leaf) ? leaf : null;
  } catch {
    return null;
  }
}

// --- the check ------------------------------------------------------------------------------------

/** Fetch log files under `base`, each at most once per page. */
export function logFetcher(base) {
  const cache = new Map();
  return (path, { text = false, fresh = false } = {}) => {
    if (!cache.has(path)) {
      cache.set(
        path,
        (async () => {
          let response;
          try {
            response = await fetch(base + path, { cache: fresh ? "no-store" : "default" });
          } catch (error) {
            throw new CheckError("fetch", { what: path, status: String(error) });
          }
          if (!response.ok) throw new CheckError("fetch", { what: path, status: response.status });
          return new Uint8Array(await response.arrayBuffer());
        })(),
      );
    }
    return cache.get(path).then((bytes) => {
      if (!text) return bytes;
      try {
        return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
      } catch {
        throw new CheckError("checkpointMalformed");
      }
    });
  };
}

/** Check that leaf `index` is in the tree of `checkpoint` and concerns `subject`. */
export async function checkLeaf(index, { checkpoint, fetchLog, reader, subject }) {
  const size = checkpoint.size;
  if (index >= size) return "pending";
  const bundle = index / TILE_WIDTH;
  const remaining = size - bundle * TILE_WIDTH;
  const width = remaining < TILE_WIDTH ? remaining : TILE_WIDTH;
  const entries = decodeEntryBundle(await fetchLog(entriesPath(bundle, width)));
  if (BigInt(entries.length) !== width) throw new CheckError("entryMalformed");
  const entry = entries[Number(index % TILE_WIDTH)];
  const leaf = parseLeaf(entry);
  if (leaf === null || !leafSubjects(leaf).includes(subject)) throw new CheckError("entryForeign");

  const hash = await leafHash(entry);
  const [stored] = await reader.readHashes([storedHashIndex(0n, index)]);
  if (!equalBytes(stored, hash)) throw new CheckError("entryMismatch");
  const proof = await proveRecord(size, index, reader);
  const root = await rootFromRecordProof(proof, 0n, size, index, hash);
  if (!equalBytes(root, checkpoint.root)) throw new CheckError("rootMismatch");
  return "ok";
}

/** Verify the checkpoint, then every leaf; `report(index, status, reason)` sees each outcome. */
export async function verifyLog(config, report) {
  if (!globalThis.crypto || !crypto.subtle) throw new CheckError("noWebCrypto");
  if (!config.vkey) throw new CheckError("noKey");
  const logKey = await parseVerifierKey(config.vkey);
  if (logKey.type !== SIGNATURE_TYPE_ED25519) throw new CheckError("badKey");
  const witnessKeys = [];
  for (const vkey of config.witnesses || []) witnessKeys.push(await parseVerifierKey(vkey));

  const fetchLog = logFetcher(config.logUrl);
  const text = await fetchLog("checkpoint", { text: true, fresh: true });
  const checkpoint = await openCheckpoint(text, { origin: config.origin, logKey, witnessKeys });
  const reader = new TileHashReader(checkpoint.size, checkpoint.root, fetchLog);
  const context = { checkpoint, fetchLog, reader, subject: config.subject };
  await Promise.all(
    config.leaves.map(async (i) => {
      try {
        report(i, await checkLeaf(BigInt(i), context));
      } catch (error) {
        report(i, "fail", error);
      }
    }),
  );
  return checkpoint;
}

// --- the page -------------------------------------------------------------------------------------

function format(template, params = {}) {
  return String(template).replace(/%\((\w+)\)s/g, (_, name) => String(params[name] ?? ""));
}

function reason(messages, error) {
  if (error instanceof CheckError && messages[error.key]) return format(messages[error.key], error.params);
  return format(messages.unexpected, { detail: error && error.message ? error.message : error });
}

async function run() {
  const source = document.getElementById("px-log-config");
  const section = document.getElementById("px-log");
  if (!source || !section) return;
  // The page's settings (the same on every page); what to check is the page itself: every
  // record it lists (by leaf index), each of which must be about this subject.
  const config = JSON.parse(source.textContent);
  const m = config.messages;
  const rows = new Map();
  for (const row of document.querySelectorAll("[data-leaf-index]")) {
    rows.set(Number(row.dataset.leafIndex), row);
    row.dataset.status = "checking";
    row.querySelector("[data-check]").textContent = m.checking;
  }
  config.subject = section.dataset.subject;
  config.leaves = Array.from(rows.keys());
  const summary = document.getElementById("px-log-summary");
  const counts = { ok: 0, fail: 0, pending: 0 };
  const show = (index, status, error) => {
    counts[status] += 1;
    const row = rows.get(Number(index));
    if (!row) return;
    row.dataset.status = status;
    const cell = row.querySelector("[data-check]");
    if (status === "ok") cell.textContent = m.included;
    else if (status === "pending") cell.textContent = m.pending;
    else cell.textContent = format(m.failed, { reason: reason(m, error) });
  };

  let checkpoint = null;
  try {
    checkpoint = await verifyLog(config, show);
  } catch (error) {
    // The checkpoint (or the key, or the browser) failed: no record can be vouched for.
    const why = error instanceof CheckError && error.key.startsWith("checkpoint")
      ? format(m.checkpointInvalid, { reason: reason(m, error) })
      : reason(m, error);
    for (const index of rows.keys()) {
      if (rows.get(index).dataset.status === "checking") {
        counts.fail += 1;
        rows.get(index).dataset.status = "fail";
        rows.get(index).querySelector("[data-check]").textContent = format(m.failed, { reason: why });
      }
    }
    if (summary) {
      summary.dataset.status = "fail";
      summary.textContent = format(m.failed, { reason: why });
    }
    return;
  }

  const signer = document.getElementById("px-log-signer");
  if (signer) {
    signer.textContent = format(m.signedBy, {
      name: checkpoint.signer.name,
      keyId: checkpoint.signer.keyId,
      size: checkpoint.size,
    });
  }
  const cosigners = document.getElementById("px-log-cosigners");
  if (cosigners) {
    for (const c of checkpoint.cosigners) {
      const item = document.createElement("li");
      const key = { ok: "cosignedOk", bad: "cosignedBad" }[c.status] || "cosignedUnknown";
      item.textContent = format(m[key], { name: c.name, keyId: c.keyId });
      item.dataset.status = c.status;
      cosigners.append(item);
    }
  }
  if (summary) {
    if (counts.fail > 0) {
      summary.dataset.status = "fail";
      summary.textContent = format(m.someBad, { bad: counts.fail });
    } else if (counts.pending > 0) {
      summary.dataset.status = "pending";
      summary.textContent = m.pending;
    } else {
      summary.dataset.status = "ok";
      summary.textContent = format(m.allGood, { count: counts.ok });
    }
  }
}

if (typeof document !== "undefined") run();
