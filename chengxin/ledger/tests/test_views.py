"""/log/: the tree as C2SP tlog-tiles, rebuilt and verified by a client that trusts only tiles."""

from __future__ import annotations

import pytest

from chengxin.ledger import keys, merkle, services
from chengxin.ledger.checkpoint import open_checkpoint
from chengxin.ledger.models import LogEntry
from chengxin.ledger.note import Ed25519Verifier

pytestmark = pytest.mark.django_db


class TileClient:
    """A tlog-tiles client: a ``HashReader`` that fetches whatever tiles a tree of ``size`` has."""

    def __init__(self, client, size: int) -> None:
        self.client = client
        self.size = size
        self.fetched: dict[str, bytes] = {}

    def tile_at(self, level: int, n: int) -> merkle.Tile:
        hashes_at_level = self.size >> (merkle.TILE_HEIGHT * level)
        return merkle.Tile(
            level, n, min(merkle.TILE_WIDTH, hashes_at_level - n * merkle.TILE_WIDTH)
        )

    def read_hashes(self, indexes):
        out = []
        for index in indexes:
            home = merkle.tile_for_index(index)
            tile = self.tile_at(home.level, home.n)
            if tile.path not in self.fetched:
                response = self.client.get(f"/log/{tile.path}")
                assert response.status_code == 200, tile.path
                self.fetched[tile.path] = response.content
            out.append(merkle.hash_from_tile(tile, self.fetched[tile.path], index))
        return out


def _verified_checkpoint(client):
    response = client.get("/log/checkpoint")
    assert response.status_code == 200
    vkey = client.get("/log/vkey").content.decode().strip()
    assert vkey == keys.verifier_key()
    opened = open_checkpoint(
        response.content, origin=keys.origin(), log_verifiers=[Ed25519Verifier.from_key(vkey)]
    )
    return opened.checkpoint


def test_the_root_rebuilt_from_tiles_is_the_signed_root(client, log_world):
    checkpoint = _verified_checkpoint(client)
    assert checkpoint.size == log_world.size
    tiles = TileClient(client, checkpoint.size)
    assert merkle.tree_hash(checkpoint.size, tiles) == checkpoint.root_hash
    for index in (0, 255, 256, checkpoint.size - 1):
        proof = merkle.prove_record(checkpoint.size, index, tiles)
        leaf_hash = merkle.hash_from_tile(
            tiles.tile_at(0, index // 256),
            tiles.fetched[tiles.tile_at(0, index // 256).path],
            merkle.stored_hash_index(0, index),
        )
        merkle.verify_inclusion(index, checkpoint.size, leaf_hash, proof, checkpoint.root_hash)


def test_tiles_served_are_the_stored_tiles(client, log_world):
    reader = services.DatabaseHashReader()
    for tile in merkle.new_tiles(0, log_world.size):
        response = client.get(f"/log/{tile.path}")
        assert response.status_code == 200
        assert response.content == merkle.read_tile_data(tile, reader)
        assert response["Content-Type"] == "application/octet-stream"


def test_entry_bundles_hold_the_leaves_and_hash_to_the_level_0_tile(client, log_world):
    full = client.get("/log/tile/entries/000")
    assert full.status_code == 200
    entries = merkle.decode_entry_bundle(full.content)
    stored = [bytes(d) for d in LogEntry.objects.order_by("index").values_list("data", flat=True)]
    assert entries == stored[:256]
    level0 = client.get("/log/tile/0/000").content
    assert b"".join(merkle.leaf_hash(e) for e in entries) == level0
    width = log_world.size - 512
    partial = client.get(f"/log/tile/entries/002.p/{width}")
    assert merkle.decode_entry_bundle(partial.content) == stored[512:]


def test_full_tiles_are_immutable_partial_tiles_and_checkpoint_are_short_lived(client, log_world):
    assert client.get("/log/tile/0/000")["Cache-Control"] == ("public, max-age=31536000, immutable")
    assert client.get("/log/tile/entries/000")["Cache-Control"].endswith("immutable")
    partial = client.get(f"/log/tile/0/002.p/{log_world.size - 512}")
    assert partial.status_code == 200
    assert "immutable" not in partial["Cache-Control"]
    assert client.get("/log/checkpoint")["Cache-Control"] == "no-cache"


BEYOND_OR_MALFORMED = [
    "tile/0/003",  # beyond the tree
    "tile/0/002",  # the third tile is not full yet
    "tile/1/000",  # level 1 needs 65,536 leaves
    "tile/0/002.p/255",  # wider than the tree
    "tile/entries/002",
    "tile/entries/009.p/3",
    "tile/0/x000/001",  # not canonical
    "tile/0/1",
    "tile/99/000",
    "tile/0/000.p/0",
    "tile/entries/abc",
]


def test_a_tile_beyond_the_tree_or_malformed_is_404(client, log_world):
    for path in BEYOND_OR_MALFORMED:
        assert client.get(f"/log/{path}").status_code == 404, path


def test_tiles_are_public_read_only_and_one_query(client, log_world, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert client.get("/log/tile/0/001").status_code == 200
    with django_assert_num_queries(1):
        assert client.get("/log/tile/entries/001").status_code == 200
    assert client.post("/log/checkpoint").status_code == 405


def test_an_empty_log_has_no_checkpoint_to_serve(client, db):
    assert client.get("/log/checkpoint").status_code == 404
