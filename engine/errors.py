"""Every error phasegate reports to a person, with the exit code the CLI turns it into.

    PhasegateError                      exit 1   unexpected: a bug, please report it
    ├── BadInput                        exit 2   the input itself is unusable
    │   ├── ModelInvalid                         a BPMN/DMN file is malformed or invalid
    │   └── ConfigInvalid                        a lint configuration file is malformed
    ├── DrawingFailed                   exit 2   a diagram cannot be drawn on this machine
    │   ├── FontMissing                          the font the labels need is not installed
    │   ├── RenderFailed                         Graphviz is missing, failed or took too long
    │   └── DrawingTooLarge                      a model too large to draw, or Graphviz out of time
    ├── TaskFailed                      exit 3   a script, condition or service handler failed
    │   ├── ExpressionRefused                    an expression uses syntax or names the sandbox refuses
    │   ├── ExpressionStopped                    an expression ran out of time or memory
    │   └── TaskDataRefused                      a step left task data the store cannot keep
    ├── NotFound                        exit 4   a process, instance or task named does not exist
    │   ├── UnknownProcess
    │   ├── UnknownInstance
    │   └── UnknownTask
    ├── NotAllowed                      exit 5   the person may not take this action
    │   └── UnknownPerson                        the acting person is in no lane at all
    ├── InvalidForm                     exit 6   form values failed validation
    ├── Conflict                        exit 7   the action no longer fits the instance's state
    │   ├── ChangedMeanwhile                     another command saved the instance first
    │   ├── MigrationRefused                     a newer version would lose a task or entered values
    │   └── TaskNotReady                         the task is completed, cancelled or not yet reached
    ├── StoreError                      exit 8   the store cannot be used (newer schema, corrupt)
    ├── LintFindings                    exit 9   `phasegate lint` found errors in the models
    └── RuleCrashed                     exit 10  a lint rule raised (`rule-error`): a bug in the rule

`EXIT_CODES` at the end names every code the command line exits with, one meaning each, including
those that are no error: 0, and `DIFFERENT` (11) when `phasegate diff` finds the models differ.
"""

from __future__ import annotations


LONGEST_SHOWN = 300  # characters of one value a message repeats (a 10 kB argument is not echoed whole)


def _quoted_fields(template: str) -> set[str]:
    """The fields a message template shows with `!r`."""
    from string import Formatter

    try:
        return {name for _text, name, _spec, conversion in Formatter().parse(template) if name and conversion == "r"}
    except ValueError:
        return set()


def _shown(value, escape: bool = True):
    """A value a person or a file gave, as one error line may show it: control characters (a newline, an
    escape sequence) written as escapes, so the message stays one line and the terminal untouched, and
    long text cut. The engine's own phrases (`Phrase`) and non-text values pass as they are."""
    if type(value) is not str:
        return value
    if escape and not value.isprintable():
        value = "".join(c if c.isprintable() else repr(c)[1:-1] for c in value)
    return value if len(value) <= LONGEST_SHOWN else value[:LONGEST_SHOWN] + "…"


class PhasegateError(Exception):
    """Something went wrong that phasegate can explain in one line."""

    exit_code = 1
    reference = "unexpected"

    def __init__(self, message: str, *, hint: str | None = None, **params):
        """`message` (and `hint`) are English msgids of the catalog, `{names}` filled from `params`:
        the engine raises in English, the face translates `template` and `params` (engine/i18n.py)."""
        quoted = _quoted_fields(message) if params else set()  # `{x!r}` escapes by itself: not twice
        params = {k: _shown(v, escape=k not in quoted) for k, v in params.items()}
        self.template, self.hint_template, self.params, self.detail = message, hint, params, None
        if params:
            message = message.format(**params)
            hint = hint.format(**params) if hint else hint
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} (hint: {self.hint})"

    @classmethod
    def retelling(cls, error: PhasegateError) -> PhasegateError:
        """`error`'s message (its template and params, so still translatable) as an error of this class."""
        return cls(error.template, hint=error.hint_template, **error.params)


class BadInput(PhasegateError):
    """The input given to a command cannot be used as it is."""

    exit_code = 2
    reference = "bad-input"


class ModelInvalid(BadInput):
    """A BPMN or DMN file is malformed XML or breaks the schema or the engine's rules."""

    reference = "model-invalid"


class ConfigInvalid(BadInput):
    """A lint configuration file (.phasegaterc, .bpmnlintrc) is malformed or names unknown rules."""

    reference = "config-invalid"


class LintFindings(PhasegateError):
    """`phasegate lint` found at least one finding of severity error."""

    exit_code = 9
    reference = "lint-findings"


class RuleCrashed(PhasegateError):
    """A lint rule raised while it checked a file; the run reports it as a `rule-error` finding."""

    exit_code = 10
    reference = "rule-error"


class DrawingFailed(PhasegateError):
    """A diagram (render, diff -o, layout, proposal) cannot be drawn on this machine."""

    exit_code = 2
    reference = "drawing-failed"


class FontMissing(DrawingFailed):
    """The CJK font that Chinese labels need is not installed, so they would come out as boxes."""

    reference = "font-missing"


class RenderFailed(DrawingFailed):
    """Graphviz is not installed, exited with an error or took too long."""

    reference = "render-failed"


class DrawingTooLarge(DrawingFailed):
    """A model has more elements than a drawing may hold, or Graphviz ran out of its time."""

    reference = "drawing-too-large"


class TaskFailed(PhasegateError):
    """A script, condition, timer or service handler raised while the engine ran a step."""

    exit_code = 3
    reference = "task-failed"


class ExpressionRefused(TaskFailed):
    """A condition, script, timer or DMN cell uses syntax or names the expression sandbox refuses."""

    reference = "expression-refused"


class ExpressionStopped(TaskFailed):
    """A condition, script, timer or DMN cell ran longer or grew larger than the sandbox allows."""

    reference = "expression-stopped"


class TaskDataRefused(TaskFailed):
    """A step left task data the store cannot keep: not plain JSON data, nested too deep or too large."""

    reference = "task-data-refused"


class NotFound(PhasegateError):
    """A process, instance, task or person named by the user does not exist."""

    exit_code = 4
    reference = "not-found"


class UnknownProcess(NotFound):
    """No process model with that id is known."""

    reference = "unknown-process"


class UnknownInstance(NotFound):
    """No instance with that id is in the store."""

    reference = "unknown-instance"


class UnknownTask(NotFound):
    """The instance has no task with that id."""

    reference = "unknown-task"


class NotAllowed(PhasegateError):
    """The acting person may not take this action (usually: not in the task's lane)."""

    exit_code = 5
    reference = "not-allowed"


class UnknownPerson(NotAllowed):
    """The acting person is in no lane, or no person was named."""

    reference = "unknown-person"


class InvalidForm(PhasegateError):
    """Form values failed validation; `problems` holds one readable line per field."""

    exit_code = 6
    reference = "invalid-form"

    def __init__(self, message: str, problems: list[str], **kwargs):
        super().__init__(message, **kwargs)
        self.message = self.message + ": " + "; ".join(problems)
        self.args = (self.message,)
        self.problems = problems
        self.detail = problems


class Conflict(PhasegateError):
    """The action no longer fits the instance's state."""

    exit_code = 7
    reference = "conflict"


class ChangedMeanwhile(Conflict):
    """Someone else saved the instance between this command's read and its write."""

    reference = "changed-meanwhile"


class MigrationRefused(Conflict):
    """Moving an instance to a newer version would lose a task or values already entered."""

    reference = "migration-refused"


class TaskNotReady(Conflict):
    """The task exists but cannot be completed now (already completed, cancelled, or waiting)."""

    reference = "task-not-ready"


class StoreError(PhasegateError):
    """The store cannot be opened or used by this program."""

    exit_code = 8
    reference = "store-error"


DIFFERENT = 11  # `phasegate diff`: the two models differ (an answer, not an error)

EXIT_CODES = {
    0: "ok (`phasegate diff`: the models are the same)",
    1: "unexpected error: a bug, please report it (PHASEGATE_DEBUG=1 prints the traceback)",
    2: "bad input: usage error, malformed or invalid file; or a diagram cannot be drawn",
    3: "task failed: a script, condition or service handler raised",
    4: "not found: unknown process, instance or task",
    5: "not allowed: no person named, or not in the lane that may act",
    6: "invalid form values",
    7: "conflict: changed meanwhile, or task no longer ready",
    8: "store error: newer schema or unusable store",
    9: "lint found errors in the models",
    10: "a lint rule crashed (rule-error): a bug in the rule; the other findings are still printed",
    DIFFERENT: "`phasegate diff`: the two models differ",
}
