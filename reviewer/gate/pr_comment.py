"""Create or update ONE pull-request comment, found by a hidden marker, instead of posting one per run.

Used by the GitHub Action through ``reviewer pr-comment``. It lists the issue comments of the pull request
(every page), takes the first one whose body contains the marker and PATCHes it; when there is none it POSTs
a new one. The marker is put at the top of the body when the body lacks it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from reviewer.errors import BackendError, UsageError

__all__ = ["MARKER", "CommentOutcome", "PullRequestRef", "find_marked", "pull_request_from_env", "upsert_comment"]

MARKER = "<!-- reviewer-report -->"
MAX_BODY = 65_000  # GitHub rejects comment bodies over 65,536 characters
_SERVICE = "github"


@dataclass(frozen=True)
class PullRequestRef:
    api_url: str
    repository: str
    number: int
    token: str


@dataclass(frozen=True)
class CommentOutcome:
    action: str  # "created" or "updated"
    comment_id: int
    url: str


def pull_request_from_env(env: dict[str, str] | None = None) -> PullRequestRef:
    """The pull request of the running workflow, from GITHUB_* variables and the event payload."""
    env = dict(os.environ) if env is None else env
    missing = [k for k in ("GITHUB_TOKEN", "GITHUB_REPOSITORY", "GITHUB_EVENT_PATH") if not env.get(k)]
    if missing:
        raise UsageError(f"pr-comment needs {', '.join(missing)} (run it inside a pull_request workflow)")
    event_path = Path(env["GITHUB_EVENT_PATH"])
    try:
        event = json.loads(event_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise UsageError(f"{event_path}: cannot read the event payload: {exc}") from exc
    number = (event.get("pull_request") or {}).get("number") or event.get("number")
    if not isinstance(number, int):
        raise UsageError(f"{event_path}: not a pull_request event (no pull request number)")
    return PullRequestRef(
        api_url=env.get("GITHUB_API_URL", "https://api.github.com"),
        repository=env["GITHUB_REPOSITORY"],
        number=number,
        token=env["GITHUB_TOKEN"],
    )


def find_marked(comments: list[dict[str, Any]], marker: str = MARKER) -> dict[str, Any] | None:
    """The first comment whose body contains the marker."""
    return next((c for c in comments if marker in (c.get("body") or "")), None)


def _request(client: httpx.Client, method: str, url: str, **kwargs: Any) -> httpx.Response:
    try:
        response = client.request(method, url, **kwargs)
        response.raise_for_status()
    except httpx.HTTPStatusError as exc:
        raise BackendError(f"{method} {url}: HTTP {exc.response.status_code}", backend=_SERVICE) from exc
    except httpx.HTTPError as exc:
        raise BackendError(f"{method} {url}: {exc}", backend=_SERVICE) from exc
    return response


def _list_comments(client: httpx.Client, url: str) -> list[dict[str, Any]]:
    comments: list[dict[str, Any]] = []
    next_url: str | None = url
    params: dict[str, Any] | None = {"per_page": 100}
    while next_url:
        response = _request(client, "GET", next_url, params=params)
        comments.extend(response.json())
        next_url = response.links.get("next", {}).get("url")
        params = None  # the next link carries its own query
    return comments


def upsert_comment(
    pr: PullRequestRef, body: str, *, marker: str = MARKER, transport: httpx.BaseTransport | None = None
) -> CommentOutcome:
    """PATCH the marked comment of the pull request, or POST a new one."""
    text = body if marker in body else f"{marker}\n{body}"
    if len(text) > MAX_BODY:
        text = text[:MAX_BODY] + "\n\n_(truncated: the full report is in the workflow's artifacts)_\n"
    headers = {"Authorization": f"Bearer {pr.token}", "Accept": "application/vnd.github+json"}
    with httpx.Client(base_url=pr.api_url, headers=headers, timeout=30.0, transport=transport) as client:
        existing = find_marked(_list_comments(client, f"/repos/{pr.repository}/issues/{pr.number}/comments"), marker)
        if existing is not None:
            url = f"/repos/{pr.repository}/issues/comments/{existing['id']}"
            data = _request(client, "PATCH", url, json={"body": text}).json()
            return CommentOutcome("updated", int(data["id"]), str(data.get("html_url", "")))
        url = f"/repos/{pr.repository}/issues/{pr.number}/comments"
        data = _request(client, "POST", url, json={"body": text}).json()
        return CommentOutcome("created", int(data["id"]), str(data.get("html_url", "")))
