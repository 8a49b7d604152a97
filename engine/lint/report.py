"""What a lint run returns: findings, one line each, and the exit status they imply."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, PrivateAttr

from engine.errors import LintFindings, ModelInvalid, RuleCrashed
from engine.i18n import N_, Phrase

SUMMARY = N_("{count} problems ({errors} errors, {warnings} warnings) in {files} files")


class Finding(BaseModel):
    """One problem in one file: `file:line rule severity message (id "name")`."""

    file: str
    line: int
    rule: str
    severity: Literal["error", "warn", "info"]
    message: str
    element_id: str | None = None
    element_name: str | None = None
    _said: Phrase | None = PrivateAttr(default=None)  # the message as a template and params, for `text(say)`

    def text(self, say=None) -> str:
        """The finding's line; `say(template, **params)` words the message (English when not given)."""
        where = ""
        if self.element_id:
            name = f' "{self.element_name}"' if self.element_name else ""
            where = f" ({self.element_id}{name})"
        message = self.message
        if say is not None and self._said is not None:
            message = " ".join(say(self._said.template, **self._said.params).split())
        return f"{self.file}:{self.line} {self.rule} {self.severity} {message}{where}"


class LintReport(BaseModel):
    """Every finding of one run, the files it read, and those it could not read."""

    files: list[str]
    findings: list[Finding]
    unreadable: list[str] = []
    config: str = ""

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warn" for f in self.findings)

    def _summary_params(self) -> dict:
        return dict(count=len(self.findings), errors=self.errors, warnings=self.warnings, files=len(self.files))

    def summary(self) -> str:
        return SUMMARY.format(**self._summary_params())

    def text(self, say=None) -> str:
        """One line per finding, or a line saying all is well (`say` as in `Finding.text`)."""
        if not self.findings:
            return Phrase("no problems in {count} files", count=len(self.files))
        return "\n".join(f.text(say) for f in self.findings)

    def raise_for_status(self) -> None:
        """ModelInvalid (exit 2) if a file could not be read; RuleCrashed (exit 10) if a rule raised;
        LintFindings (exit 9) if any error was found."""
        if self.unreadable:
            more = f" (and {len(self.unreadable) - 1} more unreadable files)" if len(self.unreadable) > 1 else ""
            raise ModelInvalid(self.unreadable[0] + more)
        crashed = [f for f in self.findings if f.rule == "rule-error"]
        if crashed:
            raise RuleCrashed(crashed[0].message + (f" (and {len(crashed) - 1} more)" if len(crashed) > 1 else ""),
                              hint="a bug in phasegate: please report it")
        if self.errors:
            raise LintFindings(SUMMARY, **self._summary_params())
