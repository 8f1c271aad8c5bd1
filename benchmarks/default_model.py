"""Choose the default model: the same short code review by each candidate, issues named against time.

    python benchmarks/default_model.py [--models smollm2-135m,qwen2.5-coder-1.5b] [--max-tokens 300]

The snippet has three planted security issues (SQL injection, pickle.loads, eval). An issue counts as named
when one line of the answer mentions it together with a risk word; the answers are printed for a human check.
"""

from __future__ import annotations

import argparse
import re
import time

from reviewer.backends.base import CompletionRequest, Message
from reviewer.backends.llamacpp import LlamaCppBackend, LlamaCppOptions

SNIPPET = '''import pickle
import sqlite3


def get_user(db: sqlite3.Connection, username: str):
    cur = db.cursor()
    cur.execute("SELECT * FROM users WHERE name = '" + username + "'")
    return cur.fetchone()


def load_session(blob: bytes):
    return pickle.loads(blob)


def calculate(expression: str):
    return eval(expression)
'''

RISK = r"(inject|untrusted|arbitrary|unsafe|insecure|danger|vulnerab|risk|attack|malicious|execut|sanitiz|secur)"
ISSUES = {
    "sql_injection": r"(sql|query|execute)",
    "pickle": r"(pickle|deserializ)",
    "eval": r"\beval\b",
}


def named_issues(answer: str) -> list[str]:
    """The planted issues that some line of the answer names together with a risk word."""
    found = []
    for issue, pattern in ISSUES.items():
        for line in answer.lower().splitlines():
            if re.search(pattern, line) and re.search(RISK, line):
                found.append(issue)
                break
    return found


def review(alias: str, max_tokens: int) -> None:
    backend = LlamaCppBackend(LlamaCppOptions(model=alias, n_ctx=2048))
    request = CompletionRequest(
        messages=[
            Message(role="system", content="You are a senior Python code reviewer focused on security."),
            Message(role="user", content="Review this code. List every security problem, one per line, "
                                         f"with the function name.\n\n```python\n{SNIPPET}```"),
        ],
        max_tokens=max_tokens,
    )
    start = time.perf_counter()
    with backend:
        backend.load()
        load_s = time.perf_counter() - start
        completion = backend.complete(request)
    timings, usage = completion.timings, completion.usage
    prompt_rate = usage.prompt_tokens / timings.prompt_s if timings.prompt_s else float("nan")
    gen_rate = timings.tokens_per_s(usage) or float("nan")
    found = named_issues(completion.text)
    print(f"== {alias}: named {len(found)}/3 {found}; load {load_s:.1f} s, prompt {usage.prompt_tokens} tok "
          f"at {prompt_rate:.1f} tok/s, generated {usage.completion_tokens} tok at {gen_rate:.1f} tok/s, "
          f"review {timings.total_s:.1f} s")
    print(completion.text.strip(), "\n", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", default="smollm2-135m,qwen2.5-coder-1.5b")
    parser.add_argument("--max-tokens", type=int, default=300)
    args = parser.parse_args()
    for alias in args.models.split(","):
        review(alias.strip(), args.max_tokens)


if __name__ == "__main__":
    main()
