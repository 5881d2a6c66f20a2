"""A zip upload is untrusted: paths that leave the module, links, bombs and oversized files are refused."""

from __future__ import annotations

import io
import stat
import zipfile

from app.catalog.files import ModuleLimits, module_zip, read_module_zip
from tests.publishing.test_api import SAMPLE

SMALL = ModuleLimits(file_max_bytes=64 * 1024, module_max_bytes=256 * 1024)


def zip_of(entries: dict[str, bytes], *, links: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return buffer.getvalue()


def messages(data: bytes, limits: ModuleLimits = SMALL) -> list[str]:
    return [str(problem) for problem in read_module_zip(data, limits).problems]


def test_a_module_folder_zip_reads_back_to_the_same_files() -> None:
    files = read_module_zip(module_zip("sample-module", SAMPLE), SMALL)
    assert files.name == "sample-module" and dict(files.files) == SAMPLE and not files.problems


def test_something_that_is_not_a_zip_is_refused() -> None:
    assert messages(b"GIF89a not a zip")[0].startswith("upload: not a readable zip file")


def test_paths_that_leave_the_module_are_refused_and_never_read() -> None:
    entries = {f"sample-module/{p}": d for p, d in SAMPLE.items()}
    entries |= {"../../etc/cron.d/evil": b"x", "/etc/passwd": b"x", "sample-module/..\\..\\win.ini": b"x", "C:/boot.ini": b"x"}
    files = read_module_zip(zip_of(entries), SMALL)
    refused = [problem.file for problem in files.problems]
    assert sorted(refused) == sorted(["../../etc/cron.d/evil", "/etc/passwd", "sample-module/..\\..\\win.ini", "C:/boot.ini"])
    assert all("leaves the module" in problem.message for problem in files.problems)
    assert not any("etc" in path or "ini" in path for path in files.files)


def test_links_inside_the_zip_are_refused() -> None:
    data = zip_of({f"sample-module/{p}": d for p, d in SAMPLE.items()}, links={"sample-module/en/notes.md": "/etc/passwd"})
    assert messages(data) == ["sample-module/en/notes.md: is a symbolic link; a module must hold its files, not links to them"]


def test_a_file_over_the_limit_is_refused_before_it_is_inflated() -> None:
    data = zip_of({"sample-module/module.md": SAMPLE["module.md"], "sample-module/en/big.md": b"a" * (SMALL.file_max_bytes + 1)})
    assert messages(data) == ["sample-module/en/big.md: file is 65,537 bytes; the limit is 65,536 (COOC_MODULE_FILE_MAX_BYTES)"]


def test_a_zip_bomb_is_refused_by_its_total_before_anything_is_inflated() -> None:
    entries = {f"sample-module/en/{n:02d}-x.md": b"\0" * 60_000 for n in range(10)}
    data = zip_of(entries)
    assert len(data) < 10_000, "a few KB that would inflate to 600 KB"
    files = read_module_zip(data, SMALL)
    assert files.unreadable and not files.files
    assert [str(p) for p in files.problems] == [
        "upload: the module is 600,000 bytes in all; the limit is 262,144 (COOC_MODULE_MAX_BYTES)"
    ]


def test_a_zip_that_lies_about_its_sizes_is_not_believed() -> None:
    """The central directory says 100 bytes; the data inflates to far more: unpacking stops and refuses it."""
    data = bytearray(zip_of({"sample-module/en/01-x.md": b"\0" * 500_000}))
    for signature, offset in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        at = data.index(signature) + offset
        data[at : at + 4] = (100).to_bytes(4, "little")
    files = read_module_zip(bytes(data), SMALL)
    assert "en/01-x.md" not in files.files
    assert files.problems and "cannot be unpacked" in files.problems[0].message


def test_too_many_entries_are_refused() -> None:
    data = zip_of({f"sample-module/en/{n}.txt": b"" for n in range(2001)})
    assert messages(data) == ["upload: the zip holds 2,001 entries; a module has at most 2,000"]


def test_hidden_files_and_mac_leftovers_are_ignored() -> None:
    entries = {f"sample-module/{p}": d for p, d in SAMPLE.items()}
    entries |= {"__MACOSX/sample-module/._module.md": b"junk", "sample-module/.DS_Store": b"junk"}
    files = read_module_zip(zip_of(entries), SMALL)
    assert files.name == "sample-module" and dict(files.files) == SAMPLE and not files.problems
