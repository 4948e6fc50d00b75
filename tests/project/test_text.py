"""The free-text cleaning helpers in project.text."""

import pytest
from rest_framework import exceptions, serializers

from project.text import CleanCharField, InvalidTextError, text_clean, text_normalize


def test_normalize_composes_to_nfc():
    decomposed = "Cafe\u0301"
    assert text_normalize(decomposed) == "Caf\u00e9"


def test_normalize_keeps_newline_and_tab():
    assert text_normalize("line one\n\tline two") == "line one\n\tline two"


def test_normalize_turns_crlf_into_lf():
    assert text_normalize("one\r\ntwo") == "one\ntwo"


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\r", "\x7f", "\x85", "\x9f"])
def test_normalize_rejects_control_character(character):
    with pytest.raises(InvalidTextError, match=f"U\\+{ord(character):04X}"):
        text_normalize(f"a{character}b")


@pytest.mark.parametrize("character", ["\n", "\t", "\r\n"])
def test_normalize_single_line_rejects_breaks(character):
    with pytest.raises(InvalidTextError, match="single line"):
        text_normalize(f"a{character}b", multiline=False)


def test_normalize_accepts_other_unicode():
    text = "Zoë 🙂 日本語 \u200d"
    assert text_normalize(text) == text


def test_clean_error_names_field():
    with pytest.raises(exceptions.ValidationError) as caught:
        text_clean("bad\x00", field="bio")
    assert list(caught.value.detail) == ["bio"]
    assert caught.value.detail["bio"][0].code == "control_character"


class _ProfileSerializer(serializers.Serializer):
    bio = CleanCharField(max_length=5, allow_blank=True)
    name = CleanCharField(multiline=False, required=False)


def test_field_normalizes_before_length_check():
    # Five decomposed characters are ten code points but five after NFC.
    serializer = _ProfileSerializer(data={"bio": "e\u0301" * 5})
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data["bio"] == "\u00e9" * 5


def test_field_error_names_field():
    serializer = _ProfileSerializer(data={"bio": "ok", "name": "two\nlines"})
    assert not serializer.is_valid()
    assert list(serializer.errors) == ["name"]
    assert serializer.errors["name"][0].code == "control_character"


def test_clean_char_field_rejects_number():
    from rest_framework import serializers

    from project.text import CleanCharField

    with pytest.raises(serializers.ValidationError):
        CleanCharField().to_internal_value(5)
