"""A module as a set of files, whatever brought it: a folder on disk, a zip upload, the browser editor.

Every way in ends as `ModuleFiles`, which the loader checks and renders without touching the disk,
and which a version stores as its sources. Each acquirer treats its input as untrusted: a folder
is listed without following links and every file sized before it is read; a zip is checked for
paths that leave the module, links, and sizes (declared and actual, so a zip bomb stops at the
limit). What they refuse ends as a Problem naming the file, never as a crash.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import stat
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from app.config import Settings

MODULE_FILE = "module.md"
MAX_ZIP_ENTRIES = 2000
ZIP_TIMESTAMP = (2020, 1, 1, 0, 0, 0)  # a fixed time, so that the same sources always zip to the same bytes


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class ModuleFormatError(Exception):
    """A module that breaks the format. It is never imported; the live version stays."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class ModuleLimits:
    """How big a module may be: a file, and the whole folder. Defaults are the settings' defaults."""

    file_max_bytes: int = Settings.model_fields["module_file_max_bytes"].default
    module_max_bytes: int = Settings.model_fields["module_max_bytes"].default

    @classmethod
    def from_settings(cls, settings: Settings) -> ModuleLimits:
        return cls(file_max_bytes=settings.module_file_max_bytes, module_max_bytes=settings.module_max_bytes)

    def file_too_big(self, size: int) -> str:
        return f"file is {size:,} bytes; the limit is {self.file_max_bytes:,} (COOC_MODULE_FILE_MAX_BYTES)"

    def module_too_big(self, size: int) -> str:
        return f"the module is {size:,} bytes in all; the limit is {self.module_max_bytes:,} (COOC_MODULE_MAX_BYTES)"


def is_ignored(name: str) -> bool:
    """Hidden files and editor or system leftovers: tools make them next to content, and they are never content."""
    return name.startswith(".") or name.endswith(("~", ".swp")) or name == "Thumbs.db" or name == "__MACOSX"


@dataclass(frozen=True)
class ModuleFiles:
    """The files of one module, by path inside the module ("en/01-intro.md"), with what acquiring refused.

    `name` is the module folder's name when the files came in one (it must equal the slug), or
    None for a zip that holds the files at its root. `refused` paths were reported in `problems`
    and are not in `files`; the loader then stays silent about them.
    """

    name: str | None
    files: Mapping[str, bytes]
    folders: frozenset[str] = frozenset()
    problems: tuple[Problem, ...] = ()
    refused: frozenset[str] = frozenset()
    unreadable: bool = False

    @property
    def label(self) -> str:
        """How problems name the module's root: its folder, or nothing for a bare zip."""
        return self.name or ""

    def all_folders(self) -> frozenset[str]:
        parents = {str(parent) for path in self.files for parent in PurePosixPath(path).parents if str(parent) != "."}
        return frozenset(parents | set(self.folders))

    def content_hash(self) -> str:
        """A digest of every file, so that re-importing unchanged content is a no-op (same order as ever: by path parts)."""
        digest = hashlib.sha256()
        for path in sorted(self.files, key=lambda name: PurePosixPath(name).parts):
            digest.update(path.encode())
            digest.update(b"\0")
            digest.update(self.files[path])
            digest.update(b"\0")
        return digest.hexdigest()


@dataclass
class _Collector:
    label: str
    limits: ModuleLimits
    files: dict[str, bytes] = field(default_factory=dict)
    folders: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)
    unreadable: bool = False

    def refuse(self, path: str, message: str) -> None:
        self.problems.append(Problem(f"{self.label}/{path}" if self.label else path, None, message))
        self.refused.add(path)

    def result(self, name: str | None) -> ModuleFiles:
        return ModuleFiles(
            name=name,
            files=self.files if not self.unreadable else {},
            folders=frozenset(self.folders),
            problems=tuple(self.problems),
            refused=frozenset(self.refused),
            unreadable=self.unreadable,
        )


def read_module_folder(folder: Path, limits: ModuleLimits = ModuleLimits()) -> ModuleFiles:
    """Every regular file of a module folder, read once; links, pipes, devices and oversized files are refused."""
    collect = _Collector(os.fsencode(folder.name).decode("utf-8", "backslashreplace"), limits)
    if folder.is_symlink():
        collect.problems.append(Problem(collect.label, None, "the module folder is a symbolic link; move the module here"))
        collect.unreadable = True
        return collect.result(folder.name)
    root = folder.resolve()
    accepted = _list_module_folder(collect, root)
    if collect.unreadable:
        return collect.result(folder.name)
    for path, relative in accepted:
        data = _read_regular_file(collect, root, path, relative)
        if data is not None:
            collect.files[relative] = data
    return collect.result(folder.name)


def _list_module_folder(collect: _Collector, root: Path) -> list[tuple[Path, str]]:
    """List the folder without following links and size every file; nothing is opened yet, so a link,
    a pipe or a huge file is refused before any read."""
    accepted: list[tuple[Path, str]] = []
    total = 0
    pending = [root]
    while pending:
        directory = pending.pop(0)
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:
            collect.refuse(directory.relative_to(root).as_posix(), f"cannot be listed: {error.strerror}")
            continue
        for entry in entries:
            if is_ignored(entry.name):
                continue
            path = Path(entry.path)
            relative = path.relative_to(root).as_posix()
            if not _is_utf8(entry.name):
                shown = os.fsencode(relative).decode("utf-8", "backslashreplace")
                collect.refuse(shown, "the name is not valid UTF-8: use plain letters, digits and hyphens")
                continue
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError as error:
                collect.refuse(relative, f"cannot be read: {error.strerror}")
                continue
            if stat.S_ISLNK(info.st_mode):
                collect.refuse(relative, "is a symbolic link; a module must hold its files, not links to them")
            elif stat.S_ISDIR(info.st_mode):
                collect.folders.add(relative)
                pending.append(path)
            elif not stat.S_ISREG(info.st_mode):
                collect.refuse(relative, f"is {_kind(info.st_mode)}, not a regular file")
            else:
                total += info.st_size
                if info.st_size > collect.limits.file_max_bytes:
                    collect.refuse(relative, collect.limits.file_too_big(info.st_size))
                else:
                    accepted.append((path, relative))
    if total > collect.limits.module_max_bytes:
        collect.problems.append(Problem(collect.label, None, collect.limits.module_too_big(total)))
        collect.unreadable = True
    return accepted


def _read_regular_file(collect: _Collector, root: Path, path: Path, relative: str) -> bytes | None:
    """Read a file the listing accepted, checking again: it may have been swapped for a link, a pipe or a bigger file."""
    if not path.resolve().is_relative_to(root):
        collect.refuse(relative, "resolves to a place outside the module folder")
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        link = error.errno == errno.ELOOP
        collect.refuse(
            relative, "is a symbolic link; a module must hold its files" if link else f"cannot be read: {error.strerror}"
        )
        return None
    limit = collect.limits.file_max_bytes
    with os.fdopen(fd, "rb") as stream:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            collect.refuse(relative, f"is {_kind(info.st_mode)}, not a regular file")
            return None
        if info.st_size > limit:
            collect.refuse(relative, collect.limits.file_too_big(info.st_size))
            return None
        data = stream.read(limit + 1)
    if len(data) > limit:
        collect.refuse(relative, f"file grew past the limit of {limit:,} bytes while it was read")
        return None
    return data


def read_module_zip(data: bytes, limits: ModuleLimits = ModuleLimits()) -> ModuleFiles:
    """The files of a zipped module: either one module folder at the top of the zip, or the files themselves.

    Entries that would land outside the module (absolute paths, `..`), links, and files over the
    limits are refused; sizes are checked while inflating, whatever the zip declares.
    """
    collect = _Collector("", limits)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as error:
        return ModuleFiles(name=None, files={}, problems=(Problem("upload", None, f"not a readable zip file ({error})"),))
    if len(entries) > MAX_ZIP_ENTRIES:
        problem = Problem("upload", None, f"the zip holds {len(entries):,} entries; a module has at most {MAX_ZIP_ENTRIES:,}")
        return ModuleFiles(name=None, files={}, problems=(problem,))
    wanted = [(entry, _entry_path(collect, entry)) for entry in entries]
    named = [(entry, path) for entry, path in wanted if path is not None and not any(is_ignored(p) for p in path.parts)]
    root = _single_top_folder([path for _, path in named])
    collect.label = root.name if root else ""
    declared = sum(entry.file_size for entry, _ in named)
    if declared > limits.module_max_bytes:
        collect.problems.append(Problem("upload", None, limits.module_too_big(declared)))
        collect.unreadable = True
        return collect.result(root.name if root else None)
    inflated = 0
    with archive:
        for entry, path in named:
            relative = (path.relative_to(root) if root else path).as_posix()
            if entry.is_dir():
                if relative != ".":
                    collect.folders.add(relative)
                continue
            if entry.file_size > limits.file_max_bytes:
                collect.refuse(relative, limits.file_too_big(entry.file_size))
                continue
            content = _inflate(collect, archive, entry, relative)
            if content is None:
                continue
            inflated += len(content)
            if inflated > limits.module_max_bytes:
                collect.problems.append(Problem("upload", None, limits.module_too_big(inflated) + " once unpacked"))
                collect.unreadable = True
                break
            collect.files[relative] = content
    return collect.result(root.name if root else None)


def _entry_path(collect: _Collector, entry: zipfile.ZipInfo) -> PurePosixPath | None:
    name = entry.filename
    path = PurePosixPath(name)
    if name.startswith("/") or "\\" in name or ".." in path.parts or (len(name) > 1 and name[1] == ":"):
        collect.refuse(name, "the path leaves the module (absolute, '..' or a drive letter); zip the module folder itself")
        return None
    if stat.S_ISLNK(entry.external_attr >> 16):
        collect.refuse(name, "is a symbolic link; a module must hold its files, not links to them")
        return None
    return path


def _single_top_folder(paths: list[PurePosixPath]) -> PurePosixPath | None:
    """The one folder every entry sits in, when the zip was made from a module folder."""
    tops = {path.parts[0] for path in paths if path.parts}
    if len(tops) != 1:
        return None
    top = PurePosixPath(next(iter(tops)))
    return top if all(len(path.parts) > 1 or path == top for path in paths) else None


def _inflate(collect: _Collector, archive: zipfile.ZipFile, entry: zipfile.ZipInfo, relative: str) -> bytes | None:
    limit = collect.limits.file_max_bytes
    try:
        with archive.open(entry) as stream:
            content = stream.read(limit + 1)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError) as error:
        collect.refuse(relative, f"cannot be unpacked ({error})")
        return None
    if len(content) > limit:
        collect.refuse(relative, f"inflates past the limit of {limit:,} bytes (the zip says {entry.file_size:,})")
        return None
    return content


def module_zip(name: str, files: Mapping[str, bytes]) -> bytes:
    """A module's files as a zip of its folder: what an upload takes, and what a version's download gives."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(files):
            entry = zipfile.ZipInfo(f"{name}/{path}", date_time=ZIP_TIMESTAMP)
            archive.writestr(entry, files[path], compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def discover_module_folders(root: Path) -> list[Path]:
    """The module folders in root; one that cannot be looked into is kept, so that checking it says why."""
    found = []
    for child in sorted(root.iterdir()):
        if is_ignored(child.name):
            continue
        try:
            if child.is_dir() and (child / MODULE_FILE).exists():
                found.append(child)
        except OSError:
            found.append(child)
    return found


def _is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"
