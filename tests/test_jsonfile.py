"""Evidence, review and history files: every way a file can be wrong is one clear EvidenceFileError (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.errors import EvidenceFileError
from reviewer.evidence import SCHEMA_VERSION, Evidence, load_evidence, write_evidence


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read evidence file"),
        (b"{not json", "evidence file is not JSON"),
        (b"\xff\xfe\x00garbage", "evidence file is not JSON"),
        (b'{"schema_version": 999}', "evidence file schema_version 999, this reviewer reads"),
        (b"[1, 2]", "evidence file schema_version None"),
        (f'{{"schema_version": {SCHEMA_VERSION}, "repo_name": 5}}'.encode(), "invalid evidence file: 2 error(s)"),
    ],
)
def test_bad_evidence_files(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "evidence.json"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(EvidenceFileError) as exc:
        load_evidence(path)
    assert message in str(exc.value) and str(path) in str(exc.value)
    assert exc.value.exit_code == 2


def test_round_trip_leaves_no_temporary_file(tmp_path: Path) -> None:
    evidence = Evidence(tool_version="t", repo_name="r", notes=["x"])
    path = write_evidence(evidence, tmp_path / "deep" / "evidence.json")
    assert load_evidence(path) == evidence
    assert [p.name for p in path.parent.iterdir()] == ["evidence.json"]
