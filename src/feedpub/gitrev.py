"""Read-only git plumbing in a site's folder, never fetching: a revision's settings and
entry files, and which files git sees as renamed since. Used by the pull-request guard
(guard.py), which must need no checkout, no network and no built public/."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from feedpub.config import CONFIG_NAME
from feedpub.listing import ENTRIES_DIR

# What to tell someone whose clone lacks the revision: CI checkouts are shallow by default.
FETCH_HINT = (
    "fetch it first (`git fetch origin` for a branch); in GitHub Actions, give"
    " actions/checkout `fetch-depth: 0`"
)


@dataclass(frozen=True, slots=True)
class Blob:
    name: str
    object_id: str
    size: int
    data: bytes = b""


# The build reads a submodule's checkout as entries/; the guard reads only this repository.
ENTRIES_SUBMODULE = f"{ENTRIES_DIR}/ is a git submodule (its statements kept in another repository)"
KEEP_HERE = "keep the entries in the site's own repository"


class GitError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class GitRevision:
    """Read-only git plumbing in the site's folder, never fetching: REV's files, renames."""

    def __init__(self, root: Path, rev: str) -> None:
        self.root = root
        self.rev = rev
        self._format = ""

    def run(
        self, *args: str, data: bytes | None = None, env: dict[str, str] | None = None
    ) -> bytes:
        # GIT_NO_LAZY_FETCH: in a partial clone, a missing object is an error, not a download.
        environ = {**os.environ, "GIT_NO_LAZY_FETCH": "1", "GIT_TERMINAL_PROMPT": "0"}
        try:
            done = subprocess.run(
                ["git", "-C", str(self.root), *args],
                input=data,
                capture_output=True,
                check=False,
                env={**environ, **(env or {})},
            )
        except FileNotFoundError:
            raise GitError("git is not installed; the guard reads the revision with git") from None
        if done.returncode != 0:
            said = done.stderr.decode(errors="replace").strip().splitlines()
            raise GitError(said[-1] if said else f"git {args[0]} failed")
        return done.stdout

    def resolve(self) -> str | None:
        """REV's commit, or None in a repository with no commit yet when REV is HEAD."""
        try:
            self.run("rev-parse", "--show-prefix")
        except GitError:
            raise GitError(
                f"{self.root} is not in a git repository; the guard compares the entries with a"
                " git revision, so run it in a clone"
            ) from None
        if self.rev.startswith("-"):
            raise GitError("is not a revision; give a branch, a tag or a commit")
        try:
            # `:/text` (the newest commit whose message matches) would read ^{commit} as text.
            spec = self.rev if self.rev.startswith(":/") else f"{self.rev}^{{commit}}"
            found = self.run("rev-parse", "--verify", "--quiet", spec)
            return found.decode().strip()
        except GitError:
            pass
        unborn = self.rev == "HEAD"
        if unborn:
            try:
                self.run("rev-parse", "--verify", "--quiet", "HEAD")
                unborn = False
            except GitError:
                pass
        if unborn:
            return None
        shallow = self.run("rev-parse", "--is-shallow-repository").decode().strip() == "true"
        why = " (this clone is shallow)" if shallow else ""
        raise GitError(f"no such revision in this clone{why}; {FETCH_HINT}")

    def read_site(self, sha: str) -> tuple[bytes | None, list[Blob]]:
        """feedpub.yaml at `sha` (None if it had none) and the files directly in entries/."""
        listing = self.run("ls-tree", "-z", "-l", sha, "--", CONFIG_NAME, f"{ENTRIES_DIR}/")
        config: Blob | None = None
        entries: list[Blob] = []
        for record in listing.decode("utf-8", errors="surrogateescape").split("\0"):
            if not record:
                continue
            meta, path = record.split("\t", 1)
            mode, kind, object_id, size = meta.split()
            if path == ENTRIES_DIR and kind == "commit":  # its files are in another repository
                raise GitError(
                    f"{ENTRIES_SUBMODULE} at this revision, so what it published cannot be"
                    f" compared; {KEEP_HERE}"
                )
            if kind != "blob" or mode == "120000":  # folders and links are never read
                continue
            if path == CONFIG_NAME:
                config = Blob(path, object_id, int(size))
            elif not path.rsplit("/", 1)[-1].startswith("."):
                entries.append(Blob(path.rsplit("/", 1)[-1], object_id, int(size)))
        wanted = [b for b in ([config] if config else []) + entries if b.name.endswith(".yaml")]
        contents = self._cat([b.object_id for b in wanted])
        entries = [
            Blob(b.name, b.object_id, b.size, contents.get(b.object_id, b"")) for b in entries
        ]
        return (contents[config.object_id] if config else None), entries

    def check_entries_here(self) -> None:
        """Raise GitError if the working tree's entries/ is a submodule: the next pull
        request's guard could not read it at this revision (see read_site)."""
        if (self.root / ENTRIES_DIR / ".git").exists():
            raise GitError(
                f"{ENTRIES_SUBMODULE} in the working tree, so the guard could not read what"
                f" it publishes once this change is the base; {KEEP_HERE}"
            )

    def _cat(self, object_ids: list[str]) -> dict[str, bytes]:
        if not object_ids:
            return {}
        output = self.run(
            "cat-file", "--batch", data="".join(f"{o}\n" for o in object_ids).encode()
        )
        found: dict[str, bytes] = {}
        at = 0
        for object_id in object_ids:
            end = output.index(b"\n", at)
            header = output[at:end].decode().split()
            if len(header) != 3:
                raise GitError(
                    f"cannot read {object_id} ({' '.join(header)}): the clone is incomplete;"
                    f" {FETCH_HINT}"
                )
            size = int(header[2])
            found[object_id] = output[end + 1 : end + 1 + size]
            at = end + 1 + size + 1
        return found

    def hash_object(self, data: bytes) -> str:
        """The id git gives these bytes as a blob, computed here rather than by a process."""
        if not self._format:
            self._format = self.run("rev-parse", "--show-object-format").decode().strip()
        algorithm = hashlib.sha256 if self._format == "sha256" else hashlib.sha1
        return algorithm(b"blob %d\0" % len(data) + data).hexdigest()

    def renames(self, sha: str) -> dict[str, str]:
        """Entry files git sees renamed between `sha` and the working tree, untracked ones
        included (through a throw-away copy of the index: the real one is never touched)."""
        with tempfile.TemporaryDirectory(prefix="feedpub-guard-") as scratch:
            env: dict[str, str] = {}
            untracked = self.run(
                "ls-files", "-z", "--others", "--exclude-standard", "--", f"{ENTRIES_DIR}/"
            ).split(b"\0")
            untracked = [u for u in untracked if u]
            if untracked:
                index = Path(scratch) / "index"
                real = self.run("rev-parse", "--git-path", "index").decode().strip()
                real_path = Path(real) if os.path.isabs(real) else self.root / real
                if real_path.exists():
                    shutil.copyfile(real_path, index)
                env["GIT_INDEX_FILE"] = str(index)
                # Named on stdin, not the command line: there may be more than it holds, and
                # names that are not UTF-8; each a name, never a pattern.
                self.run(
                    "add",
                    "--intent-to-add",
                    "--pathspec-from-file=-",
                    "--pathspec-file-nul",
                    data=b"\0".join(untracked),
                    env={**env, "GIT_LITERAL_PATHSPECS": "1"},
                )
            diff = self.run(
                "diff",
                "-z",
                "-M",
                "--name-status",
                "--relative",
                "--no-ext-diff",
                sha,
                "--",
                f"{ENTRIES_DIR}/",
                env=env,
            )
        fields = diff.decode("utf-8", errors="surrogateescape").split("\0")
        renamed: dict[str, str] = {}
        at = 0
        while at < len(fields) - 1:
            status = fields[at]
            if status.startswith(("R", "C")):
                old, new = fields[at + 1], fields[at + 2]
                if status.startswith("R"):
                    renamed[old.rsplit("/", 1)[-1]] = new.rsplit("/", 1)[-1]
                at += 3
            else:
                at += 2
        return renamed
