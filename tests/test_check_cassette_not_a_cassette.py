"""``telnyx-mock check-cassette`` on YAML that is not a cassette: exit 2 and one clear line, as the
README promises (not ``0 divergence(s)``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockserver.cassette import format as cformat
from mockserver.cli import main


@pytest.mark.parametrize(
    "text", ["foo: bar\n", "{}\n", "version: 1\n"], ids=["foo-bar", "empty-mapping", "no-list"]
)
def test_yaml_that_is_not_a_cassette_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(text)
    assert main(["check-cassette", "--quiet", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(
        f"telnyx-mock check-cassette: {path}: not a cassette: no 'interactions' list"
    )
    assert captured.err.count("\n") == 1


def test_the_message_names_the_keys_found() -> None:
    with pytest.raises(cformat.CassetteError, match=r"\(keys found: 'foo'\)"):
        cformat.loads("foo: bar\n")


def test_an_empty_cassette_is_still_a_cassette() -> None:
    assert len(cformat.loads("interactions: []\nversion: 1\n")) == 0
    assert len(cformat.loads(cformat.dumps(cformat.Cassette()))) == 0
