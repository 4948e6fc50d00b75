"""Hashtag extraction from post text, and the stored form of a hashtag name."""

import re
import unicodedata

HASHTAG_MAX_LENGTH = 100

# A '#' that does not follow a word character, then letters, digits and '_' in any script.
# Post text is NFC-normalised before this runs, so an accented letter is one code point and matches \w.
HASHTAG_PATTERN = re.compile(r"(?<!\w)#(\w+)")
HASHTAG_NAME_PATTERN = re.compile(rf"\w{{1,{HASHTAG_MAX_LENGTH}}}")


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
