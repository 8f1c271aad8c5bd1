"""The llama.cpp backend against a direct llama-cpp-python call, and the prefix-reuse gain.

    python benchmarks/backend.py [--model smollm2-135m] [--rounds 3] [--max-tokens 64]

1. Overhead: the same prompt, settings and threads through ``LlamaCppBackend.complete`` and through
   ``llama_cpp.Llama.create_chat_completion``, alternated ``--rounds`` times (so both see the same machine
   load); tokens/s = completion tokens / wall time of the call. Target: overhead <= 10 %.
2. Prefix reuse: 5 requests sharing a long evidence prefix (persona question last), once as they come (the
   KV state of the shared prefix is reused) and once with the KV state reset before each request.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

from reviewer.backends.base import CompletionRequest, Message
from reviewer.backends.llamacpp import LlamaCppBackend, LlamaCppOptions, default_threads, import_llama_cpp
from reviewer.backends.models import resolve_model

PROMPT = "Explain what a race condition is and how a lock prevents it, with a short Python example."
PERSONAS = ["product engineer", "QA engineer", "architect", "test engineer", "security engineer"]
N_CTX = 4096


def _evidence(lines: int) -> str:
    return "\n".join(f"src/pkg/module_{i}.py: handler_{i} complexity {i % 9 + 2}, coverage {(i * 37) % 100}%"
                     for i in range(lines))


def overhead(model: str, rounds: int, max_tokens: int) -> None:
    llama_cpp = import_llama_cpp()
    gen, batch = default_threads()
    backend = LlamaCppBackend(LlamaCppOptions(model=model, n_ctx=N_CTX))
    backend.load()
    direct = llama_cpp.Llama(model_path=str(resolve_model(model)), n_ctx=N_CTX, n_threads=gen,
                             n_threads_batch=batch, n_batch=512, seed=0, verbose=False)
    messages: list[dict[str, Any]] = [{"role": "user", "content": PROMPT}]
    request = CompletionRequest(messages=[Message(role="user", content=PROMPT)], max_tokens=max_tokens,
                                temperature=0.0, seed=0)
    ours, theirs = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        done = backend.complete(request)
        ours.append(done.usage.completion_tokens / (time.perf_counter() - start))
        start = time.perf_counter()
        raw = direct.create_chat_completion(messages=messages, max_tokens=max_tokens, temperature=0.0, seed=0)
        theirs.append(raw["usage"]["completion_tokens"] / (time.perf_counter() - start))
    backend.close()
    direct.close()
    ours_m, theirs_m = statistics.median(ours), statistics.median(theirs)
    print(f"overhead ({model}, {gen}/{batch} threads, {max_tokens} tokens, {rounds} rounds):")
    print(f"  direct llama-cpp-python  {theirs_m:6.1f} tok/s  (runs {', '.join(f'{x:.1f}' for x in theirs)})")
    print(f"  LlamaCppBackend          {ours_m:6.1f} tok/s  (runs {', '.join(f'{x:.1f}' for x in ours)})")
    print(f"  overhead                 {100 * (theirs_m - ours_m) / theirs_m:+6.1f} %  (target <= 10 %)")


def _five(backend: LlamaCppBackend, evidence: str, reset: bool) -> tuple[float, float, int, int]:
    wall = prompt_s = 0.0
    prompt_tokens = cached = 0
    for persona in PERSONAS:
        if reset and backend._llama is not None:  # benchmark only: drop the KV state to measure the baseline
            backend._llama.reset()
        request = CompletionRequest(messages=[
            Message(role="system", content=f"Evidence about the repository:\n{evidence}"),
            Message(role="user", content=f"As the {persona}, name the riskiest module in one sentence."),
        ], max_tokens=16)
        start = time.perf_counter()
        done = backend.complete(request)
        wall += time.perf_counter() - start
        prompt_s += done.timings.prompt_s or 0.0
        prompt_tokens += done.usage.prompt_tokens
        cached += done.usage.cached_tokens or 0
    return wall, prompt_s, prompt_tokens, cached


def prefix_reuse(model: str, lines: int) -> None:
    evidence = _evidence(lines)
    with LlamaCppBackend(LlamaCppOptions(model=model, n_ctx=N_CTX)) as backend:
        backend.load()
        cold = _five(backend, evidence, reset=True)
        backend._llama.reset()
        warm = _five(backend, evidence, reset=False)
    print(f"prefix reuse ({model}, 5 requests, {cold[2] // 5} prompt tokens each):")
    for label, (wall, prompt_s, tokens, cached) in (("no reuse (reset)", cold), ("shared prefix", warm)):
        print(f"  {label:18} wall {wall:6.1f} s, prompt eval {prompt_s:6.1f} s, cached {cached}/{tokens} tokens")
    print(f"  gain: {cold[0] / warm[0]:.2f}x wall, {cold[1] / max(warm[1], 1e-9):.1f}x prompt eval")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="smollm2-135m", help="alias or GGUF path")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--evidence-lines", type=int, default=40)
    parser.add_argument("--skip-overhead", action="store_true")
    args = parser.parse_args()
    if not args.skip_overhead:
        overhead(args.model, args.rounds, args.max_tokens)
    prefix_reuse(args.model, args.evidence_lines)


if __name__ == "__main__":
    main()
