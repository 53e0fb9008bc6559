"""Tests for ``chengxin.ledger.merkle``: published vectors, spec examples, algebraic properties."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from chengxin.ledger import merkle
from chengxin.ledger.merkle import ProofError

VECTORS = (
    Path(__file__).resolve().parents[3].parent / "shared" / "testdata" / "transparency-dev-merkle"
)

MAX_SIZE = 300


# --- transparency-dev/merkle vectors --------------------------------------------------------------


def _vector_files(kind: str) -> list[Path | None]:
    folder = VECTORS / kind
    files = sorted(folder.rglob("*.json")) if folder.is_dir() else []
    return [*files] or [None]


def _vector_id(path: Path | None) -> str:
    return "absent" if path is None else str(path.relative_to(VECTORS))


def _load_vector(path: Path | None) -> dict[str, Any]:
    if path is None:
        pytest.skip(reason=f"shared test vectors absent: {VECTORS}")
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def _b64(text: str | None) -> bytes:
    return base64.b64decode(text) if text else b""


def _proof(vector: dict[str, Any]) -> list[bytes]:
    return [_b64(h) for h in vector["proof"] or []]


def _expect(vector: dict[str, Any], check: Any) -> None:
    if vector["wantErr"]:
        with pytest.raises(ProofError):
            check()
    else:
        check()


@pytest.mark.parametrize("path", _vector_files("inclusion"), ids=_vector_id)
def test_inclusion_vector(path: Path | None) -> None:
    v = _load_vector(path)
    _expect(
        v,
        lambda: merkle.verify_inclusion(
            v["leafIdx"], v["treeSize"], _b64(v["leafHash"]), _proof(v), _b64(v["root"])
        ),
    )


@pytest.mark.parametrize("path", _vector_files("consistency"), ids=_vector_id)
def test_consistency_vector(path: Path | None) -> None:
    v = _load_vector(path)
    _expect(
        v,
        lambda: merkle.verify_consistency(
            v["size1"], v["size2"], _proof(v), _b64(v["root1"]), _b64(v["root2"])
        ),
    )


@pytest.mark.parametrize("path", _vector_files("subtreeinclusion"), ids=_vector_id)
def test_subtree_inclusion_vector(path: Path | None) -> None:
    v = _load_vector(path)
    _expect(
        v,
        lambda: merkle.verify_subtree_inclusion(
            v["leafIdx"], v["start"], v["end"], _b64(v["leafHash"]), _proof(v), _b64(v["root"])
        ),
    )


@pytest.mark.parametrize("path", _vector_files("subtreeconsistency"), ids=_vector_id)
def test_subtree_consistency_vector(path: Path | None) -> None:
    v = _load_vector(path)
    _expect(
        v,
        lambda: merkle.verify_subtree_consistency(
            v["start"], v["end"], v["size"], _proof(v), _b64(v["root1"]), _b64(v["root2"])
        ),
    )


def test_vector_folders_hold_every_case() -> None:
    """Guards against a vector folder that is silently empty (which would pass vacuously)."""
    if not VECTORS.is_dir():
        pytest.skip(reason=f"shared test vectors absent: {VECTORS}")
    counts = {
        kind: len(list((VECTORS / kind).rglob("*.json"))) for kind in ("inclusion", "consistency")
    }
    assert counts == {"inclusion": 98, "consistency": 98}
    happy = list(VECTORS.rglob("happy-path.json"))
    assert len(happy) >= 10


# --- hashing --------------------------------------------------------------------------------------

# RFC 6962 reference leaves and the roots of their prefixes (transparency-dev/merkle testonly).
REFERENCE_LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
REFERENCE_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def test_empty_tree_hash_is_hash_of_empty_string() -> None:
    assert merkle.root_hash([]) == hashlib.sha256(b"").digest() == merkle.EMPTY_ROOT_HASH
    assert merkle.tree_hash(0, merkle.MemoryHashStore()) == merkle.EMPTY_ROOT_HASH


def test_leaf_and_node_hashes_use_rfc9162_prefixes() -> None:
    assert merkle.leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    left, right = b"L" * 32, b"R" * 32
    assert merkle.node_hash(left, right) == hashlib.sha256(b"\x01" + left + right).digest()


@pytest.mark.parametrize("size", range(1, 9))
def test_reference_roots(size: int) -> None:
    leaves = [merkle.leaf_hash(d) for d in REFERENCE_LEAVES[:size]]
    assert merkle.root_hash(leaves).hex() == REFERENCE_ROOTS[size - 1]
    assert _store(leaves).root().hex() == REFERENCE_ROOTS[size - 1]


# The seven-entry example of c2sp.org/merkle-tree, with its node labels.
def _c2sp_example() -> dict[str, bytes]:
    leaves = [merkle.leaf_hash(bytes([i])) for i in range(7)]
    n = dict(zip("abcdefg", leaves, strict=True))
    n["h"] = merkle.node_hash(n["a"], n["b"])
    n["i"] = merkle.node_hash(n["c"], n["d"])
    n["j"] = merkle.node_hash(n["e"], n["f"])
    n["k"] = merkle.node_hash(n["h"], n["i"])
    n["l"] = merkle.node_hash(n["j"], n["g"])
    n["root"] = merkle.node_hash(n["k"], n["l"])
    return n


@pytest.mark.parametrize(("index", "labels"), [(0, "bil"), (3, "chl"), (4, "fgk"), (6, "jk")])
def test_c2sp_example_inclusion_proofs(index: int, labels: str) -> None:
    n = _c2sp_example()
    leaves = [n[c] for c in "abcdefg"]
    expected = [n[c] for c in labels]
    assert merkle.inclusion_proof(leaves, index) == expected
    assert merkle.prove_record(7, index, _store(leaves)) == expected
    assert merkle.root_hash(leaves) == n["root"]
    merkle.verify_inclusion(index, 7, leaves[index], expected, n["root"])


@pytest.mark.parametrize(("old_size", "labels"), [(3, "cdhl"), (4, "l"), (6, "jgk")])
def test_c2sp_example_consistency_proofs(old_size: int, labels: str) -> None:
    n = _c2sp_example()
    leaves = [n[c] for c in "abcdefg"]
    expected = [n[c] for c in labels]
    assert merkle.consistency_proof(leaves, old_size) == expected
    assert merkle.prove_tree(7, old_size, _store(leaves)) == expected
    old_root = merkle.root_hash(leaves[:old_size])
    merkle.verify_consistency(old_size, 7, expected, old_root, n["root"])


# --- exhaustive checks over every small tree ------------------------------------------------------


@cache
def _leaves(count: int = MAX_SIZE) -> tuple[bytes, ...]:
    return tuple(merkle.leaf_hash(f"record {i}".encode()) for i in range(count))


def _store(leaves: tuple[bytes, ...] | list[bytes]) -> merkle.MemoryHashStore:
    store = merkle.MemoryHashStore()
    for leaf in leaves:
        store.append(leaf)
    return store


@cache
def _big_store() -> merkle.MemoryHashStore:
    return _store(_leaves())


@cache
def _roots() -> tuple[bytes, ...]:
    store = _big_store()
    return tuple(merkle.tree_hash(size, store) for size in range(MAX_SIZE + 1))


def test_every_index_of_every_size_up_to_300_verifies() -> None:
    store, roots, leaves = _big_store(), _roots(), _leaves()
    for size in range(1, MAX_SIZE + 1):
        for index in range(size):
            proof = merkle.prove_record(size, index, store)
            merkle.verify_inclusion(index, size, leaves[index], proof, roots[size])


def test_every_consistency_proof_up_to_300_verifies() -> None:
    store, roots = _big_store(), _roots()
    for size in range(1, MAX_SIZE + 1):
        for old_size in range(1, size + 1):
            proof = merkle.prove_tree(size, old_size, store)
            merkle.verify_consistency(old_size, size, proof, roots[old_size], roots[size])


def test_stored_tree_hash_matches_recomputed_root() -> None:
    leaves, roots = _leaves(), _roots()
    for size in (0, 1, 2, 3, 7, 8, 9, 255, 256, 257, MAX_SIZE):
        assert roots[size] == merkle.root_hash(leaves[:size])


def test_stored_and_list_proofs_agree_for_small_trees() -> None:
    leaves = list(_leaves(70))
    store = _store(leaves)
    for size in range(1, 71):
        for index in range(size):
            assert merkle.inclusion_proof(leaves[:size], index) == merkle.prove_record(
                size, index, store
            )
        for old_size in range(1, size + 1):
            assert merkle.consistency_proof(leaves[:size], old_size) == merkle.prove_tree(
                size, old_size, store
            )


# --- properties: every mutation of a proof fails --------------------------------------------------


@st.composite
def _tree_and_index(draw: st.DrawFn) -> tuple[int, int]:
    size = draw(st.integers(1, MAX_SIZE))
    return size, draw(st.integers(0, size - 1))


@st.composite
def _two_sizes(draw: st.DrawFn) -> tuple[int, int]:
    size = draw(st.integers(2, MAX_SIZE))
    return draw(st.integers(1, size - 1)), size


def _flip(proof: list[bytes], position: int, bit: int) -> list[bytes]:
    mutated = list(proof)
    node = bytearray(mutated[position])
    node[bit // 8] ^= 1 << (bit % 8)
    mutated[position] = bytes(node)
    return mutated


@settings(max_examples=150, deadline=None)
@given(_tree_and_index(), st.data())
def test_list_built_inclusion_proof_verifies(tree: tuple[int, int], data: st.DataObject) -> None:
    size, index = tree
    leaves = list(_leaves()[:size])
    proof = merkle.inclusion_proof(leaves, index)
    assert proof == merkle.prove_record(size, index, _big_store())
    assert merkle.root_from_inclusion_proof(index, size, leaves[index], proof) == _roots()[size]


@settings(max_examples=150, deadline=None)
@given(_tree_and_index(), st.data())
def test_inclusion_proof_with_a_flipped_bit_fails(
    tree: tuple[int, int], data: st.DataObject
) -> None:
    size, index = tree
    proof = merkle.prove_record(size, index, _big_store())
    leaf, root = _leaves()[index], _roots()[size]
    target = data.draw(st.integers(-2, len(proof) - 1), label="position (-1 leaf, -2 root)")
    bit = data.draw(st.integers(0, 255), label="bit")
    if target == -1:
        leaf = _flip([leaf], 0, bit)[0]
    elif target == -2:
        root = _flip([root], 0, bit)[0]
    else:
        proof = _flip(proof, target, bit)
    with pytest.raises(ProofError):
        merkle.verify_inclusion(index, size, leaf, proof, root)


@settings(max_examples=150, deadline=None)
@given(_tree_and_index(), st.data())
def test_inclusion_proof_with_swapped_nodes_fails(
    tree: tuple[int, int], data: st.DataObject
) -> None:
    size, index = tree
    proof = merkle.prove_record(size, index, _big_store())
    assume(len(proof) >= 2)
    i = data.draw(st.integers(0, len(proof) - 2))
    j = data.draw(st.integers(i + 1, len(proof) - 1))
    proof[i], proof[j] = proof[j], proof[i]
    with pytest.raises(ProofError):
        merkle.verify_inclusion(index, size, _leaves()[index], proof, _roots()[size])


@settings(max_examples=150, deadline=None)
@given(_tree_and_index(), st.data())
def test_inclusion_proof_for_a_wrong_index_fails(
    tree: tuple[int, int], data: st.DataObject
) -> None:
    size, index = tree
    proof = merkle.prove_record(size, index, _big_store())
    wrong = data.draw(st.integers(0, MAX_SIZE).filter(lambda i: i != index))
    with pytest.raises(ProofError):
        merkle.verify_inclusion(wrong, size, _leaves()[index], proof, _roots()[size])


@settings(max_examples=150, deadline=None)
@given(_tree_and_index(), st.data())
def test_inclusion_proof_for_a_wrong_size_fails(tree: tuple[int, int], data: st.DataObject) -> None:
    """RFC 9162 binds the size through the root: against the wrong size's root it always fails.

    (Against the right root with a wrong size of the same path shape it would pass — which is
    harmless, because a signed checkpoint fixes the size that goes with a root.)
    """
    size, index = tree
    proof = merkle.prove_record(size, index, _big_store())
    wrong = data.draw(st.integers(index + 1, MAX_SIZE).filter(lambda s: s != size))
    with pytest.raises(ProofError):
        merkle.verify_inclusion(index, wrong, _leaves()[index], proof, _roots()[wrong])
    if merkle._decompose_inclusion_proof(index, wrong) != merkle._decompose_inclusion_proof(
        index, size
    ):
        with pytest.raises(ProofError):
            merkle.verify_inclusion(index, wrong, _leaves()[index], proof, _roots()[size])


@settings(max_examples=150, deadline=None)
@given(_two_sizes(), st.data())
def test_consistency_proof_with_a_flipped_bit_fails(
    sizes: tuple[int, int], data: st.DataObject
) -> None:
    old_size, size = sizes
    proof = merkle.prove_tree(size, old_size, _big_store())
    old_root, root = _roots()[old_size], _roots()[size]
    target = data.draw(st.integers(-2, len(proof) - 1), label="position (-1 old, -2 new root)")
    bit = data.draw(st.integers(0, 255), label="bit")
    if target == -1:
        old_root = _flip([old_root], 0, bit)[0]
    elif target == -2:
        root = _flip([root], 0, bit)[0]
    else:
        proof = _flip(proof, target, bit)
    with pytest.raises(ProofError):
        merkle.verify_consistency(old_size, size, proof, old_root, root)


@settings(max_examples=150, deadline=None)
@given(_two_sizes(), st.data())
def test_consistency_proof_with_swapped_nodes_fails(
    sizes: tuple[int, int], data: st.DataObject
) -> None:
    old_size, size = sizes
    proof = merkle.prove_tree(size, old_size, _big_store())
    assume(len(proof) >= 2)
    i = data.draw(st.integers(0, len(proof) - 2))
    j = data.draw(st.integers(i + 1, len(proof) - 1))
    proof[i], proof[j] = proof[j], proof[i]
    with pytest.raises(ProofError):
        merkle.verify_consistency(old_size, size, proof, _roots()[old_size], _roots()[size])


@settings(max_examples=150, deadline=None)
@given(_two_sizes(), st.data())
def test_consistency_proof_for_wrong_sizes_fails(
    sizes: tuple[int, int], data: st.DataObject
) -> None:
    old_size, size = sizes
    proof = merkle.prove_tree(size, old_size, _big_store())
    wrong_old = data.draw(st.integers(1, MAX_SIZE).filter(lambda s: s != old_size))
    wrong_new = data.draw(st.integers(1, MAX_SIZE).filter(lambda s: s != size))
    roots = _roots()
    with pytest.raises(ProofError):
        merkle.verify_consistency(wrong_old, size, proof, roots[wrong_old], roots[size])
    with pytest.raises(ProofError):
        merkle.verify_consistency(old_size, wrong_new, proof, roots[old_size], roots[wrong_new])


def test_consistency_from_the_empty_tree_is_refused() -> None:
    with pytest.raises(ProofError, match="empty tree"):
        merkle.verify_consistency(0, 5, [], merkle.EMPTY_ROOT_HASH, _roots()[5])
    with pytest.raises(ProofError):
        merkle.consistency_proof(list(_leaves()[:5]), 0)


_ANYTHING = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.binary(max_size=40),
    st.text(max_size=5),
    st.lists(st.binary(min_size=31, max_size=33), max_size=4),
)


@settings(max_examples=300, deadline=None)
@given(_ANYTHING, _ANYTHING, _ANYTHING, _ANYTHING, _ANYTHING)
def test_verifiers_raise_only_proof_error_on_any_input(
    a: Any, b: Any, c: Any, d: Any, e: Any
) -> None:
    for check in (
        lambda: merkle.verify_inclusion(a, b, c, d, e),
        lambda: merkle.verify_consistency(a, b, c, d, e),
        lambda: merkle.root_from_inclusion_proof(a, b, c, d),
        lambda: merkle.verify_subtree_inclusion(a, b, c, d, e, e),
        lambda: merkle.verify_subtree_consistency(a, b, c, d, e, e),
    ):
        with contextlib.suppress(ProofError):
            check()


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_subtree_proofs_verify(data: st.DataObject) -> None:
    size = data.draw(st.integers(1, 130))
    leaves = list(_leaves()[:size])
    width = data.draw(st.integers(1, size))
    step = 1 << (width - 1).bit_length()
    start = data.draw(st.integers(0, (size - width) // step)) * step
    end = start + width
    assert merkle.is_valid_subtree(start, end)
    subtree_root = merkle.root_hash(leaves[start:end])
    proof = merkle.subtree_consistency_proof(leaves, start, end)
    merkle.verify_subtree_consistency(start, end, size, proof, subtree_root, _roots()[size])
    index = data.draw(st.integers(start, end - 1))
    path = merkle.subtree_inclusion_proof(leaves, index, start, end)
    merkle.verify_subtree_inclusion(index, start, end, leaves[index], path, subtree_root)
    with pytest.raises(ProofError):
        merkle.verify_subtree_consistency(
            start, end, size, proof, subtree_root, _flip([_roots()[size]], 0, 0)[0]
        )


# --- stored hashes --------------------------------------------------------------------------------


def test_stored_hash_indexes_follow_append_order() -> None:
    # Leaf 0; leaf 1 and node (1,0); leaf 2; leaf 3, node (1,1) and node (2,0); leaf 4.
    expected = [(0, 0), (0, 1), (1, 0), (0, 2), (0, 3), (1, 1), (2, 0), (0, 4)]
    assert [merkle.stored_hash_index(level, n) for level, n in expected] == list(range(8))
    assert [merkle.split_stored_hash_index(i) for i in range(8)] == expected


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 63), st.integers(0, 2**64))
def test_stored_hash_index_round_trips(level: int, n: int) -> None:
    assume((n + 1) << level <= 2**64)  # Nodes of trees of at most 2**64 leaves.
    assert merkle.split_stored_hash_index(merkle.stored_hash_index(level, n)) == (level, n)


def test_stored_hash_count_is_the_next_free_index() -> None:
    store = merkle.MemoryHashStore()
    for size, leaf in enumerate(_leaves()[:100], start=1):
        store.append(leaf)
        assert merkle.stored_hash_count(size) == len(store.hashes)


def test_stored_hashes_are_the_hashes_of_their_subtrees() -> None:
    leaves = list(_leaves()[:40])
    store = _store(leaves)
    for index, stored in enumerate(store.hashes):
        level, n = merkle.split_stored_hash_index(index)
        width = 1 << level
        assert stored == merkle.root_hash(leaves[n * width : (n + 1) * width])


class _ShortReader:
    def read_hashes(self, indexes: Any) -> list[bytes]:
        return [b"\x00" * 32] * (len(indexes) - 1)


def test_a_reader_returning_too_few_hashes_is_refused() -> None:
    with pytest.raises(ProofError, match="returned"):
        merkle.tree_hash(5, _ShortReader())
    with pytest.raises(ProofError, match="returned"):
        merkle.prove_record(5, 1, _ShortReader())


def test_proofs_outside_the_tree_are_refused() -> None:
    store = _big_store()
    with pytest.raises(ProofError):
        merkle.prove_record(5, 5, store)
    with pytest.raises(ProofError):
        merkle.prove_tree(5, 6, store)
    with pytest.raises(ProofError):
        merkle.prove_tree(5, 0, store)


# --- tiles ----------------------------------------------------------------------------------------


def test_tile_paths_follow_c2sp_tlog_tiles() -> None:
    assert merkle.Tile(0, 1234067).path == "tile/0/x001/x234/067"
    assert merkle.Tile(0, 0).path == "tile/0/000"
    assert merkle.Tile(1, 1000, 17).path == "tile/1/x001/000.p/17"
    assert merkle.entries_path(1234067) == "tile/entries/x001/x234/067"
    assert merkle.entries_path(3, 5) == "tile/entries/003.p/5"


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 63), st.integers(0, 2**56), st.integers(1, 256))
def test_tile_paths_round_trip(level: int, n: int, width: int) -> None:
    tile = merkle.Tile(level, n, width)
    assert merkle.parse_tile_path(tile.path) == tile
    assert merkle.parse_entries_path(merkle.entries_path(n, width)) == (n, width)


@pytest.mark.parametrize(
    "path",
    [
        "tile/0/x000/001",  # leading zero element
        "tile/00/000",
        "tile/64/000",
        "tile/0/1234",
        "tile/0/x1/000",
        "tile/0/001/x002",
        "tile/0/000.p/0",
        "tile/0/000.p/256",
        "tile/0/000.p/07",
        "tile/0/000.p/",
        "tile/0/٠٠١",  # Arabic-Indic digits are digits to Python, not to the spec
        "tile/entries/000",
        "tile/8/0/000",
        "",
    ],
)
def test_non_canonical_tile_paths_are_refused(path: str) -> None:
    with pytest.raises(ProofError):
        merkle.parse_tile_path(path)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=40), st.from_regex(r"tile/(entries|[0-9]{1,3})/[x0-9/.p]{0,30}")))
def test_tile_path_parsers_raise_only_proof_error(path: str) -> None:
    for parse in (merkle.parse_tile_path, merkle.parse_entries_path, merkle.decode_tile_index):
        with contextlib.suppress(ProofError):
            parse(path)


def test_new_tiles_for_70000_leaves_match_the_spec_example() -> None:
    tiles = merkle.new_tiles(0, 70_000)
    level0 = [t for t in tiles if t.level == 0]
    assert len([t for t in level0 if not t.is_partial]) == 273
    assert [t for t in tiles if t.is_partial] == [
        merkle.Tile(0, 273, 112),
        merkle.Tile(1, 1, 17),
        merkle.Tile(2, 0, 1),
    ]
    assert merkle.Tile(1, 0) in tiles
    assert merkle.new_tiles(0, 256) == [merkle.Tile(0, 0), merkle.Tile(1, 0, 1)]
    assert merkle.new_tiles(256, 256) == []


def test_tiles_reproduce_every_stored_hash() -> None:
    store = _big_store()
    for index, stored in enumerate(store.hashes):
        tile = merkle.tile_for_index(index)
        data = merkle.read_tile_data(tile, store)
        assert merkle.hash_from_tile(tile, data, index) == stored


def test_a_level_one_tile_hash_is_the_root_of_a_full_level_zero_tile() -> None:
    store = _big_store()
    level1 = merkle.read_tile_data(merkle.Tile(1, 0, 1), store)
    assert level1 == merkle.root_hash(list(_leaves()[:256]))


def test_hash_from_the_wrong_tile_is_refused() -> None:
    store = _big_store()
    tile = merkle.Tile(0, 0, 4)
    data = merkle.read_tile_data(tile, store)
    with pytest.raises(ProofError, match="is in"):
        merkle.hash_from_tile(tile, data, merkle.stored_hash_index(0, 300))
    with pytest.raises(ProofError, match="bytes"):
        merkle.hash_from_tile(tile, data[:-1], 0)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.binary(max_size=300), min_size=1, max_size=20))
def test_entry_bundles_round_trip(entries: list[bytes]) -> None:
    bundle = merkle.encode_entry_bundle(entries)
    assert merkle.decode_entry_bundle(bundle) == entries
    with pytest.raises(ProofError):
        merkle.decode_entry_bundle(bundle[:-1] if entries[-1] else bundle[:-2] + b"\x00")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_entry_bundle_decoder_raises_only_proof_error(data: bytes) -> None:
    with contextlib.suppress(ProofError):
        merkle.decode_entry_bundle(data)
