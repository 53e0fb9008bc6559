"""RFC 9162 Merkle tree hashing and proofs for Chengxin's transparency log.

What this module is for: everything a log server, an auditor or an offline verifier needs to
agree on the shape of the tree — leaf and node hashes, tree (root) hashes, inclusion and
consistency proofs (build and verify), the "stored hash" numbering of Go's ``sumdb/tlog`` that
lets a database keep every hash of the tree in one table and answer any proof with one read, and
the C2SP ``tlog-tiles`` coordinates under which the tree is served as static files.

It is modelled on ``golang.org/x/mod/sumdb/tlog`` and ``github.com/transparency-dev/merkle``:
short pure functions, each a named concept of the RFC, checked against their published test
vectors. The hash is fixed to SHA-256, as in RFC 6962/9162 and C2SP.

What it must never do: import Django (or anything that touches a database, the network or the
clock). A verifier that trusts nothing of ours must be able to read this file alone. Verification
functions raise only ``ProofError`` on bad input — never ``IndexError``, ``TypeError`` or an
assertion — so that callers can treat "the proof does not hold" as one outcome.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

HASH_SIZE = 32
"""Bytes in a SHA-256 hash, the only hash this log uses."""

MAX_TREE_SIZE = (1 << 64) - 1
"""Tree sizes and indexes are unsigned 64-bit numbers in every format that carries them."""

EMPTY_ROOT_HASH = hashlib.sha256(b"").digest()
"""RFC 9162 §2.1.1: the hash of an empty tree is the hash of the empty string."""

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


class ProofError(ValueError):
    """A proof that does not hold, or input to this module that is malformed.

    One exception class for every failure, so that a caller cannot accidentally let a crafted
    proof through by catching the wrong thing.
    """


class HashReader(Protocol):
    """Storage that returns stored hashes by their ``stored_hash_index``.

    The database-backed log implements this with one ``SELECT … WHERE index IN (…)``; tests use
    ``MemoryHashStore``. It must return exactly one 32-byte hash per index, in the order asked.
    """

    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]: ...


# --- hashing (RFC 9162 §2.1.1) --------------------------------------------------------------------


def leaf_hash(data: bytes) -> bytes:
    """Hash a leaf: SHA-256(0x00 || data). The prefix keeps leaves and nodes from colliding."""
    return hashlib.sha256(_LEAF_PREFIX + bytes(data)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Hash an interior node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(_NODE_PREFIX + bytes(left) + bytes(right)).digest()


def root_hash(leaf_hashes: Sequence[bytes]) -> bytes:
    """Merkle Tree Hash (MTH) of a list of leaf hashes, computed from scratch.

    For audits and tests; a running log reads ``tree_hash`` from its stored hashes instead.
    """
    hashes = _check_hash_list(leaf_hashes, "leaf hashes")
    return _subtree_hash(hashes, 0, len(hashes))


def _subtree_hash(hashes: Sequence[bytes], lo: int, hi: int) -> bytes:
    """MTH(D[lo:hi]): split at the largest power of two below the width, as RFC 9162 says."""
    if hi == lo:
        return EMPTY_ROOT_HASH
    if hi - lo == 1:
        return hashes[lo]
    k = _split_point(hi - lo)
    return node_hash(_subtree_hash(hashes, lo, lo + k), _subtree_hash(hashes, lo + k, hi))


def _split_point(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (for n ≥ 2); 1 for n = 1.

    This is where RFC 9162 splits a tree of n leaves into a perfect left subtree and the rest
    (Go's ``maxpow2``).
    """
    return 1 << max(0, (n - 1).bit_length() - 1)


# --- building proofs from a list of leaf hashes (RFC 9162 §2.1.3, §2.1.4) -------------------------


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """Audit path PATH(index, D[n]) for the leaf at ``index`` in the tree of all given leaves."""
    hashes = _check_hash_list(leaf_hashes, "leaf hashes")
    index = _check_count(index, "index")
    if index >= len(hashes):
        raise ProofError(f"index {index} is not in a tree of size {len(hashes)}")
    return _path(hashes, index, 0, len(hashes))


def _path(hashes: Sequence[bytes], index: int, lo: int, hi: int) -> list[bytes]:
    if hi - lo == 1:
        return []
    k = _split_point(hi - lo)
    if index < lo + k:
        return [*_path(hashes, index, lo, lo + k), _subtree_hash(hashes, lo + k, hi)]
    return [*_path(hashes, index, lo + k, hi), _subtree_hash(hashes, lo, lo + k)]


def consistency_proof(leaf_hashes: Sequence[bytes], old_size: int) -> list[bytes]:
    """PROOF(old_size, D[n]): that the tree of the first ``old_size`` leaves is a prefix of all.

    ``old_size`` must be at least 1: a proof from the empty tree says nothing, and verifiers
    reject it (see ``verify_consistency``).
    """
    hashes = _check_hash_list(leaf_hashes, "leaf hashes")
    old_size = _check_count(old_size, "old size")
    if not 0 < old_size <= len(hashes):
        raise ProofError(f"no consistency proof from size {old_size} to size {len(hashes)}")
    return _subproof(hashes, old_size, 0, len(hashes), complete=True)


def _subproof(hashes: Sequence[bytes], m: int, lo: int, hi: int, *, complete: bool) -> list[bytes]:
    """SUBPROOF(m, D[lo:hi], b), with ``m`` the absolute end of the old tree."""
    if m == hi:
        return [] if complete else [_subtree_hash(hashes, lo, hi)]
    k = _split_point(hi - lo)
    if m <= lo + k:
        return [
            *_subproof(hashes, m, lo, lo + k, complete=complete),
            _subtree_hash(hashes, lo + k, hi),
        ]
    return [*_subproof(hashes, m, lo + k, hi, complete=False), _subtree_hash(hashes, lo, lo + k)]


# --- verifying proofs (transparency-dev/merkle proof/verify.go) -----------------------------------


def root_from_inclusion_proof(
    index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes]
) -> bytes:
    """The root hash that ``proof`` implies for ``leaf_hash`` at ``index`` in a tree of ``size``.

    Useful on its own when the root is not known yet (e.g. to compare with a checkpoint later).
    """
    index = _check_count(index, "index")
    size = _check_count(size, "tree size")
    if index >= size:
        raise ProofError(f"index {index} is not in a tree of size {size}")
    seed = _check_hash(leaf_hash, "leaf hash")
    hashes = _check_proof(proof)
    inner, border = _decompose_inclusion_proof(index, size)
    if len(hashes) != inner + border:
        raise ProofError(
            f"inclusion proof has {len(hashes)} hashes; index {index} in a tree of size {size} "
            f"needs {inner + border}"
        )
    seed = _chain_inner(seed, hashes[:inner], index)
    return _chain_border_right(seed, hashes[inner:])


def verify_inclusion(
    index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that ``leaf_hash`` is the leaf at ``index`` of the tree with ``size`` and ``root``."""
    calculated = root_from_inclusion_proof(index, size, leaf_hash, proof)
    _verify_match(calculated, root, "inclusion proof")


def root_from_consistency_proof(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes
) -> bytes:
    """The root of the tree of ``size2`` implied by ``proof`` from the tree (``size1``, ``root1``).

    Checks on the way that the proof really reproduces ``root1``. Size 0 is refused: every tree
    extends the empty tree, so a "proof" from it would let any root through.
    """
    size1 = _check_count(size1, "old tree size")
    size2 = _check_count(size2, "new tree size")
    old_root = _check_bytes(root1, "old root")
    hashes = _check_proof(proof)
    if size2 < size1:
        raise ProofError(f"new tree size {size2} is smaller than old tree size {size1}")
    if size1 == 0:
        raise ProofError("a consistency proof from the empty tree proves nothing")
    if size1 == size2:
        if hashes:
            raise ProofError("trees of equal size need an empty consistency proof")
        return old_root
    if not hashes:
        raise ProofError(f"empty consistency proof from size {size1} to size {size2}")

    inner, border = _decompose_inclusion_proof(size1 - 1, size2)
    shift = _trailing_zeros(size1)
    inner -= shift  # Levels below `shift` are inside a perfect subtree the old root covers.

    # The proof starts with the hash of the perfect subtree of 2**shift leaves that ends at
    # size1 — unless that subtree is the whole old tree, whose hash the verifier already has.
    if size1 == 1 << shift:
        seed, rest = old_root, hashes
    else:
        seed, rest = hashes[0], hashes[1:]
    if len(rest) != inner + border:
        expected = inner + border + (0 if size1 == 1 << shift else 1)
        raise ProofError(
            f"consistency proof has {len(hashes)} hashes; from size {size1} to size {size2} "
            f"needs {expected}"
        )

    mask = (size1 - 1) >> shift
    hash1 = _chain_inner_right(seed, rest[:inner], mask)
    hash1 = _chain_border_right(hash1, rest[inner:])
    _verify_match(hash1, old_root, "consistency proof (old root)")
    hash2 = _chain_inner(seed, rest[:inner], mask)
    return _chain_border_right(hash2, rest[inner:])


def verify_consistency(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes
) -> None:
    """Check that the tree (``size1``, ``root1``) is a prefix of the tree (``size2``, ``root2``).

    Requires 0 < size1 <= size2; for equal sizes the proof must be empty and the roots equal.
    """
    calculated = root_from_consistency_proof(size1, size2, proof, root1)
    _verify_match(calculated, root2, "consistency proof (new root)")


def _decompose_inclusion_proof(index: int, size: int) -> tuple[int, int]:
    """Split an inclusion proof into the part below and above where the paths to ``index``
    and to the last leaf ``size - 1`` meet; their sum is the proof length."""
    inner = (index ^ (size - 1)).bit_length()
    border = (index >> inner).bit_count()
    return inner, border


def _chain_inner(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    """Hash up from ``seed`` at ``index``: bit i of the index says which side proof[i] is on."""
    for i, sibling in enumerate(proof):
        on_right = (index >> i) & 1 == 0
        seed = node_hash(seed, sibling) if on_right else node_hash(sibling, seed)
    return seed


def _chain_inner_right(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    """Like ``_chain_inner`` but only with left siblings: the same subtree as it was earlier."""
    for i, sibling in enumerate(proof):
        if (index >> i) & 1 == 1:
            seed = node_hash(sibling, seed)
    return seed


def _chain_border_right(seed: bytes, proof: Sequence[bytes]) -> bytes:
    """Hash up along the tree's right border, where every sibling is on the left."""
    for sibling in proof:
        seed = node_hash(sibling, seed)
    return seed


def _verify_match(calculated: bytes, expected: bytes, what: str) -> None:
    if not hmac.compare_digest(calculated, _check_bytes(expected, "root")):
        raise ProofError(
            f"{what} does not hold: calculated root {calculated.hex()}, "
            f"expected {bytes(expected).hex()}"
        )


# --- subtrees (draft-ietf-plants-merkle-tree-certs; transparency-dev subtree vectors) -------------


def is_valid_subtree(start: int, end: int) -> bool:
    """Whether leaves [start, end) form a subtree that is shaped like a tree of its own.

    That holds when start < end and start is a multiple of the smallest power of two that is at
    least the width; such a range is hashed exactly like a tree of ``end - start`` leaves.
    """
    if not (_is_count(start) and _is_count(end)) or not start < end:
        return False
    return start % (1 << (end - start - 1).bit_length()) == 0


def _check_subtree(start: int, end: int) -> tuple[int, int]:
    start = _check_count(start, "subtree start")
    end = _check_count(end, "subtree end")
    if not is_valid_subtree(start, end):
        raise ProofError(f"leaves [{start}, {end}) do not form a valid subtree")
    return start, end


def subtree_inclusion_proof(
    leaf_hashes: Sequence[bytes], index: int, start: int, end: int
) -> list[bytes]:
    """Inclusion proof of the leaf at ``index`` in the subtree of leaves [start, end)."""
    start, end = _check_subtree(start, end)
    hashes = _check_hash_list(leaf_hashes, "leaf hashes")
    index = _check_count(index, "index")
    if end > len(hashes) or not start <= index < end:
        raise ProofError(f"index {index} is not in subtree [{start}, {end}) of {len(hashes)}")
    return inclusion_proof(hashes[start:end], index - start)


def verify_subtree_inclusion(
    index: int, start: int, end: int, leaf_hash: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Check ``leaf_hash`` at ``index`` against the hash ``root`` of subtree [start, end)."""
    start, end = _check_subtree(start, end)
    index = _check_count(index, "index")
    if not start <= index < end:
        raise ProofError(f"index {index} is not in subtree [{start}, {end})")
    verify_inclusion(index - start, end - start, leaf_hash, proof, root)


def subtree_consistency_proof(leaf_hashes: Sequence[bytes], start: int, end: int) -> list[bytes]:
    """Proof that subtree [start, end) is part of the tree of all given leaves."""
    start, end = _check_subtree(start, end)
    hashes = _check_hash_list(leaf_hashes, "leaf hashes")
    if end > len(hashes):
        raise ProofError(f"subtree [{start}, {end}) is not in a tree of size {len(hashes)}")
    return _subtree_subproof(hashes, start, end, 0, len(hashes))


def _subtree_subproof(
    hashes: Sequence[bytes], start: int, end: int, lo: int, hi: int
) -> list[bytes]:
    """Descend towards the subtree collecting siblings (appended on the way back up), until the
    subtree starts at the node's left edge; from there it is an ordinary consistency proof."""
    if start == lo and end == hi:
        return []
    k = _split_point(hi - lo)
    if end <= lo + k:
        return [
            *_subtree_subproof(hashes, start, end, lo, lo + k),
            _subtree_hash(hashes, lo + k, hi),
        ]
    if start >= lo + k:
        return [
            *_subtree_subproof(hashes, start, end, lo + k, hi),
            _subtree_hash(hashes, lo, lo + k),
        ]
    # A valid subtree that straddles the split starts at lo: the first end - lo leaves of the node.
    return _subproof(hashes, end, lo, hi, complete=True)


def _descend_to_subtree(start: int, end: int, size: int) -> tuple[int, int, list[bool]]:
    """Walk from the root the way ``_subtree_subproof`` does. Returns the node where it stops and,
    top-down, whether each sibling passed on the way lies to the left."""
    lo, hi = 0, size
    siblings_on_left: list[bool] = []
    while not (start == lo and end == hi):
        k = _split_point(hi - lo)
        if end <= lo + k:
            hi = lo + k
            siblings_on_left.append(False)
        elif start >= lo + k:
            lo = lo + k
            siblings_on_left.append(True)
        else:
            break
    return lo, hi, siblings_on_left


def verify_subtree_consistency(
    start: int, end: int, size: int, proof: Sequence[bytes], subtree_root: bytes, root: bytes
) -> None:
    """Check that subtree [start, end) with hash ``subtree_root`` is part of (``size``, ``root``).

    An empty subtree (start == end) is consistent with every tree when its hash is the empty
    hash and the proof is empty — vacuous, exactly like the transparency-dev vectors require, so
    a caller must not read it as a statement about ``root``.
    """
    start = _check_count(start, "subtree start")
    end = _check_count(end, "subtree end")
    size = _check_count(size, "tree size")
    subtree_hash = _check_bytes(subtree_root, "subtree root")
    hashes = _check_proof(proof)
    _check_bytes(root, "root")
    if end > size:
        raise ProofError(f"subtree [{start}, {end}) is not in a tree of size {size}")
    if start == end:
        if hashes:
            raise ProofError("an empty subtree needs an empty proof")
        _verify_match(EMPTY_ROOT_HASH, subtree_hash, "empty subtree")
        return
    start, end = _check_subtree(start, end)
    lo, hi, siblings_on_left = _descend_to_subtree(start, end, size)
    if len(hashes) < len(siblings_on_left):
        raise ProofError(f"subtree consistency proof has only {len(hashes)} hashes")
    split = len(hashes) - len(siblings_on_left)
    inner, path = hashes[:split], hashes[split:]
    if end == hi:
        if inner:
            raise ProofError("subtree consistency proof has too many hashes")
        seed = subtree_hash
    else:
        # Inside the node, the subtree is the first end - lo leaves of a tree of hi - lo leaves.
        seed = root_from_consistency_proof(end - lo, hi - lo, inner, subtree_hash)
    for sibling, on_left in zip(path, reversed(siblings_on_left), strict=True):
        seed = node_hash(sibling, seed) if on_left else node_hash(seed, sibling)
    _verify_match(seed, root, "subtree consistency proof")


# --- stored hashes (golang.org/x/mod/sumdb/tlog) --------------------------------------------------
#
# Every hash of the tree — leaves and every complete subtree — gets one storage index, in the
# order they become known as leaves are appended. A database can then keep them in one table
# keyed by index, and any tree hash or proof is a single read of O(log n) indexes.


def stored_hash_index(level: int, n: int) -> int:
    """Storage index of the hash at ``level`` (0 = leaves), ``n``-th from the left.

    Level L's n-th hash is written right after level L+1's (2n+1)-th; at level 0 the n-th hash
    sits after n + n/2 + n/4 + … = 2n − popcount(n) earlier hashes.
    """
    level = _check_count(level, "level")
    n = _check_count(n, "node number")
    # Go down to the last leaf under the node, then add back one hash per level climbed.
    leaf = ((n + 1) << level) - 1
    return 2 * leaf - leaf.bit_count() + level


def split_stored_hash_index(index: int) -> tuple[int, int]:
    """Inverse of ``stored_hash_index``: the (level, n) of the hash stored at ``index``."""
    # A tree of up to 2**64 - 1 leaves stores fewer than 2**65 hashes.
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < 1 << 65:
        raise ProofError(f"stored hash index {index!r} is out of range")
    # stored_hash_index(0, n) < 2n, so the leaf whose append wrote this hash is near index/2.
    n = index // 2
    index_n = stored_hash_index(0, n)
    while True:
        # Appending leaf n+1 writes 1 + trailing_zeros(n + 2) hashes.
        following = index_n + 1 + _trailing_zeros(n + 1)
        if following > index:
            break
        n += 1
        index_n = following
    level = index - index_n
    return level, n >> level


def stored_hash_count(size: int) -> int:
    """How many hashes a tree of ``size`` leaves has stored (the next free index)."""
    size = _check_count(size, "tree size")
    if size == 0:
        return 0
    count = stored_hash_index(0, size - 1) + 1
    # The last leaf also completed one subtree per trailing one bit of its index.
    i = size - 1
    while i & 1:
        count += 1
        i >>= 1
    return count


def stored_hashes(n: int, leaf_hash: bytes, reader: HashReader) -> list[bytes]:
    """The hashes to store, from index ``stored_hash_index(0, n)``, when appending leaf ``n``.

    The leaf hash, then the hash of every subtree the leaf completes; ``reader`` supplies the
    left siblings (at most log₂ n reads, on average fewer than two hashes are written).
    """
    n = _check_count(n, "leaf index")
    h = _check_hash(leaf_hash, "leaf hash")
    completed = _trailing_zeros(n + 1)
    # Sorted ascending, which lets storage read them in one ordered scan.
    indexes = [stored_hash_index(level, (n >> level) - 1) for level in reversed(range(completed))]
    left_siblings = _read(reader, indexes)
    hashes = [h]
    for level in range(completed):
        h = node_hash(left_siblings[completed - 1 - level], h)
        hashes.append(h)
    return hashes


def append_stored_hashes(
    size: int, leaf_hashes: Sequence[bytes], reader: HashReader
) -> list[bytes]:
    """The hashes to store, from index ``stored_hash_count(size)``, when appending all of
    ``leaf_hashes`` to the tree of ``size`` leaves.

    The same hashes as ``stored_hashes`` for each leaf in turn, but with one read: every left
    sibling a new leaf needs is either the root of one of the perfect subtrees along the right
    border of the tree of ``size`` (``_subtree_indexes(0, size)``, at most log₂ size hashes) or a
    hash computed earlier in the same call. They are kept on a stack, smallest subtree last.
    """
    size = _check_count(size, "tree size")
    hashes = _check_hash_list(leaf_hashes, "leaf hashes")
    if len(hashes) > MAX_TREE_SIZE - size:
        raise ProofError(f"{len(hashes)} leaves do not fit a tree of size {size}")
    stack = _read(reader, _subtree_indexes(0, size))
    sha256 = hashlib.sha256
    out: list[bytes] = []
    n = size
    for h in hashes:
        out.append(h)
        n += 1
        # Leaf n - 1 completes one subtree per trailing zero bit of n (trailing one of n - 1).
        m = n
        while not m & 1:
            h = sha256(_NODE_PREFIX + stack.pop() + h).digest()
            out.append(h)
            m >>= 1
        stack.append(h)
    return out


def tree_hash(size: int, reader: HashReader) -> bytes:
    """Root hash of the tree of ``size`` leaves, from at most 1 + log₂ size stored hashes."""
    size = _check_count(size, "tree size")
    if size == 0:
        return EMPTY_ROOT_HASH
    indexes = _subtree_indexes(0, size)
    hash_, rest = _subtree_hash_from(0, size, _read(reader, indexes))
    assert not rest, "stored hash arithmetic is off"
    return hash_


def prove_record(size: int, index: int, reader: HashReader) -> list[bytes]:
    """Inclusion proof of leaf ``index`` in the tree of ``size`` leaves, from stored hashes."""
    size = _check_count(size, "tree size")
    index = _check_count(index, "index")
    if index >= size:
        raise ProofError(f"index {index} is not in a tree of size {size}")
    # PATH(index, D[lo:hi]) of RFC 9162, top-down: at each node the sibling is the other half.
    siblings: list[tuple[int, int, bool]] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = 1 << ((hi - lo - 1).bit_length() - 1)  # _split_point(hi - lo)
        if index < lo + k:
            siblings.append((lo + k, hi, False))
            hi = lo + k
        else:
            siblings.append((lo, lo + k, True))
            lo += k
    return _proof_from_storage(siblings, reader)


def prove_tree(size: int, old_size: int, reader: HashReader) -> list[bytes]:
    """Consistency proof from the tree of ``old_size`` to the tree of ``size``, from storage."""
    size = _check_count(size, "tree size")
    old_size = _check_count(old_size, "old tree size")
    if not 0 < old_size <= size:
        raise ProofError(f"no consistency proof from size {old_size} to size {size}")
    # SUBPROOF(old_size, D[lo:hi], b) of RFC 9162, top-down; ends at the node [lo, old_size),
    # which is part of the proof unless it is the whole old tree (the verifier has that root).
    siblings: list[tuple[int, int, bool]] = []
    lo, hi = 0, size
    while old_size != hi:
        k = 1 << ((hi - lo - 1).bit_length() - 1)  # _split_point(hi - lo)
        if old_size <= lo + k:
            siblings.append((lo + k, hi, False))
            hi = lo + k
        else:
            siblings.append((lo, lo + k, True))
            lo += k
    if lo != 0:
        siblings.append((lo, hi, True))
    return _proof_from_storage(siblings, reader)


def _proof_from_storage(siblings: list[tuple[int, int, bool]], reader: HashReader) -> list[bytes]:
    """The proof (bottom-up) whose hashes are those of leaf ranges ``siblings`` (top-down).

    Each range is split into its perfect subtrees (``_subtree_indexes``); all their stored
    hashes are read at once, and each range's hash is folded from them right to left. The read
    asks first for the left siblings' subtrees top-down, then the right siblings' bottom-up.
    """
    if not siblings:
        return []
    order = [s for s in siblings if s[2]] + [s for s in reversed(siblings) if not s[2]]
    indexes: list[int] = []
    counts: list[int] = []
    for lo, hi, _ in order:
        before = len(indexes)
        while lo < hi:
            level = (hi - lo).bit_length() - 1  # the largest perfect subtree that fits
            leaf = (((lo >> level) + 1) << level) - 1  # last leaf under it
            indexes.append(2 * leaf - leaf.bit_count() + level)  # stored_hash_index
            lo += 1 << level
        counts.append(len(indexes) - before)
    hashes = _read(reader, indexes)
    sha256 = hashlib.sha256
    found: dict[tuple[int, int, bool], bytes] = {}
    pos = 0
    for sibling, count in zip(order, counts, strict=True):
        pos += count
        h = hashes[pos - 1]
        for i in range(pos - 2, pos - count - 1, -1):
            h = sha256(_NODE_PREFIX + hashes[i] + h).digest()
        found[sibling] = h
    return [found[s] for s in reversed(siblings)]


def _subtree_indexes(lo: int, hi: int) -> list[int]:
    """Stored indexes of the perfect subtrees that make up leaves [lo, hi), left to right."""
    indexes = []
    while lo < hi:
        k = _split_point(hi - lo + 1)
        level = k.bit_length() - 1
        indexes.append(stored_hash_index(level, lo >> level))
        lo += k
    return indexes


def _subtree_hash_from(lo: int, hi: int, hashes: list[bytes]) -> tuple[bytes, list[bytes]]:
    """Hash of leaves [lo, hi) from the hashes ``_subtree_indexes(lo, hi)`` asked for.

    Returns the hash and the hashes not consumed.
    """
    count = len(_subtree_indexes(lo, hi))
    h = hashes[count - 1]
    for i in range(count - 2, -1, -1):
        h = node_hash(hashes[i], h)
    return h, hashes[count:]


def _read(reader: HashReader, indexes: list[int]) -> list[bytes]:
    """Read stored hashes, refusing a reader that answers with the wrong number or shape."""
    if not indexes:
        return []
    hashes = reader.read_hashes(indexes)
    if len(hashes) != len(indexes):
        raise ProofError(f"hash storage returned {len(hashes)} hashes for {len(indexes)} indexes")
    if all(type(h) is bytes and len(h) == HASH_SIZE for h in hashes):
        return list(hashes)  # The usual case, checked without copying each hash.
    return [_check_hash(h, f"stored hash {i}") for i, h in zip(indexes, hashes, strict=True)]


class MemoryHashStore:
    """A ``HashReader`` over a Python list: the whole stored-hash table in memory.

    For tests, the offline verifier and small tools; the platform stores the same hashes in its
    database under the same indexes.
    """

    def __init__(self) -> None:
        self.hashes: list[bytes] = []
        self.size = 0

    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]:
        try:
            return [self.hashes[i] for i in indexes]
        except (IndexError, TypeError) as exc:
            raise ProofError(f"no stored hash at one of {list(indexes)[:8]}") from exc

    def append(self, leaf_hash: bytes) -> int:
        """Append a leaf by its hash; returns its index."""
        new = stored_hashes(self.size, leaf_hash, self)
        self.hashes.extend(new)
        self.size += 1
        return self.size - 1

    def root(self) -> bytes:
        """Root hash of everything appended so far."""
        return tree_hash(self.size, self)


# --- tiles (C2SP tlog-tiles; golang.org/x/mod/sumdb/tlog tile.go) ---------------------------------

TILE_HEIGHT = 8
"""Tree levels per tile; tlog-tiles fixes it at 8."""

TILE_WIDTH = 1 << TILE_HEIGHT
"""Hashes in a full tile (256, i.e. 8,192 bytes)."""

MAX_TILE_LEVEL = 63
"""Highest tile level a tlog-tiles path may name."""

_TILE_INDEX = re.compile(r"(?:x[0-9]{3}/)*[0-9]{3}")
_DECIMAL = re.compile(r"0|[1-9][0-9]*")


@dataclass(frozen=True)
class Tile:
    """One tile: ``width`` consecutive hashes at tree level ``level * 8``, the ``n``-th tile.

    At level 0 the hashes are leaf hashes; a hash at tile level L is the root of a full tile at
    level L − 1. A tile narrower than 256 is a partial tile at the right edge of the tree.
    """

    level: int
    n: int
    width: int = TILE_WIDTH

    def __post_init__(self) -> None:
        _check_count(self.n, "tile number")
        if not (_is_count(self.level) and self.level <= MAX_TILE_LEVEL):
            raise ProofError(f"tile level {self.level!r} is not between 0 and {MAX_TILE_LEVEL}")
        if not (_is_count(self.width) and 1 <= self.width <= TILE_WIDTH):
            raise ProofError(f"tile width {self.width!r} is not between 1 and {TILE_WIDTH}")

    @property
    def is_partial(self) -> bool:
        return self.width < TILE_WIDTH

    @property
    def path(self) -> str:
        """Where tlog-tiles serves it, relative to the log prefix: ``tile/<L>/<N>[.p/<W>]``."""
        return f"tile/{self.level}/{encode_tile_index(self.n)}{_partial_suffix(self.width)}"


def encode_tile_index(n: int) -> str:
    """Tile number as path elements of three digits, all but the last prefixed ``x``.

    ``1234067`` → ``x001/x234/067``: no directory is ever also a file, so tiles can be served
    straight from a filesystem.
    """
    n = _check_count(n, "tile number")
    parts = [f"{n % 1000:03d}"]
    while n >= 1000:
        n //= 1000
        parts.append(f"x{n % 1000:03d}")
    return "/".join(reversed(parts))


def decode_tile_index(text: str) -> int:
    """Inverse of ``encode_tile_index``; only the canonical spelling is accepted."""
    # 2**64 has 20 digits, so 7 path elements; the length bound also keeps int() cheap.
    if not isinstance(text, str) or len(text) > 7 * 5 or not _TILE_INDEX.fullmatch(text):
        raise ProofError(f"tile index {text!r} is not of the form x001/x234/067")
    n = int(text.replace("x", "").replace("/", ""))
    if encode_tile_index(n) != text:
        raise ProofError(f"tile index {text!r} is not canonical (leading x000)")
    return n


def _partial_suffix(width: int) -> str:
    return "" if width == TILE_WIDTH else f".p/{width}"


def entries_path(n: int, width: int = TILE_WIDTH) -> str:
    """Path of the ``n``-th entry bundle (``width`` entries): ``tile/entries/<N>[.p/<W>]``."""
    Tile(0, n, width)  # Same coordinates as the level-0 tile; validates them.
    return f"tile/entries/{encode_tile_index(n)}{_partial_suffix(width)}"


def parse_tile_path(path: str) -> Tile:
    """The tile named by ``tile/<L>/<N>[.p/<W>]`` (relative to the log prefix)."""
    if not isinstance(path, str) or not path.startswith("tile/"):
        raise ProofError(f"{path!r} is not a tile path")
    level_text, _, rest = path[len("tile/") :].partition("/")
    if len(level_text) > 2 or not _DECIMAL.fullmatch(level_text):
        raise ProofError(f"{path!r} does not name a tile level")
    n, width = _parse_index_and_width(rest, path)
    return Tile(int(level_text), n, width)


def parse_entries_path(path: str) -> tuple[int, int]:
    """The (n, width) of the entry bundle named by ``tile/entries/<N>[.p/<W>]``."""
    prefix = "tile/entries/"
    if not isinstance(path, str) or not path.startswith(prefix):
        raise ProofError(f"{path!r} is not an entry bundle path")
    return _parse_index_and_width(path[len(prefix) :], path)


def _parse_index_and_width(text: str, path: str) -> tuple[int, int]:
    index_text, partial, width_text = text.partition(".p/")
    n = decode_tile_index(index_text)
    if not partial:
        return n, TILE_WIDTH
    if len(width_text) > 3 or not _DECIMAL.fullmatch(width_text):
        raise ProofError(f"{path!r}: a partial tile width is a decimal number")
    if not 1 <= int(width_text) < TILE_WIDTH:
        raise ProofError(f"{path!r}: a partial tile width is between 1 and {TILE_WIDTH - 1}")
    return n, int(width_text)


def tile_for_index(index: int) -> Tile:
    """The smallest tile that holds the stored hash at ``index``."""
    return _tile_for_index(index)[0]


def _tile_for_index(index: int) -> tuple[Tile, int, int]:
    """The tile, and the byte range of its data whose hashes combine to the hash at ``index``."""
    level, n = split_stored_hash_index(index)
    tile_level = level // TILE_HEIGHT
    level -= tile_level * TILE_HEIGHT  # Level within the tile.
    tile_n = (n << level) >> TILE_HEIGHT
    n -= (tile_n << TILE_HEIGHT) >> level  # Position within the tile, at that level.
    width = (n + 1) << level
    start, end = (n << level) * HASH_SIZE, ((n + 1) << level) * HASH_SIZE
    return Tile(tile_level, tile_n, width), start, end


def hash_from_tile(tile: Tile, data: bytes, index: int) -> bytes:
    """The stored hash at ``index``, computed from the bytes of ``tile`` that contains it."""
    if len(data) != tile.width * HASH_SIZE:
        raise ProofError(f"{tile.path} has {len(data)} bytes, expected {tile.width * HASH_SIZE}")
    home, start, end = _tile_for_index(index)
    if (home.level, home.n) != (tile.level, tile.n) or tile.width < home.width:
        raise ProofError(f"stored hash {index} is in {home.path}, not in {tile.path}")
    return _tile_hash(bytes(data[start:end]))


def _tile_hash(data: bytes) -> bytes:
    if len(data) == HASH_SIZE:
        return data
    half = len(data) // 2
    return node_hash(_tile_hash(data[:half]), _tile_hash(data[half:]))


def read_tile_data(tile: Tile, reader: HashReader) -> bytes:
    """The bytes of ``tile``: its ``width`` hashes, concatenated, read from stored hashes."""
    start = tile.n << TILE_HEIGHT
    level = tile.level * TILE_HEIGHT
    indexes = [stored_hash_index(level, start + i) for i in range(tile.width)]
    return b"".join(_read(reader, indexes))


def new_tiles(old_size: int, new_size: int) -> list[Tile]:
    """Tiles to (re)publish when the tree grows from ``old_size`` to ``new_size`` leaves."""
    old_size = _check_count(old_size, "old tree size")
    new_size = _check_count(new_size, "new tree size")
    if old_size > new_size:
        raise ProofError(f"a tree does not shrink from {old_size} to {new_size}")
    tiles = []
    level = 0
    while new_size >> (TILE_HEIGHT * level) > 0:
        old_n = old_size >> (TILE_HEIGHT * level)
        new_n = new_size >> (TILE_HEIGHT * level)
        if old_n != new_n:
            for n in range(old_n >> TILE_HEIGHT, new_n >> TILE_HEIGHT):
                tiles.append(Tile(level, n))
            n = new_n >> TILE_HEIGHT
            width = new_n - (n << TILE_HEIGHT)
            if width > 0:
                tiles.append(Tile(level, n, width))
        level += 1
    return tiles


MAX_ENTRY_SIZE = (1 << 16) - 1
"""An entry bundle prefixes each entry with a big-endian uint16 length."""


def encode_entry_bundle(entries: Sequence[bytes]) -> bytes:
    """Entry bundle bytes: each entry as a big-endian uint16 length and the entry."""
    if not 1 <= len(entries) <= TILE_WIDTH:
        raise ProofError(f"an entry bundle holds 1 to {TILE_WIDTH} entries, not {len(entries)}")
    out = bytearray()
    for entry in entries:
        data = _check_bytes(entry, "entry")
        if len(data) > MAX_ENTRY_SIZE:
            raise ProofError(f"entry of {len(data)} bytes does not fit an entry bundle")
        out += len(data).to_bytes(2, "big") + data
    return bytes(out)


def decode_entry_bundle(data: bytes) -> list[bytes]:
    """Inverse of ``encode_entry_bundle``."""
    data = _check_bytes(data, "entry bundle")
    entries = []
    offset = 0
    while offset < len(data):
        if offset + 2 > len(data):
            raise ProofError("entry bundle ends inside a length prefix")
        length = int.from_bytes(data[offset : offset + 2], "big")
        offset += 2
        if offset + length > len(data):
            raise ProofError("entry bundle ends inside an entry")
        entries.append(data[offset : offset + length])
        offset += length
    if not 1 <= len(entries) <= TILE_WIDTH:
        raise ProofError(f"an entry bundle holds 1 to {TILE_WIDTH} entries, not {len(entries)}")
    return entries


# --- input checks ---------------------------------------------------------------------------------


def _trailing_zeros(n: int) -> int:
    return (n & -n).bit_length() - 1


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_TREE_SIZE


def _check_count(value: object, what: str) -> int:
    """An index or size: an int in [0, 2⁶⁴ − 1], as every wire format limits it."""
    if not _is_count(value):
        raise ProofError(f"{what} {value!r} is not an integer between 0 and 2**64 - 1")
    assert isinstance(value, int)
    return value


def _check_bytes(value: object, what: str) -> bytes:
    if not isinstance(value, bytes | bytearray | memoryview):
        raise ProofError(f"{what} must be bytes, not {type(value).__name__}")
    return bytes(value)


def _check_hash(value: object, what: str) -> bytes:
    data = _check_bytes(value, what)
    if len(data) != HASH_SIZE:
        raise ProofError(f"{what} has {len(data)} bytes, a SHA-256 hash has {HASH_SIZE}")
    return data


def _check_proof(proof: object) -> list[bytes]:
    if isinstance(proof, str | bytes | bytearray | memoryview) or not isinstance(proof, Sequence):
        raise ProofError(f"a proof is a sequence of hashes, not {type(proof).__name__}")
    if len(proof) > 2 * 64:
        raise ProofError(f"a proof of {len(proof)} hashes is longer than any tree needs")
    return [_check_hash(h, f"proof hash {i}") for i, h in enumerate(proof)]


def _check_hash_list(hashes: object, what: str) -> list[bytes]:
    if isinstance(hashes, str | bytes | bytearray | memoryview) or not isinstance(hashes, Sequence):
        raise ProofError(f"{what} must be a sequence of hashes, not {type(hashes).__name__}")
    return [_check_hash(h, f"{what}[{i}]") for i, h in enumerate(hashes)]
