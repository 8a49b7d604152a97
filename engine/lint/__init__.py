"""`phasegate lint`: bpmnlint's rules (same ids, same meaning) plus the engine's own checks.

    report = lint_paths(["bpmn/"], context=LintContext.from_engine(engine))
    print(report.text()); report.raise_for_status()

Files are read with the one hardened XML loader; a file that cannot be read is reported and makes
the run fail with exit 2. Rules are chosen by a preset (`recommended` by default, `correctness`,
`all`) or a `.phasegaterc` / `.bpmnlintrc` file. The engine rules need to know the programme's
lanes, forms and handlers: pass a `LintContext`, or they skip what they cannot know.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from engine.errors import ConfigInvalid
from .config import LintConfig, find_config, load_config
from .presets import PRESETS
from .report import Finding, LintReport
from .rules import load_rules

__all__ = ["Finding", "LintConfig", "LintContext", "LintReport", "PRESETS", "RuleInfo", "lint_paths", "rule_catalogue"]


@dataclass(frozen=True)
class LintContext:
    """What the engine rules know about the programme: who is in each lane, forms, service handlers.

    Attributes:
        people_by_lane: lane name → people in it; None skips `phasegate/lane-has-people`.
        form_for: (process id, task id) → form model or None; None skips `phasegate/user-task-has-form`.
        handlers: service-task operator ids; None skips the handler check of `phasegate/reference-resolves`.
    """

    people_by_lane: Mapping[str, list[str]] | None = None
    form_for: Callable[[str, str], object] | None = None
    handlers: frozenset[str] | None = None

    @classmethod
    def from_engine(cls, engine) -> LintContext:
        """The context of a running `Engine`: its store's lane memberships and its programme."""
        people: dict[str, list[str]] = {}
        for row in engine.store.memberships():
            people.setdefault(row["lane"], []).append(row["person"])
        programme = engine.programme
        return cls(people_by_lane=people, form_for=programme.form_for, handlers=frozenset(programme.handlers))


def lint_paths(paths, *, preset: str | None = None, config_path: Path | str | None = None,
               cwd: Path | str | None = None, context: LintContext | None = None,
               rules: set[str] | None = None) -> LintReport:
    """Lint files and folders.

    Args:
        paths: BPMN/DMN files or folders (a folder means its *.bpmn and *.dmn files).
        preset: a preset name; overrides a config file's `extends`.
        config_path: a config file; by default `.phasegaterc` or `.bpmnlintrc` in `cwd` if present.
        cwd: where to look for a config file (default: the working directory).
        context: the programme's lanes, forms and handlers for the engine rules.
        rules: run only these rule ids (of those the configuration enables).
    """
    from .runner import run

    if config_path is None:
        config_path = find_config(cwd or Path.cwd())
    known = set(load_rules())
    unknown = sorted(set(rules or ()) - known)
    if unknown:
        raise ConfigInvalid("unknown rule '{unknown}'", hint="`phasegate lint --list-rules` lists them", unknown=unknown[0])
    config = load_config(config_path, preset, known_rules=known)
    return run(paths, config, context=context, only=rules)


class RuleInfo(BaseModel):
    """One rule: its id, what it checks, and its level in each preset ("off" when not in it)."""

    rule: str
    description: str
    recommended: str
    correctness: str
    all: str

    def text(self) -> str:
        return f"{self.rule:38} {self.recommended:6}{self.correctness:6}{self.all:6}{self.description}"


def rule_catalogue() -> list[RuleInfo]:
    """Every rule with its description and preset levels."""
    return [RuleInfo(rule=rule, description=getattr(module, "DESCRIPTION", "").strip(),
                     **{name: PRESETS[name].get(rule, "off") for name in ("recommended", "correctness", "all")})
            for rule, module in sorted(load_rules().items())]
