"""A models folder read quickly, without the parser: which executable process lives in which file,
and which files or processes will not run (unreadable, not executable)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from engine.bpmn.loader import parse_file
from engine.bpmn.namespaces import BPMN
from engine.errors import ModelInvalid, UnknownProcess


@dataclass(frozen=True)
class Skipped:
    """A file or process of the folder that does not run, and why, in one line."""

    source: str
    process_id: str | None
    reason: str


def scan_folder(bpmn_files: list[Path]) -> tuple[dict[str, Path], list[Skipped]]:
    """(executable process id → file, what is skipped) over the given BPMN files."""
    found, skipped = {}, []
    for path in bpmn_files:
        try:
            tree = parse_file(path)
        except ModelInvalid as err:
            skipped.append(Skipped(path.name, None, str(err)))
            continue
        for process in tree.getroot().iter(f"{{{BPMN}}}process"):
            if not process.get("id"):
                skipped.append(Skipped(path.name, None, (
                    f"{path.name}: a process has no id; give it one in the Modeler's properties panel to run it")))
            elif process.get("isExecutable", "true").lower() != "false":
                found[process.get("id")] = path
            else:
                skipped.append(Skipped(path.name, process.get("id"), (
                    f"{path.name}: process '{process.get('id')}' is not executable (isExecutable=\"false\"); "
                    "tick \"Executable\" in the Modeler's properties panel to run it")))
    return found, skipped


def resolve_source(source: str, models_dir: Path | str) -> Path:
    """A BPMN file path as given, or the file that holds executable process `source` in models_dir."""
    path = Path(source)
    if path.suffix.lower() == ".bpmn" or path.exists():
        return path
    found, _ = scan_folder(sorted(Path(models_dir).glob("*.bpmn")))
    if source not in found:
        raise UnknownProcess("'{source}' is neither a file nor a process (known: {known})", source=source, known=', '.join(sorted(found)) or 'none')
    return found[source]
