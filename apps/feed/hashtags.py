"""Hashtag extraction from post text, and the stored form of a hashtag name."""

import unicodedata

import regex

HASHTAG_MAX_LENGTH = 100

# A '#' that does not follow a word character, then word characters in any script. The
# `regex` package's \w follows Unicode's definition of a word character: letters, combining
# marks, decimal digits, connector punctuation and the zero-width joiners. Python's `re`
# stops at the marks in Devanagari and Thai words and at the dot that "İ".lower() leaves
# after the "i". Post text is NFC-normalised before this runs.
HASHTAG_PATTERN = regex.compile(r"(?<!\w)#(\w+)")
HASHTAG_NAME_PATTERN = regex.compile(rf"\w{{1,{HASHTAG_MAX_LENGTH}}}")


def hashtag_normalize(name: str) -> str:
    """Return the stored form of a hashtag name: NFC, lower-case, without a leading '#'."""
    return unicodedata.normalize("NFC", name.strip()).removeprefix("#").lower()


def hashtag_name_valid(name: str) -> bool:
    """Return whether a normalised name could be stored: 1 to HASHTAG_MAX_LENGTH word characters."""
    return HASHTAG_NAME_PATTERN.fullmatch(name) is not None


def hashtags_extract(text: str) -> list[str]:
    """Return the hashtags of an NFC-normalised text, lower-case, once each, in order of appearance.

    A word longer than HASHTAG_MAX_LENGTH characters after the '#' is not a hashtag, so every
    stored name fits the column.
    """
    names: dict[str, None] = {}
    for match in HASHTAG_PATTERN.finditer(text):
        name = match.group(1).lower()
        if len(name) <= HASHTAG_MAX_LENGTH:
            names.setdefault(name)
    return list(names)
