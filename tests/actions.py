"""Run a GitHub Actions workflow's steps here, the way a GitHub-hosted runner would.

What the tests need of Actions, and no more: the event's jobs chosen by their `if:`, a local
reusable workflow (`uses: ./.github/workflows/X.yml`) run in place, each job's and step's
`if:` with the implicit `success() &&`, `${{ }}` in `env:` and `with:`, `run:` through the
shell the workflow names, GITHUB_ENV / GITHUB_OUTPUT / GITHUB_PATH, and the environment
variables the runner sets. Each job runs on a fresh runner, as on GitHub: the first to run
in the workspace the test prepared, a later one in an empty folder its checkout fills;
RUNNER_TEMP is emptied as each job begins. A job passes on its result and outputs
(needs.JOB.result, needs.JOB.outputs.X); a job it needs that failed or was skipped skips it,
unless its `if:` calls a status function: success() if all it needs succeeded, failure() if
an ancestor job failed, cancelled() never (no run is cancelled here).

Actions (`uses: owner/name@v`) cannot run here: each is handed to a function the
test gives, which emulates it or says why it is skipped; an action with no function fails
the run, so a new action in a workflow is a decision, not a silent skip.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


@dataclass
class StepResult:
    name: str
    status: str  # "ran", "failed", "skipped (if: ...)", or what an action's function said
    output: str = ""
    outputs: dict[str, str] = field(default_factory=dict)


@dataclass
class JobResult:
    name: str
    steps: list[StepResult] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(s.status == "failed" for s in self.steps)

    def step(self, name: str) -> StepResult:
        (found,) = [s for s in self.steps if s.name == name]
        return found

    @property
    def output(self) -> str:
        return "\n".join(s.output for s in self.steps)


Action = Callable[["Context", dict[str, str]], tuple[str, dict[str, str]]]


@dataclass
class Context:
    workspace: Path
    temp: Path
    event_name: str
    event: dict[str, Any]
    base_env: dict[str, str]
    env: dict[str, str] = field(default_factory=dict)
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)
    needs: dict[str, dict[str, Any]] = field(default_factory=dict)
    path: list[str] = field(default_factory=list)
    post: list[Callable[[], None]] = field(default_factory=list)  # actions' post steps
    job_failed: bool = False  # a step of this job failed; in the job's `if:`, an ancestor job
    needs_unmet: bool = False  # in the job's `if:`: a job it needs did not succeed

    def lookup(self, name: str) -> Any:
        parts = name.split(".")
        roots: dict[str, Any] = {
            "github": {
                "event_name": self.event_name,
                "event": self.event,
                "workspace": str(self.workspace),
                "ref": self.base_env.get("GITHUB_REF", ""),
                "sha": self.base_env.get("GITHUB_SHA", ""),
            },
            "env": self.env,
            "steps": self.steps,
            "needs": self.needs,
            "runner": {"temp": str(self.temp), "os": "Linux"},
        }
        value: Any = roots.get(parts[0])
        if value is None:
            raise ValueError(f"unknown context {parts[0]!r} in {name!r}")
        for part in parts[1:]:
            value = value.get(part) if isinstance(value, dict) else None
        return "" if value is None else value


_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<op>==|!=|&&|\|\||!|\(|\)|,)"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_.-]*))"
)


class _Expression:
    """The part of the Actions expression language the workflows use."""

    def __init__(self, text: str, context: Context) -> None:
        self.tokens: list[tuple[str, str]] = []
        at = 0
        text = text.strip()
        while at < len(text):
            m = _TOKEN.match(text, at)
            if m is None or m.end() == at:
                raise ValueError(f"cannot read the expression {text!r} at {at}")
            kind = m.lastgroup or ""
            self.tokens.append((kind, m.group(kind)))
            at = m.end()
        self.at = 0
        self.context = context

    def peek(self) -> str:
        return self.tokens[self.at][1] if self.at < len(self.tokens) else ""

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def value(self) -> Any:
        result = self.either()
        if self.at != len(self.tokens):
            raise ValueError(f"unexpected {self.peek()!r}")
        return result

    def either(self) -> Any:
        left = self.both()
        while self.peek() == "||":
            self.take()
            right = self.both()
            left = left if _truthy(left) else right
        return left

    def both(self) -> Any:
        left = self.negation()
        while self.peek() == "&&":
            self.take()
            right = self.negation()
            left = right if _truthy(left) else left
        return left

    def negation(self) -> Any:
        if self.peek() == "!":
            self.take()
            return not _truthy(self.negation())
        left = self.primary()
        if self.peek() in ("==", "!="):
            op = self.take()[1]
            equal = _loose(left) == _loose(self.primary())
            return equal if op == "==" else not equal
        return left

    def primary(self) -> Any:
        kind, text = self.take()
        if text == "(":
            inner = self.either()
            self.take()
            return inner
        if kind == "string":
            return text[1:-1].replace("''", "'")
        if text in ("true", "false"):
            return text == "true"
        if self.peek() == "(":
            self.take()
            args = []
            while self.peek() != ")":
                args.append(self.either())
                if self.peek() == ",":
                    self.take()
            self.take()
            return self.call(text, args)
        return self.context.lookup(text)

    def call(self, name: str, args: list[Any]) -> Any:
        if name == "success":
            return not (self.context.job_failed or self.context.needs_unmet)
        if name == "failure":
            return self.context.job_failed
        if name in ("always", "cancelled"):
            return name == "always"
        if name == "hashFiles":  # of the files the patterns match in the workspace
            # glob.glob, not Path.glob: before Python 3.13 "entries/**" gives folders only.
            matched = {
                m for a in args for m in glob.glob(f"{self.context.workspace}/{a}", recursive=True)
            }
            files = sorted(Path(m) for m in matched if Path(m).is_file())
            digest = hashlib.sha256()
            for found in files:
                digest.update(hashlib.sha256(found.read_bytes()).digest())
            return digest.hexdigest() if files else ""
        raise ValueError(f"the runner has no function {name}()")


def _truthy(value: Any) -> bool:
    return value not in (None, "", False, 0)


def _loose(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def evaluate(text: str, context: Context) -> Any:
    return _Expression(text, context).value()


def substitute(text: str, context: Context) -> str:
    """Replace each ${{ expression }} in a string, as Actions does in env: and with:."""
    return re.sub(r"\$\{\{(.*?)\}\}", lambda m: str(evaluate(m.group(1), context)), text)


def _condition(step_if: Any, context: Context) -> bool:
    text = str("success()" if step_if is None else step_if).strip()
    text = text[3:-2] if text.startswith("${{") else text
    if not re.search(r"\b(success|failure|always|cancelled)\(", text):
        text = f"success() && ({text})"
    return _truthy(evaluate(text, context))


def _read_env_file(path: Path) -> dict[str, str]:
    """KEY=value lines and KEY<<DELIMITER blocks, as GITHUB_ENV and GITHUB_OUTPUT hold."""
    found: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    at = 0
    while at < len(lines):
        line = lines[at]
        if "<<" in line and "=" not in line.split("<<", 1)[0]:
            key, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, at + 1)
            found[key] = "\n".join(lines[at + 1 : end])
            at = end + 1
            continue
        if "=" in line:
            key, value = line.split("=", 1)
            found[key] = value
        at += 1
    return found


class Runner:
    """Runs the jobs a workflow starts for one event, in a prepared workspace."""

    def __init__(
        self,
        workspace: Path,
        temp: Path,
        env: dict[str, str],
        actions: dict[str, Action],
        not_yet: dict[str, str] | None = None,
    ) -> None:
        self.workspace = workspace
        self.temp = temp
        self.env = env
        self.actions = actions
        self.not_yet = not_yet or {}  # `run:` text -> why it cannot run in this tree yet

    def run(
        self, workflow: str, event_name: str, event: dict[str, Any], *, called: bool = False
    ) -> list[JobResult]:
        """The jobs `workflow` runs for the event (none if it does not start on it)."""
        document = yaml.safe_load((self.workspace / workflow).read_text(encoding="utf-8"))
        triggers = document[True]  # YAML 1.1 reads the key `on` as true
        wanted = "workflow_call" if called else event_name
        if wanted not in (triggers if isinstance(triggers, dict | list) else [triggers]):
            return []
        results: list[JobResult] = []
        shell = document.get("defaults", {}).get("run", {}).get("shell")
        finished: dict[str, dict[str, Any]] = {}  # each job's result and outputs
        failed: set[str] = set()  # the jobs that failed or have an ancestor that did
        for name, job in document["jobs"].items():
            workspace = self.workspace if not results else self._fresh(name)
            context = self._context(event_name, event, document.get("env", {}), workspace)
            needs = job.get("needs", [])
            context.needs = {n: finished[n] for n in ([needs] if isinstance(needs, str) else needs)}
            context.needs_unmet = any(n["result"] != "success" for n in context.needs.values())
            context.job_failed = any(n in failed for n in context.needs)  # failure()'s ancestors
            failed.update([name] if context.job_failed else [])
            if not _condition(job.get("if"), context):
                finished[name] = {"result": "skipped", "outputs": {}}
                continue
            context.job_failed = context.needs_unmet = False  # its steps' are its own steps'
            if "uses" in job:  # a reusable workflow of this repository, with the same event
                results += self.run(job["uses"].removeprefix("./"), event_name, event, called=True)
                finished[name] = {"result": "success", "outputs": {}}
                continue
            done = self._job(name, job, context, shell)
            outputs = {k: substitute(str(v), context) for k, v in job.get("outputs", {}).items()}
            finished[name] = {"result": "failure" if done.failed else "success", "outputs": outputs}
            failed.update([name] if done.failed else [])
            results.append(done)
        return results

    def _fresh(self, job: str) -> Path:
        """The empty workspace of a job's own runner, beside the prepared one."""
        workspace = self.workspace.parent / f"{self.workspace.name}-{job}"
        shutil.rmtree(workspace, ignore_errors=True)
        workspace.mkdir(parents=True)
        return workspace

    def _context(
        self, event_name: str, event: dict[str, Any], env: dict[str, str], workspace: Path
    ) -> Context:
        shutil.rmtree(self.temp, ignore_errors=True)  # each job's runner starts empty
        self.temp.mkdir(parents=True)
        event_path = self.temp / "event.json"
        event_path.write_text(json.dumps(event), encoding="utf-8")
        base = {
            **self.env,
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": event_name,
            "GITHUB_EVENT_PATH": str(event_path),
            "GITHUB_WORKSPACE": str(workspace),
            "RUNNER_TEMP": str(self.temp),
            "RUNNER_OS": "Linux",
        }
        context = Context(workspace, self.temp, event_name, event, base)
        context.env = {k: substitute(str(v), context) for k, v in env.items()}
        return context

    def _job(
        self, name: str, job: dict[str, Any], context: Context, shell: str | None
    ) -> JobResult:
        result = JobResult(name)
        context.env.update({k: substitute(str(v), context) for k, v in job.get("env", {}).items()})
        for number, step in enumerate(job["steps"]):
            title = step.get("name") or step.get("uses") or f"step {number + 1}"
            if not _condition(step.get("if"), context):
                result.steps.append(
                    StepResult(title, f"skipped (if: {step.get('if', 'success()')})")
                )
                continue
            if "uses" in step:
                action = step["uses"].split("@", 1)[0]
                if action not in self.actions:
                    raise AssertionError(f"the runner has no stand-in for {step['uses']}")
                given = {k: substitute(str(v), context) for k, v in step.get("with", {}).items()}
                status, outputs = self.actions[action](context, given)
                step_result = StepResult(title, status, outputs=outputs)
            elif step["run"] in self.not_yet:
                step_result = StepResult(title, f"skipped: {self.not_yet[step['run']]}")
            else:
                step_result = self._run(title, step, context, step.get("shell", shell))
            if "id" in step:
                context.steps[step["id"]] = {"outputs": step_result.outputs}
            result.steps.append(step_result)
            context.job_failed |= step_result.status == "failed"
        for post in reversed(context.post):  # as the job ends, on its runner
            post()
        return result

    def _run(
        self, title: str, step: dict[str, Any], context: Context, shell: str | None
    ) -> StepResult:
        files = {}
        for name in ("GITHUB_ENV", "GITHUB_OUTPUT", "GITHUB_PATH", "GITHUB_STEP_SUMMARY"):
            files[name] = self.temp / f"{name.lower()}-{len(context.steps)}-{os.urandom(4).hex()}"
            files[name].write_text("")
        script = self.temp / f"step-{os.urandom(4).hex()}.sh"
        script.write_text(step["run"], encoding="utf-8")
        # The shells GitHub-hosted runners use: `shell: bash` adds pipefail and no profiles.
        command = (
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)]
            if shell == "bash"
            else ["bash", "-e", str(script)]
        )
        env = {k: substitute(str(v), context) for k, v in step.get("env", {}).items()}
        full_env = {**context.base_env, **context.env, **env}
        full_env.update({k: str(v) for k, v in files.items()})
        if context.path:
            full_env["PATH"] = os.pathsep.join([*context.path, full_env["PATH"]])
        done = subprocess.run(
            command,
            cwd=context.workspace / step.get("working-directory", "."),
            env=full_env,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        context.env.update(_read_env_file(files["GITHUB_ENV"]))
        context.path[:0] = [p for p in files["GITHUB_PATH"].read_text().splitlines() if p]
        status = "ran" if done.returncode == 0 else "failed"
        return StepResult(
            title, status, done.stdout + done.stderr, _read_env_file(files["GITHUB_OUTPUT"])
        )
