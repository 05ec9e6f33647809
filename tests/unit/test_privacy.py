"""Names masked for display, ID numbers reduced to a keyed hash."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import assume, given, settings, strategies as st

from queue_server.domain.privacy import id_hash, mask_name


@pytest.mark.parametrize(
    "name,masked",
    [
        ("张", "*"),
        ("张三", "张*"),
        ("张小三", "张*三"),
        ("欧阳小明", "欧**明"),
        (" 李四 ", "李*"),  # the card reader pads with spaces
        ("", ""),
    ],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


@settings(max_examples=200, deadline=None)
@given(name=st.text(alphabet="张王李赵欧阳小明三四五六·", min_size=2, max_size=12))
def test_a_masked_name_hides_all_but_the_ends(name):
    m = mask_name(name)
    assert len(m) == len(name)
    assert m[0] == name[0]
    inner = m[1:-1] if len(name) > 2 else m[1:]
    assert set(inner) == {"*"}
    if len(name) > 2:
        assert m[-1] == name[-1]


ID = "11010519491231002X"
SECRET = b"hall-secret-1"


def test_id_hash_is_an_hmac_sha256_of_the_normalised_number():
    expected = hmac.new(SECRET, ID.encode(), hashlib.sha256).hexdigest()
    assert id_hash(SECRET, ID) == expected
    assert len(expected) == 64 and ID not in expected


def test_same_input_same_hash():
    assert id_hash(SECRET, ID) == id_hash(SECRET, ID)


def test_lowercase_x_and_spaces_give_the_same_hash():
    assert id_hash(SECRET, ID.lower()) == id_hash(SECRET, ID)
    assert id_hash(SECRET, f"  {ID}\n") == id_hash(SECRET, ID)


def test_the_hash_is_keyed():
    # Without the server secret the hash of a known ID number cannot be recomputed.
    assert id_hash(b"hall-secret-2", ID) != id_hash(SECRET, ID)
    assert id_hash(SECRET, ID) != hashlib.sha256(ID.encode()).hexdigest()


# Server secrets are random bytes of one fixed length (HMAC pads shorter keys with zeros, so
# b"k" and b"k\x00" would be the same key; secrets of one length never collide that way).
@settings(max_examples=100, deadline=None)
@given(
    a=st.binary(min_size=32, max_size=32),
    b=st.binary(min_size=32, max_size=32),
    number=st.from_regex(r"\A[0-9]{17}[0-9X]\Z"),
)
def test_different_secrets_give_different_hashes(a, b, number):
    assume(a != b)
    assert id_hash(a, number) != id_hash(b, number)
    assert id_hash(a, number) == id_hash(a, number)


def test_different_numbers_give_different_hashes():
    assert id_hash(SECRET, "110105194912310021") != id_hash(SECRET, "110105194912310022")
