"""An entry's `contact` field: one media contact or a list, each a name with an email, a
phone number as people write it, or both."""

from __future__ import annotations

import re

from feedpub import values
from feedpub.fields import Limits
from feedpub.load import Node, ScalarNode, SequenceNode, describe_node
from feedpub.model import Contact
from feedpub.values import Invalid, fail, fail_items

# A phone number as people write it: digits, spaces, and + ( ) - . /; 5 to 20 digits.
_PHONE = re.compile(r"\+?[0-9(][0-9 ()./-]*[0-9]")


def _phone(node: Node) -> str:
    # Read as written whatever YAML takes it for: +442079460000 is a number to YAML 1.1.
    if not isinstance(node, ScalarNode) or node.tag.endswith(":null"):
        fail(f"expected a phone number, got {describe_node(node)}", node)
    value = values.one_line(str(node.value))
    digits = sum(c.isdigit() for c in value)
    if not _PHONE.fullmatch(value) or not 5 <= digits <= 20:
        fail(
            "expected a phone number such as +44 20 7946 0000 (digits, spaces and"
            f" + ( ) - .), got {value!r}",
            node,
        )
    return value


def _contact(node: Node, limits: Limits) -> Contact:
    readers = {
        "name": lambda n: values.one_line(values.text(n, max_length=limits["length"])),
        "email": values.email,
        "phone": _phone,
    }
    found: dict[str, str] = {}
    for name, key, value in values.mapping_items(values.mapping(node)):
        if name not in readers:
            fail(f"{name}: {values.unknown_field(name, readers)}", key)
        try:
            found[name] = readers[name](value)
        except Invalid as exc:
            fail(f"{name}: {exc.message}", exc.node or value)
    if "name" not in found:
        fail("name: required field is missing (whom to ask for)", node)
    if "email" not in found and "phone" not in found:
        fail("give an email, a phone, or both: how a journalist reaches the contact", node)
    return Contact(**found)


def read_contacts(node: Node, ctx: object, limits: Limits) -> tuple[Contact, ...]:
    if not isinstance(node, SequenceNode):
        return (_contact(node, limits),)
    if len(node.value) > limits["contacts"]:
        fail(f"has {len(node.value):,} items; at most {limits['contacts']} are allowed", node)
    found = []
    errors = []
    for number, item in enumerate(node.value, 1):
        try:
            found.append(_contact(item, limits))
        except Invalid as exc:
            errors.append(Invalid(f"item {number}: {exc.message}", exc.node or item))
    fail_items(errors)
    return tuple(found)
