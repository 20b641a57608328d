"""Hostile and unusual input: each gets a clear positioned finding or a clean pass, never an exception."""

from __future__ import annotations

from sindri.schemas.findings import Severity
from sindri.schemas.positioned import MAX_BYTES, parse
from sindri.schemas.validate import validate_text
from validate_helpers import VALID, codes, only, span


def test_valid_document_passes_and_builds_the_model() -> None:
    result = validate_text(VALID)
    assert result.findings == []
    assert result.config is not None and result.config.provider == "docker"


def test_billion_laughs_is_rejected_at_the_alias_that_breaks_the_budget() -> None:
    levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        levels.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    f = only("\n".join(levels) + "\n", "SY108")
    assert f.severity == Severity.ERROR
    # Sizes a=10, b=91, c=820, d=7381 nodes; aliases so far add 90+819+7380 = 8289, so e's first
    # alias (+7381) breaks the budget of 10,000, before anything is expanded.
    assert span(f) == (4, 7, 4, 9)


def test_large_scalar_aliased_many_times_breaks_the_text_budget() -> None:
    """3,000 aliases of a 100 KB scalar are few nodes but 300 MB of text: the 11th alias breaks the
    1,000,000-character budget (the anchor's own key and value are not expanded text)."""
    text = "name: &big " + "x" * 100_000 + "\nlist:\n" + "  - *big\n" * 3000
    f = only(text, "SY108")
    assert "1,000,000 characters" in f.message
    assert span(f) == (12, 4, 12, 8)  # line 12: the 11th alias


def test_recursive_alias() -> None:
    f = only("a: &x [1, *x]\n", "SY110")
    assert span(f) == (0, 10, 0, 12)


def test_ten_thousand_deep_flow_nesting() -> None:
    f = only("[" * 10_000 + "]" * 10_000, "SY109")
    assert f.severity == Severity.ERROR
    assert span(f) == (0, 1000, 0, 1001)  # libyaml's own flow-depth limit is met before ours


def test_ten_thousand_deep_block_nesting() -> None:
    f = only("- " * 10_000 + "x\n", "SY109")
    assert span(f)[:2] == (0, 128)


def test_five_megabyte_file_is_refused_up_front() -> None:
    big = VALID + ("# " + "x" * 77 + "\n") * (5 * 1024 * 1024 // 80)
    assert len(big) > MAX_BYTES
    result = validate_text(big.encode())
    assert codes(result) == ["SY107"]
    assert result.findings[0].message == "the file is 5.0 MB; configurations over 2 MB are not read"
    assert result.config is None


def test_file_just_under_the_limit_is_validated() -> None:
    filler = "# " + "x" * 97 + "\n"
    text = VALID + filler * ((MAX_BYTES - 1000) // len(filler))
    result = validate_text(text)
    assert result.findings == [] and result.config is not None


def test_non_utf8_bytes_point_at_the_first_bad_byte() -> None:
    data = VALID.encode().replace(b"name: demo", b"name: d\xe9mo")
    f = only(data, "SY106")
    assert span(f) == (1, 7, 1, 8)
    assert "0xe9" in f.message and "line 2, column 8" in f.message


def test_non_utf8_after_multibyte_characters_counts_code_points() -> None:
    f = only("# é€\n".encode() + b"a: \xff\n", "SY106")
    assert span(f) == (1, 3, 1, 4)


def test_bom_bytes_pass() -> None:
    assert validate_text(b"\xef\xbb\xbf" + VALID.encode()).findings == []


def test_bom_in_text_shifts_line_zero_columns() -> None:
    f = only("\ufeff" + VALID.replace('"3.0"', "3.0"), "SC204")
    assert span(f) == (0, 10, 0, 13)


def test_utf16_with_bom_is_read() -> None:
    assert validate_text(VALID.encode("utf-16")).findings == []


def test_crlf_positions_are_the_same_as_lf() -> None:
    lf = only(VALID.replace("docker", "dockr"), "SC205")
    crlf = only(VALID.replace("docker", "dockr").replace("\n", "\r\n"), "SC205")
    assert span(lf) == span(crlf) == (3, 12, 3, 17)


def test_empty_file() -> None:
    f = only("", "SC201")
    assert f.severity == Severity.ERROR and "empty configuration" in f.message
    assert span(f) == (0, 0, 0, 0)


def test_only_comments() -> None:
    f = only("# a\n# b\n", "SC201")
    assert "empty configuration" in f.message


def test_empty_fix_inserts_a_valid_configuration() -> None:
    from validate_helpers import apply

    text = "# my env\n"
    f = only(text, "SC201")
    fixed = apply(text, f.fixes[0])
    assert validate_text(fixed).findings == []


def test_control_characters_are_a_syntax_error() -> None:
    f = only(VALID + "x: \x00\n", "SY101")
    assert span(f) == (6, 3, 6, 4)
    assert "control characters" in f.message and "U+0000" in f.message


def test_tab_indentation() -> None:
    f = only('version: "3.0"\ndeployment:\n\tprovider: docker\n', "SY102")
    assert span(f) == (2, 0, 2, 1)
    assert "tab" in f.message


def test_syntax_error_at_its_real_position() -> None:
    f = only('version: "3.0"\nname: [a, b\nextensions: x\n', "SY101")
    assert span(f) == (1, 6, 1, 7)  # the '[' that is never closed, not where the parser gave up
    assert f.message.startswith("unclosed '['") and "line" not in f.message


def test_second_document_is_flagged_and_ignored() -> None:
    result = validate_text(VALID + "---\nbroken: [\n")
    assert codes(result) == ["SY103"]
    assert span(result.findings[0]) == (6, 0, 6, 3)
    assert result.config is not None


def test_duplicate_key_keeps_the_first_and_fix_removes_the_entry() -> None:
    from validate_helpers import apply

    text = VALID + "deployment:\n  provider: fly\n"
    f = only(text, "SY104")
    assert span(f) == (6, 0, 6, 10)
    assert f.related[0][0].start.line == 2
    assert apply(text, f.fixes[0]) == VALID


def test_duplicate_key_in_flow_mapping() -> None:
    from validate_helpers import apply

    text = VALID.replace("extensions:\n  profile: minimal", "extensions: {profile: minimal, profile: x}")
    f = only(text, "SY104")
    assert apply(text, f.fixes[0]).endswith("extensions: {profile: minimal}\n")


def test_complex_key() -> None:
    f = only(VALID + "? [a, b]\n: 1\n", "SY105")
    assert span(f)[:2] == (6, 2)


def test_unknown_tag_is_read_as_text() -> None:
    result = validate_text(VALID.replace("name: demo", "name: !custom demo"))
    assert codes(result) == ["SY101"] and "unknown tag" in result.findings[0].message


def test_merge_keys_are_supported() -> None:
    text = (
        'version: "3.0"\nname: demo\nbase: &b {provider: docker}\n'
        "deployment:\n  <<: *b\nextensions: {profile: minimal}\n"
    )
    result = validate_text(text)
    assert codes(result) == ["SC202"]  # only `base` is unknown
    assert result.config is not None and result.config.provider == "docker"


def test_parse_never_raises_on_garbage() -> None:
    for junk in [
        "{",
        "]",
        "&",
        "*",
        "!!",
        ": :",
        "'unterminated",
        "- - - -",
        "\x85\u2028",
        "? ? ?",
        "%YAML 9\n",
    ]:
        result = validate_text(junk)
        assert result.config is None, repr(junk)
        assert result.findings and all(f.severity == Severity.ERROR for f in result.findings), repr(junk)
        parsed = parse(junk)
        assert {f.code for f in parsed.findings} <= {"SY101", "SY105"}, repr(junk)


def test_positions_count_lines_as_editors_do_after_yaml_only_line_breaks() -> None:
    # YAML (libyaml) also breaks lines at U+2028, U+2029 and NEL; an editor does not.
    for char in ("\u2028", "\u2029"):
        text = f'version: "3.0"\nname: "a{char}b"\ndeployment:\n  provider: nope\n'
        f = only(text, "SC205")
        assert span(f) == (3, 12, 3, 16), (repr(char), span(f))


def test_a_syntax_error_after_a_unicode_line_separator_is_on_the_editors_line() -> None:
    text = 'name: "a\u2028b"\nx: [1\n'
    (finding,) = parse(text).findings
    assert (finding.range.start.line, finding.range.start.character) == (1, 3), finding
    assert finding.message.startswith("unclosed '['")


def test_a_bad_character_after_a_lone_cr_is_on_its_line() -> None:
    f = only('version: "3.0"\rname: x\x07\r', "SY101")
    assert span(f)[:2] == (1, 7), span(f)


def test_many_duplicate_keys_are_each_reported_with_their_fix() -> None:
    text = 'version: "3.0"\nname: x\n' + "".join(f"name: y{i}\n" for i in range(3000))
    found = [f for f in validate_text(text).findings if f.code == "SY104"]
    assert len(found) == 3000 and all(f.fixes for f in found)
    assert span(found[-1]) == (3001, 0, 3001, 4)


def test_a_huge_bad_value_is_quoted_short_in_its_message() -> None:
    text = VALID.replace("name: ", "name: X" + "y" * 100_000 + "\nold: ")
    f = only(text, "SC206")
    assert len(f.message) < 300 and "Xyyy" in f.message and "…" in f.message
