"""No README block goes unrun: the runner (scripts/readme-blocks.py, a test-all.sh step) runs
every Python block, and every Rust block is a doctest. This checks its inventory against an
independent count of the fences, and that the runner reports no problem."""

from __future__ import annotations

import importlib.util
import pathlib
import re
import sys
from types import ModuleType

from conftest import REPO

RUNNER = REPO / "scripts" / "readme-blocks.py"


def load_runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("readme_blocks", RUNNER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["readme_blocks"] = module  # dataclasses resolve their module by name
    spec.loader.exec_module(module)
    return module


def readme_paths() -> list[pathlib.Path]:
    return [REPO / "README.md", *sorted(REPO.glob("bindings/*/README.md"))]


def test_readme_runner_reports_no_problem() -> None:
    runner = load_runner()
    found = runner.all_blocks()
    assert runner.problems(found) == []


def test_readme_runner_sees_every_fence() -> None:
    runner = load_runner()
    found = runner.all_blocks()
    for path in readme_paths():
        text = path.read_text(encoding="utf-8")
        opening = re.findall(r"^\s*```(\w*)", text, re.M)[::2]  # fences alternate open/close
        mine = [b.lang for b in found if b.readme == path]
        assert mine == opening, path
        for lang in ("python", "rust"):
            planned = [b for b in found if b.readme == path and b.lang == lang]
            assert len(planned) == opening.count(lang)
            assert all(("run verbatim" if lang == "python" else "doctest") in b.how() for b in planned)


def test_readme_runner_refuses_unlabeled_and_hidden_lines(tmp_path: pathlib.Path) -> None:
    runner = load_runner()
    readme = REPO / "README.md"
    blocks = [
        runner.Block(readme, 1, "", "print(1)\n"),
        runner.Block(readme, 5, "py", "print(1)\n"),
        runner.Block(readme, 9, "rust,ignore", "let x = 1;\n"),
        runner.Block(readme, 13, "rust", "# use std::fmt;\nlet x = f()?;\n"),
        runner.Block(readme, 17, "python", "import redis\n"),
    ]
    found = runner.problems(blocks)
    assert len(found) == 6, found
