"""Lint configuration in the bpmnlint style: a JSON file with `extends` and per-rule `rules` levels.

    {"extends": "bpmnlint:recommended",
     "rules": {"label-required": "off", "standard-size": ["warn", {"bpmn:Task": {"width": 120}}]}}

Looked up as `.phasegaterc`, then `.bpmnlintrc`, in the working directory (as bpmnlint does),
unless a path is given. Levels are "off", "info", "warn", "error" (or 0, 1, 2).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from engine.errors import ConfigInvalid
from engine.i18n import Phrase
from .presets import DEFAULT_PRESET, PRESETS

CONFIG_NAMES = (".phasegaterc", ".bpmnlintrc")
LEVELS = {"off": "off", "info": "info", "warn": "warn", "warning": "warn", "error": "error",
          0: "off", 1: "warn", 2: "error"}
MAX_CONFIG_BYTES = 1 << 20


@dataclass
class LintConfig:
    """Which rules run, at which severity, with which options; and where that came from."""

    levels: dict[str, str]
    options: dict[str, object] = field(default_factory=dict)
    source: str = f"preset {DEFAULT_PRESET}"

    def enabled(self) -> dict[str, str]:
        return {rule: level for rule, level in self.levels.items() if level != "off"}


def preset_rules(name: str, source: str = "--preset") -> dict[str, str]:
    """The rule levels of a preset named `name`, `bpmnlint:name` or `phasegate:name`."""
    if not isinstance(name, str):
        raise ConfigInvalid("{source}: 'extends' entries must be text, not {value}", source=source, value=json.dumps(name))
    base = name.split(":", 1)[1] if name.startswith(("bpmnlint:", "phasegate:")) else name
    if name.startswith("plugin:"):
        raise ConfigInvalid("{source}: '{name}': bpmnlint plug-ins are not supported",
                            hint="turn their rules off or remove the plug-in from 'extends'", source=source, name=name)
    if base not in PRESETS:
        raise ConfigInvalid("{source}: unknown preset '{name}' (known: {value})", source=source, name=name, value=', '.join(sorted(PRESETS)))
    return dict(PRESETS[base])


def find_config(cwd: Path | str) -> Path | None:
    """The first of .phasegaterc, .bpmnlintrc in `cwd`, or None."""
    for name in CONFIG_NAMES:
        candidate = Path(cwd) / name
        if candidate.is_file():
            return candidate
    return None


def load_config(path: Path | str | None = None, preset: str | None = None, known_rules=None) -> LintConfig:
    """Build the configuration: a preset, or a config file's `extends` and `rules` (preset wins for `extends`)."""
    if path is None:
        levels = preset_rules(preset or DEFAULT_PRESET)
        return LintConfig(levels=levels, source=f"preset {preset or DEFAULT_PRESET}")
    data = _read_json(Path(path))
    source = str(path)
    extends = preset if preset is not None else data.get("extends", DEFAULT_PRESET)
    levels: dict[str, str] = {}
    for name in extends if isinstance(extends, list) else [extends]:
        levels.update(preset_rules(name, source))
    options = {}
    rules = data.get("rules", {})
    if not isinstance(rules, dict):
        raise ConfigInvalid("{source}: 'rules' must be an object of rule id → level", source=source)
    for rule, value in rules.items():
        if known_rules is not None and rule not in known_rules:
            raise ConfigInvalid("{source}: unknown rule '{rule}'", hint="`phasegate lint --list-rules` lists them", source=source, rule=rule)
        if isinstance(value, list) and value:
            value, options[rule] = value[0], (value[1] if len(value) > 1 else None)
        level = LEVELS.get(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else None
        if level is None:
            raise ConfigInvalid("{source}: rule '{rule}' has level {value}; use off, info, warn or error", source=source, rule=rule, value=json.dumps(value))
        levels[rule] = level
    return LintConfig(levels=levels, options=options, source=source)


def _read_json(path: Path) -> dict:
    from engine.files import Unreadable, read_regular

    try:
        text = read_regular(path, MAX_CONFIG_BYTES, Phrase("config file")).decode("utf-8-sig")
        data = json.loads(text)
    except Unreadable as err:
        raise ConfigInvalid.retelling(err) from None
    except FileNotFoundError:
        raise ConfigInvalid("{path}: no such file", path=path) from None
    except (IsADirectoryError, PermissionError) as err:
        raise ConfigInvalid("{path}: cannot be read ({strerror})", path=path, strerror=err.strerror) from None
    except UnicodeDecodeError:
        raise ConfigInvalid("{path}: not UTF-8 text", path=path) from None
    except json.JSONDecodeError as err:
        raise ConfigInvalid("{path}:{lineno}: not valid JSON: {msg}", path=path, lineno=err.lineno, msg=err.msg) from None
    except RecursionError:
        raise ConfigInvalid("{path}: JSON nested too deeply", path=path) from None
    if not isinstance(data, dict):
        raise ConfigInvalid("{path}: must hold a JSON object with 'extends' and 'rules'", path=path)
    return data
