"""What `feedpub init` reads of the git repository a new site is started in: the GitHub
Pages address of its origin, the branch it publishes from, and where its work tree begins
(GitHub runs only the workflows at its top)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

_GITHUB_REMOTE = re.compile(
    r"(?:https://(?:[^@/]+@)?github\.com/|git@github\.com:|ssh://git@github\.com/)"
    r"(?P<owner>[A-Za-z0-9-]+)/(?P<repo>[A-Za-z0-9._-]+?)(?:\.git)?/?"
)


def github_pages_url(root: Path) -> str | None:
    """The GitHub Pages address of the repository `root` is a clone of, if it is one."""
    folder = root if root.is_dir() else None
    if folder is None:
        return None
    try:
        remote = subprocess.run(
            ["git", "-C", str(folder), "remote", "get-url", "origin"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        return None
    m = _GITHUB_REMOTE.fullmatch(remote)
    if m is None:
        return None
    owner, repo = m.group("owner").lower(), m.group("repo")
    if repo.lower() == f"{owner}.github.io":
        return f"https://{owner}.github.io/"
    return f"https://{owner}.github.io/{repo}/"


def no_pages_url(root: Path) -> str:
    """Why github_pages_url() has no address for a site to be made at `root`."""
    above = next((f for f in root.parents if f.is_dir()), None)
    if not root.exists() and above is not None and github_pages_url(above) is not None:
        return (
            f"{root.name}/ would be a folder inside a clone of a GitHub repository, and GitHub"
            " runs only the workflows at the top of a repository: run `feedpub init` at the"
            " top of the clone, or give --base-url"
        )
    return "no GitHub remote `origin` here to derive it from"


_BRANCH = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*")  # nothing a workflow's filter reads


def published_branch(root: Path) -> str:
    """The branch the site is published from: the default branch of the repository `root`
    was cloned from; in an empty clone, the one checked out (the remote's default); else
    `main` or `master` if the repository has one, as a site started on a branch of its own
    (to merge by pull request) is published from them; else the one checked out; outside
    git, `main`, as `git init -b main` makes."""
    folder = next((f for f in (root, *root.parents) if f.is_dir()), Path("."))

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(folder), *args], capture_output=True, text=True, check=False
            )
        except OSError:  # no git
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    default = git("symbolic-ref", "--short", "--quiet", "refs/remotes/origin/HEAD") or ""
    checked_out = git("symbolic-ref", "--short", "--quiet", "HEAD") or ""
    unborn = git("rev-parse", "--verify", "--quiet", "HEAD") is None
    found = [default.removeprefix("origin/"), checked_out if unborn else ""]
    found += [name for name in ("main", "master") if git("rev-parse", "--verify", "--quiet", name)]
    found.append(checked_out)  # a repository whose only branch is another (trunk)
    return next((name for name in found if name and _BRANCH.fullmatch(name)), "main")


def work_tree(folder: Path) -> Path | None:
    """The top folder of the git work tree `folder` is in; None in none git knows."""
    try:
        asked = ["git", "-C", str(folder), "rev-parse", "--show-toplevel"]
        done = subprocess.run(asked, capture_output=True, text=True, check=False)
    except OSError:  # no git
        return None
    return Path(done.stdout.strip()).resolve() if done.returncode == 0 else None
