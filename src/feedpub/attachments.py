"""What an entry may attach: the media types by extension, and the `attachments` field read
(plain file names beside the entry, each refused unless its type is safe and its size bounded)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from anyascii import anyascii

from feedpub import sitepaths, values
from feedpub.fields import Limits
from feedpub.load import MappingNode, Node, ScalarNode, SequenceNode, describe_node
from feedpub.model import Attachment
from feedpub.slug import disk_key, is_device_name
from feedpub.values import Invalid, fail, fail_items

# Media types by extension, fixed here so the output never depends on the machine's
# mime.types. HTML, SVG, XML and scripts are left out on purpose: opened from the site's
# address they could run script there.
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "avif": "image/avif",
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "ogg": "audio/ogg",
    "wav": "audio/wav",
    "mp4": "video/mp4",
    "webm": "video/webm",
    "txt": "text/plain",
    "csv": "text/csv",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt": "application/vnd.ms-powerpoint",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "zip": "application/zip",
}
_ATTACHMENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def read_attachments(
    node: Node, available: Mapping[str, int], limits: Limits
) -> tuple[Attachment, ...]:
    if not isinstance(node, SequenceNode):
        fail(f"expected a list of file names, got {describe_node(node)}", node)
    found: list[Attachment] = []
    errors = []
    for number, item in enumerate(node.value, 1):
        try:
            found.append(_attachment(item, available, limits))
        except Invalid as exc:
            errors.append(Invalid(f"item {number}: {exc.message}", exc.node or item))
    fail_items(errors)
    names: dict[str, str] = {}  # each name as a disk that ignores case reads it
    for attachment, item in zip(found, node.value, strict=True):
        name = attachment.name
        if name in names.values():
            fail(f"{name!r} is listed twice", item)
        first = names.setdefault(disk_key(name), name)
        if first != name:
            fail(
                f"{name!r} and {first!r} are one name on a disk that ignores case (macOS's,"
                " Windows'), where one would replace the other in the statement's folder:"
                " rename one",
                item,
            )
    return tuple(found)


def _attachment(node: Node, available: Mapping[str, int], limits: Limits) -> Attachment:
    title = ""
    if isinstance(node, MappingNode):
        parts = {key: value for key, _, value in values.mapping_items(node)}
        unknown = sorted(set(parts) - {"file", "title"})
        if unknown:
            fail(f"{unknown[0]}: {values.unknown_field(unknown[0], ['file', 'title'])}", node)
        if "file" not in parts:
            fail("file: required field is missing", node)
        if "title" in parts:
            title = values.text(parts["title"], max_length=limits["title"])
        node = parts["file"]
    name = values.text(node, max_length=limits["name"])
    if not _ATTACHMENT_NAME.fullmatch(name):
        fail(
            f"{name!r} is not a plain file name (letters, digits, '.', '_', '-'; no folders)"
            + _plain_name(name),
            node,
        )
    if is_device_name(name):
        fail(f"{name!r}: {sitepaths.DEVICE_NAME_REASON}", node)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension in ("yaml", "yml"):
        fail(f"{name!r} is an entry file, not an attachment", node)
    media_type = MEDIA_TYPES.get(extension)
    if media_type is None:
        fail(
            f"{name!r}: cannot attach .{extension} files (HTML, SVG and scripts could run"
            " in a reader's browser); attach one of " + ", ".join(sorted(MEDIA_TYPES)),
            node,
        )
    size = available.get(name)
    if size is None:
        fail(f"{name!r} is not a file in entries/", node)
    if size > limits["megabytes"] * 1024 * 1024:
        most = limits["megabytes"]
        fail(f"{name!r} is {size:,} bytes; an attachment may be at most {most} MB", node)
    return Attachment(name=name, title=title or name, media_type=media_type, length=size)


def _plain_name(name: str) -> str:
    """How to make `name` an attachment's: in a folder, kept beside the entry; else renamed,
    in ASCII, other characters made hyphens (`Rapport année.pdf` -> `Rapport-annee.pdf`)."""
    if "/" in name or "\\" in name:
        return "; keep the file in entries/, beside the entry, and write its name alone"
    stem, dot, extension = anyascii(name).rpartition(".")
    plain = re.sub(r"[^A-Za-z0-9_]+", "-", stem).strip("-_") + dot + extension
    if (
        not stem
        or not _ATTACHMENT_NAME.fullmatch(plain)
        or plain.startswith(".")
        or is_device_name(plain)
    ):
        return ""
    return f"; rename the file, such as to {plain}, and write that name here"


def listed_files(node: Node | None) -> tuple[str, ...]:
    """The file names an `attachments:` field lists as written, each read or refused: a
    file listed there, if refused, is told there, not also as listed by no entry."""
    if not isinstance(node, SequenceNode):
        return ()
    names = []
    for item in node.value:
        if isinstance(item, MappingNode):
            item = next((v for k, _, v in values.mapping_items(item) if k == "file"), None)
        if isinstance(item, ScalarNode):
            names.append(str(item.value).strip())
    return tuple(names)
