"""Cleaning of free text that users submit: Unicode NFC, and no control characters.

Input serializers declare free-text fields as `CleanCharField` (or call `text_clean`), so
that equal-looking strings compare and count alike and no invisible control character
reaches the database or another user's screen.
"""

import re
import unicodedata
from typing import Any

from django import forms
from rest_framework import exceptions, serializers

# Unicode category Cc is exactly U+0000-U+001F and U+007F-U+009F.
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # all of Cc but tab and newline
_CONTROL_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # all of Cc


class InvalidTextError(ValueError):
    """A rejected text; the message names the offending character and the rule it breaks."""


def text_normalize(value: str, *, multiline: bool = True) -> str:
    """Return `value` in Unicode NFC with CRLF line breaks turned into LF.

    Raises InvalidTextError for a control character (Unicode category Cc) other than newline
    and tab, or, with `multiline=False`, for any control character including those two.
    A lone carriage return is rejected too: only the CRLF pair that HTML forms send is
    accepted as a line break.
    """
    if multiline:
        value = value.replace("\r\n", "\n")
    pattern = _CONTROL_MULTILINE if multiline else _CONTROL_SINGLE_LINE
    if match := pattern.search(value):
        code_point = f"U+{ord(match.group()):04X}"
        if not multiline and match.group() in "\r\n\t":
            raise InvalidTextError(
                f"Contains the control character {code_point}: this field is a single line without tabs."
            )
        raise InvalidTextError(
            f"Contains the control character {code_point}: remove it (only newline and tab are accepted)."
        )
    return unicodedata.normalize("NFC", value)


def text_clean(value: str, *, field: str, multiline: bool = True) -> str:
    """Return `text_normalize(value)`, raising a 400 that names `field` when the text is rejected."""
    try:
        return text_normalize(value, multiline=multiline)
    except InvalidTextError as error:
        # Built here, not with project.exceptions.validation_error: that module imports DRF's views,
        # which load the authentication classes, which import this module through the accounts selectors.
        detail = exceptions.ErrorDetail(str(error), code="control_character")
        raise exceptions.ValidationError({field: [detail]}) from None


class CleanCharField(serializers.CharField):
    """A CharField that passes its value through `text_normalize`.

    Set `multiline=False` for one-line fields. The length limits apply to the normalised text.
    """

    def __init__(self, *, multiline: bool = True, **kwargs: Any) -> None:
        self.multiline = multiline
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        # DRF's CharField turns numbers into strings; a JSON number where text belongs is a client bug.
        if not isinstance(data, str):
            self.fail("invalid")
        value = super().to_internal_value(data)
        try:
            return text_normalize(value, multiline=self.multiline)
        except InvalidTextError as error:
            raise serializers.ValidationError(str(error), code="control_character") from None


class CleanFormCharField(forms.CharField):
    """The Django form counterpart of CleanCharField, for query parameters read by django-filter."""

    def __init__(self, *, multiline: bool = True, **kwargs: Any) -> None:
        self.multiline = multiline
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        value = super().to_python(value)
        try:
            return text_normalize(value, multiline=self.multiline)
        except InvalidTextError as error:
            raise forms.ValidationError(str(error), code="control_character") from None
