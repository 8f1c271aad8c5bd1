"""The nonce that fences repository text in every prompt: unguessable by the repository, stable per installation.

Repository text reaches the model between ``<<<REPO-DATA nonce>>>`` and ``<<<END REPO-DATA nonce>>>``; a file
that could write the closing line could pass its own instructions as ours, so the nonce must be one the
repository's author cannot know. A fresh random nonce per run does that, but it also makes the model's answers
(which the nonce in the shared prefix nudges) differ from run to run on unchanged code: the same repository could
get a finding one night and lose it the next. So the nonce is a keyed hash: a random key made once and kept in
this machine's cache folder (mode 0600, never inside the repository), hashed with a fixed label. Runs on one
installation agree with each other; another installation, or a deleted key, gets another nonce. Where the key
cannot be kept (a read-only home), each run draws a random nonce, as before.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from reviewer.userdirs import cache_base

__all__ = ["KEY_FILE", "fence_nonce"]

KEY_FILE = "fence.key"
_KEY_BYTES = 32
_LABEL = b"reviewer REPO-DATA fence v1"


def _stored_key(path: Path) -> bytes:
    """The key at ``path``, made (0600, never overwritten once whole) when it is missing or cut short."""
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        key = b""
    if len(key) >= _KEY_BYTES:
        return key
    if key:
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(_KEY_BYTES)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another run made it first: use theirs once it is whole
        theirs = path.read_bytes()
        return theirs if len(theirs) >= _KEY_BYTES else key
    with os.fdopen(fd, "wb") as out:
        out.write(key)
    return key


def fence_nonce(base: Path | None = None) -> str:
    """Twelve hex digits from this installation's key (under ``base``, default the cache folder); a random nonce
    when the key can be neither read nor made."""
    try:
        key = _stored_key((base or cache_base()) / KEY_FILE)
    except OSError:
        return secrets.token_hex(6)
    return hmac.new(key, _LABEL, hashlib.sha256).hexdigest()[:12]
