"""radon's raw metrics (``radon.raw.analyze``) in linear time, for files where radon itself is quadratic.

``radon.raw.analyze`` strips every line and, for a statement spanning *n* lines, re-tokenizes the growing
buffer after each added line: O(n²) tokenizer work. A generated literal of a few thousand lines (rich's
``_emoji_codes.py``) then takes over a minute. This module tokenizes the same stripped lines once and cuts the
token stream where radon's loop would stop (a NEWLINE/NL token outside brackets, except on an empty line that
ends a backslash continuation: radon's tokenizer never sees a buffer's trailing empty line, so it reads on),
then counts each chunk with radon's own helpers, so the figures are the same. The collector uses radon's
``analyze`` for ordinary files and this only for files with a long multi-line statement; anything unusual (an
error token, a tokenizer error) is handed back to radon by returning ``None``.
"""

from __future__ import annotations

import io
import tokenize
from collections.abc import Iterator

from radon.raw import COMMENT, EM, NEWLINE, NL, Module, _logical, is_single_token

__all__ = ["linear_raw_analyze"]

_Token = tokenize.TokenInfo
_OPEN = frozenset("([{")
_CLOSE = frozenset(")]}")


def _chunks(lines: list[str]) -> Iterator[tuple[list[_Token], int, int]]:
    """(tokens, first_row, last_row) of each group of lines radon's analyze would tokenize together."""
    depth = 0
    current: list[_Token] = []
    start_row = 1
    clean_row = 0  # the last row a statement ended on where radon's loop read on regardless
    readline = io.StringIO("\n".join(lines)).readline
    for tok in tokenize.generate_tokens(readline):
        if tok.type == tokenize.ERRORTOKEN:
            raise ValueError("error token")
        if tok.type == EM:
            break
        if tok.type == tokenize.OP and tok.string in _OPEN:
            depth += 1
        elif tok.type == tokenize.OP and tok.string in _CLOSE:
            depth -= 1
        current.append(tok)
        if tok.type in (NEWLINE, NL) and depth == 0:
            end_row = tok.start[0]
            if lines[end_row - 1] or end_row == start_row or clean_row == end_row - 1:
                yield current, start_row, end_row
                current, start_row = [], end_row + 1
            else:
                # An empty line ends a backslash-continued statement here, but radon's buffer ends with that
                # line and its tokenizer never sees a trailing empty line: radon reads on to the next line.
                clean_row = end_row
    if current:
        if current[-1].start[0] == clean_row and clean_row + 1 == len(lines):
            yield current, start_row, clean_row + 1  # radon's last buffer: ends with the file's final empty line
        else:
            raise ValueError("unterminated statement")


def _end_marker(row: int) -> _Token:
    return tokenize.TokenInfo(EM, "", (row + 1, 0), (row + 1, 0), "")


def linear_raw_analyze(source: str) -> Module | None:
    """The same ``Module`` as ``radon.raw.analyze(source)``, or None when this pass cannot vouch for it."""
    lines = [line.strip() for line in source.splitlines()]
    lloc = comments = single_comments = multi = blank = sloc = 0
    try:
        chunks = list(_chunks(lines))
    except (ValueError, tokenize.TokenError, IndentationError):
        return None
    covered = 0
    for tokens, first, last in chunks:
        parsed = lines[first - 1 : last]
        covered += len(parsed)
        tokens = [*tokens, _end_marker(last)]
        comments += sum(1 for t in tokens if t.type == COMMENT)
        if is_single_token(COMMENT, tokens):
            single_comments += 1
        elif is_single_token(tokenize.STRING, tokens):
            if tokens[0].start[0] == tokens[0].end[0]:
                single_comments += 1
            else:
                multi += sum(1 for line in parsed if line)
                blank += sum(1 for line in parsed if not line)
        else:
            sloc += sum(1 for line in parsed if line)
            blank += sum(1 for line in parsed if not line)
        lloc += _logical(tokens)
    rest = lines[covered:]
    if any(rest):
        return None
    blank += len(rest)  # a trailing empty line yields no token once the lines are joined
    loc = sloc + blank + multi + single_comments
    return Module(loc, lloc, sloc, comments, multi, blank, single_comments)
