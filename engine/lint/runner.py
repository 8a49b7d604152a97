"""Runs the enabled rules over files and collects findings; a rule that raises becomes a `rule-error`."""

from __future__ import annotations

from pathlib import Path

from engine.errors import BadInput, ModelInvalid
from engine.i18n import Phrase
from engine.bpmn.loader import parse_file
from .config import LintConfig
from engine.bpmn.namespaces import BPMN, DMN_MODELS
from .model import Model, Workspace
from .report import Finding, LintReport
from .rules import load_rules

class Reporter:
    """What a rule calls to report: `report(element_or_id, message, line=None)`."""

    def __init__(self, model: Model, rule: str, severity: str, options=None):
        self.model, self.rule, self.severity, self.options = model, rule, severity, options
        self.findings: list[Finding] = []

    def __call__(self, target, message: str, line: int | None = None, **params) -> None:
        """`message` is an English template of the catalog, its `{names}` filled from `params`."""
        said = Phrase(message, **params)
        message = str(said)
        element = self.model.by_id.get(target) if isinstance(target, str) else target
        element_id = target if isinstance(target, str) else getattr(element, "id", None)
        if line is None:
            line = element.line if element is not None else (self.model.root.sourceline or 1)
        name = " ".join((getattr(element, "name", None) or "").split()) or None
        finding = Finding(file=str(self.model.path), line=line, rule=self.rule, severity=self.severity,
                          message=" ".join(message.split()), element_id=element_id, element_name=name)
        finding._said = said
        self.findings.append(finding)


def expand(paths) -> list[Path]:
    """Files to lint: each file as given, each folder's *.bpmn and *.dmn files by name."""
    files = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files += sorted(list(path.glob("*.bpmn")) + list(path.glob("*.dmn")))
        else:
            files.append(path)
    return files


def build_workspace(files: list[Path], trees: dict[Path, object]) -> Workspace:
    """Process and decision ids defined by the linted files and their sibling model files."""
    workspace = Workspace()
    folders = {f.parent for f in files}
    candidates = set(files) | {p for d in folders for p in list(d.glob("*.bpmn")) + list(d.glob("*.dmn"))}
    for path in sorted(candidates):
        tree = trees.get(path)
        if tree is None:
            try:
                tree = parse_file(path)
            except ModelInvalid:
                continue
        root = tree.getroot()
        workspace.process_ids |= {p.get("id") for p in root.iter(f"{{{BPMN}}}process") if p.get("id")}
        workspace.decision_ids |= {d.get("id") for d in root.iter(*(f"{{{ns}}}decision" for ns in DMN_MODELS))
                                   if d.get("id")}
    return workspace


def run(paths, config: LintConfig, context=None, only: set[str] | None = None) -> LintReport:
    """Lint `paths` (files or folders) with `config`; `context` feeds the engine rules."""
    rules = load_rules()
    files = expand(paths)
    if not files:
        raise BadInput("no .bpmn or .dmn files to lint in {value}", value=', '.join(map(str, paths)) or 'the arguments')
    trees, unreadable = {}, []
    for path in files:
        try:
            trees[path] = parse_file(path)
        except ModelInvalid as err:
            unreadable.append(err)
    workspace = build_workspace(list(trees), trees)
    findings: list[Finding] = [_unreadable_finding(err) for err in unreadable]
    for path, tree in trees.items():
        model = Model(path, tree, context=context, workspace=workspace)
        for rule_id, severity in config.enabled().items():
            if only is not None and rule_id not in only:
                continue
            findings += _run_rule(rules[rule_id], rule_id, severity, model, config.options.get(rule_id))
    findings.sort(key=lambda f: (f.file, f.line, f.rule))
    return LintReport(files=[str(f) for f in files], findings=findings,
                      unreadable=[str(e) for e in unreadable], config=config.source)


def _run_rule(module, rule_id: str, severity: str, model: Model, options) -> list[Finding]:
    report = Reporter(model, rule_id, severity, options)
    try:
        module.check(model, report)
    except Exception as err:  # a rule's bug must fail the run, not pass silently
        return [Finding(file=str(model.path), line=model.root.sourceline or 1, rule="rule-error", severity="error",
                        message=f"rule {rule_id} crashed: {type(err).__name__}: {err}")]
    return report.findings


def _unreadable_finding(err: ModelInvalid) -> Finding:
    text = str(err)
    head, _, rest = text.partition(": ")
    file, _, line = head.partition(":")
    return Finding(file=file, line=int(line) if line.isdigit() else 1, rule="phasegate/xml", severity="error",
                   message=rest or text)
