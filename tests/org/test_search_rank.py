"""Search keys and their ranks (no database): common readings before rare ones, surnames read
as surnames, identifiers apart."""

from __future__ import annotations

from bellwork.org.search import COMMON, IDENTIFIER, RARE, common_reading, search_keys, sort_key


def test_a_plain_name_has_only_common_keys() -> None:
    keys = search_keys("张三")
    assert keys == {
        "张三": COMMON,
        "三": COMMON,
        "zhangsan": COMMON,
        "san": COMMON,
        "zs": COMMON,
        "s": COMMON,
    }


def test_a_rare_reading_still_finds_but_ranks_lower() -> None:
    keys = search_keys("董三")  # 董 is dong; pypinyin also knows zhong
    assert keys["dongsan"] == keys["ds"] == COMMON
    assert keys["zhongsan"] == keys["zs"] == RARE
    # A key that the common reading gives too keeps the better rank.
    assert keys["san"] == keys["s"] == COMMON


def test_surnames_read_as_surnames() -> None:
    assert common_reading("曾国藩") == ["zeng", "guo", "fan"]
    assert common_reading("单雄信")[0] == "shan"
    assert common_reading("解缙") == ["xie", "jin"]
    assert common_reading("查良镛")[0] == "zha"
    # Compound surnames before the single character (长 alone reads chang).
    assert common_reading("长孙无忌")[:2] == ["zhang", "sun"]
    assert common_reading("长明")[0] == "chang"
    assert common_reading("尉迟恭")[:2] == ["yu", "chi"]
    keys = search_keys("曾国藩")
    assert keys["zengguofan"] == keys["zgf"] == COMMON
    assert keys["cengguofan"] == keys["cgf"] == RARE
    # The directory sorts 曾 under z, as Chinese readers look for it.
    assert sort_key("曾国藩").startswith("zengguofan ")
    assert sort_key("杨帆") < sort_key("曾国藩") < sort_key("张三")


def test_given_names_follow_the_phrase_reading() -> None:
    assert common_reading("重阳")[0] == "chong"
    assert search_keys("王重阳")["wcy"] == COMMON


def test_identifiers_are_apart_and_latin_names_unchanged() -> None:
    keys = search_keys("Li Na", "13800001111", "S123", "LiNa", "li@example.com")
    assert keys["lina"] == COMMON  # the name's words; the username says the same
    assert keys["na"] == keys["ln"] == COMMON
    assert keys["13800001111"] == keys["s123"] == keys["li@example.com"] == IDENTIFIER
    assert sort_key("Li Na") == "li na Li Na"
    assert search_keys("张Anna")["zhanganna"] == COMMON


def test_keys_are_capped_in_length_and_number() -> None:
    long_name = "单" * 80
    keys = search_keys(long_name)
    assert all(len(k) <= 120 for k in keys)
    # Every character polyphonic: at most MAX_READINGS readings make keys.
    heavy = search_keys("单乐曾朴")
    assert sum(1 for k in heavy if len(k) == 4 and k.isascii()) <= 4
