"""Calls in feedpub's own templates, made as Jinja's Context.call makes them (runtime.py,
3.1.6) without its questions whose answers the callable's type gives.

For each call Jinja asks whether the callable, then its `__call__`, wants the context, the
evaluation context or the environment passed first: two attribute lookups that fail, for
a date's isoformat() as for a macro. The 40,850 calls of the macro showing a listed
statement, on the list pages of 10,000 statements, then bind their arguments by name in
Macro.__call__. Here a macro called as feedpub's templates call it (its arguments by
position and by name, no `caller`, no `*args` or `**kwargs`), a method of a built-in type
and a plain function are called directly; any other call, or one these would refuse, is
Jinja's own. tests/test_templates.py checks each kind of call gives what Jinja gives.
"""

from __future__ import annotations

from types import BuiltinFunctionType, FunctionType
from typing import Any

from jinja2.nodes import EvalContext
from jinja2.runtime import Context, Macro
from jinja2.utils import missing


def call(context: Context, obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """context.call(obj, *args, **kwargs), as Jinja makes it."""
    kind = type(obj)
    if kind is Macro:
        # Macro.__call__ takes the evaluation context (pass_eval_context), then binds the
        # arguments not given by position by name: missing ones are `missing`, which the
        # macro's code replaces by their defaults.
        names = obj.arguments
        if (
            not (obj.caller or obj.catch_kwargs or obj.catch_varargs)
            and len(args) <= len(names)
            and not (args and isinstance(args[0], EvalContext))
        ):
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
            rest = names[len(args) :]
            if all(name in rest for name in kwargs):
                arguments = [*args, *[kwargs.get(name, missing) for name in rest]]
                try:
                    return obj._invoke(arguments, context.eval_ctx.autoescape)
                except StopIteration:
                    return _stopped(context)
    elif kind is BuiltinFunctionType or (
        kind is FunctionType and getattr(obj, "jinja_pass_arg", None) is None
    ):
        kwargs.pop("_block_vars", None)
        kwargs.pop("_loop_vars", None)
        try:
            return obj(*args, **kwargs)
        except StopIteration:
            return _stopped(context)
    return Context.call(context, obj, *args, **kwargs)


def _stopped(context: Context) -> Any:
    """What Jinja gives for a call that raised StopIteration, which a generator (the
    template's) would otherwise turn into a RuntimeError."""
    return context.environment.undefined(
        "value was undefined because a callable raised a StopIteration exception"
    )
